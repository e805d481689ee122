package vpsorg_test

// Behaviour tests: the SDK against vpsorgtest, for every documented status
// code and limit. Time is the fake's clock, moved by the test or by the
// SDK's pauses (WithWaitHook), so nothing sleeps.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// behaviourFake starts a fake whose clock stands at the documentation's
// create example time until moved, and a client whose pauses move it.
func behaviourFake(t *testing.T, opts ...vpsorgtest.Option) (*vpsorgtest.Server, *vpsorg.Client, *vpsorgtest.Clock) {
	t.Helper()
	clock := vpsorgtest.NewClock(time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(append([]vpsorgtest.Option{vpsorgtest.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(srv.Close)
	client := srv.Client(vpsorg.WithWaitHook(clock.Advance), vpsorg.WithClock(clock.Now))
	return srv, client, clock
}

// backupIDs lists the ids of the backups matching opts, in the API's order.
func backupIDs(t *testing.T, client *vpsorg.Client, opts *vpsorg.BackupListOptions) []int64 {
	t.Helper()
	var ids []int64
	for b, err := range client.Backups.All(context.Background(), opts) {
		if err != nil {
			t.Fatalf("list backups: %v", err)
		}
		ids = append(ids, b.ID)
	}
	return ids
}

// snapshotIDs lists the ids of the snapshots matching opts, in the API's order.
func snapshotIDs(t *testing.T, client *vpsorg.Client, opts *vpsorg.SnapshotListOptions) []int64 {
	t.Helper()
	var ids []int64
	for s, err := range client.Snapshots.All(context.Background(), opts) {
		if err != nil {
			t.Fatalf("list snapshots: %v", err)
		}
		ids = append(ids, s.ID)
	}
	return ids
}

func TestBehaviourStatusCodes(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error)
	restoreSnapshot := func(id int64) call {
		return func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Snapshots.Restore(ctx, id)
			return resp, err
		}
	}
	restoreServer := func(serverID, backupID int64) call {
		return func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Servers.Restore(ctx, serverID, &vpsorg.ServerRestoreRequest{BackupID: backupID})
			return resp, err
		}
	}
	createBackup := func(serverID int64) call {
		return func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: serverID})
			return resp, err
		}
	}
	createSnapshot := func(serverID int64) call {
		return func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: serverID, Name: "s1"})
			return resp, err
		}
	}
	tests := []struct {
		name      string
		setup     call // run first, must succeed
		call      call
		status    int
		sentinel  error  // nil for a success
		message   string // the APIError's Message
		fieldErrs string // a key FieldErrors must have
	}{
		{name: "backups list", status: 200, call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: 12345, Type: vpsorg.BackupTypeManual})
			return resp, err
		}},
		{name: "backups create", status: 201, call: createBackup(12345)},
		{name: "backups create, unknown server", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: createBackup(999)},
		{name: "backups delete", status: 204, call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Backups.Delete(ctx, 499)
		}},
		{name: "backups delete, unknown backup", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Backups.Delete(ctx, 9999)
		}},
		{name: "snapshots list", status: 200, call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Snapshots.List(ctx, &vpsorg.SnapshotListOptions{ServerID: 12345})
			return resp, err
		}},
		{name: "snapshots create", status: 201, call: createSnapshot(12345)},
		{name: "snapshots create, unknown server", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: createSnapshot(999)},
		{name: "snapshots restore", status: 200, call: restoreSnapshot(801)},
		{name: "snapshots restore, unknown snapshot", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: restoreSnapshot(9999)},
		{name: "snapshots restore while restoring", setup: restoreSnapshot(801), call: restoreSnapshot(798),
			status: 400, sentinel: vpsorg.ErrBadRequest, message: "Server is not in a valid state for restoration."},
		{name: "snapshots restore from in_progress", setup: createSnapshot(12345), call: restoreSnapshot(802),
			status: 400, sentinel: vpsorg.ErrBadRequest, message: "Snapshot is not in a valid state for restoration."},
		{name: "snapshots delete", status: 204, call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Snapshots.Delete(ctx, 798)
		}},
		{name: "snapshots delete, unknown snapshot", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Snapshots.Delete(ctx, 9999)
		}},
		{name: "servers list", status: 200, call: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Servers.List(ctx, &vpsorg.ServerListOptions{Status: "active", Location: "us-east-1"})
			return resp, err
		}},
		{name: "servers restore", status: 200, call: restoreServer(12345, 499)},
		{name: "servers restore, unknown server", status: 404, sentinel: vpsorg.ErrNotFound, message: "Not found.", call: restoreServer(999, 499)},
		{name: "servers restore, unknown backup", call: restoreServer(12345, 9999),
			status: 400, sentinel: vpsorg.ErrBadRequest, message: `backup_id: Invalid pk "9999" - object does not exist.`, fieldErrs: "backup_id"},
		{name: "servers restore from in_progress", setup: createBackup(12345), call: restoreServer(12345, 502),
			status: 400, sentinel: vpsorg.ErrBadRequest, message: "backup_id: Backup is not completed and cannot be restored.", fieldErrs: "backup_id"},
		{name: "servers restore while restoring", setup: restoreSnapshot(801), call: restoreServer(12345, 499),
			status: 400, sentinel: vpsorg.ErrBadRequest, message: "Server is not in a valid state for restoration."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A clock that never moves: nothing completes and no restore ends.
			_, client, _ := behaviourFake(t)
			ctx := context.Background()
			if tt.setup != nil {
				if _, err := tt.setup(ctx, client); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			resp, err := tt.call(ctx, client)
			if resp == nil {
				t.Fatalf("no Response (error %v)", err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.sentinel == nil {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			var apiErr *vpsorg.APIError
			if !errors.Is(err, tt.sentinel) || !errors.As(err, &apiErr) {
				t.Fatalf("error %v, want an *APIError matching %v", err, tt.sentinel)
			}
			if apiErr.StatusCode != tt.status || apiErr.Message != tt.message {
				t.Errorf("APIError %d %q, want %d %q", apiErr.StatusCode, apiErr.Message, tt.status, tt.message)
			}
			if _, ok := apiErr.FieldErrors[tt.fieldErrs]; tt.fieldErrs != "" && !ok {
				t.Errorf("FieldErrors %v lack %q", apiErr.FieldErrors, tt.fieldErrs)
			}
		})
	}
}

func TestBehaviourWrongToken(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-token-7d1e"
	tests := []struct {
		name string
		call func(ctx context.Context, c *vpsorg.Client) error
	}{
		{"Backups.List", func(ctx context.Context, c *vpsorg.Client) error { _, _, err := c.Backups.List(ctx, nil); return err }},
		{"Backups.All", func(ctx context.Context, c *vpsorg.Client) error {
			for _, err := range c.Backups.All(ctx, nil) {
				return err
			}
			return nil
		}},
		{"Backups.Create", func(ctx context.Context, c *vpsorg.Client) error {
			_, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
			return err
		}},
		{"Backups.Delete", func(ctx context.Context, c *vpsorg.Client) error { _, err := c.Backups.Delete(ctx, 499); return err }},
		{"Backups.Wait", func(ctx context.Context, c *vpsorg.Client) error {
			_, err := c.Backups.Wait(ctx, &vpsorg.Backup{ID: 499, Server: vpsorg.ServerRef{ID: 12345}, Status: vpsorg.StatusInProgress}, nil)
			return err
		}},
		{"Snapshots.List", func(ctx context.Context, c *vpsorg.Client) error { _, _, err := c.Snapshots.List(ctx, nil); return err }},
		{"Snapshots.All", func(ctx context.Context, c *vpsorg.Client) error {
			for _, err := range c.Snapshots.All(ctx, nil) {
				return err
			}
			return nil
		}},
		{"Snapshots.Create", func(ctx context.Context, c *vpsorg.Client) error {
			_, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "s1"})
			return err
		}},
		{"Snapshots.Restore", func(ctx context.Context, c *vpsorg.Client) error {
			_, _, err := c.Snapshots.Restore(ctx, 801)
			return err
		}},
		{"Snapshots.Delete", func(ctx context.Context, c *vpsorg.Client) error { _, err := c.Snapshots.Delete(ctx, 798); return err }},
		{"Snapshots.Wait", func(ctx context.Context, c *vpsorg.Client) error {
			_, err := c.Snapshots.Wait(ctx, &vpsorg.Snapshot{ID: 801, Server: vpsorg.ServerRef{ID: 12345}, Status: vpsorg.StatusInProgress}, nil)
			return err
		}},
		{"Servers.List", func(ctx context.Context, c *vpsorg.Client) error { _, _, err := c.Servers.List(ctx, nil); return err }},
		{"Servers.All", func(ctx context.Context, c *vpsorg.Client) error {
			for _, err := range c.Servers.All(ctx, nil) {
				return err
			}
			return nil
		}},
		{"Servers.Restore", func(ctx context.Context, c *vpsorg.Client) error {
			_, _, err := c.Servers.Restore(ctx, 12345, &vpsorg.ServerRestoreRequest{BackupID: 499})
			return err
		}},
		{"Servers.Wait", func(ctx context.Context, c *vpsorg.Client) error {
			_, err := c.Servers.Wait(ctx, 12345, nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, good, clock := behaviourFake(t)
			bad, err := vpsorg.NewClient(wrong, vpsorg.WithBaseURL(srv.URL+"/api/v1/"), vpsorg.WithWaitHook(clock.Advance))
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(context.Background(), bad)
			var apiErr *vpsorg.APIError
			if !errors.Is(err, vpsorg.ErrUnauthorized) || !errors.As(err, &apiErr) {
				t.Fatalf("error %v, want an *APIError matching ErrUnauthorized", err)
			}
			if apiErr.StatusCode != http.StatusUnauthorized || apiErr.Message != "Invalid token." || apiErr.Attempts != 1 {
				t.Errorf("APIError %d %q after %d attempts, want 401 %q after 1", apiErr.StatusCode, apiErr.Message, apiErr.Attempts, "Invalid token.")
			}
			if strings.Contains(err.Error(), wrong) {
				t.Errorf("error %q shows the token", err)
			}
			// Nothing changed: the seeded state is whole.
			if b, s := backupIDs(t, good, nil), snapshotIDs(t, good, nil); len(b) != 3 || len(s) != 2 {
				t.Errorf("backups %v, snapshots %v after a refused call, want the seeded ones", b, s)
			}
			servers, _, err := good.Servers.List(context.Background(), nil)
			if err != nil || servers[0].Status != vpsorg.ServerStatusActive {
				t.Errorf("server %+v, %v after a refused call, want it active", servers, err)
			}
		})
	}
}

