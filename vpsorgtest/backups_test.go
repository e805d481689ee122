package vpsorgtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func TestListBackupsAsDocumented(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutPageLinks())
	res := h.do(t, "GET", "/api/v1/backups/", "")
	res.wantStatus(t, http.StatusOK)
	res.wantJSON(t, `{
	  "count": 3,
	  "results": [
	    {"id": 501, "server": {"id": 12345, "name": "web-server-01"},
	     "backup_type": "automatic", "status": "completed", "size_mb": 4523,
	     "created_at": "2025-01-16T03:00:00Z", "expires_at": "2025-02-16T03:00:00Z",
	     "description": "Automatic daily backup"},
	    {"id": 499, "server": {"id": 12345, "name": "web-server-01"},
	     "backup_type": "manual", "status": "completed", "size_mb": 4456,
	     "created_at": "2025-01-14T10:30:00Z", "expires_at": null,
	     "description": "Pre-update backup"},
	    {"id": 495, "server": {"id": 12345, "name": "web-server-01"},
	     "backup_type": "automatic", "status": "completed", "size_mb": 4389,
	     "created_at": "2025-01-15T03:00:00Z", "expires_at": "2025-02-15T03:00:00Z",
	     "description": "Automatic daily backup"}
	  ]
	}`)
	// Field order as documented, too.
	if !strings.HasPrefix(string(res.body), `{"count":3,"results":[{"id":501,"server":{"id":12345,"name":"web-server-01"},"backup_type":"automatic","status":"completed","size_mb":4523,"created_at":`) {
		t.Errorf("field order: %s", res.body)
	}
}

func TestListBackupsFilters(t *testing.T) {
	t.Parallel()
	h := start(t)
	other := h.AddServer("db-01")
	auto, err := h.AddAutomaticBackup(other)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query  string
		status int
		ids    []int64
		body   string
	}{
		{"", 200, []int64{auto, 501, 499, 495}, ""},
		{"?server_id=12345", 200, []int64{501, 499, 495}, ""},
		{fmt.Sprintf("?server_id=%d", other), 200, []int64{auto}, ""},
		{"?server_id=999", 200, []int64{}, ""},
		{"?server_id=0", 200, []int64{}, ""},
		{"?backup_type=manual", 200, []int64{499}, ""},
		{"?backup_type=automatic&server_id=12345", 200, []int64{501, 495}, ""},
		{"?server_id=", 200, []int64{auto, 501, 499, 495}, ""},
		{"?backup_type=weekly", 400, nil, `{"backup_type": ["Select a valid choice. weekly is not one of the available choices."]}`},
		{"?server_id=abc", 400, nil, `{"server_id": ["Enter a number."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "GET", "/api/v1/backups/"+tt.query, "")
			res.wantStatus(t, tt.status)
			if tt.body != "" {
				res.wantJSON(t, tt.body)
				return
			}
			if got := res.ids(t); !slices.Equal(got, tt.ids) {
				t.Errorf("ids %v, want %v", got, tt.ids)
			}
			if got := res.json(t)["count"]; got != float64(len(tt.ids)) {
				t.Errorf("count %v, want %d", got, len(tt.ids))
			}
		})
	}
}

func TestCreateBackupAsDocumented(t *testing.T) {
	t.Parallel()
	h := start(t)
	res := h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345, "description": "Pre-deployment backup"}`)
	res.wantStatus(t, http.StatusCreated)
	res.wantJSON(t, `{"id": 502, "server": {"id": 12345, "name": "web-server-01"},
	 "backup_type": "manual", "status": "in_progress", "size_mb": null,
	 "created_at": "2025-01-16T15:45:00Z", "expires_at": null,
	 "description": "Pre-deployment backup",
	 "message": "Backup is being created. This may take several minutes depending on server size."}`)
}

