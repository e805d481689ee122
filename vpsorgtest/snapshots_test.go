package vpsorgtest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestListSnapshotsAsDocumented(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutPageLinks())
	res := h.do(t, "GET", "/api/v1/snapshots/", "")
	res.wantStatus(t, http.StatusOK)
	res.wantJSON(t, `{
	  "count": 2,
	  "results": [
	    {"id": 801, "server": {"id": 12345, "name": "web-server-01"},
	     "name": "pre-migration-snapshot", "status": "completed", "size_mb": 5120,
	     "created_at": "2025-01-15T18:30:00Z", "description": "Before major migration"},
	    {"id": 798, "server": {"id": 12345, "name": "web-server-01"},
	     "name": "weekly-snapshot-2025-01-08", "status": "completed", "size_mb": 4856,
	     "created_at": "2025-01-08T12:00:00Z", "description": "Weekly snapshot"}
	  ]
	}`)
}

func TestListSnapshotsFilter(t *testing.T) {
	t.Parallel()
	h := start(t)
	other := h.AddServer("db-01")
	res := h.do(t, "POST", "/api/v1/snapshots/", fmt.Sprintf(`{"server_id": %d, "name": "db"}`, other))
	res.wantStatus(t, http.StatusCreated)
	tests := []struct {
		query  string
		status int
		ids    []int64
	}{
		{"", 200, []int64{802, 801, 798}},
		{"?server_id=12345", 200, []int64{801, 798}},
		{fmt.Sprintf("?server_id=%d", other), 200, []int64{802}},
		{"?server_id=1", 200, []int64{}},
		{"?server_id=x", 400, nil},
	}
	for _, tt := range tests {
		res := h.do(t, "GET", "/api/v1/snapshots/"+tt.query, "")
		res.wantStatus(t, tt.status)
		if tt.status != 200 {
			res.wantJSON(t, `{"server_id": ["Enter a number."]}`)
			continue
		}
		if got := res.ids(t); !slices.Equal(got, tt.ids) {
			t.Errorf("%s: ids %v, want %v", tt.query, got, tt.ids)
		}
	}
}

func TestCreateSnapshotAsDocumented(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.clock.Advance(30 * time.Minute)
	res := h.do(t, "POST", "/api/v1/snapshots/",
		`{"server_id": 12345, "name": "before-update-snapshot", "description": "Snapshot before system update"}`)
	res.wantStatus(t, http.StatusCreated)
	res.wantJSON(t, `{"id": 802, "server": {"id": 12345, "name": "web-server-01"},
	 "name": "before-update-snapshot", "status": "in_progress", "size_mb": null,
	 "created_at": "2025-01-16T16:15:00Z", "description": "Snapshot before system update",
	 "message": "Snapshot is being created. This may take 3-10 minutes depending on server size."}`)

	h.clock.Advance(DefaultCompletionDelay)
	list := h.do(t, "GET", "/api/v1/snapshots/", "")
	sn := list.json(t)["results"].([]any)[0].(map[string]any)
	if sn["id"] != float64(802) || sn["status"] != "completed" || sn["size_mb"] == nil {
		t.Fatalf("after the delay: %v", sn)
	}
}

