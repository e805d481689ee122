package vpsorg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// pruneFixture is a fake with one server and a history made through the
// API, one backup a night at 03:00: eight completed manual backups
// (nights 1-8), then a failed one (night 9) and one still in progress
// (night 10), and an automatic backup. ids holds the completed ones,
// oldest first.
type pruneFixture struct {
	srv      *vpsorgtest.Server
	client   *vpsorg.Client
	serverID int64
	ids      []int64
	failed   int64
	running  int64
	auto     int64
}

func newPruneFixture(t *testing.T, opts ...vpsorg.Option) *pruneFixture {
	t.Helper()
	clock := vpsorgtest.NewClock(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now), vpsorgtest.WithoutSeed())
	t.Cleanup(srv.Close)
	f := &pruneFixture{srv: srv, client: srv.Client(append([]vpsorg.Option{vpsorg.WithRetryMax(0)}, opts...)...), serverID: srv.AddServer("web-01")}
	ctx := context.Background()
	for night := 1; night <= 10; night++ {
		b, _, err := f.client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: f.serverID, Description: fmt.Sprintf("night %d", night)})
		if err != nil {
			t.Fatal(err)
		}
		switch night {
		case 9:
			f.failed = b.ID
			if err := srv.SetBackupStatus(b.ID, vpsorg.StatusFailed); err != nil {
				t.Fatal(err)
			}
		case 10:
			f.running = b.ID
			continue // the clock stays: it is still in progress
		default:
			f.ids = append(f.ids, b.ID)
		}
		clock.Advance(24 * time.Hour)
	}
	auto, err := srv.AddAutomaticBackup(f.serverID)
	if err != nil {
		t.Fatal(err)
	}
	f.auto = auto
	return f
}

// left returns the ids of the server's backups on the fake, sorted.
func (f *pruneFixture) left(t *testing.T) []int64 {
	t.Helper()
	var ids []int64
	for b, err := range f.client.Backups.All(context.Background(), &vpsorg.BackupListOptions{ServerID: f.serverID}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	return ids
}

// deletes counts the DELETE requests the fake got.
func (f *pruneFixture) deletes() int {
	n := 0
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodDelete {
			n++
		}
	}
	return n
}

func TestBackupsPrune(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  vpsorg.RetentionPolicy
		opts    *vpsorg.PruneOptions
		keep    []int // indexes into ids, oldest first, that the policy keeps
		deletes int   // DELETE requests sent
	}{
		{"daily 3", vpsorg.RetentionPolicy{Daily: 3}, nil, []int{5, 6, 7}, 5},
		{"dry run", vpsorg.RetentionPolicy{Daily: 3}, &vpsorg.PruneOptions{DryRun: true}, []int{5, 6, 7}, 0},
		{"last 2 and within 4 days", vpsorg.RetentionPolicy{Last: 2, Within: 4 * 24 * time.Hour}, nil, []int{4, 5, 6, 7}, 4},
		{"room for the upcoming backup", vpsorg.RetentionPolicy{Last: 3},
			&vpsorg.PruneOptions{Upcoming: time.Date(2026, 11, 11, 3, 0, 0, 0, time.UTC), Parallel: 1}, []int{6, 7}, 6},
		{"keeps all", vpsorg.RetentionPolicy{Daily: -1}, nil, []int{0, 1, 2, 3, 4, 5, 6, 7}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newPruneFixture(t)
			res, err := f.client.Backups.Prune(context.Background(), f.serverID, tt.policy, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Candidates) != len(f.ids) {
				t.Fatalf("%d candidates, want the %d completed manual backups", len(res.Candidates), len(f.ids))
			}
			var wantKept []int64
			for _, i := range tt.keep {
				wantKept = append(wantKept, f.ids[i])
			}
			var kept []int64
			for i, c := range res.Candidates {
				if i > 0 && c.Object.CreatedAt.After(res.Candidates[i-1].Object.CreatedAt) {
					t.Errorf("candidate %d is newer than the one before: not newest first", i)
				}
				if c.Keep {
					kept = append(kept, c.Object.ID)
					if len(c.Reasons) == 0 {
						t.Errorf("backup %d kept without a reason", c.Object.ID)
					}
				}
				dryRun := tt.opts != nil && tt.opts.DryRun
				if c.Deleted != (!c.Keep && !dryRun) || c.Err != nil {
					t.Errorf("backup %d: keep %v, deleted %v, err %v", c.Object.ID, c.Keep, c.Deleted, c.Err)
				}
			}
			slices.Sort(kept)
			if !slices.Equal(kept, wantKept) {
				t.Errorf("kept %v, want %v", kept, wantKept)
			}
			if n := f.deletes(); n != tt.deletes {
				t.Errorf("%d DELETEs sent, want %d", n, tt.deletes)
			}
			// What stays: the kept ones (all of them in a dry run), and
			// the failed, running and automatic backups, never candidates.
			want := []int64{f.failed, f.running, f.auto}
			if tt.opts != nil && tt.opts.DryRun {
				want = append(want, f.ids...)
			} else {
				want = append(want, wantKept...)
			}
			slices.Sort(want)
			if got := f.left(t); !slices.Equal(got, want) {
				t.Errorf("left on the fake %v, want %v", got, want)
			}
		})
	}
}