func TestBackupCompletesAfterDelay(t *testing.T) {
	t.Parallel()
	h := start(t, WithCompletionDelay(time.Minute))
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)

	first := func() map[string]any {
		res := h.do(t, "GET", "/api/v1/backups/?backup_type=manual", "")
		return res.json(t)["results"].([]any)[0].(map[string]any)
	}
	b := first()
	if b["id"] != float64(502) || b["status"] != "in_progress" || b["size_mb"] != nil || b["description"] != "" {
		t.Fatalf("new backup %v", b)
	}
	h.clock.Advance(time.Minute - time.Millisecond)
	if b := first(); b["status"] != "in_progress" {
		t.Fatalf("before the delay: %v", b)
	}
	h.clock.Advance(time.Millisecond)
	b = first()
	if b["status"] != "completed" || b["size_mb"] == nil || b["size_mb"].(float64) < 1000 {
		t.Fatalf("after the delay: %v", b)
	}
}

func TestDefaultCompletionDelay(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)
	statusOf502 := func() any {
		res := h.do(t, "GET", "/api/v1/backups/?backup_type=manual", "")
		return res.json(t)["results"].([]any)[0].(map[string]any)["status"]
	}
	h.clock.Advance(DefaultCompletionDelay - time.Millisecond)
	if got := statusOf502(); got != "in_progress" {
		t.Fatalf("status %v", got)
	}
	h.clock.Advance(time.Millisecond)
	if got := statusOf502(); got != "completed" {
		t.Fatalf("status %v", got)
	}
}

func TestCreateBackupInput(t *testing.T) {
	t.Parallel()
	h := start(t)
	tests := []struct {
		name, body string
		status     int
		want       string // the whole body, unless it is a parse error
	}{
		{"malformed", `{"server_id": `, 400, ""},
		{"trailing data", `{"server_id": 12345} x`, 400, ""},
		{"empty body", ``, 400, `{"server_id": ["This field is required."]}`},
		{"empty object", `{}`, 400, `{"server_id": ["This field is required."]}`},
		{"not an object", `[12345]`, 400, `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
		{"word", `{"server_id": "web"}`, 400, `{"server_id": ["A valid integer is required."]}`},
		{"fraction", `{"server_id": 12345.5}`, 400, `{"server_id": ["A valid integer is required."]}`},
		{"bool", `{"server_id": true}`, 400, `{"server_id": ["A valid integer is required."]}`},
		{"null", `{"server_id": null}`, 400, `{"server_id": ["This field may not be null."]}`},
		{"description not text", `{"server_id": 12345, "description": 7}`, 400, `{"description": ["Not a valid string."]}`},
		{"unknown server", `{"server_id": 999}`, 404, `{"detail": "Not found."}`},
		{"numeric string", `{"server_id": "12345"}`, 201, ""},
		{"whole float", `{"server_id": 12345.0}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "POST", "/api/v1/backups/", tt.body)
			res.wantStatus(t, tt.status)
			switch {
			case tt.want != "":
				res.wantJSON(t, tt.want)
			case tt.status == 400:
				if d, _ := res.json(t)["detail"].(string); !strings.HasPrefix(d, "JSON parse error - ") {
					t.Errorf("detail %q", d)
				}
			}
		})
	}
}

func TestManualBackupLimit(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	full, other := h.AddServer("full"), h.AddServer("other")
	for range 2 {
		if _, err := h.AddAutomaticBackup(full); err != nil {
			t.Fatal(err)
		}
	}
	create := func(server int64) result {
		return h.do(t, "POST", "/api/v1/backups/", fmt.Sprintf(`{"server_id": %d}`, server))
	}
	for i := range 10 {
		if res := create(full); res.status != http.StatusCreated {
			t.Fatalf("backup %d: %d %s", i+1, res.status, res.body)
		}
	}
	res := create(full)
	res.wantStatus(t, http.StatusBadRequest)
	res.wantJSON(t, `{"non_field_errors": ["Maximum number of manual backups (10) reached for this server."]}`)

	list := h.do(t, "GET", fmt.Sprintf("/api/v1/backups/?server_id=%d&backup_type=manual", full), "")
	if got := list.json(t)["count"]; got != float64(10) {
		t.Fatalf("manual backups %v, want 10", got)
	}
	create(other).wantStatus(t, http.StatusCreated)

	// Deleting one makes room again.
	h.do(t, "DELETE", fmt.Sprintf("/api/v1/backups/%d/", list.ids(t)[0]), "").wantStatus(t, http.StatusNoContent)
	create(full).wantStatus(t, http.StatusCreated)
}

