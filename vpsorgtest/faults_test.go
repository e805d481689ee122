package vpsorgtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRuleNthAndCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule Rule
		want []int // statuses of five GET /api/v1/backups/
	}{
		{"every match", Rule{Path: "/api/v1/backups/", Fault: Fault{Status: 500}}, []int{500, 500, 500, 500, 500}},
		{"third only", Rule{Method: "GET", Path: "/api/v1/backups/", Nth: 3, Fault: Fault{Status: 500}}, []int{200, 200, 500, 200, 200}},
		{"second and third", Rule{Method: "GET", Nth: 2, Count: 2, Fault: Fault{Status: 503}}, []int{200, 503, 503, 200, 200}},
		{"past the end", Rule{Method: "GET", Nth: 4, Count: 9, Fault: Fault{Status: 503}}, []int{200, 200, 200, 503, 503}},
		{"other method", Rule{Method: "POST", Fault: Fault{Status: 500}}, []int{200, 200, 200, 200, 200}},
		{"other path", Rule{Path: "/api/v1/backups", Fault: Fault{Status: 500}}, []int{200, 200, 200, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			h.AddFault(tt.rule)
			var got []int
			for range 5 {
				got = append(got, h.do(t, "GET", "/api/v1/backups/", "").status)
				// Requests the rule does not match must not move its count.
				h.do(t, "POST", "/api/v1/snapshots/801/restore/", "")
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("statuses %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRulesInOrderThenFaultFunc(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Path: "/api/v1/backups/", Nth: 2, Fault: Fault{Status: 503}})
	h.AddFault(Rule{Path: "/api/v1/backups/", Nth: 1, Count: 2, Fault: Fault{Status: 429}})
	funcCalls := 0 // requests are sequential, so no lock is needed
	h.SetFaultFunc(func(r *http.Request) *Fault {
		funcCalls++
		return &Fault{Status: 418}
	})
	var got []int
	for range 4 {
		got = append(got, h.do(t, "GET", "/api/v1/backups/", "").status)
	}
	// 2: both rules fire and the first added wins; 3: the second rule fires
	// although the first answered request 2, because every rule counts.
	if want := []int{429, 503, 418, 418}; !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if funcCalls != 2 {
		t.Fatalf("fault func called %d times, want 2", funcCalls)
	}
	h.ClearFaults()
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusOK)
}

func TestFaultAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       Fault
		status      int
		body        string
		contentType string
		retryAfter  string
	}{
		{"throttled", Fault{Status: 429, RetryAfter: "7"}, 429,
			`{"detail":"Request was throttled. Expected available in 7 seconds."}`, "application/json", "7"},
		{"throttled until a date", Fault{Status: 429, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"}, 429,
			`{"detail":"Request was throttled."}`, "application/json", "Wed, 21 Oct 2015 07:28:00 GMT"},
		{"server error", Fault{Status: 500}, 500, `{"detail":"A server error occurred."}`, "application/json", ""},
		{"unavailable", Fault{Status: 503, RetryAfter: "1"}, 503, `{"detail":"Service Unavailable."}`, "application/json", "1"},
		{"forbidden", Fault{Status: 403}, 403, `{"detail":"You do not have permission to perform this action."}`, "application/json", ""},
		{"not found", Fault{Status: 404}, 404, `{"detail":"Not found."}`, "application/json", ""},
		{"own JSON body", Fault{Status: 400, Body: `{"non_field_errors":["nope"]}`}, 400,
			`{"non_field_errors":["nope"]}`, "application/json", ""},
		{"HTML page", Fault{Status: 502, Body: "<html><body>Bad Gateway</body></html>"}, 502,
			"<html><body>Bad Gateway</body></html>", "text/html; charset=utf-8", ""},
		{"no content", Fault{Status: 204}, 204, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			h.AddFault(Rule{Fault: tt.fault})
			res := h.do(t, "GET", "/api/v1/backups/", "")
			res.wantStatus(t, tt.status)
			if string(res.body) != tt.body {
				t.Errorf("body %q, want %q", res.body, tt.body)
			}
			if got := res.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := res.header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			if res.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestFaultsComeBeforeAuthentication(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Fault: Fault{Status: 503}})
	req := h.newRequest(t, "GET", "/api/v1/backups/", "")
	req.Header.Del("Authorization")
	h.send(t, req).wantStatus(t, http.StatusServiceUnavailable)
}

func TestFaultBeforeActionChangesNothing(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Method: "POST", Fault: Fault{Status: 500}})
	h.AddFault(Rule{Method: "DELETE", Fault: Fault{Drop: true}})
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusInternalServerError)
	h.do(t, "POST", "/api/v1/snapshots/801/restore/", "").wantStatus(t, http.StatusInternalServerError)
	if err := h.sendExpectingError(h.newRequest(t, "DELETE", "/api/v1/backups/499/", "")); err == nil {
		t.Fatal("dropped DELETE succeeded")
	}
	h.ClearFaults()
	if got := h.do(t, "GET", "/api/v1/backups/", "").ids(t); !slices.Equal(got, []int64{501, 499, 495}) {
		t.Fatalf("backups %v", got)
	}
	if got := h.do(t, "GET", "/api/v1/servers/?status=active", "").ids(t); !slices.Equal(got, []int64{12345}) {
		t.Fatalf("active servers %v", got)
	}
	for _, r := range h.Requests()[:3] {
		if r.Acted || r.Fault == nil {
			t.Errorf("%s %s: acted %v, fault %v", r.Method, r.Path, r.Acted, r.Fault)
		}
	}
}

