package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// controlRefusals are the control endpoints' refusals TestControlErrors
// checks, on a seeded fake.
var controlRefusals = []struct {
	method, path, body string
	status             int
	detail             string // a part of the reason
	allow              string
}{
	{"POST", "/_fake/requests", "", 405, `Method "POST" not allowed.`, "GET"},
	{"GET", "/_fake/reset", "", 405, `Method "GET" not allowed.`, "POST"},
	{"GET", "/_fake/servers", "", 405, `Method "GET" not allowed.`, "POST"},
	{"PUT", "/_fake/faults", "", 405, `Method "PUT" not allowed.`, "DELETE, GET, POST"},
	{"GET", "/_fake/backups/499/status", "", 405, `Method "GET" not allowed.`, "PUT"},
	{"POST", "/_fake/snapshots/801/status", "", 405, `Method "POST" not allowed.`, "PUT"},
	{"GET", "/_fake/backups", "", 405, `Method "GET" not allowed.`, "POST"},
	{"PUT", "/_fake/snapshots", "", 405, `Method "PUT" not allowed.`, "POST"},

	{"POST", "/_fake/servers", `{"name": "x"`, 400, "body: unexpected EOF", ""},
	{"POST", "/_fake/servers", `{"name": 7}`, 400, "body: name: want a string, not a JSON number", ""},
	{"POST", "/_fake/servers", `{"name": "x", "size": 2}`, 400, `body: unknown field "size"`, ""},
	{"POST", "/_fake/servers", `{}`, 400, "name: missing", ""},
	{"POST", "/_fake/servers", ``, 400, "body: no JSON value", ""},
	{"POST", "/_fake/faults", `{"fault": {"status": 503}`, 400, "rule: unexpected EOF", ""},
	{"POST", "/_fake/faults", `{"nth": -1, "fault": {"status": 503}}`, 400, "rule: nth -1: want 1 or more", ""},
	{"POST", "/_fake/faults", `{"fault": {"delay": "soon"}}`, 400, `rule: fault.delay "soon"`, ""},
	{"POST", "/_fake/faults", `[{"fault": {"status": 503}}]`, 400, "rule: want an object, not a JSON array", ""},
	{"PUT", "/_fake/backups/499/status", `{"state": "failed"}`, 400, `body: unknown field "state"`, ""},
	{"PUT", "/_fake/backups/499/status", `{"status": ""}`, 400, "status: missing", ""},
	{"PUT", "/_fake/snapshots/801/status", `"failed"`, 400, "body: want an object, not a JSON string", ""},
	{"POST", "/_fake/backups", `{"server_id": 1}`, 400, "server_id: no server 1", ""},
	{"POST", "/_fake/backups", `{"server_id": 12345, "status": "done"}`, 400, "status: ", ""},
	{"POST", "/_fake/backups", `{"server_id": 12345, "backup_type": "weekly"}`, 400, "backup_type: ", ""},
	{"POST", "/_fake/backups", `{"server_id": 12345, "created_at": "2025-01-16"}`, 400, "created_at: ", ""},
	{"POST", "/_fake/backups", `[{"server_id": 12345}, {"server_id": 12345, "sizemb": 1}]`, 400, `body: unknown field "sizemb"`, ""},
	{"POST", "/_fake/backups", `{"server_id": 12345,}`, 400, "body: ", ""},
	{"POST", "/_fake/snapshots", `[{"server_id": 12345, "name": "a/b"}]`, 400, "[0] name: ", ""},

	{"PUT", "/_fake/backups/1/status", `{"status": "failed"}`, 404, "No backup 1.", ""},
	{"PUT", "/_fake/snapshots/1/status", `{"status": "failed"}`, 404, "No snapshot 1.", ""},
	{"PUT", "/_fake/backups/abc/status", `{"status": "failed"}`, 404, `No backup "abc"`, ""},
	{"GET", "/_fake/nothing", "", 404, "No control endpoint /_fake/nothing.", ""},
	{"GET", "/_fake/", "", 404, "No control endpoint", ""},
}

// TestControlErrors checks every control endpoint's refusals: a JSON
// {"detail": ...} with the status and, for a wrong method, Allow.
func TestControlErrors(t *testing.T) {
	t.Parallel()
	f := start(t)
	for _, tt := range controlRefusals {
		a := f.control(t, tt.method, tt.path, tt.body)
		if a.status != tt.status {
			t.Errorf("%s %s %s: status %d, want %d; body %s", tt.method, tt.path, tt.body, a.status, tt.status, a.body)
			continue
		}
		obj := a.object(t)
		if d, ok := obj["detail"].(string); !ok || len(obj) != 1 || !strings.Contains(d, tt.detail) {
			t.Errorf("%s %s %s: body %s, want a detail with %q", tt.method, tt.path, tt.body, a.body, tt.detail)
		}
		if got := a.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		if ct := a.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, ct)
		}
	}
	// None of it reached the API or its log.
	if log := f.control(t, "GET", "/_fake/requests", "").wantStatus(t, 200).value(t).([]any); len(log) != 0 {
		t.Fatalf("control requests in the log: %v", log)
	}
}

