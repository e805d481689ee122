package vpsorgtest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestControlAPIIsOptIn(t *testing.T) {
	t.Parallel()
	h := start(t)
	// Without WithControlAPI /_fake/ is just a path the API does not have.
	res := h.do(t, "POST", "/_fake/reset", "")
	res.wantStatus(t, http.StatusNotFound)
	res.wantJSON(t, `{"detail": "Not found."}`)
	if n := len(h.Requests()); n != 1 {
		t.Fatalf("%d requests logged, want the one to /_fake/reset", n)
	}
}

func TestControlHandlerMountedElsewhere(t *testing.T) {
	t.Parallel()
	h := start(t)
	ctl := httptest.NewServer(h.ControlHandler())
	defer ctl.Close()
	post := func(path, body string) int {
		resp, err := ctl.Client().Post(ctl.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("/_fake/faults", `{"method": "GET", "nth": 1, "fault": {"status": 502}}`); got != http.StatusCreated {
		t.Fatalf("POST /_fake/faults: %d", got)
	}
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusBadGateway)
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusOK)
	if got := post("/_fake/reset", ""); got != http.StatusNoContent {
		t.Fatalf("POST /_fake/reset: %d", got)
	}
	if n := len(h.Requests()); n != 0 {
		t.Fatalf("%d requests logged after a reset", n)
	}
}

func TestWithFaultsSurviveReset(t *testing.T) {
	t.Parallel()
	h := start(t, WithFaults(Rule{Method: "GET", Nth: 1, Fault: Fault{Status: 503}}))
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusServiceUnavailable)
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusOK)
	h.ClearFaults()
	h.Reset()
	// Back, and counting from the start again.
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusServiceUnavailable)
}

// lockedBuffer is a bytes.Buffer the server's goroutines may write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	h := start(t, WithAccessLog(&out), WithControlAPI(), WithRateLimit(1, 2))
	h.AddFault(Rule{Method: "DELETE", Fault: Fault{Status: 503, AfterAction: true}})
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`)
	h.do(t, "DELETE", "/api/v1/backups/499/", "")
	h.do(t, "GET", "/api/v1/backups%0A/x y", "") // a decoded newline must not break the line
	h.do(t, "GET", "/api/v1/backups/", "")
	h.do(t, "GET", "/_fake/requests", "")
	h.Close() // every line is written once its request is done
	want := []string{
		`^req-000001 POST /api/v1/backups/ 201 acted \S+$`,
		`^req-000002 DELETE /api/v1/backups/499/ 503 acted fault=\{"status":503,"after_action":true\} \S+$`,
		`^req-000003 GET "/api/v1/backups\\n/x y" 404 \S+$`,
		`^req-000004 GET /api/v1/backups/ 429 rate-limited \S+$`,
		`^control GET /_fake/requests 200 \S+$`,
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("access log:\n%s", out.String())
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d %q, want %s", i+1, lines[i], w)
		}
	}
	if strings.Contains(out.String(), h.Token) {
		t.Fatal("the access log shows the token")
	}
}
