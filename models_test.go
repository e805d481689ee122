package vpsorg

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// The answers the API documents, field by field, as the SDK must decode
// them from testdata/.

func documentedBackups(t *testing.T) []Backup {
	web := ServerRef{ID: 12345, Name: "web-server-01"}
	return []Backup{
		{ID: 501, Server: web, Type: BackupTypeAutomatic, Status: StatusCompleted, SizeMB: modelInt64(4523),
			CreatedAt: modelTime(t, "2025-01-16T03:00:00Z"), ExpiresAt: modelTimePtr(t, "2025-02-16T03:00:00Z"),
			Description: "Automatic daily backup"},
		{ID: 499, Server: web, Type: BackupTypeManual, Status: StatusCompleted, SizeMB: modelInt64(4456),
			CreatedAt: modelTime(t, "2025-01-14T10:30:00Z"), ExpiresAt: nil,
			Description: "Pre-update backup"},
		{ID: 495, Server: web, Type: BackupTypeAutomatic, Status: StatusCompleted, SizeMB: modelInt64(4389),
			CreatedAt: modelTime(t, "2025-01-15T03:00:00Z"), ExpiresAt: modelTimePtr(t, "2025-02-15T03:00:00Z"),
			Description: "Automatic daily backup"},
	}
}

func documentedBackupCreate(t *testing.T) Backup {
	return Backup{ID: 502, Server: ServerRef{ID: 12345, Name: "web-server-01"}, Type: BackupTypeManual,
		Status: StatusInProgress, SizeMB: nil, CreatedAt: modelTime(t, "2025-01-16T15:45:00Z"), ExpiresAt: nil,
		Description: "Pre-deployment backup",
		Message:     "Backup is being created. This may take several minutes depending on server size."}
}

func documentedSnapshots(t *testing.T) []Snapshot {
	web := ServerRef{ID: 12345, Name: "web-server-01"}
	return []Snapshot{
		{ID: 801, Server: web, Name: "pre-migration-snapshot", Status: StatusCompleted, SizeMB: modelInt64(5120),
			CreatedAt: modelTime(t, "2025-01-15T18:30:00Z"), Description: "Before major migration"},
		{ID: 798, Server: web, Name: "weekly-snapshot-2025-01-08", Status: StatusCompleted, SizeMB: modelInt64(4856),
			CreatedAt: modelTime(t, "2025-01-08T12:00:00Z"), Description: "Weekly snapshot"},
	}
}

func documentedSnapshotCreate(t *testing.T) Snapshot {
	return Snapshot{ID: 802, Server: ServerRef{ID: 12345, Name: "web-server-01"}, Name: "before-update-snapshot",
		Status: StatusInProgress, SizeMB: nil, CreatedAt: modelTime(t, "2025-01-16T16:15:00Z"),
		Description: "Snapshot before system update",
		Message:     "Snapshot is being created. This may take 3-10 minutes depending on server size."}
}

func documentedSnapshotRestore(t *testing.T) SnapshotRestore {
	var r SnapshotRestore
	r.Status = "success"
	r.Message = "Server is being restored from snapshot. This may take 5-15 minutes."
	r.Snapshot.ID = 801
	r.Snapshot.Name = "pre-migration-snapshot"
	r.Snapshot.CreatedAt = modelTime(t, "2025-01-15T18:30:00Z")
	r.Server = ServerState{ID: 12345, Name: "web-server-01", Status: "restoring"}
	return r
}

