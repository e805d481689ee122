package vpsorg

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// wantCall is what an endpoint test expects one call to put on the wire.
type wantCall struct {
	method    string
	path      string // URL path, such as "/api/v1/backups/"
	query     string // exact raw query; "" for none
	body      string // JSON the body must equal; "" for no body at all
	userAgent string // "" for the default, "vpsorg-go/" + Version
}

// expectCall makes mock answer want.method on want.path with status and
// body, after failing the test unless the request matches want in full.
// Any other request falls to newTestClient's no-responder, which fails.
func expectCall(t *testing.T, mock *httpmock.MockTransport, want wantCall, status int, body string, header ...string) {
	t.Helper()
	mock.RegisterResponder(want.method, "https://api.test"+want.path, func(req *http.Request) (*http.Response, error) {
		checkCall(t, req, want)
		return newAnswer(status, body, header...), nil
	})
}

// checkCall fails the test (without stopping it: responders may run on
// another goroutine) unless req is what want describes.
func checkCall(t *testing.T, req *http.Request, want wantCall) {
	t.Helper()
	if req.Method != want.method {
		t.Errorf("method = %s, want %s", req.Method, want.method)
	}
	if req.URL.EscapedPath() != want.path {
		t.Errorf("path = %q, want %q", req.URL.EscapedPath(), want.path)
	}
	if req.URL.RawQuery != want.query {
		t.Errorf("query = %q, want %q", req.URL.RawQuery, want.query)
	}
	ua := want.userAgent
	if ua == "" {
		ua = "vpsorg-go/" + Version
	}
	wantHeader := map[string]string{
		"Authorization": "Bearer " + testToken,
		"Accept":        "application/json",
		"User-Agent":    ua,
		"Content-Type":  "",
	}
	if want.body != "" {
		wantHeader["Content-Type"] = "application/json"
	}
	for k, v := range wantHeader {
		if got := req.Header.Values(k); (v == "" && len(got) != 0) || (v != "" && (len(got) != 1 || got[0] != v)) {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	var got []byte
	if req.Body != nil {
		var err error
		if got, err = io.ReadAll(req.Body); err != nil {
			t.Errorf("read request body: %v", err)
		}
	}
	if want.body == "" {
		if len(got) != 0 {
			t.Errorf("body = %q, want none", got)
		}
		return
	}
	var gotJSON, wantJSON any
	if err := json.Unmarshal(got, &gotJSON); err != nil {
		t.Errorf("body %q is not JSON: %v", got, err)
		return
	}
	if err := json.Unmarshal([]byte(want.body), &wantJSON); err != nil {
		t.Errorf("bad wantCall.body %q: %v", want.body, err)
		return
	}
	if !reflect.DeepEqual(gotJSON, wantJSON) {
		t.Errorf("body = %s, want %s", got, want.body)
	}
}

// newAnswer builds a mock response; header holds name, value pairs.
func newAnswer(status int, body string, header ...string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	for i := 0; i+1 < len(header); i += 2 {
		resp.Header.Set(header[i], header[i+1])
	}
	return resp
}

// loadTestdata returns the contents of testdata/name.
func loadTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return string(b)
}

// wantNoRequest fails the test if mock was asked anything.
func wantNoRequest(t *testing.T, mock *httpmock.MockTransport) {
	t.Helper()
	if n := mock.GetTotalCallCount(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestNewClientRefusesBadInput(t *testing.T) {
	t.Parallel()
	failing := errors.New("option failed")
	tests := []struct {
		name  string
		token string
		opts  []Option
		want  string // part of the error
	}{
		{"empty token", "", nil, "empty token"},
		{"blank token", " \t\n", nil, "empty token"},
		{"token with space", "abc def", nil, "white space"},
		{"token with newline", "abc\r\nX-Evil: 1", nil, "control"},
		{"nil option", testToken, []Option{WithRetryMax(1), nil}, "option 1 is nil"},
		{"failing option", testToken, []Option{func(*config) error { return failing }}, "option failed"},
		{"nil http client", testToken, []Option{WithHTTPClient(nil)}, "nil *http.Client"},
		{"empty base URL", testToken, []Option{WithBaseURL(" ")}, "empty URL"},
		{"http to the internet", testToken, []Option{WithBaseURL("http://admin.vps.org/api/v1/")}, "clear text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.token, tt.opts...)
			if err == nil {
				t.Fatalf("NewClient = %v, want an error", c)
			}
			if c != nil {
				t.Errorf("NewClient returned a Client with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.TrimSpace(tt.token) != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q carries the token", err)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testToken)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.BaseURL(); got != DefaultBaseURL {
		t.Errorf("BaseURL = %q, want %q", got, DefaultBaseURL)
	}
	if want := "vpsorg-go/0.2.0"; c.userAgent != want {
		t.Errorf("User-Agent = %q, want %q", c.userAgent, want)
	}
	if c.http.RetryMax != 4 || c.http.RetryWaitMin != 500*time.Millisecond || c.http.RetryWaitMax != 30*time.Second {
		t.Errorf("retry policy = %d, %s..%s, want 4, 500ms..30s", c.http.RetryMax, c.http.RetryWaitMin, c.http.RetryWaitMax)
	}
	if c.http.Logger != nil || c.logger != nil {
		t.Errorf("a Client without WithLogger has a logger: %v, %v", c.http.Logger, c.logger)
	}
	if c.Backups == nil || c.Snapshots == nil || c.Servers == nil {
		t.Fatal("a service is nil")
	}
	// http.DefaultTransport as it is at each request (a nil Transport),
	// so that what the program put there sees the SDK's requests.
	if rt := c.http.HTTPClient.Transport; rt != nil {
		t.Errorf("the default HTTP client has a transport of its own, %T", rt)
	}
	if got := c.http.HTTPClient.Timeout; got != defaultTimeout {
		t.Errorf("the default HTTP client's timeout is %s, want %s", got, defaultTimeout)
	}
}

// TestBaseURLWithoutPath checks that a base URL without the API's path is
// refused with the URL to use instead: accepted, every call would answer
// 404, which errors.Is(err, ErrNotFound) reads as "already gone".
func TestBaseURLWithoutPath(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://admin.vps.org":        "https://admin.vps.org/api/v1/",
		"https://admin.vps.org/":       "https://admin.vps.org/api/v1/",
		" https://admin.vps.org:8443 ": "https://admin.vps.org:8443/api/v1/", //nolint:gocritic // the spaces are part of the case
		"http://localhost:8080/":       "http://localhost:8080/api/v1/",
	} {
		_, err := NewClient(testToken, WithBaseURL(raw))
		if err == nil || !strings.Contains(err.Error(), "no API path") || !strings.Contains(err.Error(), "try "+want) {
			t.Errorf("NewClient(WithBaseURL(%q)) = %v; want it refused, suggesting %s", raw, err, want)
		}
	}
}

func TestWithBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		insecure bool
		want     string // "" when NewClient must refuse raw
	}{
		{raw: "https://admin.vps.org/api/v1/", want: "https://admin.vps.org/api/v1/"},
		{raw: "https://admin.vps.org/api/v1", want: "https://admin.vps.org/api/v1/"},
		{raw: "https://proxy.example.com/vpsorg/api/v1", want: "https://proxy.example.com/vpsorg/api/v1/"},
		{raw: "  https://admin.vps.org/api/v1  ", want: "https://admin.vps.org/api/v1/"},
		{raw: "https://admin.vps.org:8443/api/v1", want: "https://admin.vps.org:8443/api/v1/"},
		{raw: "https://api.test/a%2Fb", want: "https://api.test/a%2Fb/"},
		{raw: "http://localhost:8080/api/v1", want: "http://localhost:8080/api/v1/"},
		{raw: "http://LOCALHOST/api/v1/", want: "http://LOCALHOST/api/v1/"},
		{raw: "http://127.0.0.1:9000/api/v1/", want: "http://127.0.0.1:9000/api/v1/"},
		{raw: "http://127.10.20.30/api/", want: "http://127.10.20.30/api/"},
		{raw: "http://[::1]:9000/api/v1", want: "http://[::1]:9000/api/v1/"},
		{raw: "http://admin.vps.org/api/v1", insecure: true, want: "http://admin.vps.org/api/v1/"},
		{raw: "http://10.0.0.5:8000/api/v1/", insecure: true, want: "http://10.0.0.5:8000/api/v1/"},

		// Refused: malformed, relative, not http(s), user info, query, fragment.
		{raw: "https://adm in.vps.org/api/v1/"},
		{raw: "http://[::1"},
		{raw: "https://admin.vps.org:port/"},
		{raw: "%zz"},
		{raw: "admin.vps.org/api/v1/"},
		{raw: "/api/v1/"},
		{raw: "//admin.vps.org/api/v1/"},
		{raw: "https://"},
		{raw: "https:///api/v1/"},
		{raw: "https:admin.vps.org"},
		{raw: "ftp://admin.vps.org/api/v1/"},
		{raw: "file:///etc/passwd"},
		{raw: "ws://localhost/api/v1/"},
		{raw: "https://user:secret@admin.vps.org/api/v1/"},
		{raw: "https://user@admin.vps.org/api/v1/"},
		{raw: "https://admin.vps.org/api/v1/?format=json"},
		{raw: "https://admin.vps.org/api/v1/?"},
		{raw: "https://admin.vps.org/api/v1/#top"},
		{raw: "https://admin.vps.org/?a=1", insecure: true},

		// Refused: no path, where every call would answer 404 (see TestBaseURLWithoutPath).
		{raw: "https://admin.vps.org"},
		{raw: "https://admin.vps.org/"},
		{raw: "http://127.0.0.1:9000"},

		// Refused: http:// to a host that is not loopback, judged without DNS.
		{raw: "http://admin.vps.org/api/v1/"},
		{raw: "http://127.0.0.1.example.com/api/v1/"},
		{raw: "http://127.0.0.1.nip.io/api/v1/"},
		{raw: "http://localhost.example.com/api/v1/"},
		{raw: "http://0.0.0.0:8000/"},
		{raw: "http://10.0.0.5/"},
		{raw: "http://[::2]/"},
		{raw: "http://128.0.0.1/"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			opts := []Option{WithBaseURL(tt.raw)}
			if tt.insecure {
				opts = append(opts, WithInsecureHTTP())
			}
			c, err := NewClient(testToken, opts...)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("NewClient accepted base URL %q as %q", tt.raw, c.BaseURL())
				}
				if !strings.HasPrefix(err.Error(), "vpsorg: ") {
					t.Errorf("error %q does not say it comes from vpsorg", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.0.0.53", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"127.0.0.1.example.com", false},
		{"localhost.example.com", false},
		{"localhost.", false},
		{"example.com", false},
		{"0.0.0.0", false},
		{"::", false},
		{"10.0.0.1", false},
		{"128.0.0.1", false},
		{"::2", false},
		{"2130706433", false}, // 127.0.0.1 as a number: not a literal address
	}
	for _, tt := range tests {
		if got := isLoopback(tt.host); got != tt.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestBaseURLWithoutSlashStillReachesEndpoints(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithBaseURL("https://api.test/api/v1"))
	expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/snapshots/"}, http.StatusOK, `{"count":0,"results":[]}`)
	if _, _, err := c.Snapshots.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestWithHTTPClientKeepsCallersClient(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: mock, Timeout: 7 * time.Second, Jar: jar}
	c, err := NewClient(testToken, WithHTTPClient(hc), WithBaseURL(testBase))
	if err != nil {
		t.Fatal(err)
	}
	// The caller's client is left as it was...
	if hc.Transport != mock || hc.Timeout != 7*time.Second || hc.Jar != jar || hc.CheckRedirect != nil {
		t.Errorf("NewClient modified the caller's *http.Client: %+v", hc)
	}
	// ...and what the Client sends through keeps its settings.
	inner := c.http.HTTPClient
	if inner.Timeout != 7*time.Second {
		t.Errorf("Timeout = %s, want the caller's 7s", inner.Timeout)
	}
	if inner.Jar != jar {
		t.Error("the caller's cookie jar was dropped")
	}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", httpmock.NewStringResponder(http.StatusOK, `{"count":0,"results":[]}`))
	if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("the caller's transport saw %d requests, want 1", n)
	}
}

func TestWithHTTPClientTransportSetAfterNewClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	c, err := NewClient(testToken, WithHTTPClient(hc), WithBaseURL(testBase), WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	// What httpmock.ActivateNonDefault(hc) does, without its global state.
	mock := httpmock.NewMockTransport()
	hc.Transport = mock
	mock.RegisterResponder(http.MethodDelete, testBase+"backups/7/", func(req *http.Request) (*http.Response, error) {
		checkCall(t, req, wantCall{method: http.MethodDelete, path: "/api/v1/backups/7/"})
		return newAnswer(http.StatusNoContent, ""), nil
	})
	if _, err := c.Backups.Delete(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("the transport installed after NewClient saw %d requests, want 1", n)
	}
}

func TestWithHTTPClientTimeoutApplies(t *testing.T) {
	t.Parallel()
	// A transport that answers only when the request's context ends, so the
	// call returns through the caller's Timeout, or after a long guard that
	// fails the test if the Timeout was lost.
	hang := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(10 * time.Second):
			return nil, errors.New("the caller's Timeout never reached the request")
		}
	})
	hc := &http.Client{Transport: hang, Timeout: time.Millisecond}
	c, err := NewClient(testToken, WithHTTPClient(hc), WithBaseURL(testBase), WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Backups.List(context.Background(), nil)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("err = %v (%T), want a *RequestError", err, err)
	}
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// NewClientFromEnv reads the process environment, so these tests are not
// parallel (t.Setenv refuses to run in a parallel test).
func TestNewClientFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		url      string
		opts     []Option
		wantBase string // "" when an error is expected
		wantErr  string
	}{
		{name: "no token", token: "", wantErr: EnvToken},
		{name: "blank token", token: "  ", wantErr: EnvToken},
		{name: "token only", token: "env-token", wantBase: DefaultBaseURL},
		{name: "token and URL", token: "env-token", url: "https://staging.vps.org/api/v1", wantBase: "https://staging.vps.org/api/v1/"},
		{name: "option wins over env", token: "env-token", url: "https://staging.vps.org/api/v1/",
			opts: []Option{WithBaseURL("https://admin.vps.org/api/v2/")}, wantBase: "https://admin.vps.org/api/v2/"},
		{name: "bad env URL", token: "env-token", url: "http://staging.vps.org/api/v1/", wantErr: "clear text"},
		{name: "bad env URL allowed by option", token: "env-token", url: "http://staging.vps.org/api/v1/",
			opts: []Option{WithInsecureHTTP()}, wantBase: "http://staging.vps.org/api/v1/"},
		{name: "nil option", token: "env-token", opts: []Option{nil}, wantErr: "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvToken, tt.token)
			t.Setenv(EnvBaseURL, tt.url)
			c, err := NewClientFromEnv(tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewClientFromEnv = %v, %v; want an error mentioning %q", c, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(); got != tt.wantBase {
				t.Errorf("BaseURL = %q, want %q", got, tt.wantBase)
			}
		})
	}
}