func TestBehaviourBadSnapshotName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "before update", "été", "a/b", "semi;colon"} {
		// The SDK refuses it and sends nothing...
		srv, client, _ := behaviourFake(t)
		_, _, err := client.Snapshots.Create(context.Background(), &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: name})
		var invalid *vpsorg.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != "name" {
			t.Errorf("name %q: error %v, want a *ValidationError for name", name, err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("name %q: %d requests sent, want none", name, n)
		}

		// ...and the fake refuses it too, for a client that sends it anyway.
		body, _ := json.Marshal(map[string]any{"server_id": 12345, "name": name})
		status, fields := rawPost(t, srv, "/api/v1/snapshots/", string(body))
		if status != http.StatusBadRequest || len(fields["name"]) == 0 {
			t.Errorf("name %q: the fake answered %d %v, want 400 with a name error", name, status, fields)
		}
	}
	// The fake's other field errors.
	srv, client, _ := behaviourFake(t)
	for body, field := range map[string]string{
		`{"name": "s1"}`:                         "server_id",
		`{"server_id": "abc", "name": "s1"}`:     "server_id",
		`{"server_id": 12345}`:                   "name",
		`{"server_id": 12345, "name": 7}`:        "name",
		`{"server_id": 12345, "name": "s 1"}`:    "name",
		`{"server_id": 12345, "description": 1}`: "description",
	} {
		status, fields := rawPost(t, srv, "/api/v1/snapshots/", body)
		if status != http.StatusBadRequest || len(fields[field]) == 0 {
			t.Errorf("POST %s: the fake answered %d %v, want 400 with a %s error", body, status, fields, field)
		}
	}
	if ids := snapshotIDs(t, client, nil); len(ids) != 2 {
		t.Errorf("snapshots %v after refused creates, want the seeded two", ids)
	}
}

