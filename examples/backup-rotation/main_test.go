package main

import (
	"context"
	"errors"
	"net/http"
	"regexp"
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

func testConfig(f *fixture, policy vpsorg.RetentionPolicy) config {
	return config{Servers: []int64{f.serverID}, Policy: policy, Wait: vpsorg.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond}}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		days     []int // days of the existing manual backups, in the order made
		policy   vpsorg.RetentionPolicy
		wantDays []int // days of the old backups kept, besides today's
		room     bool  // whether some had to go before the create
	}{
		{name: "no backups yet", days: nil, policy: vpsorg.RetentionPolicy{Last: 7}, wantDays: nil},
		{name: "fewer than kept", days: []int{3, 1, 2}, policy: vpsorg.RetentionPolicy{Last: 7}, wantDays: []int{1, 2, 3}},
		{name: "keep one", days: []int{3, 1, 2}, policy: vpsorg.RetentionPolicy{Last: 1}, wantDays: nil},
		{name: "nine, keep seven", days: []int{9, 2, 7, 1, 5, 3, 8, 4, 6}, policy: vpsorg.RetentionPolicy{Last: 7}, wantDays: []int{4, 5, 6, 7, 8, 9}},
		{name: "at the limit, keep seven", days: []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, policy: vpsorg.RetentionPolicy{Last: 7}, wantDays: []int{5, 6, 7, 8, 9, 10}, room: true},
		{name: "at the limit, keep ten", days: []int{4, 2, 6, 8, 10, 1, 3, 5, 7, 9}, policy: vpsorg.RetentionPolicy{Last: 10}, wantDays: []int{2, 3, 4, 5, 6, 7, 8, 9, 10}, room: true},
		// Days 1 to 9 are Thursday 2 to Friday 10 January 2025, today is
		// Friday 31 January. Daily 3 keeps today's and days 9 and 8; Weekly
		// 3 keeps today's week, then the newest of each of the last two
		// weeks with a backup: 10 January (day 9, which Daily has) and
		// Sunday 5 January (day 4).
		{name: "daily and weekly", days: []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, policy: vpsorg.RetentionPolicy{Daily: 3, Weekly: 3}, wantDays: []int{4, 8, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.days)
			var out strings.Builder
			if err := run(context.Background(), f.client, &out, testConfig(f, tt.policy)); err != nil {
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
				t.Errorf("kept the backups of days %v and %d new ones, want days %v and today's\n%s", keptDays, today, tt.wantDays, &out)
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
	var out strings.Builder
	err := run(context.Background(), f.client, &out, testConfig(f, vpsorg.RetentionPolicy{Last: 3}))
	if !errors.Is(err, vpsorg.ErrOperationFailed) {
		t.Fatalf("run: got %v, want ErrOperationFailed", err)
	}
	after := f.remaining(t, vpsorg.BackupTypeManual)
	if want := append(slices.Clone(before), next); !slices.Equal(after, want) {
		t.Errorf("manual backups %v after a failed backup, want %v: nothing deleted", after, want)
	}
	if !strings.Contains(out.String(), "failed: nothing deleted") {
		t.Errorf("output:\n%s", &out)
	}
}

func TestBadPolicy(t *testing.T) {
	t.Parallel()
	for _, policy := range []vpsorg.RetentionPolicy{{}, {Last: -2}, {Daily: 7, Within: -time.Hour}} {
		f := newFixture(t, []int{1})
		before := len(f.srv.Requests())
		err := run(context.Background(), f.client, &strings.Builder{}, testConfig(f, policy))
		var invalid *vpsorg.ValidationError
		if !errors.As(err, &invalid) {
			t.Errorf("policy %+v: got %v, want a ValidationError", policy, err)
		}
		if sent := len(f.srv.Requests()) - before; sent != 0 {
			t.Errorf("policy %+v: run sent %d requests, want none", policy, sent)
		}
	}
}

func TestStartOnTheFake(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "")
	var out strings.Builder
	if err := start(context.Background(), &out, config{Policy: vpsorg.RetentionPolicy{Last: 1, Daily: 6, Weekly: 2}}); err != nil {
		t.Fatalf("start: %v\noutput:\n%s", err, &out)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if first != "VPSORG_API_TOKEN is not set: running against vpsorgtest, an in-process fake of the API" {
		t.Errorf("first line %q does not say the fake is used", first)
	}
	for _, want := range []string{
		`server 12345: at the limit of 10: deleted [1-9] to make room`,
		`server 12345: backup \d+ completed; kept [2-9], deleted 0`,
		`server \d+: backup \d+ completed; kept 1, deleted 0`, // the second server's first backup
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}
