package vpsorg

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWithUserAgent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		product string
		want    string // "" when NewClient must refuse product
	}{
		{"myapp/1.2", "myapp/1.2 vpsorg-go/0.2.0"},
		{"  myapp/1.2  ", "myapp/1.2 vpsorg-go/0.2.0"},
		{"myapp/1.2 (+https://example.com)", "myapp/1.2 (+https://example.com) vpsorg-go/0.2.0"},
		{"", ""},
		{"   ", ""},
		{"myapp/1.2\r\nX-Evil: 1", ""},
		{"my\napp", ""},
		{"my\tapp", ""},
		{"my\x00app", ""},
		{"my\x7fapp", ""},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			t.Parallel()
			if tt.want == "" {
				if c, err := NewClient(testToken, WithUserAgent(tt.product)); err == nil {
					t.Fatalf("WithUserAgent(%q) accepted: %q", tt.product, c.userAgent)
				}
				return
			}
			c, mock, _ := newTestClient(t, WithUserAgent(tt.product))
			expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/", userAgent: tt.want},
				http.StatusOK, `{"count":0,"results":[]}`)
			if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWithRetryMax(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 4, 10} {
		c, err := NewClient(testToken, WithRetryMax(n))
		if err != nil {
			t.Fatalf("WithRetryMax(%d): %v", n, err)
		}
		if c.http.RetryMax != n {
			t.Errorf("WithRetryMax(%d): RetryMax = %d", n, c.http.RetryMax)
		}
	}
	if _, err := NewClient(testToken, WithRetryMax(-1)); err == nil {
		t.Error("WithRetryMax(-1) accepted")
	}
}

func TestWithRetryMaxZeroSendsOnce(t *testing.T) {
	t.Parallel()
	c, mock, w := newTestClient(t, WithRetryMax(0))
	expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/"}, http.StatusServiceUnavailable, `{"detail":"down"}`)
	_, _, err := c.Backups.List(context.Background(), nil)
	if err == nil {
		t.Fatal("a 503 gave no error")
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests with WithRetryMax(0), want 1", n)
	}
	if got := w.all(); len(got) != 0 {
		t.Errorf("waited %v with retries off", got)
	}
}

func TestWithRetryWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		min, max time.Duration
		ok       bool
	}{
		{0, 0, true},
		{time.Millisecond, time.Second, true},
		{time.Second, time.Second, true},
		{-time.Millisecond, time.Second, false},
		{time.Second, time.Millisecond, false},
		{0, -time.Second, false},
	}
	for _, tt := range tests {
		c, err := NewClient(testToken, WithRetryWait(tt.min, tt.max))
		if !tt.ok {
			if err == nil {
				t.Errorf("WithRetryWait(%s, %s) accepted", tt.min, tt.max)
			}
			continue
		}
		if err != nil {
			t.Errorf("WithRetryWait(%s, %s): %v", tt.min, tt.max, err)
			continue
		}
		if c.http.RetryWaitMin != tt.min || c.http.RetryWaitMax != tt.max || c.retryWaitMax != tt.max {
			t.Errorf("WithRetryWait(%s, %s): bounds %s..%s", tt.min, tt.max, c.http.RetryWaitMin, c.http.RetryWaitMax)
		}
	}
}

func TestWithLoggerNilIsSilent(t *testing.T) {
	t.Parallel()
	// go-retryablehttp writes to stderr only through its Logger: with none
	// set, and none of our own, nothing can be written.
	for _, opts := range [][]Option{nil, {WithLogger(nil)}} {
		c, err := NewClient(testToken, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if c.http.Logger != nil {
			t.Errorf("retryablehttp Logger = %#v, want nil", c.http.Logger)
		}
		if c.logger != nil {
			t.Errorf("logger = %v, want nil", c.logger)
		}
	}
}

func TestWithLoggerLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mock, _ := newTestClient(t, WithLogger(l), WithRetryMax(0))
	expectCall(t, mock, wantCall{method: http.MethodDelete, path: "/api/v1/snapshots/801/"}, http.StatusNotFound,
		`{"detail":"Not found."}`, "X-Request-Id", "req-42")
	if _, err := c.Snapshots.Delete(context.Background(), 801); err == nil {
		t.Fatal("a 404 gave no error")
	}
	out := buf.String()
	for _, want := range []string{
		"performing request",                    // go-retryablehttp, through the same logger
		"vpsorg: response",                      // the SDK's own line
		"path=/api/v1/snapshots/801/",           //
		"status=404",                            //
		"request_id=req-42",                     //
		"method=DELETE",                         //
		"url=https://api.test/api/v1/snapshots", // go-retryablehttp's URL
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testToken) {
		t.Errorf("log carries the token:\n%s", out)
	}
}

func TestWithLoggerLogsFailedRequest(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mock, _ := newTestClient(t, WithLogger(l), WithRetryMax(0))
	mock.RegisterResponder(http.MethodGet, testBase+"servers/", func(*http.Request) (*http.Response, error) {
		return nil, errors.New("boom")
	})
	if _, _, err := c.Servers.List(context.Background(), nil); err == nil {
		t.Fatal("a failed transport gave no error")
	}
	if out := buf.String(); !strings.Contains(out, "vpsorg: request failed") || !strings.Contains(out, "boom") {
		t.Errorf("log lacks the failure:\n%s", out)
	}
}

func TestWithLoggerQuietAboveDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, mock, _ := newTestClient(t, WithLogger(l))
	expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/"}, http.StatusOK, `{"count":0,"results":[]}`)
	if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("an Info-level logger got debug lines:\n%s", buf.String())
	}
}

func TestWithInsecureHTTP(t *testing.T) {
	t.Parallel()
	const plain = "http://backups.internal:8080/api/v1/"
	if _, err := NewClient(testToken, WithBaseURL(plain)); err == nil {
		t.Fatal("http:// to a non-loopback host accepted without WithInsecureHTTP")
	}
	// Order does not matter: the URL is checked once every option is in.
	for _, opts := range [][]Option{
		{WithBaseURL(plain), WithInsecureHTTP()},
		{WithInsecureHTTP(), WithBaseURL(plain)},
	} {
		c, err := NewClient(testToken, opts...)
		if err != nil {
			t.Fatalf("with WithInsecureHTTP: %v", err)
		}
		if c.BaseURL() != plain {
			t.Errorf("BaseURL = %q, want %q", c.BaseURL(), plain)
		}
	}
}
