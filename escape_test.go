package vpsorg

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
)

func TestNewRequest(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	tests := []struct {
		name, method, path string
		body               any
		wantURL            string // "" when refused
		wantBody           string
	}{
		{name: "a list with a query", method: "GET", path: "backups/?server_id=1", wantURL: testBase + "backups/?server_id=1"},
		{name: "an id", method: "DELETE", path: "backups/501/", wantURL: testBase + "backups/501/"},
		{name: "the base itself", method: "GET", path: "", wantURL: testBase},
		{name: "a JSON body", method: "POST", path: "backups/", body: map[string]int{"server_id": 1},
			wantURL: testBase + "backups/", wantBody: `{"server_id":1}`},
		{name: "an empty method is GET", path: "servers/", wantURL: testBase + "servers/"},
		{name: "absolute URL", method: "GET", path: "https://evil.example/api/v1/backups/"},
		{name: "same host, absolute", method: "GET", path: "https://api.test/api/v1/backups/"},
		{name: "scheme-relative", method: "GET", path: "//evil.example/backups/"},
		{name: "host-relative", method: "GET", path: "/api/v1/backups/"},
		{name: "climbs out", method: "GET", path: "../../admin/"},
		{name: "climbs out midway", method: "GET", path: "backups/../../../admin/"},
		{name: "dot dot even within", method: "GET", path: "backups/../servers/"},
		{name: "dot segment", method: "GET", path: "./backups/"},
		{name: "percent-encoded dots", method: "GET", path: "%2e%2e/%2E%2E/admin/"},
		{name: "percent-encoded slash", method: "GET", path: "backups/..%2F..%2Fadmin/"},
		{name: "backslash", method: "GET", path: `..\..\admin/`},
		{name: "fragment", method: "GET", path: "backups/#x"},
		{name: "opaque", method: "GET", path: "mailto:root@api.test"},
		{name: "control character", method: "GET", path: "backups/\n"},
		{name: "bad method", method: "GE T", path: "backups/"},
		{name: "body that cannot be encoded", method: "POST", path: "backups/", body: make(chan int)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := c.NewRequest(context.Background(), tc.method, tc.path, tc.body)
			if tc.wantURL == "" {
				if err == nil || !strings.HasPrefix(err.Error(), "vpsorg: NewRequest: ") {
					t.Fatalf("NewRequest(%q, %q) = %v, %v; want an error naming NewRequest", tc.method, tc.path, req, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := req.URL.String(); got != tc.wantURL {
				t.Errorf("URL = %s; want %s", got, tc.wantURL)
			}
			if got := req.Header.Get("Authorization"); got != "" {
				t.Errorf("NewRequest set Authorization %q; only Do may", got)
			}
			if got := req.Header.Get("User-Agent"); got != defaultUserAgent {
				t.Errorf("User-Agent = %q", got)
			}
			var body []byte
			if req.Body != nil {
				body, _ = io.ReadAll(req.Body)
			}
			if string(body) != tc.wantBody {
				t.Errorf("body = %q; want %q", body, tc.wantBody)
			}
			if ct := req.Header.Get("Content-Type"); (tc.wantBody != "") != (ct == "application/json") {
				t.Errorf("Content-Type = %q with body %q", ct, body)
			}
		})
	}
}

func TestNewRequestNilContext(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	//lint:ignore SA1012 a nil context is what is being tested
	_, err := c.NewRequest(nil, "GET", "backups/", nil) //nolint:staticcheck // a nil context is what is being tested
	if err == nil {
		t.Fatal("NewRequest(nil ctx) succeeded")
	}
}

// TestDo: a request of one's own gets what a service method gets: the
// token, retries by method, typed errors, decoding.
func TestDo(t *testing.T) {
	t.Parallel()
	ok := answer{status: 200, body: `{"count":1,"results":[{"id":7,"name":"web"}]}`}
	tests := []struct {
		name         string
		method, path string
		body         any
		answers      []answer
		wantErr      []error // each matched by errors.Is
		notErr       []error // each not matched
		wantAttempts int
		wantIDs      []int64
	}{
		{name: "GET decodes", method: "GET", path: "servers/?status=active", answers: []answer{ok}, wantAttempts: 1, wantIDs: []int64{7}},
		{name: "GET retried on 503", method: "GET", path: "servers/", answers: []answer{{status: 503}, ok}, wantAttempts: 2, wantIDs: []int64{7}},
		{name: "PUT retried on 502", method: "PUT", path: "servers/7/", body: map[string]string{"name": "web"},
			answers: []answer{{status: 502}, ok}, wantAttempts: 2, wantIDs: []int64{7}},
		{name: "POST retried on 429", method: "POST", path: "things/", body: struct{}{},
			answers: []answer{{status: 429}, ok}, wantAttempts: 2, wantIDs: []int64{7}},
		{name: "POST not retried on 503: outcome unknown", method: "POST", path: "things/", body: struct{}{},
			answers: []answer{{status: 503}}, wantErr: []error{ErrServerError, ErrOutcomeUnknown}, wantAttempts: 1},
		{name: "PATCH not retried after a reset: outcome unknown", method: "PATCH", path: "things/3/", body: struct{}{},
			answers: []answer{{err: reset(), wrote: true}}, wantErr: []error{ErrOutcomeUnknown}, wantAttempts: 1},
		{name: "POST refused before sending: retried", method: "POST", path: "things/",
			answers: []answer{{err: refused()}, ok}, wantAttempts: 2, wantIDs: []int64{7}},
		{name: "404", method: "GET", path: "things/9/", answers: []answer{{status: 404, body: `{"detail":"Not found."}`}},
			wantErr: []error{ErrNotFound}, notErr: []error{ErrOutcomeUnknown}, wantAttempts: 1},
		{name: "DELETE 404 after 503 is still 404: Do knows no endpoint", method: "DELETE", path: "things/9/",
			answers: []answer{{status: 503}, {status: 404}}, wantErr: []error{ErrNotFound}, wantAttempts: 2},
		{name: "GET given up after 503s is no unknown outcome", method: "GET", path: "servers/",
			answers: []answer{{status: 503}, {status: 503}}, wantErr: []error{ErrServerError}, notErr: []error{ErrOutcomeUnknown}, wantAttempts: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(1))
			s := &script{t: t, answers: tc.answers}
			route, _, _ := strings.Cut(tc.path, "?")
			mock.RegisterResponder(tc.method, testBase+route, func(req *http.Request) (*http.Response, error) {
				if got := req.Header.Get("Authorization"); got != "Bearer "+testToken {
					t.Errorf("Authorization = %q", got)
				}
				return s.respond(req)
			})
			req, err := c.NewRequest(context.Background(), tc.method, tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Results []struct {
					ID int64 `json:"id"`
				} `json:"results"`
			}
			resp, err := c.Do(req, &out)
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %v; want it to match %v", err, want)
				}
			}
			for _, not := range tc.notErr {
				if errors.Is(err, not) {
					t.Errorf("error %v matches %v", err, not)
				}
			}
			if tc.wantErr == nil && err != nil {
				t.Fatalf("Do: %v", err)
			}
			if got := attemptsOf(resp, err); got != tc.wantAttempts {
				t.Errorf("attempts = %d; want %d", got, tc.wantAttempts)
			}
			var ids []int64
			for _, r := range out.Results {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("decoded ids %v; want %v", ids, tc.wantIDs)
			}
			if tc.body != nil {
				for i, b := range s.bodies {
					if b == "" {
						t.Errorf("try %d sent no body", i+1)
					}
				}
			}
		})
	}
}