func documentedServers(t *testing.T) []Server {
	return []Server{
		{ID: 12345, Name: "web-server-01", Hostname: "web-server-01.example.com", Status: "active",
			IPAddress: "203.0.113.10", Location: "nyc1",
			Plan:      &Plan{ID: 3, Name: "Standard 4GB", VCPUs: 2, Memory: 4096, Storage: 80},
			OS:        &OS{ID: 7, Name: "Ubuntu 24.04 LTS"},
			CreatedAt: modelTime(t, "2024-11-02T09:15:00Z"), UpdatedAt: modelTime(t, "2025-01-16T15:45:00Z")},
		{ID: 12346, Name: "db-server-01", Hostname: "db-server-01.example.com", Status: "restoring",
			IPAddress: "203.0.113.11", Location: "ams3", Plan: nil, OS: nil,
			CreatedAt: modelTime(t, "2024-12-20T14:00:00Z"), UpdatedAt: modelTime(t, "2025-01-16T16:20:00Z")},
	}
}

// modelPage is a list answer as the API's documentation shows it, decoded with the
// SDK's JSON rules (unmarshalJSON) but none of its request plumbing.
type modelPage[T any] struct {
	Count   int `json:"count"`
	Results []T `json:"results"`
}

func modelInt64(n int64) *int64 { return &n }

func modelTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func modelTimePtr(t *testing.T, s string) *time.Time {
	t.Helper()
	tm := modelTime(t, s)
	return &tm
}

// sameModel reports whether got and want hold the same values, following
// pointers and comparing times with Equal, so a field decoded into the
// wrong place or a null decoded as a zero value is told apart.
func sameModel(got, want any) bool {
	return sameModelValue(reflect.ValueOf(got), reflect.ValueOf(want))
}

func sameModelValue(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == reflect.TypeFor[time.Time]() {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameModelValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameModelValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameModelValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
}

// dump shows a model with its pointers followed, for failure messages.
func modelDump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestSameModelTellsApart(t *testing.T) {
	t.Parallel()
	// The comparison the model tests rest on must see every difference.
	base := documentedBackups(t)[0]
	changes := []func(*Backup){
		func(b *Backup) { b.ID++ },
		func(b *Backup) { b.Server.Name = "other" },
		func(b *Backup) { b.Type = BackupTypeManual },
		func(b *Backup) { b.Status = StatusFailed },
		func(b *Backup) { b.SizeMB = nil },
		func(b *Backup) { b.SizeMB = modelInt64(1) },
		func(b *Backup) { b.CreatedAt = b.CreatedAt.Add(time.Second) },
		func(b *Backup) { b.ExpiresAt = nil },
		func(b *Backup) { b.Description = "" },
		func(b *Backup) { b.Message = "x" },
	}
	for i, change := range changes {
		b := base
		change(&b)
		if sameModel(b, base) {
			t.Errorf("change %d not seen", i)
		}
	}
	if !sameModel(base, documentedBackups(t)[0]) {
		t.Error("equal values seen as different")
	}
}

func TestDecodeDocumentedBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		into func() any // a fresh value to decode into
		want func(*testing.T) any
	}{
		{"backups_list.json", func() any { return new(modelPage[Backup]) }, func(t *testing.T) any {
			return &modelPage[Backup]{Count: 3, Results: documentedBackups(t)}
		}},
		{"backup_create.json", func() any { return new(Backup) }, func(t *testing.T) any {
			b := documentedBackupCreate(t)
			return &b
		}},
		{"snapshots_list.json", func() any { return new(modelPage[Snapshot]) }, func(t *testing.T) any {
			return &modelPage[Snapshot]{Count: 2, Results: documentedSnapshots(t)}
		}},
		{"snapshot_create.json", func() any { return new(Snapshot) }, func(t *testing.T) any {
			s := documentedSnapshotCreate(t)
			return &s
		}},
		{"snapshot_restore.json", func() any { return new(SnapshotRestore) }, func(t *testing.T) any {
			r := documentedSnapshotRestore(t)
			return &r
		}},
		{"servers_list.json", func() any { return new(modelPage[Server]) }, func(t *testing.T) any {
			return &modelPage[Server]{Count: 2, Results: documentedServers(t)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := tt.into()
			if err := unmarshalJSON([]byte(loadTestdata(t, tt.file)), got); err != nil {
				t.Fatal(err)
			}
			if want := tt.want(t); !sameModel(got, want) {
				t.Errorf("decoded\n%s\nwant\n%s", modelDump(got), modelDump(want))
			}
		})
	}
}

func TestDocumentedBodiesThroughClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string
		body   string // the request body
		file   string
		status int
		call   func(context.Context, *Client) (any, *Response, error)
		want   func(*testing.T) any
		count  int // Response.Count of a list
	}{
		{"Backups.List", http.MethodGet, "/api/v1/backups/", "", "backups_list.json", 200,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Backups.List(ctx, nil)
				return v, r, err
			},
			func(t *testing.T) any { return pointers(documentedBackups(t)) }, 3},
		{"Backups.Create", http.MethodPost, "/api/v1/backups/", `{"server_id":12345,"description":"Pre-deployment backup"}`, "backup_create.json", 201,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 12345, Description: "Pre-deployment backup"})
				return v, r, err
			},
			func(t *testing.T) any { b := documentedBackupCreate(t); return &b }, 0},
		{"Snapshots.List", http.MethodGet, "/api/v1/snapshots/", "", "snapshots_list.json", 200,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Snapshots.List(ctx, nil)
				return v, r, err
			},
			func(t *testing.T) any { return pointers(documentedSnapshots(t)) }, 2},
		{"Snapshots.Create", http.MethodPost, "/api/v1/snapshots/",
			`{"server_id":12345,"name":"before-update-snapshot","description":"Snapshot before system update"}`, "snapshot_create.json", 201,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Snapshots.Create(ctx, &SnapshotCreateRequest{ServerID: 12345, Name: "before-update-snapshot", Description: "Snapshot before system update"})
				return v, r, err
			},
			func(t *testing.T) any { s := documentedSnapshotCreate(t); return &s }, 0},
		{"Snapshots.Restore", http.MethodPost, "/api/v1/snapshots/801/restore/", "", "snapshot_restore.json", 200,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Snapshots.Restore(ctx, 801)
				return v, r, err
			},
			func(t *testing.T) any { r := documentedSnapshotRestore(t); return &r }, 0},
		{"Servers.List", http.MethodGet, "/api/v1/servers/", "", "servers_list.json", 200,
			func(ctx context.Context, c *Client) (any, *Response, error) {
				v, r, err := c.Servers.List(ctx, nil)
				return v, r, err
			},
			func(t *testing.T) any { return pointers(documentedServers(t)) }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: tt.method, path: tt.path, body: tt.body}, tt.status, loadTestdata(t, tt.file))
			got, resp, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(t); !sameModel(got, want) {
				t.Errorf("got\n%s\nwant\n%s", modelDump(got), modelDump(want))
			}
			if resp.Count != tt.count || resp.NextPage != 0 {
				t.Errorf("Count, NextPage = %d, %d; want %d, 0", resp.Count, resp.NextPage, tt.count)
			}
		})
	}
}

func TestNullsDecodeAsNil(t *testing.T) {
	t.Parallel()
	var b Backup
	if err := unmarshalJSON([]byte(loadTestdata(t, "backup_create.json")), &b); err != nil {
		t.Fatal(err)
	}
	if b.SizeMB != nil || b.ExpiresAt != nil {
		t.Errorf("size_mb null, expires_at null decoded as %v, %v; want nil, nil", b.SizeMB, b.ExpiresAt)
	}
	// Absent is the same as null; zero is not.
	var z Backup
	if err := unmarshalJSON([]byte(`{"id": 1, "size_mb": 0, "expires_at": "2025-02-16T03:00:00Z"}`), &z); err != nil {
		t.Fatal(err)
	}
	if z.SizeMB == nil || *z.SizeMB != 0 || z.ExpiresAt == nil {
		t.Errorf("size_mb 0 and a set expires_at decoded as %v, %v", z.SizeMB, z.ExpiresAt)
	}
	var s Snapshot
	if err := unmarshalJSON([]byte(loadTestdata(t, "snapshot_create.json")), &s); err != nil {
		t.Fatal(err)
	}
	if s.SizeMB != nil {
		t.Errorf("snapshot size_mb null decoded as %v", *s.SizeMB)
	}
}