// rawPost sends body as the SDK would not, and returns the fake's status
// and DRF field errors.
func rawPost(t *testing.T, srv *vpsorgtest.Server, path, body string) (int, map[string][]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fields map[string][]string
	_ = json.NewDecoder(resp.Body).Decode(&fields) // a body of another shape leaves fields empty
	return resp.StatusCode, fields
}

func TestBehaviourManualBackupLimit(t *testing.T) {
	t.Parallel()
	srv, client, _ := behaviourFake(t)
	ctx := context.Background()
	manual := &vpsorg.BackupListOptions{ServerID: 12345, Type: vpsorg.BackupTypeManual}
	// Automatic backups do not count: three more leave room for 9 manual
	// ones besides the seeded 499.
	for range 3 {
		if _, err := srv.AddAutomaticBackup(12345); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 9 {
		if _, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345}); err != nil {
			t.Fatalf("manual backup %d of 10: %v", i+2, err)
		}
	}

	_, resp, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	reqs := srv.Requests()
	var apiErr *vpsorg.APIError
	if !errors.Is(err, vpsorg.ErrBadRequest) || !errors.As(err, &apiErr) {
		t.Fatalf("11th manual backup: error %v, want ErrBadRequest", err)
	}
	if want := "Maximum number of manual backups (10) reached for this server."; apiErr.Message != want || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("11th manual backup: %d %q, want 400 %q", resp.StatusCode, apiErr.Message, want)
	}
	if ids := backupIDs(t, client, manual); len(ids) != 10 {
		t.Errorf("%d manual backups after the refused create, want 10: %v", len(ids), ids)
	}
	if last := reqs[len(reqs)-1]; last.Method != http.MethodPost || last.Acted {
		t.Errorf("the refused create: %s %s acted=%v, want a POST that changed nothing", last.Method, last.Path, last.Acted)
	}

	// The limit is per server, and deleting one makes room again.
	other := srv.AddServer("db-01")
	if _, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: other}); err != nil {
		t.Errorf("a backup of another server: %v", err)
	}
	if _, err := client.Backups.Delete(ctx, 499); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345}); err != nil {
		t.Errorf("a backup after deleting one at the limit: %v", err)
	}
}

