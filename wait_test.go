package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// statusFeed answers a list poll with the object in each status in turn
// (the last one repeats); "" means the object is not in the list.
type statusFeed struct {
	mu       sync.Mutex
	statuses []string
	polls    int
	render   func(status string) string
}

func (f *statusFeed) respond(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.statuses[min(f.polls, len(f.statuses)-1)]
	f.polls++
	if st == "429" {
		return httpmock.NewStringResponse(429, `{"detail":"Request was throttled. Expected available in 20 seconds."}`), nil
	}
	items := []string{`{"id":1,"server":{"id":12345,"name":"web"},"status":"completed"}`}
	if st != "" {
		items = append(items, f.render(st))
	}
	return httpmock.NewStringResponse(200, fmt.Sprintf(`{"count":%d,"results":[%s]}`, len(items), strings.Join(items, ","))), nil
}

func backupJSON(status string) string {
	return fmt.Sprintf(`{"id":502,"server":{"id":12345,"name":"web"},"backup_type":"manual","status":%q}`, status)
}

func TestBackupWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		statuses  []string
		wantErr   error
		wantPolls int
		wantFinal Status
	}{
		{"completes", []string{"in_progress", "in_progress", "completed"}, nil, 3, StatusCompleted},
		{"fails", []string{"in_progress", "failed"}, ErrOperationFailed, 2, StatusFailed},
		{"vanishes", []string{"in_progress", ""}, ErrNotFound, 2, StatusInProgress},
		{"unknown status keeps waiting", []string{"queued", "uploading", "completed"}, nil, 3, StatusCompleted},
		{"rate limited poll is not an error", []string{"in_progress", "429", "completed"}, nil, 3, StatusCompleted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, w := newTestClient(t, WithRetryMax(0))
			feed := &statusFeed{statuses: tc.statuses, render: backupJSON}
			mock.RegisterResponder("GET", testBase+"backups/", func(req *http.Request) (*http.Response, error) {
				if got := req.URL.Query().Get("server_id"); got != "12345" {
					t.Errorf("poll without the server filter: %q", req.URL.RawQuery)
				}
				return feed.respond(req)
			})
			var progress []Status
			opts := &WaitOptions{OnProgress: func(s Status, _ time.Duration) { progress = append(progress, s) }}
			start := &Backup{ID: 502, Server: ServerRef{ID: 12345}, Status: StatusInProgress}

			got, err := c.Backups.Wait(context.Background(), start, opts)

			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			if feed.polls != tc.wantPolls || len(w.all()) != tc.wantPolls {
				t.Fatalf("polls = %d, pauses = %v; want %d of each", feed.polls, w.all(), tc.wantPolls)
			}
			if got == nil || got.Status != tc.wantFinal {
				t.Fatalf("returned %+v; want the last seen backup in %q", got, tc.wantFinal)
			}
			if len(progress) == 0 || progress[len(progress)-1] != got.Status && !errors.Is(tc.wantErr, ErrNotFound) {
				t.Fatalf("OnProgress saw %v", progress)
			}
		})
	}
}

// TestWaitBacksOff: pauses start near Interval, double, stop at
// MaxInterval, are jittered, and stretch to a 429's Retry-After.
func TestWaitBacksOff(t *testing.T) {
	t.Parallel()
	c, mock, w := newTestClient(t, WithRetryMax(0))
	statuses := []string{"in_progress", "in_progress", "in_progress", "in_progress", "in_progress", "in_progress", "completed"}
	feed := &statusFeed{statuses: statuses, render: backupJSON}
	mock.RegisterResponder("GET", testBase+"backups/", feed.respond)
	opts := &WaitOptions{Interval: 2 * time.Second, MaxInterval: 10 * time.Second}

	if _, err := c.Backups.Wait(context.Background(), &Backup{ID: 502, Server: ServerRef{ID: 12345}}, opts); err != nil {
		t.Fatal(err)
	}
	ceilings := []int64{2, 4, 8, 10, 10, 10, 10} // seconds
	got := w.all()
	if len(got) != len(ceilings) {
		t.Fatalf("pauses %v; want %d", got, len(ceilings))
	}
	for i, d := range got {
		ceil := time.Duration(ceilings[i]) * time.Second
		if d < ceil/2 || d > ceil {
			t.Fatalf("pause %d = %s; want within [%s, %s]", i, d, ceil/2, ceil)
		}
	}
}

func TestWaitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	c, mock, w := newTestClient(t, WithRetryMax(0))
	n := 0
	mock.RegisterResponder("GET", testBase+"backups/", func(*http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			r := httpmock.NewStringResponse(429, `{"detail":"throttled"}`)
			r.Header.Set("Retry-After", "45")
			return r, nil
		}
		return httpmock.NewStringResponse(200, `{"count":1,"results":[`+backupJSON("completed")+`]}`), nil
	})
	_, err := c.Backups.Wait(context.Background(), &Backup{ID: 502, Server: ServerRef{ID: 12345}}, &WaitOptions{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.all(); len(got) != 2 || got[1] < 45*time.Second/2 {
		t.Fatalf("pauses %v; want the second to honour Retry-After 45s", got)
	}
}

func TestWaitContextEnds(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	feed := &statusFeed{statuses: []string{"in_progress"}, render: backupJSON}
	mock.RegisterResponder("GET", testBase+"backups/", feed.respond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := &WaitOptions{OnProgress: func(Status, time.Duration) { cancel() }}

	got, err := c.Backups.Wait(ctx, &Backup{ID: 502, Server: ServerRef{ID: 12345}}, opts)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if feed.polls != 1 || got == nil || got.Status != StatusInProgress {
		t.Fatalf("polls = %d, got %+v; want 1 poll and the last seen backup", feed.polls, got)
	}
}

func TestWaitReturnsFinalObjectsAtOnce(t *testing.T) {
	t.Parallel()
	c, _, w := newTestClient(t)
	ctx := context.Background()
	b := &Backup{ID: 1, Status: StatusCompleted}
	if got, err := c.Backups.Wait(ctx, b, nil); err != nil || got != b {
		t.Fatalf("completed backup: %v, %v", got, err)
	}
	s := &Snapshot{ID: 1, Status: StatusFailed}
	if got, err := c.Snapshots.Wait(ctx, s, nil); !errors.Is(err, ErrOperationFailed) || got != s {
		t.Fatalf("failed snapshot: %v, %v", got, err)
	}
	if len(w.all()) != 0 {
		t.Fatalf("paused %v for objects already final", w.all())
	}
}

func TestWaitValidates(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"nil backup", func() error { _, err := c.Backups.Wait(ctx, nil, nil); return err }, "backup_id"},
		{"backup id 0", func() error { _, err := c.Backups.Wait(ctx, &Backup{}, nil); return err }, "backup_id"},
		{"backup server -1", func() error {
			_, err := c.Backups.Wait(ctx, &Backup{ID: 1, Server: ServerRef{ID: -1}}, nil)
			return err
		}, "server_id"},
		{"nil snapshot", func() error { _, err := c.Snapshots.Wait(ctx, nil, nil); return err }, "snapshot_id"},
		{"snapshot id -2", func() error { _, err := c.Snapshots.Wait(ctx, &Snapshot{ID: -2}, nil); return err }, "snapshot_id"},
		{"server id 0", func() error { _, err := c.Servers.Wait(ctx, 0, nil); return err }, "server_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var verr *ValidationError
			if err := tc.call(); !errors.As(err, &verr) || verr.Field != tc.field {
				t.Fatalf("err = %v; want ValidationError on %s", err, tc.field)
			}
		})
	}
}

func TestSnapshotWaitFindsItOnALaterPage(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	mock.RegisterResponder("GET", testBase+"snapshots/", func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get("page") == "2" {
			return httpmock.NewStringResponse(200, `{"count":3,"next":null,"results":[{"id":802,"status":"completed","size_mb":5000}]}`), nil
		}
		return httpmock.NewStringResponse(200, `{"count":3,"next":"https://api.test/api/v1/snapshots/?page=2&server_id=12345","results":[{"id":801},{"id":798}]}`), nil
	})
	got, err := c.Snapshots.Wait(context.Background(), &Snapshot{ID: 802, Server: ServerRef{ID: 12345}}, nil)
	if err != nil || got.SizeMB == nil || *got.SizeMB != 5000 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestServerWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		wantErr  error
		want     Status
	}{
		{"restore ends", []string{"restoring", "restoring", "active"}, nil, "active"},
		{"ends in another state", []string{"restoring", "stopped"}, nil, "stopped"},
		{"server gone", []string{"restoring", ""}, ErrNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			feed := &statusFeed{statuses: tc.statuses, render: func(s string) string {
				return fmt.Sprintf(`{"id":12345,"name":"web-server-01","status":%q}`, s)
			}}
			mock.RegisterResponder("GET", testBase+"servers/", feed.respond)
			var seen []Status
			got, err := c.Servers.Wait(context.Background(), 12345, &WaitOptions{OnProgress: func(s Status, _ time.Duration) { seen = append(seen, s) }})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && (got == nil || got.Status != tc.want || len(seen) != len(tc.statuses)) {
				t.Fatalf("got %+v after %v", got, seen)
			}
		})
	}
}

func TestWaitElapsedFromClock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c, mock, _ := newTestClient(t, WithClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}))
	feed := &statusFeed{statuses: []string{"in_progress", "completed"}, render: backupJSON}
	mock.RegisterResponder("GET", testBase+"backups/", feed.respond)
	var elapsed []time.Duration
	_, err := c.Backups.Wait(context.Background(), &Backup{ID: 502, Server: ServerRef{ID: 12345}},
		&WaitOptions{OnProgress: func(_ Status, d time.Duration) { elapsed = append(elapsed, d) }})
	if err != nil || len(elapsed) != 2 || elapsed[0] <= 0 || elapsed[1] <= elapsed[0] {
		t.Fatalf("elapsed %v, err %v; want growing durations from the clock", elapsed, err)
	}
}
