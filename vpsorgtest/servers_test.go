package vpsorgtest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestListServers(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutPageLinks())
	res := h.do(t, "GET", "/api/v1/servers/", "")
	res.wantStatus(t, http.StatusOK)
	res.wantJSON(t, `{"count": 1, "results": [
	  {"id": 12345, "name": "web-server-01", "hostname": "web-server-01.example.com",
	   "status": "active", "ip_address": "192.0.2.45", "location": "us-east-1",
	   "plan": {"id": 3, "name": "Standard 4GB", "vcpus": 2, "memory": 4096, "storage": 80},
	   "os": {"id": 12, "name": "Ubuntu 22.04 LTS"},
	   "created_at": "2024-11-02T09:15:00Z", "updated_at": "2024-11-02T09:15:00Z"}]}`)
}

func TestListServersFilters(t *testing.T) {
	t.Parallel()
	h := start(t)
	db := h.AddServer("db-01")
	h.do(t, "POST", "/api/v1/snapshots/801/restore/", "").wantStatus(t, http.StatusOK)
	tests := []struct {
		query string
		ids   []int64
	}{
		{"", []int64{db, 12345}},
		{"?status=active", []int64{db}},
		{"?status=restoring", []int64{12345}},
		{"?location=us-east-1", []int64{db, 12345}},
		{"?location=eu-west-1", []int64{}},
		{"?status=active&location=us-east-1", []int64{db}},
	}
	for _, tt := range tests {
		res := h.do(t, "GET", "/api/v1/servers/"+tt.query, "")
		res.wantStatus(t, http.StatusOK)
		if got := res.ids(t); !slices.Equal(got, tt.ids) {
			t.Errorf("%q: ids %v, want %v", tt.query, got, tt.ids)
		}
	}
}

func TestAddServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		ids  []int64
	}{
		{"seeded", nil, []int64{12346, 12347}},
		{"unseeded", []Option{WithoutSeed()}, []int64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, tt.opts...)
			got := []int64{h.AddServer("a"), h.AddServer("b")}
			if !slices.Equal(got, tt.ids) {
				t.Fatalf("ids %v, want %v", got, tt.ids)
			}
			res := h.do(t, "GET", "/api/v1/servers/", "")
			s := res.json(t)["results"].([]any)[0].(map[string]any)
			if s["name"] != "b" || s["status"] != "active" || s["created_at"] != "2025-01-16T15:45:00Z" {
				t.Fatalf("added server %v", s)
			}
		})
	}
}

func TestUnseededServerIsEmpty(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	for _, path := range []string{"/api/v1/servers/", "/api/v1/backups/", "/api/v1/snapshots/"} {
		res := h.do(t, "GET", path, "")
		res.wantStatus(t, http.StatusOK)
		res.wantJSON(t, `{"count": 0, "next": null, "previous": null, "results": []}`)
	}
	srv := h.AddServer("first")
	res := h.do(t, "POST", "/api/v1/backups/", fmt.Sprintf(`{"server_id": %d}`, srv))
	if got := res.json(t)["id"]; got != float64(1) {
		t.Fatalf("first backup id %v", got)
	}
	res = h.do(t, "POST", "/api/v1/snapshots/", fmt.Sprintf(`{"server_id": %d, "name": "a"}`, srv))
	if got := res.json(t)["id"]; got != float64(1) {
		t.Fatalf("first snapshot id %v", got)
	}
}

func TestRestoreServerFromBackup(t *testing.T) {
	t.Parallel()
	h := start(t, WithRestoreDuration(10*time.Minute))
	h.clock.Advance(15 * time.Minute)
	res := h.do(t, "POST", "/api/v1/servers/12345/restore/", `{"backup_id": 501}`)
	res.wantStatus(t, http.StatusOK)
	res.wantJSON(t, `{"status": "success",
	 "message": "Server is being restored from backup. This may take several minutes depending on backup size.",
	 "backup": {"id": 501, "created_at": "2025-01-16T03:00:00Z"},
	 "server": {"id": 12345, "name": "web-server-01", "status": "restoring"}}`)

	server := func() map[string]any {
		return h.do(t, "GET", "/api/v1/servers/", "").json(t)["results"].([]any)[0].(map[string]any)
	}
	if s := server(); s["status"] != "restoring" || s["updated_at"] != "2025-01-16T16:00:00Z" {
		t.Fatalf("server %v", s)
	}
	again := h.do(t, "POST", "/api/v1/servers/12345/restore/", `{"backup_id": 499}`)
	again.wantStatus(t, http.StatusBadRequest)
	again.wantJSON(t, `{"detail": "Server is not in a valid state for restoration."}`)

	h.clock.Advance(10*time.Minute - time.Microsecond)
	if s := server(); s["status"] != "restoring" {
		t.Fatalf("server %v", s)
	}
	h.clock.Advance(time.Microsecond)
	if s := server(); s["status"] != "active" {
		t.Fatalf("server after the restore %v", s)
	}
	h.do(t, "POST", "/api/v1/servers/12345/restore/", `{"backup_id": 499}`).wantStatus(t, http.StatusOK)
}

func TestRestoreServerRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	other := h.AddServer("other")
	otherBackup, err := h.AddAutomaticBackup(other)
	if err != nil {
		t.Fatal(err)
	}
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated) // 503, in progress
	if err := h.SetBackupStatus(495, "failed"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"unknown server", "/api/v1/servers/1/restore/", `{"backup_id": 501}`, 404, `{"detail": "Not found."}`},
		{"unknown backup", "/api/v1/servers/12345/restore/", `{"backup_id": 7}`, 400,
			`{"backup_id": ["Invalid pk \"7\" - object does not exist."]}`},
		{"backup of another server", "/api/v1/servers/12345/restore/", fmt.Sprintf(`{"backup_id": %d}`, otherBackup), 400,
			`{"backup_id": ["Backup does not belong to this server."]}`},
		{"backup in progress", "/api/v1/servers/12345/restore/", `{"backup_id": 503}`, 400,
			`{"backup_id": ["Backup is not completed and cannot be restored."]}`},
		{"failed backup", "/api/v1/servers/12345/restore/", `{"backup_id": 495}`, 400,
			`{"backup_id": ["Backup is not completed and cannot be restored."]}`},
		{"no backup_id", "/api/v1/servers/12345/restore/", `{}`, 400, `{"backup_id": ["This field is required."]}`},
		{"no body", "/api/v1/servers/12345/restore/", ``, 400, `{"backup_id": ["This field is required."]}`},
		{"backup_id not a number", "/api/v1/servers/12345/restore/", `{"backup_id": "latest"}`, 400,
			`{"backup_id": ["A valid integer is required."]}`},
		{"malformed", "/api/v1/servers/12345/restore/", `{"backup_id"`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "POST", tt.path, tt.body)
			res.wantStatus(t, tt.status)
			if tt.want != "" {
				res.wantJSON(t, tt.want)
			}
		})
	}
}

func TestRefusedRestoresLeaveServerActive(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.do(t, "POST", "/api/v1/servers/12345/restore/", `{"backup_id": 7}`).wantStatus(t, http.StatusBadRequest)
	if got := h.do(t, "GET", "/api/v1/servers/?status=active", "").ids(t); !slices.Equal(got, []int64{12345}) {
		t.Fatalf("active servers %v", got)
	}
}