// TestPruneDeleteOutcomes: a delete that fails is reported on its
// candidate and in the joined error, naming the backup, and the others go
// on; a backup already gone counts as deleted.
func TestPruneDeleteOutcomes(t *testing.T) {
	t.Parallel()
	f := newPruneFixture(t)
	broken, gone := f.ids[0], f.ids[1]
	f.srv.AddFault(vpsorgtest.Rule{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/backups/%d/", broken), Fault: vpsorgtest.Fault{Status: http.StatusInternalServerError}})
	// Another prune deleted it between this one's list and its delete.
	f.srv.AddFault(vpsorgtest.Rule{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/backups/%d/", gone), Fault: vpsorgtest.Fault{Status: http.StatusNotFound}})
	res, err := f.client.Backups.Prune(context.Background(), f.serverID, vpsorg.RetentionPolicy{Last: 2}, nil)
	if !errors.Is(err, vpsorg.ErrServerError) {
		t.Fatalf("err = %v, want one that matches ErrServerError", err)
	}
	if want := fmt.Sprintf("backup %d", broken); !strings.Contains(err.Error(), want) {
		t.Errorf("err %q does not name %s", err, want)
	}
	for _, c := range res.Candidates {
		switch {
		case c.Object.ID == broken:
			if c.Deleted || !errors.Is(c.Err, vpsorg.ErrServerError) {
				t.Errorf("the broken delete: deleted %v, err %v", c.Deleted, c.Err)
			}
		case !c.Keep && (!c.Deleted || c.Err != nil):
			t.Errorf("backup %d: deleted %v, err %v, want deleted", c.Object.ID, c.Deleted, c.Err)
		}
	}
	if got, want := len(res.Candidates), len(f.ids); got != want {
		t.Errorf("%d candidates, want %d", got, want)
	}
}

// TestPruneRefusesBeforeSending: a bad server id or policy is refused with
// a *ValidationError and nothing is sent.
func TestPruneRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		serverID int64
		policy   vpsorg.RetentionPolicy
	}{
		{"server 0", 0, vpsorg.RetentionPolicy{Last: 1}},
		{"no rule", 1, vpsorg.RetentionPolicy{}},
		{"count below -1", 1, vpsorg.RetentionPolicy{Daily: -2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := vpsorgtest.NewServer()
			t.Cleanup(srv.Close)
			c := srv.Client()
			_, errB := c.Backups.Prune(context.Background(), tt.serverID, tt.policy, nil)
			_, errS := c.Snapshots.Prune(context.Background(), tt.serverID, tt.policy, nil)
			var ve *vpsorg.ValidationError
			if !errors.As(errB, &ve) || !errors.As(errS, &ve) {
				t.Errorf("errors %v / %v, want *ValidationError", errB, errS)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// TestSnapshotsPrune: completed snapshots are the candidates; one in
// progress is never deleted.
func TestSnapshotsPrune(t *testing.T) {
	t.Parallel()
	clock := vpsorgtest.NewClock(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now), vpsorgtest.WithoutSeed())
	t.Cleanup(srv.Close)
	c := srv.Client()
	id := srv.AddServer("db-01")
	ctx := context.Background()
	var made []int64
	for i := range 5 {
		sn, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: id, Name: fmt.Sprintf("week-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, sn.ID)
		if i < 4 {
			clock.Advance(7 * 24 * time.Hour) // the last stays in progress
		}
	}
	res, err := c.Snapshots.Prune(ctx, id, vpsorg.RetentionPolicy{Weekly: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Kept()); !slices.Equal(got, []int64{made[3], made[2]}) {
		t.Errorf("kept %v, want %v", got, []int64{made[3], made[2]})
	}
	if got := ids(res.Dropped()); !slices.Equal(got, []int64{made[1], made[0]}) {
		t.Errorf("dropped %v, want %v", got, []int64{made[1], made[0]})
	}
	var left []int64
	for sn, err := range c.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: id}) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, sn.ID)
	}
	slices.Sort(left)
	if want := []int64{made[2], made[3], made[4]}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}

func ids(snaps []*vpsorg.Snapshot) []int64 {
	out := make([]int64, len(snaps))
	for i, s := range snaps {
		out[i] = s.ID
	}
	return out
}

// TestPruneYearMatchesRestic: a year of nightly backups put on the fake,
// pruned with Daily 7, Weekly 4 and Monthly 12, leaves exactly the backups
// restic 0.18.1's forget keeps for those times (testdata/retention, made
// by gen-restic.sh).
func TestPruneYearMatchesRestic(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "retention", "restic_year_daily.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g resticGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed())
	t.Cleanup(srv.Close)
	serverID := srv.AddServer("web-01")
	for _, tm := range parseTimes(t, g.Times) {
		if _, err := srv.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: serverID}, Type: vpsorg.BackupTypeManual, CreatedAt: tm}); err != nil {
			t.Fatal(err)
		}
	}
	c := srv.Client()
	policy := vpsorg.RetentionPolicy{Daily: g.Policy.Daily, Weekly: g.Policy.Weekly, Monthly: g.Policy.Monthly}
	if _, err := c.Backups.Prune(context.Background(), serverID, policy, nil); err != nil {
		t.Fatal(err)
	}
	var left, want []string
	for b, err := range c.Backups.All(context.Background(), &vpsorg.BackupListOptions{ServerID: serverID}) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, b.CreatedAt.UTC().Format(time.RFC3339))
	}
	for _, k := range g.Keep {
		want = append(want, k.Time)
	}
	slices.Sort(left)
	slices.Sort(want)
	if len(g.Times) != 365 || !slices.Equal(left, want) {
		t.Errorf("left on the fake (%d of %d):\n%v\nrestic keeps (%d):\n%v", len(left), len(g.Times), left, len(want), want)
	}
}