func TestControlServers(t *testing.T) {
	t.Parallel()
	f := start(t, "-no-seed")
	for want := 1.0; want <= 2; want++ {
		got := f.control(t, "POST", "/_fake/servers", `{"name": "db-1"}`).wantStatus(t, 201).object(t)
		if len(got) != 1 || got["id"] != want {
			t.Fatalf("added %v, want {id: %v}", got, want)
		}
	}
	list := f.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, 200).object(t)
	if list["count"] != 2.0 || list["results"].([]any)[0].(map[string]any)["name"] != "db-1" {
		t.Fatalf("servers %v", list)
	}
	f.do(t, "POST", "/api/v1/backups/", `{"server_id": 2}`).wantStatus(t, 201)
}

func TestControlStatus(t *testing.T) {
	t.Parallel()
	f := start(t)
	f.control(t, "PUT", "/_fake/backups/499/status", `{"status": "failed"}`).wantStatus(t, 204)
	f.control(t, "PUT", "/_fake/snapshots/798/status", `{"status": "pending_upload"}`).wantStatus(t, 204)
	backups := f.do(t, "GET", "/api/v1/backups/?backup_type=manual", "").object(t)["results"].([]any)
	if b := backups[0].(map[string]any); b["id"] != 499.0 || b["status"] != "failed" || b["size_mb"] != nil {
		t.Fatalf("backup %v", b)
	}
	snaps := f.do(t, "GET", "/api/v1/snapshots/", "").object(t)["results"].([]any)
	if s := snaps[1].(map[string]any); s["id"] != 798.0 || s["status"] != "pending_upload" {
		t.Fatalf("snapshot %v", s)
	}
}

// TestControlHistory adds a backup and snapshots as history made earlier
// and finds them in the API's lists.
func TestControlHistory(t *testing.T) {
	t.Parallel()
	f := start(t)
	added := f.control(t, "POST", "/_fake/backups", `{"server_id": 12345, "backup_type": "automatic",
		"size_mb": 4100, "created_at": "2024-06-01T03:00:00Z", "description": "Automatic daily backup"}`).wantStatus(t, 201).object(t)
	if len(added) != 1 || added["id"] != 502.0 {
		t.Fatalf("added %v, want {id: 502}", added)
	}
	backups := f.do(t, "GET", "/api/v1/backups/?server_id=12345", "").wantStatus(t, 200).object(t)["results"].([]any)
	want := map[string]any{"id": 502.0, "server": map[string]any{"id": 12345.0, "name": "web-server-01"},
		"backup_type": "automatic", "status": "completed", "size_mb": 4100.0, "created_at": "2024-06-01T03:00:00Z",
		"expires_at": "2024-07-01T03:00:00Z", "description": "Automatic daily backup"}
	if got := backups[0].(map[string]any); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}

	// Past the limit of 5 snapshots in one request; the API's create then
	// meets the limit.
	ids := f.control(t, "POST", "/_fake/snapshots", `[{"server_id": 12345, "name": "w1"}, {"server_id": 12345, "name": "w2"},
		{"server_id": 12345, "name": "w3"}, {"server_id": 12345, "name": "w4"}]`).wantStatus(t, 201).object(t)["ids"]
	if fmt.Sprint(ids) != "[802 803 804 805]" {
		t.Fatalf("ids %v", ids)
	}
	if n := f.do(t, "GET", "/api/v1/snapshots/", "").object(t)["count"]; n != 6.0 {
		t.Fatalf("%v snapshots, want 6", n)
	}
	f.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "now"}`).wantStatus(t, 400)
}

func TestControlFaults(t *testing.T) {
	t.Parallel()
	f := start(t)
	rule := `{"method":"GET","path":"/api/v1/backups/","nth":1,"count":2,"fault":{"status":503,"retry_after":"1"}}`
	if got := f.control(t, "POST", "/_fake/faults", rule).wantStatus(t, 201); string(got.body) != rule {
		t.Fatalf("added %s, want %s", got.body, rule)
	}
	f.control(t, "POST", "/_fake/faults", `{"method": "DELETE", "fault": {"drop": true}}`).wantStatus(t, 201)
	listed := f.control(t, "GET", "/_fake/faults", "").wantStatus(t, 200)
	if want := "[" + rule + `,{"method":"DELETE","fault":{"drop":true}}]`; string(listed.body) != want {
		t.Fatalf("rules %s, want %s", listed.body, want)
	}
	first := f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 503)
	if first.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", first.header.Get("Retry-After"))
	}
	f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 503)
	f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 200)

	f.control(t, "DELETE", "/_fake/faults", "").wantStatus(t, 204)
	if got := f.control(t, "GET", "/_fake/faults", "").body; string(got) != "[]" {
		t.Fatalf("rules after DELETE %s", got)
	}
	f.do(t, "DELETE", "/api/v1/backups/499/", "").wantStatus(t, 204)
}

// TestControlTruncateAndProbability reaches the new faults from outside.
func TestControlTruncateAndProbability(t *testing.T) {
	t.Parallel()
	f := start(t)
	f.control(t, "POST", "/_fake/faults", `{"method": "POST", "nth": 1, "fault": {"truncate_body": 10}}`).wantStatus(t, 201)
	f.control(t, "POST", "/_fake/faults", `{"method": "GET", "path": "/api/v1/servers/", "probability": 0.5, "fault": {"status": 500}}`).wantStatus(t, 201)

	req, err := http.NewRequest(http.MethodPost, f.url+"/api/v1/backups/", strings.NewReader(`{"server_id": 12345}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || len(data) != 10 || !errors.Is(err, io.ErrUnexpectedEOF) || resp.ContentLength <= 10 {
		t.Fatalf("status %d, %d bytes of %d, then %v", resp.StatusCode, len(data), resp.ContentLength, err)
	}
	if ids := f.do(t, "GET", "/api/v1/backups/?backup_type=manual", "").object(t)["count"]; ids != 2.0 {
		t.Fatalf("%v manual backups after the cut create, want 2", ids)
	}

	var statuses []int
	for range 40 {
		statuses = append(statuses, f.do(t, "GET", "/api/v1/servers/", "").status)
	}
	n500 := 0
	for _, s := range statuses {
		if s == 500 {
			n500++
		}
	}
	if n500 < 8 || n500 > 32 {
		t.Fatalf("%d of 40 faulted at 50%%: %v", n500, statuses)
	}
}