func TestBehaviourSnapshotLimit(t *testing.T) {
	t.Parallel()
	srv, client, _ := behaviourFake(t)
	ctx := context.Background()
	create := func(name string) error {
		_, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: name})
		return err
	}
	for _, name := range []string{"s3", "s4", "s5"} { // besides the seeded 801 and 798
		if err := create(name); err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
	}
	err := create("s6")
	var apiErr *vpsorg.APIError
	if !errors.Is(err, vpsorg.ErrBadRequest) || !errors.As(err, &apiErr) {
		t.Fatalf("6th snapshot: error %v, want ErrBadRequest", err)
	}
	if want := "Maximum number of snapshots (5) reached for this server."; apiErr.Message != want || len(apiErr.FieldErrors["non_field_errors"]) != 1 {
		t.Errorf("6th snapshot: %q %v, want %q as a non-field error", apiErr.Message, apiErr.FieldErrors, want)
	}
	if ids := snapshotIDs(t, client, &vpsorg.SnapshotListOptions{ServerID: 12345}); len(ids) != 5 {
		t.Errorf("%d snapshots after the refused create, want 5: %v", len(ids), ids)
	}
	other := srv.AddServer("db-01")
	if _, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: other, Name: "s1"}); err != nil {
		t.Errorf("a snapshot of another server: %v", err)
	}
}

func TestBehaviourAutomaticBackups(t *testing.T) {
	t.Parallel()
	srv, client, clock := behaviourFake(t)
	clock.Advance(24 * time.Hour)
	id, err := srv.AddAutomaticBackup(12345)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddAutomaticBackup(999); err == nil {
		t.Error("AddAutomaticBackup of an unknown server: no error")
	}
	var seen bool
	for b, err := range client.Backups.All(context.Background(), &vpsorg.BackupListOptions{ServerID: 12345}) {
		if err != nil {
			t.Fatal(err)
		}
		if (b.Type == vpsorg.BackupTypeAutomatic) != (b.ExpiresAt != nil) {
			t.Errorf("backup %d: %s with ExpiresAt %v; only automatic backups expire", b.ID, b.Type, b.ExpiresAt)
		}
		if b.ID != id {
			continue
		}
		seen = true
		wantCreated := time.Date(2025, 1, 17, 15, 45, 0, 0, time.UTC)
		if b.Type != vpsorg.BackupTypeAutomatic || b.Status != vpsorg.StatusCompleted || b.SizeMB == nil ||
			!b.CreatedAt.Equal(wantCreated) || !b.ExpiresAt.Equal(wantCreated.Add(30*24*time.Hour)) {
			t.Errorf("new automatic backup %+v, want completed, sized, created %v and expiring 30 days later", b, wantCreated)
		}
	}
	if !seen {
		t.Errorf("automatic backup %d not listed", id)
	}
}

