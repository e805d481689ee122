package vpsorg

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// testQuery is a query struct as the services' options are.
type testQuery struct {
	Status string `url:"status,omitempty"`
	Page   int    `url:"page,omitempty"`
}

// TestNewHTTPRequest: the first layer alone. The URL is the base and the
// path (or a whole URL) with the encoded query; the body is JSON with its
// Content-Type; every request carries the token, Accept and User-Agent.
func TestNewHTTPRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        request
		wantMethod string
		wantURL    string
		wantBody   string
	}{
		{"no method is GET", request{path: "backups/"}, http.MethodGet, testBase + "backups/", ""},
		{"query escaped", request{method: http.MethodGet, path: "servers/", query: &testQuery{Status: "a&page=9", Page: 2}},
			http.MethodGet, testBase + "servers/?page=2&status=a%26page%3D9", ""},
		{"empty query adds no ?", request{path: "servers/", query: &testQuery{}}, http.MethodGet, testBase + "servers/", ""},
		{"url instead of path", request{path: "ignored/", url: "https://api.test/api/v1/backups/?page=3"},
			http.MethodGet, "https://api.test/api/v1/backups/?page=3", ""},
		{"JSON body", request{method: http.MethodPost, path: "backups/", body: &BackupCreateRequest{ServerID: 7, Description: "d"}},
			http.MethodPost, testBase + "backups/", `{"server_id":7,"description":"d"}`},
		{"DELETE without body", request{method: http.MethodDelete, path: "backups/5/"}, http.MethodDelete, testBase + "backups/5/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newTestClient(t, WithUserAgent("app/1"))
			ctx := context.WithoutCancel(context.Background())
			hreq, err := c.newHTTPRequest(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if hreq.Method != tt.wantMethod || hreq.URL.String() != tt.wantURL {
				t.Errorf("%s %s; want %s %s", hreq.Method, hreq.URL, tt.wantMethod, tt.wantURL)
			}
			if hreq.Context() != ctx {
				t.Error("the request does not carry the call's context")
			}
			body, err := hreq.BodyBytes()
			if err != nil || string(body) != tt.wantBody {
				t.Errorf("body %q (%v); want %q", body, err, tt.wantBody)
			}
			checkBuiltHeaders(t, hreq.Header, tt.wantBody != "")
		})
	}
}

// checkBuiltHeaders checks the headers every request carries, and the
// Content-Type of one with a body.
func checkBuiltHeaders(t *testing.T, h http.Header, withBody bool) {
	t.Helper()
	wantType := ""
	if withBody {
		wantType = "application/json"
	}
	for k, want := range map[string]string{
		"Authorization": "Bearer " + testToken,
		"Accept":        "application/json",
		"User-Agent":    "app/1 vpsorg-go/" + Version,
		"Content-Type":  wantType,
	} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q; want %q", k, got, want)
		}
	}
}

// TestNewHTTPRequestRefusesWhatItCannotEncode: a query or body that cannot
// be encoded fails the build, saying which.
func TestNewHTTPRequestRefusesWhatItCannotEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  request
		want string
	}{
		{"query not a struct", request{path: "backups/", query: 5}, "encode query"},
		{"body not JSON", request{method: http.MethodPost, path: "backups/", body: make(chan int)}, "encode body"},
		{"bad method", request{method: "BAD METHOD", path: "backups/"}, "invalid method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newTestClient(t)
			_, err := c.newHTTPRequest(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want one saying %q", err, tt.want)
			}
		})
	}
}

// TestPathOf: the path that names a call in errors and logs is the URL's
// path, without the query or the host.
func TestPathOf(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	tests := []struct {
		req  request
		want string
	}{
		{request{path: "backups/"}, "/api/v1/backups/"},
		{request{path: "snapshots/9/restore/"}, "/api/v1/snapshots/9/restore/"},
		{request{url: "https://api.test/api/v1/backups/?page=2"}, "/api/v1/backups/"},
		{request{url: "::not a url?page=2"}, "::not a url"},
		{request{url: "::not a url"}, "::not a url"},
	}
	for _, tt := range tests {
		if got := c.pathOf(tt.req); got != tt.want {
			t.Errorf("pathOf(%+v) = %q; want %q", tt.req, got, tt.want)
		}
	}
}