// attemptsOf reads the tries a call took from its answer or its error.
func attemptsOf(resp *Response, err error) int {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case resp != nil:
		return resp.Attempts
	case errors.As(err, &apiErr):
		return apiErr.Attempts
	case errors.As(err, &reqErr):
		return reqErr.Attempts
	}
	return -1
}

// TestDoRefusesOtherURLs: a request built by hand for anywhere but the
// base URL is sent nowhere (newTestClient fails on any request).
func TestDoRefusesOtherURLs(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	tests := []struct{ name, url string }{
		{"another host", "https://evil.example/api/v1/backups/"},
		{"a look-alike host", "https://api.test.evil.example/api/v1/backups/"},
		{"plain http", "http://api.test/api/v1/backups/"},
		{"another port", "https://api.test:8443/api/v1/backups/"},
		{"outside the base path", "https://api.test/admin/"},
		{"a prefix of the base path", "https://api.test/api/v10/backups/"},
		{"climbing out", "https://api.test/api/v1/../admin/"},
		{"climbing out, encoded", "https://api.test/api/v1/%2e%2e/admin/"},
		{"user info", "https://user:pw@api.test/api/v1/backups/"},
		{"relative", "backups/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(req, nil)
			if err == nil || !strings.HasPrefix(err.Error(), "vpsorg: Client.Do: ") {
				t.Fatalf("Do(%s) = %v; want an error naming Client.Do", tc.url, err)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the URL's password: %v", err)
			}
		})
	}
	if _, err := c.Do(nil, nil); err == nil {
		t.Error("Do(nil) succeeded")
	}
}

// TestDoHandBuilt: a request made without NewRequest keeps its own
// headers and body, and gets the token in place of its own Authorization.
func TestDoHandBuilt(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	var got *http.Request
	var body string
	mock.RegisterResponder("PUT", testBase+"things/3/", func(req *http.Request) (*http.Response, error) {
		got = req
		b, _ := io.ReadAll(req.Body)
		body = string(b)
		return httpmock.NewStringResponse(204, ""), nil
	})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, "https://API.test:443/api/v1/things/3/", strings.NewReader("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Trace", "abc")
	req.Header.Set("Authorization", "Bearer someone-elses")

	if _, err := c.Do(req, new(map[string]any)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Authorization": "Bearer " + testToken,
		"Content-Type":  "application/x-www-form-urlencoded",
		"X-Trace":       "abc",
		"Accept":        "application/json",
		"User-Agent":    defaultUserAgent,
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("%s = %q; want %q", k, g, v)
		}
	}
	if body != "a=1" {
		t.Errorf("body = %q", body)
	}
	if req.Header.Get("Authorization") != "Bearer someone-elses" {
		t.Error("Do changed the caller's request")
	}
}

// TestDoBodyTooLarge: the size cap holds for Do as for every call.
func TestDoBodyTooLarge(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	mock.RegisterResponder("GET", testBase+"big/", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, "{}")
		resp.ContentLength = maxBodySize + 1
		return resp, nil
	})
	req, err := c.NewRequest(context.Background(), "GET", "big/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(req, new(map[string]any)); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("Do = %v; want ErrResponseTooLarge", err)
	}
}

// TestDoObserved: Do is a call named "Client.Do" whose try's template has
// the path's ids as {id} and no query.
func TestDoObserved(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	c, mock, _ := newTestClient(t, WithObserver(recorder{log: log}))
	mock.RegisterResponder("GET", testBase+"servers/12345/disks/", httpmock.NewStringResponder(200, `{}`))
	req, err := c.NewRequest(context.Background(), "GET", "servers/12345/disks/?token=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(req, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`call Client.Do under ""`,
		`try GET /api/v1/servers/{id}/disks/ resend=0 to api.test:443 under "Client.Do"`,
		`end GET /api/v1/servers/{id}/disks/ status=200 failed=false`,
		`end Client.Do failed=false`,
	}
	if got := log.all(); !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