func TestUnknownFieldsAndValues(t *testing.T) {
	t.Parallel()
	const body = `{"count": 1, "region": "eu", "results": [
		{"id": 900, "server": {"id": 1, "name": "s", "zone": "a"}, "backup_type": "weekly", "status": "queued",
		 "size_mb": 10, "created_at": "2025-01-16T03:00:00+01:00", "expires_at": null, "description": "",
		 "checksum": {"sha256": "abc"}, "tags": ["x"], "encrypted": true}]}`
	c, mock, _ := newTestClient(t)
	expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/"}, http.StatusOK, body)
	got, _, err := c.Backups.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := pointers([]Backup{{ID: 900, Server: ServerRef{ID: 1, Name: "s"}, Type: "weekly", Status: "queued", SizeMB: modelInt64(10),
		CreatedAt: modelTime(t, "2025-01-16T02:00:00Z")}})
	if !sameModel(got, want) {
		t.Errorf("got\n%s\nwant\n%s", modelDump(got), modelDump(want))
	}

	var s Snapshot
	if err := unmarshalJSON([]byte(`{"id": 1, "status": "archived", "kind": "full"}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Status != Status("archived") {
		t.Errorf("unknown snapshot status decoded as %q", s.Status)
	}
	var srv Server
	if err := unmarshalJSON([]byte(`{"id": 1, "status": "migrating", "plan": {"id": 2, "price": 5}, "os": {"id": 3, "family": "linux"}, "ipv6": "::1"}`), &srv); err != nil {
		t.Fatal(err)
	}
	if srv.Status != "migrating" || srv.Plan == nil || srv.Plan.ID != 2 || srv.OS == nil || srv.OS.ID != 3 {
		t.Errorf("server = %s", modelDump(srv))
	}
}

func TestListCountAndNextPage(t *testing.T) {
	t.Parallel()
	item := `{"id": %d, "server": {"id": 1, "name": "s"}, "status": "completed", "created_at": "2025-01-16T03:00:00Z"}`
	items := func(ids ...int) string {
		s := ""
		for i, id := range ids {
			if i > 0 {
				s += ","
			}
			s += fmt.Sprintf(item, id)
		}
		return "[" + s + "]"
	}
	tests := []struct {
		name      string
		opts      ListOptions
		body      string
		wantCount int
		wantNext  int
	}{
		{"documented, one page", ListOptions{}, loadTestdata(t, "snapshots_list.json"), 2, 0},
		{"next link", ListOptions{PageSize: 2},
			`{"count": 5, "next": "https://api.test/api/v1/snapshots/?page=2&page_size=2", "previous": null, "results": ` + items(1, 2) + `}`, 5, 2},
		{"next link skipping", ListOptions{Page: 2},
			`{"count": 50, "next": "https://api.test/api/v1/snapshots/?page=7", "previous": "https://api.test/api/v1/snapshots/", "results": ` + items(3) + `}`, 50, 7},
		{"next link without page", ListOptions{Page: 4},
			`{"count": 50, "next": "https://api.test/api/v1/snapshots/?cursor=abc", "results": ` + items(3) + `}`, 50, 5},
		{"next null on last page", ListOptions{Page: 3, PageSize: 2},
			`{"count": 5, "next": null, "previous": "https://api.test/api/v1/snapshots/?page=2&page_size=2", "results": ` + items(5) + `}`, 5, 0},
		{"next null though count says more", ListOptions{},
			`{"count": 9, "next": null, "results": ` + items(1) + `}`, 9, 0},
		{"no links, more by count", ListOptions{PageSize: 2},
			`{"count": 5, "results": ` + items(1, 2) + `}`, 5, 2},
		{"no links, page size inferred", ListOptions{},
			`{"count": 5, "results": ` + items(1, 2) + `}`, 5, 2},
		{"no links, middle page", ListOptions{Page: 2, PageSize: 2},
			`{"count": 5, "results": ` + items(3, 4) + `}`, 5, 3},
		{"no links, last page", ListOptions{Page: 3, PageSize: 2},
			`{"count": 5, "results": ` + items(5) + `}`, 5, 0},
		{"no links, empty page", ListOptions{Page: 9},
			`{"count": 5, "results": []}`, 5, 0},
		{"empty list", ListOptions{}, `{"count": 0, "results": []}`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			mock.RegisterResponder(http.MethodGet, testBase+"snapshots/", func(*http.Request) (*http.Response, error) {
				return newAnswer(http.StatusOK, tt.body), nil
			})
			_, resp, err := c.Snapshots.List(context.Background(), &SnapshotListOptions{ListOptions: tt.opts})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Count != tt.wantCount || resp.NextPage != tt.wantNext {
				t.Errorf("Count, NextPage = %d, %d; want %d, %d", resp.Count, resp.NextPage, tt.wantCount, tt.wantNext)
			}
		})
	}
}

func TestServerRestoreLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   ServerRestore // without Raw, which must be the body
	}{
		{"documented shape", 200,
			`{"status": "success", "message": "Server is being restored from backup.", "server": {"id": 12345, "name": "web-server-01", "status": "restoring"}}`,
			ServerRestore{Status: "success", Message: "Server is being restored from backup.", Server: ServerState{ID: 12345, Name: "web-server-01", Status: "restoring"}}},
		{"snapshot-restore shape with extras", 200,
			`{"status": "success", "message": "m", "backup": {"id": 501}, "server": {"id": 12345, "name": "w", "status": "restoring", "ip": "x"}}`,
			ServerRestore{Status: "success", Message: "m", Server: ServerState{ID: 12345, Name: "w", Status: "restoring"}}},
		{"status only", 202, `{"status": "accepted"}`,
			ServerRestore{Status: "accepted", Server: ServerState{ID: 12345}}},
		{"odd shapes", 200, `{"status": 1, "message": ["a", "b"], "server": [12345, "restoring"]}`,
			ServerRestore{Server: ServerState{ID: 12345}}},
		{"one odd field hides no other", 200, `{"status": "success", "message": {"text": "m"}, "server": {"id": "12345", "name": "w", "status": "restoring"}}`,
			ServerRestore{Status: "success", Server: ServerState{ID: 12345, Name: "w", Status: "restoring"}}},
		{"server id from the body wins", 200, `{"server": {"id": 777}}`,
			ServerRestore{Server: ServerState{ID: 777}}},
		{"null", 200, `null`, ServerRestore{Server: ServerState{ID: 12345}}},
		{"a list", 200, `[1, 2]`, ServerRestore{Server: ServerState{ID: 12345}}},
		{"empty body", 200, ``, ServerRestore{Server: ServerState{ID: 12345}}},
		{"not JSON", 200, `Restore started`, ServerRestore{Server: ServerState{ID: 12345}}},
		{"HTML", 200, `<html><body>OK</body></html>`, ServerRestore{Server: ServerState{ID: 12345}}},
		{"truncated JSON", 200, `{"status": "success", "server": {"id": 1`, ServerRestore{Server: ServerState{ID: 12345}}},
		{"no content", 204, ``, ServerRestore{Server: ServerState{ID: 12345}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/servers/12345/restore/", body: `{"backup_id": 499}`}, tt.status, tt.body)
			got, resp, err := c.Servers.Restore(context.Background(), 12345, &ServerRestoreRequest{BackupID: 499})
			if err != nil {
				t.Fatalf("a %d answer with body %q gave an error: %v", tt.status, tt.body, err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if string(got.Raw) != tt.body {
				t.Errorf("Raw = %q, want the body %q", got.Raw, tt.body)
			}
			got.Raw = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}
