package vpsorgtest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// backupView is what a test compares of a listed backup. Reading the
// fields one by one works whether the SDK yields values or pointers.
type backupView struct {
	id, server  int64
	kind        vpsorg.BackupType
	status      vpsorg.Status
	size        int64 // -1 for null
	created     time.Time
	expires     time.Time // zero for null
	description string
}

// listedBackups reads every backup of the server through the SDK, in the
// fake's order.
func listedBackups(t *testing.T, h *harness, serverID int64) []backupView {
	t.Helper()
	var out []backupView
	for b, err := range h.Client().Backups.All(context.Background(), &vpsorg.BackupListOptions{ServerID: serverID}) {
		if err != nil {
			t.Fatal(err)
		}
		v := backupView{id: b.ID, server: b.Server.ID, kind: b.Type, status: b.Status, size: -1,
			created: b.CreatedAt, description: b.Description}
		if b.SizeMB != nil {
			v.size = *b.SizeMB
		}
		if b.ExpiresAt != nil {
			v.expires = *b.ExpiresAt
		}
		out = append(out, v)
	}
	return out
}

type snapshotView struct {
	id, server  int64
	name        string
	status      vpsorg.Status
	size        int64 // -1 for null
	created     time.Time
	description string
}

func listedSnapshots(t *testing.T, h *harness, serverID int64) []snapshotView {
	t.Helper()
	var out []snapshotView
	for sn, err := range h.Client().Snapshots.All(context.Background(), &vpsorg.SnapshotListOptions{ServerID: serverID}) {
		if err != nil {
			t.Fatal(err)
		}
		v := snapshotView{id: sn.ID, server: sn.Server.ID, name: sn.Name, status: sn.Status, size: -1,
			created: sn.CreatedAt, description: sn.Description}
		if sn.SizeMB != nil {
			v.size = *sn.SizeMB
		}
		out = append(out, v)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// day is a time of the history the tests build, well before the harness'
// clock (2025-01-16T15:45:00Z).
var day = time.Date(2024, 3, 1, 3, 0, 0, 0, time.UTC)

func TestAddBackupKeepsFields(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   vpsorg.Backup
		want backupView // id and server filled in by the test
	}{
		{"manual as given",
			vpsorg.Backup{Type: vpsorg.BackupTypeManual, Status: vpsorg.StatusCompleted, SizeMB: ptr[int64](4000),
				CreatedAt: day, Description: "before upgrade", Message: "ignored"},
			backupView{kind: "manual", status: "completed", size: 4000, created: day, description: "before upgrade"}},
		{"empty type and status mean manual and completed",
			vpsorg.Backup{SizeMB: ptr[int64](0), CreatedAt: day},
			backupView{kind: "manual", status: "completed", size: 0, created: day}},
		{"automatic expires after the retention",
			vpsorg.Backup{Type: vpsorg.BackupTypeAutomatic, SizeMB: ptr[int64](4500), CreatedAt: day, Description: "Automatic daily backup"},
			backupView{kind: "automatic", status: "completed", size: 4500, created: day, expires: day.Add(30 * 24 * time.Hour), description: "Automatic daily backup"}},
		{"automatic with its own expiry",
			vpsorg.Backup{Type: vpsorg.BackupTypeAutomatic, SizeMB: ptr[int64](1), CreatedAt: day, ExpiresAt: ptr(day.Add(7 * 24 * time.Hour))},
			backupView{kind: "automatic", status: "completed", size: 1, created: day, expires: day.Add(7 * 24 * time.Hour)}},
		{"failed shows no size",
			vpsorg.Backup{Status: vpsorg.StatusFailed, SizeMB: ptr[int64](10), CreatedAt: day},
			backupView{kind: "manual", status: "failed", size: -1, created: day}},
		{"in progress long ago still reads in progress",
			vpsorg.Backup{Status: vpsorg.StatusInProgress, SizeMB: ptr[int64](10), CreatedAt: day},
			backupView{kind: "manual", status: "in_progress", size: -1, created: day}},
		{"zero created_at is the clock's now",
			vpsorg.Backup{SizeMB: ptr[int64](5)},
			backupView{kind: "manual", status: "completed", size: 5, created: now}},
		{"created_at kept to the microsecond, in UTC",
			vpsorg.Backup{SizeMB: ptr[int64](5), CreatedAt: time.Date(2024, 3, 1, 4, 0, 0, 123456789, time.FixedZone("CET", 3600))},
			backupView{kind: "manual", status: "completed", size: 5, created: time.Date(2024, 3, 1, 3, 0, 0, 123456000, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, WithoutSeed())
			tt.in.Server.ID = h.AddServer("db-01")
			id, err := h.AddBackup(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.id, tt.want.server = id, tt.in.Server.ID
			got := listedBackups(t, h, tt.in.Server.ID)
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("listed %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestAddBackupInProgress: an added backup in progress completes like one
// the fake made, the completion delay after it was added, with its size.
func TestAddBackupInProgress(t *testing.T) {
	t.Parallel()
	h := start(t)
	id, err := h.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: 12345}, Status: vpsorg.StatusInProgress, SizeMB: ptr[int64](77), CreatedAt: day})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(DefaultCompletionDelay - time.Microsecond)
	if got := listedBackups(t, h, 12345)[0]; got.id != id || got.status != "in_progress" {
		t.Fatalf("just before the delay: %+v", got)
	}
	h.clock.Advance(time.Microsecond)
	if got := listedBackups(t, h, 12345)[0]; got.id != id || got.status != "completed" || got.size != 77 {
		t.Fatalf("after the delay: %+v", got)
	}
}

func TestAddBackupIDs(t *testing.T) {
	t.Parallel()
	h := start(t)
	// Unasked, ids follow the seed's; an id asked for is used, and the
	// sequence goes on above it. A free id below it may be asked for too.
	steps := []struct{ ask, want int64 }{{0, 502}, {600, 600}, {0, 601}, {550, 550}, {0, 602}}
	for _, st := range steps {
		id, err := h.AddBackup(vpsorg.Backup{ID: st.ask, Server: vpsorg.ServerRef{ID: 12345}})
		if err != nil || id != st.want {
			t.Fatalf("asked %d: id %d, %v; want %d", st.ask, id, err, st.want)
		}
	}
	created, _, err := h.Client().Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: h.AddServer("x")})
	if err != nil || created.ID != 603 {
		t.Fatalf("create after the adds: %+v, %v", created, err)
	}
	// Lists keep the fake's order, newest id first.
	var ids []int64
	for _, b := range listedBackups(t, h, 12345) {
		ids = append(ids, b.id)
	}
	if want := []int64{602, 601, 600, 550, 502, 501, 499, 495}; !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
}

func TestAddSnapshotKeepsFields(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   vpsorg.Snapshot
		want snapshotView
	}{
		{"as given",
			vpsorg.Snapshot{Name: "weekly-2024_03", Status: vpsorg.StatusCompleted, SizeMB: ptr[int64](4856),
				CreatedAt: day, Description: "Weekly snapshot", Message: "ignored"},
			snapshotView{name: "weekly-2024_03", status: "completed", size: 4856, created: day, description: "Weekly snapshot"}},
		{"empty status means completed",
			vpsorg.Snapshot{Name: "a", SizeMB: ptr[int64](3), CreatedAt: day},
			snapshotView{name: "a", status: "completed", size: 3, created: day}},
		{"failed",
			vpsorg.Snapshot{Name: "a", Status: vpsorg.StatusFailed, CreatedAt: day},
			snapshotView{name: "a", status: "failed", size: -1, created: day}},
		{"in progress",
			vpsorg.Snapshot{Name: "a", Status: vpsorg.StatusInProgress, CreatedAt: day},
			snapshotView{name: "a", status: "in_progress", size: -1, created: day}},
		{"zero created_at is the clock's now",
			vpsorg.Snapshot{Name: "a", SizeMB: ptr[int64](3)},
			snapshotView{name: "a", status: "completed", size: 3, created: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, WithoutSeed())
			tt.in.Server.ID = h.AddServer("db-01")
			id, err := h.AddSnapshot(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.id, tt.want.server = id, tt.in.Server.ID
			got := listedSnapshots(t, h, tt.in.Server.ID)
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("listed %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAddSnapshotSizeLikeTheFakes(t *testing.T) {
	t.Parallel()
	h := start(t)
	id, err := h.AddSnapshot(vpsorg.Snapshot{Server: vpsorg.ServerRef{ID: 12345}, Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if got := listedSnapshots(t, h, 12345)[0]; got.id != id || got.size != plausibleSize(id) {
		t.Fatalf("%+v, want size %d", got, plausibleSize(id))
	}
}

// TestYearOfBackupsPastTheLimit: history goes past the limit of 10 manual
// backups; the API's creates still meet it until enough are deleted.
func TestYearOfBackupsPastTheLimit(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	server := h.AddServer("db-01")
	for i := range 365 {
		_, err := h.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: server}, CreatedAt: day.AddDate(0, 0, i), Description: "nightly"})
		if err != nil {
			t.Fatal(err)
		}
	}
	client := h.Client()
	ctx := context.Background()
	if got := listedBackups(t, h, server); len(got) != 365 || got[0].created != day.AddDate(0, 0, 364) {
		t.Fatalf("%d listed, the first made %v", len(got), got[0].created)
	}
	req := &vpsorg.BackupCreateRequest{ServerID: server}
	_, _, err := client.Backups.Create(ctx, req)
	var apiErr *vpsorg.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(apiErr.Message, "Maximum number of manual backups (10)") {
		t.Fatalf("create past the limit: %v", err)
	}
	for id := int64(1); id <= 356; id++ {
		if _, err := client.Backups.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := client.Backups.Create(ctx, req); err != nil {
		t.Fatalf("create with 9 left: %v", err)
	}
	if _, _, err := client.Backups.Create(ctx, req); !errors.Is(err, vpsorg.ErrBadRequest) {
		t.Fatalf("create with 10: %v", err)
	}
}

func TestSnapshotsPastTheLimit(t *testing.T) {
	t.Parallel()
	h := start(t)
	for i := range 6 { // 8 with the documented two
		if _, err := h.AddSnapshot(vpsorg.Snapshot{Server: vpsorg.ServerRef{ID: 12345}, Name: "weekly", CreatedAt: day.AddDate(0, 0, 7*i)}); err != nil {
			t.Fatal(err)
		}
	}
	client := h.Client()
	ctx := context.Background()
	req := &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "now"}
	if _, _, err := client.Snapshots.Create(ctx, req); !errors.Is(err, vpsorg.ErrBadRequest) {
		t.Fatalf("create with 8: %v", err)
	}
	for _, id := range []int64{798, 801, 802, 803} {
		if _, err := client.Snapshots.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := client.Snapshots.Create(ctx, req); err != nil {
		t.Fatalf("create with 4: %v", err)
	}
}

func TestAddRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	web := vpsorg.ServerRef{ID: 12345}
	addBackup := func(b vpsorg.Backup) func() error {
		return func() error { _, err := h.AddBackup(b); return err }
	}
	addSnapshot := func(sn vpsorg.Snapshot) func() error {
		return func() error { _, err := h.AddSnapshot(sn); return err }
	}
	tests := []struct {
		name, field string
		add         func() error
	}{
		{"backup on an unknown server", "server_id", addBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: 404}})},
		{"backup without a server", "server_id", addBackup(vpsorg.Backup{})},
		{"backup status", "status", addBackup(vpsorg.Backup{Server: web, Status: "done"})},
		{"backup type", "backup_type", addBackup(vpsorg.Backup{Server: web, Type: "weekly"})},
		{"negative size", "size_mb", addBackup(vpsorg.Backup{Server: web, SizeMB: ptr[int64](-1)})},
		{"manual with an expiry", "expires_at", addBackup(vpsorg.Backup{Server: web, ExpiresAt: ptr(day)})},
		{"expiry before creation", "expires_at", addBackup(vpsorg.Backup{Server: web, Type: "automatic", CreatedAt: day, ExpiresAt: ptr(day.Add(-time.Second))})},
		{"backup id taken", "id", addBackup(vpsorg.Backup{Server: web, ID: 499})},
		{"negative backup id", "id", addBackup(vpsorg.Backup{Server: web, ID: -1})},
		{"snapshot on an unknown server", "server_id", addSnapshot(vpsorg.Snapshot{Server: vpsorg.ServerRef{ID: 404}, Name: "a"})},
		{"snapshot name", "name", addSnapshot(vpsorg.Snapshot{Server: web, Name: "before update"})},
		{"snapshot name not ASCII", "name", addSnapshot(vpsorg.Snapshot{Server: web, Name: "été"})},
		{"snapshot without a name", "name", addSnapshot(vpsorg.Snapshot{Server: web})},
		{"snapshot status", "status", addSnapshot(vpsorg.Snapshot{Server: web, Name: "a", Status: "completed "})},
		{"snapshot id taken", "id", addSnapshot(vpsorg.Snapshot{Server: web, Name: "a", ID: 801})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.add()
			var verr *vpsorg.ValidationError
			if !errors.As(err, &verr) || verr.Field != tt.field || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("error %v, want a ValidationError on %s", err, tt.field)
			}
		})
	}
	t.Cleanup(func() {
		// Nothing was added, and no id was spent.
		if n := len(listedBackups(t, h, 0)); n != 3 {
			t.Errorf("%d backups after refusals", n)
		}
		if n := len(listedSnapshots(t, h, 0)); n != 2 {
			t.Errorf("%d snapshots after refusals", n)
		}
		if id, err := h.AddBackup(vpsorg.Backup{Server: web}); id != 502 || err != nil {
			t.Errorf("next backup id %d, %v; want 502", id, err)
		}
		if id, err := h.AddSnapshot(vpsorg.Snapshot{Server: web, Name: "a"}); id != 802 || err != nil {
			t.Errorf("next snapshot id %d, %v; want 802", id, err)
		}
	})
}

func TestAddConcurrently(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	server := vpsorg.ServerRef{ID: h.AddServer("busy")}
	const workers, each = 8, 25
	var (
		mu          sync.Mutex
		backupIDs   []int64
		snapshotIDs []int64
		wg          sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for range each {
				b, errB := h.AddBackup(vpsorg.Backup{Server: server})
				sn, errS := h.AddSnapshot(vpsorg.Snapshot{Server: server, Name: "s"})
				if errB != nil || errS != nil {
					t.Error(errB, errS)
					return
				}
				mu.Lock()
				backupIDs, snapshotIDs = append(backupIDs, b), append(snapshotIDs, sn)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, ids := range [][]int64{backupIDs, snapshotIDs} {
		slices.Sort(ids)
		if len(slices.Compact(ids)) != workers*each {
			t.Fatalf("%d distinct ids of %d", len(slices.Compact(ids)), workers*each)
		}
	}
}