func TestFaultAfterActionKeepsEffect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body string
		fault                    Fault
		check                    func(t *testing.T, h *harness)
	}{
		{"create answers 502", "POST", "/api/v1/backups/", `{"server_id": 12345}`, Fault{Status: 502, AfterAction: true},
			func(t *testing.T, h *harness) {
				if got := h.do(t, "GET", "/api/v1/backups/", "").ids(t); got[0] != 502 {
					t.Errorf("backups %v", got)
				}
			}},
		{"delete dropped", "DELETE", "/api/v1/backups/499/", "", Fault{Drop: true, AfterAction: true},
			func(t *testing.T, h *harness) {
				h.do(t, "DELETE", "/api/v1/backups/499/", "").wantStatus(t, http.StatusNotFound)
			}},
		{"restore answers 504", "POST", "/api/v1/snapshots/801/restore/", "", Fault{Status: 504, AfterAction: true},
			func(t *testing.T, h *harness) {
				got := h.do(t, "GET", "/api/v1/servers/?status=restoring", "").ids(t)
				if !slices.Equal(got, []int64{12345}) {
					t.Errorf("restoring servers %v", got)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			h.AddFault(Rule{Method: tt.method, Path: tt.path, Nth: 1, Fault: tt.fault})
			resp, err := h.client.Do(h.newRequest(t, tt.method, tt.path, tt.body))
			wantStatus := tt.fault.Status
			switch {
			case tt.fault.Drop && err == nil:
				t.Fatalf("dropped request answered %d", resp.StatusCode)
			case !tt.fault.Drop && err != nil:
				t.Fatal(err)
			case !tt.fault.Drop:
				resp.Body.Close()
				if resp.StatusCode != wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, wantStatus)
				}
			}
			tt.check(t, h)
			first := h.Requests()[0]
			if !first.Acted || first.Fault == nil || first.Status != wantStatus {
				t.Errorf("log: acted %v, fault %v, status %d", first.Acted, first.Fault, first.Status)
			}
		})
	}
}

func TestDropClosesConnection(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Path: "/api/v1/snapshots/", Nth: 1, Fault: Fault{Drop: true}})
	err := h.sendExpectingError(h.newRequest(t, "GET", "/api/v1/snapshots/", ""))
	if err == nil || (!errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF")) {
		t.Fatalf("err %v, want an EOF", err)
	}
	h.do(t, "GET", "/api/v1/snapshots/", "").wantStatus(t, http.StatusOK)
	log := h.Requests()
	if log[0].Status != 0 || log[0].Fault == nil || !log[0].Fault.Drop || log[1].Status != 200 {
		t.Fatalf("log %+v", log)
	}
}

func TestDelayThenAnswer(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Method: "GET", Fault: Fault{Delay: 20 * time.Millisecond, Status: 503}})
	h.AddFault(Rule{Method: "POST", Fault: Fault{Delay: time.Millisecond}})
	began := time.Now()
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusServiceUnavailable)
	if elapsed := time.Since(began); elapsed < 20*time.Millisecond {
		t.Errorf("answered after %v", elapsed)
	}
	// A delay alone does not change the answer.
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)
	if r := h.Requests()[1]; !r.Acted || r.Fault == nil || r.Status != 201 {
		t.Fatalf("log %+v", r)
	}
}

func TestDelayEndsWhenClientGoesAway(t *testing.T) {
	t.Parallel()
	h := start(t)
	arrived := make(chan struct{}, 1)
	h.SetFaultFunc(func(r *http.Request) *Fault {
		arrived <- struct{}{}
		return &Fault{Delay: time.Minute}
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	req := h.newRequest(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).WithContext(ctx)
	go func() { errc <- h.sendExpectingError(req) }()
	<-arrived
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	// httptest's Close waits for the handler. Closing it directly, not with
	// Server.Close, leaves the wait to end only because the client left.
	h.ts.Close()
	r := h.Requests()[0]
	if r.Status != 0 || r.Acted || r.Fault == nil || r.Fault.Delay != time.Minute {
		t.Fatalf("log %+v", r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, created := h.st.backups[502]; created {
		t.Fatal("a request whose client went away was carried out")
	}
}

func TestCloseEndsDelays(t *testing.T) {
	t.Parallel()
	h := start(t)
	arrived := make(chan struct{}, 1)
	h.SetFaultFunc(func(*http.Request) *Fault {
		arrived <- struct{}{}
		return &Fault{Delay: time.Hour}
	})
	errc := make(chan error, 1)
	req := h.newRequest(t, "GET", "/api/v1/backups/", "")
	go func() { errc <- h.sendExpectingError(req) }()
	<-arrived
	h.Close()
	if err := <-errc; err == nil {
		t.Fatal("a request cut by Close succeeded")
	}
	if r := h.Requests()[0]; r.Status != 0 {
		t.Fatalf("log %+v", r)
	}
}

func TestFaultFuncSeesBody(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.SetFaultFunc(func(r *http.Request) *Fault {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "boom") {
			return &Fault{Status: 500}
		}
		return nil
	})
	h.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "boom"}`).wantStatus(t, 500)
	h.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "fine"}`).wantStatus(t, 201)
	h.SetFaultFunc(nil)
	h.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "boom"}`).wantStatus(t, 201)
}