func TestBehaviourCompletionFollowsTheClock(t *testing.T) {
	t.Parallel()
	const delay = 2 * time.Minute
	// state reads the one new object's status and size from the list.
	tests := []struct {
		name   string
		create func(context.Context, *vpsorg.Client) (vpsorg.Status, *int64, error)
		state  func(context.Context, *vpsorg.Client) (vpsorg.Status, *int64, error)
	}{
		{
			name: "backup",
			create: func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, *int64, error) {
				b, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
				if err != nil {
					return "", nil, err
				}
				return b.Status, b.SizeMB, nil
			},
			state: func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, *int64, error) {
				backups, _, err := c.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: 12345})
				if err != nil {
					return "", nil, err
				}
				for _, b := range backups {
					if b.ID == 502 {
						return b.Status, b.SizeMB, nil
					}
				}
				return "", nil, errors.New("backup 502 not listed")
			},
		},
		{
			name: "snapshot",
			create: func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, *int64, error) {
				s, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "s1"})
				if err != nil {
					return "", nil, err
				}
				return s.Status, s.SizeMB, nil
			},
			state: func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, *int64, error) {
				snapshots, _, err := c.Snapshots.List(ctx, &vpsorg.SnapshotListOptions{ServerID: 12345})
				if err != nil {
					return "", nil, err
				}
				for _, s := range snapshots {
					if s.ID == 802 {
						return s.Status, s.SizeMB, nil
					}
				}
				return "", nil, errors.New("snapshot 802 not listed")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, client, clock := behaviourFake(t, vpsorgtest.WithCompletionDelay(delay))
			ctx := context.Background()
			check := func(when string, wantStatus vpsorg.Status, wantSize bool) {
				t.Helper()
				status, size, err := tt.state(ctx, client)
				if err != nil {
					t.Fatal(err)
				}
				if status != wantStatus || (size != nil) != wantSize {
					t.Errorf("%s: %s with size %v, want %s, sized: %v", when, status, size, wantStatus, wantSize)
				}
			}
			status, size, err := tt.create(ctx, client)
			if err != nil || status != vpsorg.StatusInProgress || size != nil {
				t.Fatalf("create: %s, size %v, %v; want in_progress without a size", status, size, err)
			}
			check("at once", vpsorg.StatusInProgress, false)
			clock.Advance(delay - time.Microsecond)
			check("just before the delay", vpsorg.StatusInProgress, false)
			clock.Advance(time.Microsecond)
			check("after the delay", vpsorg.StatusCompleted, true)
		})
	}
}

