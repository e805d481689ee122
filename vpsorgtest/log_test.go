package vpsorgtest

import (
	"net/http"
	"testing"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Method: "DELETE", Fault: Fault{Status: 503, RetryAfter: "2"}})
	created := h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345, "description": "x"}`)
	h.do(t, "GET", "/api/v1/backups/?server_id=12345&page=1", "")
	h.do(t, "DELETE", "/api/v1/backups/502/", "")
	req := h.newRequest(t, "GET", "/api/v1/servers/", "")
	req.Header.Set("Authorization", "Bearer nope")
	h.send(t, req)

	log := h.Requests()
	want := []Request{
		{Method: "POST", Path: "/api/v1/backups/", Body: []byte(`{"server_id": 12345, "description": "x"}`), Acted: true, Status: 201},
		{Method: "GET", Path: "/api/v1/backups/", RawQuery: "server_id=12345&page=1", Status: 200},
		{Method: "DELETE", Path: "/api/v1/backups/502/", Fault: &Fault{Status: 503, RetryAfter: "2"}, Status: 503},
		{Method: "GET", Path: "/api/v1/servers/", Status: 401},
	}
	if len(log) != len(want) {
		t.Fatalf("%d requests logged, want %d", len(log), len(want))
	}
	for i, w := range want {
		got := log[i]
		if got.Method != w.Method || got.Path != w.Path || got.RawQuery != w.RawQuery ||
			string(got.Body) != string(w.Body) || got.Acted != w.Acted || got.Status != w.Status ||
			(got.Fault == nil) != (w.Fault == nil) || (w.Fault != nil && *got.Fault != *w.Fault) {
			t.Errorf("request %d: %+v, want %+v", i, got, w)
		}
	}
	if got := log[0].RequestID; got != created.header.Get("X-Request-Id") || got == "" {
		t.Errorf("RequestID %q, answer said %q", got, created.header.Get("X-Request-Id"))
	}
	if got := log[0].Header.Get("Authorization"); got != "Bearer "+h.Token {
		t.Errorf("Authorization %q", got)
	}
	if got := log[3].Header.Get("Authorization"); got != "Bearer nope" {
		t.Errorf("Authorization %q", got)
	}

	// The log is a copy.
	log[0].Body[0] = 'X'
	log[0].Header.Set("Authorization", "changed")
	log[2].Fault.Status = 200
	again := h.Requests()
	if again[0].Body[0] != '{' || again[0].Header.Get("Authorization") == "changed" || again[2].Fault.Status != 503 {
		t.Fatal("changing the returned log changed the server's log")
	}
}

func TestConnectionsOpened(t *testing.T) {
	t.Parallel()
	h := start(t)
	for range 5 {
		h.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, http.StatusOK)
	}
	if got := h.ConnectionsOpened(); got != 1 {
		t.Fatalf("%d connections for 5 requests with keep-alive, want 1", got)
	}
	h.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		h.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, http.StatusOK)
	}
	if got := h.ConnectionsOpened(); got != 4 {
		t.Fatalf("%d connections after 3 more without keep-alive, want 4", got)
	}
}
