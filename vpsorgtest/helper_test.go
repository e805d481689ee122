package vpsorgtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// harness is a Server with a test clock and an HTTP client of its own, so
// tests never share connections.
type harness struct {
	*Server
	clock  *Clock
	client *http.Client
}

// start runs a server whose clock reads 2025-01-16T15:45:00Z, the time of the
// documentation's create example, until the clock is moved.
func start(t *testing.T, opts ...Option) *harness {
	t.Helper()
	clock := NewClock(time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC))
	srv := NewServer(append([]Option{WithClock(clock.Now)}, opts...)...)
	transport := &http.Transport{}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		srv.Close()
	})
	return &harness{Server: srv, clock: clock, client: &http.Client{Transport: transport}}
}

// result is an answer, its body read.
type result struct {
	status int
	header http.Header
	body   []byte
}

// newRequest builds a request with the server's token.
func (h *harness) newRequest(t *testing.T, method, path, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// do sends an authorized request and reads the answer.
func (h *harness) do(t *testing.T, method, path, body string) result {
	t.Helper()
	return h.send(t, h.newRequest(t, method, path, body))
}

func (h *harness) send(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

// sendExpectingError sends a request that should fail at the transport and
// returns its error; an answer, should one come, is closed.
func (h *harness) sendExpectingError(req *http.Request) error {
	resp, err := h.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// json decodes the body as a generic value, numbers as float64.
func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return v
}

// ids lists the ids of a list answer's results, in order.
func (r result) ids(t *testing.T) []int64 {
	t.Helper()
	var page struct {
		Results []struct {
			ID int64 `json:"id"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	ids := []int64{}
	for _, item := range page.Results {
		ids = append(ids, item.ID)
	}
	return ids
}

// wantStatus fails the test unless the answer has the status.
func (r result) wantStatus(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

// wantJSON fails the test unless the body is the JSON value want, whatever
// the spacing and key order.
func (r result) wantJSON(t *testing.T, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("body\n%s\nwant\n%s", r.body, want)
	}
}