func TestBehaviourWait(t *testing.T) {
	t.Parallel()
	// meanwhile runs after the first poll, which saw in_progress.
	type meanwhile func(srv *vpsorgtest.Server, c *vpsorg.Client, id int64) error
	failBackup := func(srv *vpsorgtest.Server, _ *vpsorg.Client, id int64) error {
		return srv.SetBackupStatus(id, "failed")
	}
	failSnapshot := func(srv *vpsorgtest.Server, _ *vpsorg.Client, id int64) error {
		return srv.SetSnapshotStatus(id, "failed")
	}
	deleteBackup := func(_ *vpsorgtest.Server, c *vpsorg.Client, id int64) error {
		_, err := c.Backups.Delete(context.Background(), id)
		return err
	}
	deleteSnapshot := func(_ *vpsorgtest.Server, c *vpsorg.Client, id int64) error {
		_, err := c.Snapshots.Delete(context.Background(), id)
		return err
	}
	tests := []struct {
		name       string
		snapshot   bool
		meanwhile  meanwhile
		wantErr    error
		wantStatus vpsorg.Status // of the object Wait returns
	}{
		{name: "backup completes", wantStatus: vpsorg.StatusCompleted},
		{name: "snapshot completes", snapshot: true, wantStatus: vpsorg.StatusCompleted},
		{name: "backup fails", meanwhile: failBackup, wantErr: vpsorg.ErrOperationFailed, wantStatus: vpsorg.StatusFailed},
		{name: "snapshot fails", snapshot: true, meanwhile: failSnapshot, wantErr: vpsorg.ErrOperationFailed, wantStatus: vpsorg.StatusFailed},
		{name: "backup deleted meanwhile", meanwhile: deleteBackup, wantErr: vpsorg.ErrNotFound, wantStatus: vpsorg.StatusInProgress},
		{name: "snapshot deleted meanwhile", snapshot: true, meanwhile: deleteSnapshot, wantErr: vpsorg.ErrNotFound, wantStatus: vpsorg.StatusInProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const delay = 3 * time.Minute
			srv, client, clock := behaviourFake(t, vpsorgtest.WithCompletionDelay(delay))
			ctx := context.Background()
			start := clock.Now()
			var id int64
			var seen []vpsorg.Status
			opts := &vpsorg.WaitOptions{Interval: 20 * time.Second, MaxInterval: time.Minute}
			opts.OnProgress = func(s vpsorg.Status, _ time.Duration) {
				seen = append(seen, s)
				if len(seen) == 1 && tt.meanwhile != nil {
					if err := tt.meanwhile(srv, client, id); err != nil {
						t.Errorf("meanwhile: %v", err)
					}
				}
			}

			var status vpsorg.Status
			var sized bool
			var err error
			if tt.snapshot {
				s, _, cerr := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "s1"})
				if cerr != nil {
					t.Fatal(cerr)
				}
				id = s.ID
				s, err = client.Snapshots.Wait(ctx, s, opts)
				if s == nil || s.ID != id {
					t.Fatalf("Wait returned %+v, want snapshot %d", s, id)
				}
				status, sized = s.Status, s.SizeMB != nil
			} else {
				b, _, cerr := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
				if cerr != nil {
					t.Fatal(cerr)
				}
				id = b.ID
				b, err = client.Backups.Wait(ctx, b, opts)
				if b == nil || b.ID != id {
					t.Fatalf("Wait returned %+v, want backup %d", b, id)
				}
				status, sized = b.Status, b.SizeMB != nil
			}

			if (tt.wantErr == nil && err != nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Wait: error %v, want %v", err, tt.wantErr)
			}
			if status != tt.wantStatus || sized != (status == vpsorg.StatusCompleted) {
				t.Errorf("Wait returned status %s, sized %v; want %s, sized only when completed", status, sized, tt.wantStatus)
			}
			if len(seen) == 0 || seen[0] != vpsorg.StatusInProgress {
				t.Errorf("progress %v, want in_progress first", seen)
			}
			if tt.wantErr == nil {
				// Completion is the fake's clock passing the delay, moved only
				// by the waiter's pauses.
				if waited := clock.Now().Sub(start); waited < delay || len(seen) < 3 {
					t.Errorf("completed after %d polls and %v on the fake's clock, want several polls and %v", len(seen), waited, delay)
				}
				if seen[len(seen)-1] != vpsorg.StatusCompleted {
					t.Errorf("progress %v, want completed last", seen)
				}
			}
		})
	}
}

func TestBehaviourServersWaitAcrossRestore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		restore func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, error)
	}{
		{"from a snapshot", func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, error) {
			r, _, err := c.Snapshots.Restore(ctx, 801)
			if err != nil {
				return "", err
			}
			return r.Server.Status, nil
		}},
		{"from a backup", func(ctx context.Context, c *vpsorg.Client) (vpsorg.Status, error) {
			r, _, err := c.Servers.Restore(ctx, 12345, &vpsorg.ServerRestoreRequest{BackupID: 501})
			if err != nil {
				return "", err
			}
			return r.Server.Status, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const duration = 10 * time.Minute
			_, client, clock := behaviourFake(t, vpsorgtest.WithRestoreDuration(duration))
			ctx := context.Background()
			start := clock.Now()
			status, err := tt.restore(ctx, client)
			if err != nil || status != vpsorg.ServerStatusRestoring {
				t.Fatalf("restore: server %q, %v; want restoring", status, err)
			}
			var seen []vpsorg.Status
			server, err := client.Servers.Wait(ctx, 12345, &vpsorg.WaitOptions{
				Interval:    time.Minute,
				MaxInterval: 2 * time.Minute,
				OnProgress:  func(s vpsorg.Status, _ time.Duration) { seen = append(seen, s) },
			})
			if err != nil || server.ID != 12345 || server.Status != vpsorg.ServerStatusActive {
				t.Fatalf("Wait: %+v, %v; want server 12345 active", server, err)
			}
			if len(seen) < 2 || seen[0] != vpsorg.ServerStatusRestoring || seen[len(seen)-1] != vpsorg.ServerStatusActive {
				t.Errorf("progress %v, want restoring first and active last", seen)
			}
			if waited := clock.Now().Sub(start); waited < duration {
				t.Errorf("active after %v on the fake's clock, want %v", waited, duration)
			}
		})
	}
}

