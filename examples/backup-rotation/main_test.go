package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// day is the time of the test's nightly backup n.
func day(n int) time.Time {
	return time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC).AddDate(0, 0, n)
}

// fixture is a fake with one server, two automatic backups and a manual
// backup for each of days, made in that order. Days out of order make the
// fake's id order differ from the backups' age.
type fixture struct {
	srv       *vpsorgtest.Server
	client    *vpsorg.Client
	clock     *vpsorgtest.Clock
	serverID  int64
	automatic []int64
	byDay     map[int64]int // manual backup id -> day it was made
}

func newFixture(t *testing.T, days []int) *fixture {
	t.Helper()
	f := &fixture{clock: vpsorgtest.NewClock(day(0)), byDay: map[int64]int{}}
	f.srv = vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithClock(f.clock.Now), vpsorgtest.WithCompletionDelay(0))
	t.Cleanup(f.srv.Close)
	f.client = f.srv.Client()
	f.serverID = f.srv.AddServer("db-01")
	for range 2 {
		id, err := f.srv.AddAutomaticBackup(f.serverID)
		if err != nil {
			t.Fatal(err)
		}
		f.automatic = append(f.automatic, id)
	}
	for _, d := range days {
		f.clock.Set(day(d))
		b, _, err := f.client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: f.serverID})
		if err != nil {
			t.Fatal(err)
		}
		f.byDay[b.ID] = d
	}
	f.clock.Set(day(30)) // today, later than every seeded backup
	return f
}

// remaining returns the ids of the server's backups of a type, sorted.
func (f *fixture) remaining(t *testing.T, kind vpsorg.BackupType) []int64 {
	t.Helper()
	var ids []int64
	for b, err := range f.client.Backups.All(context.Background(), &vpsorg.BackupListOptions{ServerID: f.serverID, Type: kind}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	return ids
}

func testConfig(f *fixture, keep int) config {
	return config{ServerID: f.serverID, Keep: keep, Wait: vpsorg.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond}}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		days     []int // days of the existing manual backups, in the order made
		keep     int
		wantDays []int // days of the old backups kept, besides today's
		room     bool  // whether the oldest had to go before the create
	}{
		{name: "no backups yet", days: nil, keep: 7, wantDays: nil},
		{name: "fewer than keep", days: []int{3, 1, 2}, keep: 7, wantDays: []int{1, 2, 3}},
		{name: "keep one", days: []int{3, 1, 2}, keep: 1, wantDays: nil},
		{name: "nine, keep seven", days: []int{9, 2, 7, 1, 5, 3, 8, 4, 6}, keep: 7, wantDays: []int{4, 5, 6, 7, 8, 9}},
		{name: "at the limit, keep seven", days: []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, keep: 7, wantDays: []int{5, 6, 7, 8, 9, 10}, room: true},
		{name: "at the limit, keep ten", days: []int{4, 2, 6, 8, 10, 1, 3, 5, 7, 9}, keep: 10, wantDays: []int{2, 3, 4, 5, 6, 7, 8, 9, 10}, room: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.days)
			var out strings.Builder
			if err := run(context.Background(), f.client, &out, testConfig(f, tt.keep)); err != nil {
				t.Fatalf("run: %v\noutput:\n%s", err, &out)
			}

			var keptDays []int
			today := 0
			for _, id := range f.remaining(t, vpsorg.BackupTypeManual) {
				if d, ok := f.byDay[id]; ok {
					keptDays = append(keptDays, d)
				} else {
					today++
				}
			}
			slices.Sort(keptDays)
			if !slices.Equal(keptDays, tt.wantDays) || today != 1 {
				t.Errorf("kept the backups of days %v and %d new ones, want days %v and today's", keptDays, today, tt.wantDays)
			}
			if got := f.remaining(t, vpsorg.BackupTypeAutomatic); !slices.Equal(got, f.automatic) {
				t.Errorf("automatic backups %v, want %v untouched", got, f.automatic)
			}
			if got := strings.Contains(out.String(), "at the limit"); got != tt.room {
				t.Errorf("made room before the create: %v, want %v\n%s", got, tt.room, &out)
			}
		})
	}
}

func TestFailedBackupDeletesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9})
	next := int64(len(f.automatic) + len(f.byDay) + 1) // ids follow on from 1
	// The backup fails as soon as the rotation polls for it.
	f.srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet {
			_ = f.srv.SetBackupStatus(next, "failed") // fails, harmlessly, before the create
		}
		return nil
	})
	before := f.remaining(t, vpsorg.BackupTypeManual)
	err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, 3))
	if !errors.Is(err, vpsorg.ErrOperationFailed) {
		t.Fatalf("run: got %v, want ErrOperationFailed", err)
	}
	after := f.remaining(t, vpsorg.BackupTypeManual)
	if want := append(slices.Clone(before), next); !slices.Equal(after, want) {
		t.Errorf("manual backups %v after a failed backup, want %v: nothing deleted", after, want)
	}
}

func TestKeepOutOfRange(t *testing.T) {
	t.Parallel()
	for _, keep := range []int{-1, 0, 11} {
		f := newFixture(t, []int{1})
		before := len(f.srv.Requests())
		err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, keep))
		if err == nil || !strings.Contains(err.Error(), "-keep") {
			t.Errorf("keep %d: got %v, want a -keep error", keep, err)
		}
		if sent := len(f.srv.Requests()) - before; sent != 0 {
			t.Errorf("keep %d: run sent %d requests, want none", keep, sent)
		}
	}
}

func TestStartOnTheFake(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "")
	var out strings.Builder
	if err := start(context.Background(), &out, config{Keep: 7}); err != nil {
		t.Fatalf("start: %v\noutput:\n%s", err, &out)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if first != "VPSORG_API_TOKEN is not set: running against vpsorgtest, an in-process fake of the API" {
		t.Errorf("first line %q does not say the fake is used", first)
	}
	for _, want := range []string{"at the limit: deleting the oldest 1", "keeping the newest 7: deleting 3", "server 12345 keeps 7 manual backups"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}
