package vpsorgtest

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
)

func TestTruncateBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body string
		fault                    Fault
		status                   int
		got                      int  // body bytes the client reads
		cut                      bool // the read ends in io.ErrUnexpectedEOF
		acted                    bool
	}{
		{"list cut after 20 bytes", "GET", "/api/v1/backups/", "", Fault{TruncateBody: 20}, 200, 20, true, false},
		{"create cut, still created", "POST", "/api/v1/backups/", `{"server_id": 12345}`, Fault{TruncateBody: 1}, 201, 1, true, true},
		{"fault's own answer cut", "POST", "/api/v1/snapshots/801/restore/", "", Fault{Status: 503, TruncateBody: 5}, 503, 5, true, true},
		{"body shorter than the cut", "DELETE", "/api/v1/backups/499/", "", Fault{TruncateBody: 20}, 204, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			h.AddFault(Rule{Method: tt.method, Path: tt.path, Nth: 1, Fault: tt.fault})
			resp, err := h.client.Do(h.newRequest(t, tt.method, tt.path, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if len(data) != tt.got {
				t.Errorf("read %d bytes %q, want %d", len(data), data, tt.got)
			}
			if cut := errors.Is(err, io.ErrUnexpectedEOF); cut != tt.cut {
				t.Errorf("read error %v, want unexpected EOF: %v", err, tt.cut)
			}
			if tt.cut {
				if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n <= len(data) {
					t.Errorf("Content-Length %d for a body cut at %d bytes", n, len(data))
				}
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			first := h.Requests()[0]
			if first.Acted != tt.acted || first.Status != tt.status || first.Fault == nil || first.Fault.TruncateBody != tt.fault.TruncateBody {
				t.Errorf("log: acted %v, status %d, fault %+v", first.Acted, first.Status, first.Fault)
			}
			// The connection was closed, not left half-read: the next request
			// gets a whole answer on a new one.
			h.do(t, "GET", "/api/v1/snapshots/", "").wantStatus(t, http.StatusOK)
			if n := h.ConnectionsOpened(); n != 2 {
				t.Errorf("%d connections opened, want 2", n)
			}
		})
	}
}

func TestTruncatedCreateTookEffect(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.AddFault(Rule{Method: "POST", Path: "/api/v1/snapshots/", Nth: 1, Fault: Fault{TruncateBody: 10}})
	resp, err := h.client.Do(h.newRequest(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "cut"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("read error %v, want unexpected EOF", err)
	}
	res := h.do(t, "GET", "/api/v1/snapshots/?server_id=12345", "")
	if got := res.ids(t); len(got) != 3 || got[0] != 802 {
		t.Fatalf("snapshots %v, want the cut create's 802 first", got)
	}
}