func TestBehaviourServersWaitUnknownServer(t *testing.T) {
	t.Parallel()
	_, client, _ := behaviourFake(t)
	if _, err := client.Servers.Wait(context.Background(), 999, &vpsorg.WaitOptions{Interval: time.Second}); !errors.Is(err, vpsorg.ErrNotFound) {
		t.Errorf("Wait for server 999: %v, want ErrNotFound", err)
	}
}

func TestBehaviourPagination(t *testing.T) {
	t.Parallel()
	const pageSize = 2
	// seed makes 5 servers; the first gets 7 backups and 5 snapshots.
	seed := func(t *testing.T, srv *vpsorgtest.Server, c *vpsorg.Client) int64 {
		t.Helper()
		first := srv.AddServer("s1")
		for i := 2; i <= 5; i++ {
			srv.AddServer(fmt.Sprintf("s%d", i))
		}
		ctx := context.Background()
		for range 7 {
			if _, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: first}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			if _, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: first, Name: fmt.Sprintf("s%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		return first
	}
	type lister struct {
		path string
		all  func(ctx context.Context, c *vpsorg.Client, serverID int64, first int) ([]int64, error)
		list func(ctx context.Context, c *vpsorg.Client, serverID int64, page int) ([]int64, *vpsorg.Response, error)
		want []int64 // the fake lists newest id first
	}
	listers := []lister{
		{
			path: "/api/v1/backups/",
			all: func(ctx context.Context, c *vpsorg.Client, id int64, first int) ([]int64, error) {
				var ids []int64
				for b, err := range c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: id, ListOptions: vpsorg.ListOptions{Page: first, PageSize: pageSize}}) {
					if err != nil {
						return ids, err
					}
					ids = append(ids, b.ID)
				}
				return ids, nil
			},
			list: func(ctx context.Context, c *vpsorg.Client, id int64, p int) ([]int64, *vpsorg.Response, error) {
				items, resp, err := c.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: id, ListOptions: vpsorg.ListOptions{Page: p, PageSize: pageSize}})
				ids := make([]int64, len(items))
				for i, b := range items {
					ids[i] = b.ID
				}
				return ids, resp, err
			},
			want: []int64{7, 6, 5, 4, 3, 2, 1},
		},
		{
			path: "/api/v1/snapshots/",
			all: func(ctx context.Context, c *vpsorg.Client, id int64, first int) ([]int64, error) {
				var ids []int64
				for s, err := range c.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: id, ListOptions: vpsorg.ListOptions{Page: first, PageSize: pageSize}}) {
					if err != nil {
						return ids, err
					}
					ids = append(ids, s.ID)
				}
				return ids, nil
			},
			list: func(ctx context.Context, c *vpsorg.Client, id int64, p int) ([]int64, *vpsorg.Response, error) {
				items, resp, err := c.Snapshots.List(ctx, &vpsorg.SnapshotListOptions{ServerID: id, ListOptions: vpsorg.ListOptions{Page: p, PageSize: pageSize}})
				ids := make([]int64, len(items))
				for i, s := range items {
					ids[i] = s.ID
				}
				return ids, resp, err
			},
			want: []int64{5, 4, 3, 2, 1},
		},
		{
			path: "/api/v1/servers/",
			all: func(ctx context.Context, c *vpsorg.Client, _ int64, first int) ([]int64, error) {
				var ids []int64
				for s, err := range c.Servers.All(ctx, &vpsorg.ServerListOptions{ListOptions: vpsorg.ListOptions{Page: first, PageSize: pageSize}}) {
					if err != nil {
						return ids, err
					}
					ids = append(ids, s.ID)
				}
				return ids, nil
			},
			list: func(ctx context.Context, c *vpsorg.Client, _ int64, p int) ([]int64, *vpsorg.Response, error) {
				items, resp, err := c.Servers.List(ctx, &vpsorg.ServerListOptions{ListOptions: vpsorg.ListOptions{Page: p, PageSize: pageSize}})
				ids := make([]int64, len(items))
				for i, s := range items {
					ids[i] = s.ID
				}
				return ids, resp, err
			},
			want: []int64{5, 4, 3, 2, 1},
		},
	}
	for _, links := range []bool{true, false} {
		for _, l := range listers {
			t.Run(fmt.Sprintf("%s links=%v", l.path, links), func(t *testing.T) {
				t.Parallel()
				opts := []vpsorgtest.Option{vpsorgtest.WithoutSeed()}
				if !links {
					opts = append(opts, vpsorgtest.WithoutPageLinks())
				}
				srv, client, _ := behaviourFake(t, opts...)
				serverID := seed(t, srv, client)
				ctx := context.Background()

				before := len(srv.Requests())
				got, err := l.all(ctx, client, serverID, 0)
				if err != nil || !slices.Equal(got, l.want) {
					t.Fatalf("All: %v, %v; want %v", got, err, l.want)
				}
				// One request per page, each for the next page of pageSize.
				pages := (len(l.want) + pageSize - 1) / pageSize
				reqs := srv.Requests()[before:]
				if len(reqs) != pages {
					t.Fatalf("All sent %d requests, want %d", len(reqs), pages)
				}
				for i, r := range reqs {
					q, _ := url.ParseQuery(r.RawQuery)
					wantPage := fmt.Sprint(i + 1)
					if r.Path != l.path || q.Get("page") != wantPage || q.Get("page_size") != fmt.Sprint(pageSize) {
						t.Errorf("request %d: %s?%s, want page %q of %d", i+1, r.Path, r.RawQuery, wantPage, pageSize)
					}
				}

				// List page by page, as NextPage says.
				var listed []int64
				for p := 1; p != 0; {
					ids, resp, err := l.list(ctx, client, serverID, p)
					if err != nil {
						t.Fatalf("List page %d: %v", p, err)
					}
					if resp.Count != len(l.want) {
						t.Errorf("List page %d: Count %d, want %d", p, resp.Count, len(l.want))
					}
					listed = append(listed, ids...)
					if len(listed) > len(l.want) {
						t.Fatalf("List keeps going: %v", listed)
					}
					p = resp.NextPage
				}
				if !slices.Equal(listed, l.want) {
					t.Errorf("List page by page: %v, want %v", listed, l.want)
				}

				// All from a later page walks to the end, and no further.
				if got, err := l.all(ctx, client, serverID, 2); err != nil || !slices.Equal(got, l.want[pageSize:]) {
					t.Errorf("All from page 2: %v, %v; want %v", got, err, l.want[pageSize:])
				}
			})
		}
	}
}