func TestNewClientFromEnvSendsEnvToken(t *testing.T) {
	t.Setenv(EnvToken, "env-token-123")
	t.Setenv(EnvBaseURL, "https://api.test/api/v1")
	mock := httpmock.NewMockTransport()
	var got string
	mock.RegisterResponder(http.MethodGet, testBase+"servers/", func(req *http.Request) (*http.Response, error) {
		got = req.Header.Get("Authorization")
		return newAnswer(http.StatusOK, `{"count":0,"results":[]}`), nil
	})
	c, err := NewClientFromEnv(WithHTTPClient(&http.Client{Transport: mock}))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Servers.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got != "Bearer env-token-123" {
		t.Errorf("Authorization = %q, want the token from %s", got, EnvToken)
	}
}

func TestResponseBodyIsClosedAndEmpty(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	body := &closeRecorder{Reader: strings.NewReader(`{"count":0,"results":[]}`)}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: body}, nil
	})
	_, resp, err := c.Backups.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !body.closed {
		t.Error("the response body was not closed")
	}
	if resp.Body != http.NoBody {
		t.Errorf("Response.Body = %v, want http.NoBody", resp.Body)
	}
}

// closeRecorder is a response body that records whether it was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestWithHTTPClientKeepsCheckRedirect(t *testing.T) {
	t.Parallel()
	refused := errors.New("caller refuses redirects")
	var asked int
	mock := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mock, CheckRedirect: func(*http.Request, []*http.Request) error {
		asked++
		return refused
	}}
	c, err := NewClient(testToken, WithHTTPClient(hc), WithBaseURL(testBase), WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(*http.Request) (*http.Response, error) {
		return newAnswer(http.StatusFound, "", "Location", testBase+"backups/?page=2"), nil
	})
	_, _, err = c.Backups.List(context.Background(), nil)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, refused) {
		t.Fatalf("err = %v, want a *RequestError from the caller's CheckRedirect", err)
	}
	if asked != 1 {
		t.Errorf("the caller's CheckRedirect was asked %d times, want 1", asked)
	}
}

func TestRedirectLoopStops(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithRetryMax(0))
	mock.RegisterResponder(http.MethodGet, testBase+"servers/", func(*http.Request) (*http.Response, error) {
		return newAnswer(http.StatusFound, "", "Location", testBase+"servers/"), nil
	})
	_, _, err := c.Servers.List(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Fatalf("err = %v, want the redirect loop stopped", err)
	}
	if n := mock.GetTotalCallCount(); n != 10 {
		t.Errorf("%d requests, want 10, as net/http's own limit sends", n)
	}
}