func TestDeleteBackup(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)

	for _, id := range []string{"502", "499"} { // in progress and completed
		res := h.do(t, "DELETE", "/api/v1/backups/"+id+"/", "")
		res.wantStatus(t, http.StatusNoContent)
		if len(res.body) != 0 {
			t.Errorf("204 body %q", res.body)
		}
		again := h.do(t, "DELETE", "/api/v1/backups/"+id+"/", "")
		again.wantStatus(t, http.StatusNotFound)
		again.wantJSON(t, `{"detail": "Not found."}`)
	}
	if got := h.do(t, "GET", "/api/v1/backups/", "").ids(t); !slices.Equal(got, []int64{501, 495}) {
		t.Fatalf("left %v", got)
	}
	h.do(t, "DELETE", "/api/v1/backups/999999/", "").wantStatus(t, http.StatusNotFound)

	// Ids are not reused.
	res := h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`)
	if got := res.json(t)["id"]; got != float64(503) {
		t.Fatalf("next id %v", got)
	}
}

func TestAddAutomaticBackup(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	srv := h.AddServer("web")
	id, err := h.AddAutomaticBackup(srv)
	if err != nil || id != 1 {
		t.Fatalf("id %d, err %v", id, err)
	}
	res := h.do(t, "GET", "/api/v1/backups/", "")
	b := res.json(t)["results"].([]any)[0].(map[string]any)
	if b["backup_type"] != "automatic" || b["status"] != "completed" || b["size_mb"] == nil ||
		b["created_at"] != "2025-01-16T15:45:00Z" || b["expires_at"] != "2025-02-15T15:45:00Z" ||
		b["description"] != "Automatic daily backup" {
		t.Fatalf("automatic backup %v", b)
	}
	if _, err := h.AddAutomaticBackup(404); err == nil {
		t.Fatal("no error for an unknown server")
	}
}

func TestSetBackupStatus(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)
	for id, status := range map[int64]vpsorg.Status{502: vpsorg.StatusFailed, 503: vpsorg.StatusInProgress, 499: "pending_upload"} {
		if err := h.SetBackupStatus(id, status); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(24 * time.Hour) // forced statuses stick
	res := h.do(t, "GET", "/api/v1/backups/?backup_type=manual", "")
	got := map[float64][2]any{}
	for _, item := range res.json(t)["results"].([]any) {
		b := item.(map[string]any)
		got[b["id"].(float64)] = [2]any{b["status"], b["size_mb"]}
	}
	want := map[float64][2]any{502: {"failed", nil}, 503: {"in_progress", nil}, 499: {"pending_upload", nil}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	if err := h.SetBackupStatus(503, "completed"); err != nil {
		t.Fatal(err)
	}
	res = h.do(t, "GET", "/api/v1/backups/?backup_type=manual", "")
	if b := res.json(t)["results"].([]any)[0].(map[string]any); b["status"] != "completed" || b["size_mb"] == nil {
		t.Fatalf("forced completed: %v", b)
	}

	if err := h.SetBackupStatus(1, "failed"); err == nil {
		t.Error("no error for an unknown backup")
	}
	if err := h.SetBackupStatus(501, ""); err == nil {
		t.Error("no error for an empty status")
	}
}