func TestCreateSnapshotInput(t *testing.T) {
	t.Parallel()
	h := start(t)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"no name", `{"server_id": 12345}`, 400, `{"name": ["This field is required."]}`},
		{"empty name", `{"server_id": 12345, "name": ""}`, 400, `{"name": ["This field may not be blank."]}`},
		{"space", `{"server_id": 12345, "name": "before update"}`, 400,
			`{"name": ["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]}`},
		{"accent", `{"server_id": 12345, "name": "café"}`, 400,
			`{"name": ["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]}`},
		{"name not text", `{"server_id": 12345, "name": 5}`, 400, `{"name": ["Not a valid string."]}`},
		{"nothing", `{}`, 400, `{"server_id": ["This field is required."], "name": ["This field is required."]}`},
		{"malformed", `{"name": "x",}`, 400, ""},
		{"unknown server", `{"server_id": 5, "name": "x"}`, 404, `{"detail": "Not found."}`},
		{"every allowed character", `{"server_id": 12345, "name": "Aa-Zz_09"}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "POST", "/api/v1/snapshots/", tt.body)
			res.wantStatus(t, tt.status)
			if tt.want != "" {
				res.wantJSON(t, tt.want)
			}
		})
	}
}

func TestSnapshotLimit(t *testing.T) {
	t.Parallel()
	h := start(t)
	create := func(server int64, name string) result {
		return h.do(t, "POST", "/api/v1/snapshots/", fmt.Sprintf(`{"server_id": %d, "name": %q}`, server, name))
	}
	for i := range 3 { // the seeded server already has two
		create(12345, fmt.Sprintf("s%d", i)).wantStatus(t, http.StatusCreated)
	}
	res := create(12345, "sixth")
	res.wantStatus(t, http.StatusBadRequest)
	res.wantJSON(t, `{"non_field_errors": ["Maximum number of snapshots (5) reached for this server."]}`)
	if got := h.do(t, "GET", "/api/v1/snapshots/", "").json(t)["count"]; got != float64(5) {
		t.Fatalf("count %v", got)
	}
	create(h.AddServer("other"), "first").wantStatus(t, http.StatusCreated)
}

func TestRestoreSnapshot(t *testing.T) {
	t.Parallel()
	h := start(t, WithRestoreDuration(time.Minute))
	res := h.do(t, "POST", "/api/v1/snapshots/801/restore/", "")
	res.wantStatus(t, http.StatusOK)
	res.wantJSON(t, `{"status": "success",
	 "message": "Server is being restored from snapshot. This may take 5-15 minutes.",
	 "snapshot": {"id": 801, "name": "pre-migration-snapshot", "created_at": "2025-01-15T18:30:00Z"},
	 "server": {"id": 12345, "name": "web-server-01", "status": "restoring"}}`)

	serverStatus := func() any {
		return h.do(t, "GET", "/api/v1/servers/", "").json(t)["results"].([]any)[0].(map[string]any)["status"]
	}
	if got := serverStatus(); got != "restoring" {
		t.Fatalf("server %v", got)
	}
	again := h.do(t, "POST", "/api/v1/snapshots/798/restore/", "")
	again.wantStatus(t, http.StatusBadRequest)
	again.wantJSON(t, `{"detail": "Server is not in a valid state for restoration."}`)

	h.clock.Advance(time.Minute)
	if got := serverStatus(); got != "active" {
		t.Fatalf("server after the restore %v", got)
	}
	h.do(t, "POST", "/api/v1/snapshots/798/restore/", "").wantStatus(t, http.StatusOK)
}

func TestRestoreSnapshotRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	other := h.AddServer("other")
	h.do(t, "POST", "/api/v1/snapshots/", fmt.Sprintf(`{"server_id": %d, "name": "busy"}`, other)).
		wantStatus(t, http.StatusCreated)
	if err := h.SetSnapshotStatus(798, "failed"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/snapshots/802/restore/", 400, `{"detail": "Snapshot is not in a valid state for restoration."}`},
		{"/api/v1/snapshots/798/restore/", 400, `{"detail": "Snapshot is not in a valid state for restoration."}`},
		{"/api/v1/snapshots/9/restore/", 404, `{"detail": "Not found."}`},
	}
	for _, tt := range tests {
		res := h.do(t, "POST", tt.path, "")
		res.wantStatus(t, tt.status)
		res.wantJSON(t, tt.want)
	}
	if got := h.do(t, "GET", "/api/v1/servers/?status=restoring", "").json(t)["count"]; got != float64(0) {
		t.Fatalf("a refused restore left %v servers restoring", got)
	}
}

func TestDeleteSnapshot(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "tmp"}`).wantStatus(t, http.StatusCreated)
	for _, id := range []string{"802", "801"} { // in progress and completed
		res := h.do(t, "DELETE", "/api/v1/snapshots/"+id+"/", "")
		res.wantStatus(t, http.StatusNoContent)
		if len(res.body) != 0 {
			t.Errorf("204 body %q", res.body)
		}
		h.do(t, "DELETE", "/api/v1/snapshots/"+id+"/", "").wantStatus(t, http.StatusNotFound)
	}
	h.do(t, "POST", "/api/v1/snapshots/801/restore/", "").wantStatus(t, http.StatusNotFound)
	if got := h.do(t, "GET", "/api/v1/snapshots/", "").ids(t); !slices.Equal(got, []int64{798}) {
		t.Fatalf("left %v", got)
	}
}

func TestSetSnapshotStatus(t *testing.T) {
	t.Parallel()
	h := start(t)
	if err := h.SetSnapshotStatus(801, "failed"); err != nil {
		t.Fatal(err)
	}
	sn := h.do(t, "GET", "/api/v1/snapshots/", "").json(t)["results"].([]any)[0].(map[string]any)
	if sn["status"] != "failed" || sn["size_mb"] != nil {
		t.Fatalf("forced snapshot %v", sn)
	}
	if err := h.SetSnapshotStatus(1, "failed"); err == nil {
		t.Error("no error for an unknown snapshot")
	}
	if err := h.SetSnapshotStatus(801, ""); err == nil {
		t.Error("no error for an empty status")
	}
}