func TestBehaviourWaitPagesToItsObject(t *testing.T) {
	t.Parallel()
	// Pages of 2 without links: the awaited backup, the oldest of 7, is on
	// the fourth page of its server's list.
	srv, client, _ := behaviourFake(t, vpsorgtest.WithoutSeed(), vpsorgtest.WithoutPageLinks(),
		vpsorgtest.WithPageSize(2), vpsorgtest.WithCompletionDelay(time.Minute))
	ctx := context.Background()
	serverID := srv.AddServer("s1")
	var first *vpsorg.Backup
	for i := range 7 {
		b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: serverID})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		}
	}
	b, err := client.Backups.Wait(ctx, first, &vpsorg.WaitOptions{Interval: 30 * time.Second})
	if err != nil || b.ID != first.ID || b.Status != vpsorg.StatusCompleted {
		t.Fatalf("Wait: %+v, %v; want backup %d completed", b, err, first.ID)
	}
}

func TestBehaviourRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error)
	}{
		{"list", func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Backups.List(ctx, nil)
			return resp, err
		}},
		{"create", func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "s1"})
			return resp, err
		}},
		{"delete, no body", func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Backups.Delete(ctx, 499)
		}},
		{"restore", func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			_, resp, err := c.Servers.Restore(ctx, 12345, &vpsorg.ServerRestoreRequest{BackupID: 499})
			return resp, err
		}},
		{"not found", func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Response, error) {
			return c.Snapshots.Delete(ctx, 9999)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, client, _ := behaviourFake(t)
			resp, err := tt.call(context.Background(), client)
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].RequestID == "" {
				t.Fatalf("the fake logged %+v, want one request with an id", reqs)
			}
			want := reqs[0].RequestID
			if resp == nil || resp.RequestID != want {
				t.Errorf("Response %+v, want RequestID %q", resp, want)
			}
			var apiErr *vpsorg.APIError
			if errors.As(err, &apiErr) && apiErr.RequestID != want {
				t.Errorf("APIError.RequestID %q, want %q", apiErr.RequestID, want)
			} else if err != nil && apiErr == nil {
				t.Errorf("error %v", err)
			}
		})
	}
}
