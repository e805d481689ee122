package vpsorgtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestControlAddBackup(t *testing.T) {
	t.Parallel()
	h := start(t, WithControlAPI())
	res := h.do(t, "POST", "/_fake/backups", `{"server_id": 12345, "backup_type": "automatic", "status": "completed",
		"size_mb": 4300, "created_at": "2024-12-01T03:00:00Z", "expires_at": "2024-12-31T03:00:00Z",
		"description": "Automatic daily backup"}`)
	res.wantStatus(t, http.StatusCreated)
	res.wantJSON(t, `{"id": 502}`)
	h.do(t, "POST", "/_fake/snapshots", `{"server_id": 12345, "name": "old", "status": "failed",
		"created_at": "2024-12-01T12:00:00+01:00", "description": "d"}`).wantJSON(t, `{"id": 802}`)

	list := h.do(t, "GET", "/api/v1/backups/?server_id=12345", "")
	if got := list.json(t)["results"].([]any)[0]; fmt.Sprint(got) != fmt.Sprint(map[string]any{
		"id": 502.0, "server": map[string]any{"id": 12345.0, "name": "web-server-01"}, "backup_type": "automatic",
		"status": "completed", "size_mb": 4300.0, "created_at": "2024-12-01T03:00:00Z",
		"expires_at": "2024-12-31T03:00:00Z", "description": "Automatic daily backup",
	}) {
		t.Fatalf("listed %v", got)
	}
	snap := h.do(t, "GET", "/api/v1/snapshots/", "").json(t)["results"].([]any)[0].(map[string]any)
	if snap["id"] != 802.0 || snap["status"] != "failed" || snap["created_at"] != "2024-12-01T11:00:00Z" || snap["size_mb"] != nil {
		t.Fatalf("listed %v", snap)
	}
}

// TestControlAddList adds a year of nightly backups in one request.
func TestControlAddList(t *testing.T) {
	t.Parallel()
	h := start(t, WithControlAPI(), WithoutSeed())
	server := h.AddServer("db-01")
	var items []string
	for i := range 365 {
		created := time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.RFC3339)
		items = append(items, fmt.Sprintf(`{"server_id": %d, "created_at": %q, "description": "nightly"}`, server, created))
	}
	res := h.do(t, "POST", "/_fake/backups", "["+strings.Join(items, ",")+"]")
	res.wantStatus(t, http.StatusCreated)
	ids := res.json(t)["ids"].([]any)
	if len(ids) != 365 || ids[0] != 1.0 || ids[364] != 365.0 {
		t.Fatalf("ids %v", ids)
	}
	h.do(t, "POST", "/api/v1/backups/", fmt.Sprintf(`{"server_id": %d}`, server)).wantStatus(t, http.StatusBadRequest)

	h.do(t, "POST", "/_fake/snapshots", fmt.Sprintf(`[{"server_id": %d, "name": "a"}, {"server_id": %d, "name": "b", "id": 40}]`, server, server)).
		wantJSON(t, `{"ids": [1, 40]}`)
	h.do(t, "POST", "/_fake/snapshots", `[]`).wantJSON(t, `{"ids": []}`)
}

func TestControlAddRefused(t *testing.T) {
	t.Parallel()
	h := start(t, WithControlAPI())
	tests := []struct {
		path, body, detail string
	}{
		{"/_fake/backups", `{"server_id": 404}`, "server_id: no server 404"},
		{"/_fake/backups", `{"description": "x"}`, "server_id: missing"},
		{"/_fake/backups", `{"server_id": 12345, "status": "done"}`, `status: "done": want in_progress, completed or failed`},
		{"/_fake/backups", `{"server_id": 12345, "backup_type": "weekly"}`, `backup_type: "weekly": want manual or automatic`},
		{"/_fake/backups", `{"server_id": 12345, "created_at": "yesterday"}`, `created_at: "yesterday": want an RFC 3339 time`},
		{"/_fake/backups", `{"server_id": 12345, "backup_type": "automatic", "expires_at": "2025-01-16"}`, `expires_at: "2025-01-16"`},
		{"/_fake/backups", `{"server_id": 12345, "expires_at": "2025-01-16T00:00:00Z"}`, "expires_at: want none"},
		{"/_fake/backups", `{"server_id": 12345, "size_mb": -5}`, "size_mb: -5"},
		{"/_fake/backups", `{"server_id": 12345, "id": 499}`, "id: 499 is taken"},
		{"/_fake/backups", `{"server_id": 12345, "message": "x"}`, `body: unknown field "message"`},
		{"/_fake/backups", `{"server_id": "web"}`, "server_id"},
		{"/_fake/backups", `{"server_id": 12345`, "body: unexpected EOF"},
		{"/_fake/backups", ``, "body: no JSON value"},
		{"/_fake/backups", `[{"server_id": 12345}, {"server_id": 12345, "status": "done"}]`, `[1] status: "done"`},
		{"/_fake/backups", `[{"server_id": 12345}, {}]`, "[1] server_id: missing"},
		{"/_fake/snapshots", `{"server_id": 12345, "name": "a b"}`, `name: "a b": want letters, digits`},
		{"/_fake/snapshots", `{"server_id": 12345}`, `name: "": want letters`},
		{"/_fake/snapshots", `{"server_id": 404, "name": "a"}`, "server_id: no server 404"},
		{"/_fake/snapshots", `{"server_id": 12345, "name": "a", "status": "queued"}`, "status:"},
		{"/_fake/snapshots", `{"server_id": 12345, "name": "a", "backup_type": "manual"}`, `body: unknown field "backup_type"`},
		{"/_fake/snapshots", `[{"server_id": 12345, "name": "a", "id": 900}, {"server_id": 12345, "name": "b", "id": 900}]`, "[1] id: 900 is taken"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "POST", tt.path, tt.body)
			res.wantStatus(t, http.StatusBadRequest)
			if d, _ := res.json(t)["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Fatalf("detail %q, want %q in it", d, tt.detail)
			}
		})
	}
	t.Cleanup(func() {
		// A refused list adds none of its items.
		if n := h.do(t, "GET", "/api/v1/backups/", "").json(t)["count"]; n != 3.0 {
			t.Errorf("%v backups after refusals, want 3", n)
		}
		h.do(t, "POST", "/_fake/backups", `{"server_id": 12345}`).wantJSON(t, `{"id": 502}`)
	})
}