func TestControlRequestsAndReset(t *testing.T) {
	t.Parallel()
	f := start(t, "-rate-limit", "1000")
	f.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345, "description": "x"}`).wantStatus(t, 201)
	f.do(t, "GET", "/api/v1/backups/?server_id=12345", "").wantStatus(t, 200)
	f.send(t, "GET", "/api/v1/servers/", "", "Bearer wrong").wantStatus(t, 401)

	a := f.control(t, "GET", "/_fake/requests", "").wantStatus(t, 200)
	if strings.Contains(string(a.body), f.token) || strings.Contains(string(a.body), "Bearer") {
		t.Fatalf("the log shows a token: %s", a.body)
	}
	log := a.value(t).([]any)
	wantKeys := []string{"acted", "body", "fault", "method", "path", "query", "rate_limited", "request_id", "status"}
	type entry struct {
		method, path, query, body string
		status                    float64
		acted                     bool
	}
	want := []entry{
		{"POST", "/api/v1/backups/", "", `{"server_id": 12345, "description": "x"}`, 201, true},
		{"GET", "/api/v1/backups/", "server_id=12345", "", 200, false},
		{"GET", "/api/v1/servers/", "", "", 401, false},
	}
	if len(log) != len(want) {
		t.Fatalf("log %s", a.body)
	}
	for i, w := range want {
		e := log[i].(map[string]any)
		var keys []string
		for k := range e {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		got := entry{e["method"].(string), e["path"].(string), e["query"].(string), e["body"].(string), e["status"].(float64), e["acted"].(bool)}
		if !slices.Equal(keys, wantKeys) || got != w || e["fault"] != nil || e["rate_limited"] != false || e["request_id"] != fmt.Sprintf("req-%06d", i+1) {
			t.Errorf("entry %d: %v, want %+v", i, e, w)
		}
	}

	f.control(t, "POST", "/_fake/servers", `{"name": "gone"}`).wantStatus(t, 201)
	f.control(t, "POST", "/_fake/faults", `{"fault": {"status": 500}}`).wantStatus(t, 201)
	f.control(t, "POST", "/_fake/reset", "").wantStatus(t, 204)
	if log := f.control(t, "GET", "/_fake/requests", "").value(t).([]any); len(log) != 0 {
		t.Fatalf("log after reset %v", log)
	}
	servers := f.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, 200).object(t)
	if servers["count"] != 1.0 {
		t.Fatalf("servers after reset %v", servers)
	}
	created := f.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, 201).object(t)
	if created["id"] != 502.0 {
		t.Fatalf("first backup after reset %v, want id 502", created["id"])
	}
}

// TestControlNotLimited sends control requests past the API's rate limit.
func TestControlNotLimited(t *testing.T) {
	t.Parallel()
	f := start(t, "-rate-limit", "0.01")
	f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 200)
	for range 5 {
		f.control(t, "GET", "/_fake/requests", "").wantStatus(t, 200)
		f.control(t, "POST", "/_fake/servers", `{"name": "n"}`).wantStatus(t, 201)
	}
	f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 429)
	log := f.control(t, "GET", "/_fake/requests", "").value(t).([]any)
	if len(log) != 2 || log[1].(map[string]any)["rate_limited"] != true {
		t.Fatalf("log %v", log)
	}
}
