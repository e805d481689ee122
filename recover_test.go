package vpsorg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// serverNow is the mocked server's clock; the clients in these tests run on
// other clocks, a long way off, to show that recovery compares on the
// server's.
var serverNow = time.Date(2025, 1, 16, 15, 45, 1, 0, time.UTC)

// steppingClock is a client clock that moves on by step at every read, so
// that time passes while a call runs without the test sleeping.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// lookup answers a look-up's GET with items, after checking its query,
// stamped with the server's clock in Date unless noDate; it counts calls.
type lookup struct {
	t      *testing.T
	query  string
	items  []string
	noDate bool
	status int // 0 for 200
	calls  atomic.Int32
}

func (l *lookup) respond(req *http.Request) (*http.Response, error) {
	l.calls.Add(1)
	if l.query != "" && req.URL.RawQuery != l.query {
		l.t.Errorf("look-up query %q; want %q", req.URL.RawQuery, l.query)
	}
	status := cmpOr(l.status, 200)
	body := fmt.Sprintf(`{"count":%d,"next":null,"results":[%s]}`, len(l.items), strings.Join(l.items, ","))
	if status != 200 {
		body = `{"detail":"Invalid token."}`
	}
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("X-Request-Id", "lookup-1")
	if !l.noDate {
		resp.Header.Set("Date", serverNow.Format(http.TimeFormat))
	}
	return resp, nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// manualBackupJSON is one backup of server 12345 in a list answer.
func manualBackupJSON(id int64, kind, description string, created time.Time) string {
	return fmt.Sprintf(`{"id":%d,"server":{"id":12345,"name":"web-server-01"},"backup_type":%q,"status":"in_progress",`+
		`"size_mb":null,"created_at":%q,"expires_at":null,"description":%q}`, id, kind, created.Format(time.RFC3339Nano), description)
}

func snapshotJSON(id, server int64, name string, created time.Time) string {
	return fmt.Sprintf(`{"id":%d,"server":{"id":%d,"name":"web-server-01"},"name":%q,"status":"in_progress",`+
		`"size_mb":null,"created_at":%q,"description":""}`, id, server, name, created.Format(time.RFC3339Nano))
}

// restoringJSON is a server that reads "restoring" in a list answer.
func restoringJSON(id int64) string {
	return fmt.Sprintf(`{"id":%d,"name":"web-server-01","status":"restoring"}`, id)
}

const backupLookupQuery = "backup_type=manual&page=1&page_size=100&server_id=12345"

// TestBackupCreateRecovery: after a POST that may have acted, Create finds
// the manual backup with its description made since the call began on the
// server's clock, whatever the client's clock says.
func TestBackupCreateRecovery(t *testing.T) {
	t.Parallel()
	justNow := serverNow.Add(-700 * time.Millisecond) // made by this call
	tests := []struct {
		name     string
		client   time.Time // the client's clock at the call's start
		post     answer
		items    []string
		noDate   bool
		status   int   // the look-up's status
		wantID   int64 // 0: not found
		inReason string
	}{
		{name: "503, client clock a year ahead", client: serverNow.AddDate(1, 0, 0), post: answer{status: 503},
			items: []string{
				manualBackupJSON(600, "manual", "nightly", serverNow.Add(-time.Hour)),
				manualBackupJSON(602, "manual", "nightly", justNow),
				manualBackupJSON(603, "manual", "other", justNow),
			}, wantID: 602},
		{name: "reset after write, client clock an hour behind", client: serverNow.Add(-time.Hour), post: answer{err: reset(), wrote: true},
			items: []string{manualBackupJSON(602, "manual", "nightly", justNow)}, wantID: 602},
		{name: "timeout after write", client: serverNow, post: answer{err: &timeoutErr{}, wrote: true},
			items: []string{manualBackupJSON(602, "manual", "nightly", justNow)}, wantID: 602},
		{name: "only one made before the call", client: serverNow, post: answer{status: 502},
			items:    []string{manualBackupJSON(600, "manual", "nightly", serverNow.Add(-3*time.Second))},
			inReason: "did not find"},
		{name: "an automatic one does not count", client: serverNow, post: answer{status: 500},
			items: []string{manualBackupJSON(602, "automatic", "nightly", justNow)}, inReason: "did not find"},
		{name: "no Date header", client: serverNow, post: answer{status: 503}, noDate: true,
			items: []string{manualBackupJSON(602, "manual", "nightly", justNow)}, inReason: "no Date header"},
		{name: "look-up refused", client: serverNow, post: answer{status: 504}, status: 401,
			inReason: "looking for its result failed: vpsorg: GET /api/v1/backups/: 401"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &steppingClock{now: tc.client, step: 10 * time.Millisecond}
			c, mock, _ := newTestClient(t, WithClock(clock.Now))
			post := &script{t: t, answers: []answer{tc.post}}
			mock.RegisterResponder(http.MethodPost, testBase+"backups/", post.respond)
			look := &lookup{t: t, query: backupLookupQuery, items: tc.items, noDate: tc.noDate, status: tc.status}
			mock.RegisterResponder(http.MethodGet, testBase+"backups/", look.respond)

			b, resp, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 12345, Description: "nightly"})

			if post.calls() != 1 || look.calls.Load() != 1 {
				t.Fatalf("%d POSTs, %d look-ups; want 1, 1", post.calls(), look.calls.Load())
			}
			if tc.wantID != 0 {
				if err != nil {
					t.Fatalf("want backup %d recovered, got %v", tc.wantID, err)
				}
				if b.ID != tc.wantID || b.Description != "nightly" {
					t.Errorf("recovered %+v; want backup %d", b, tc.wantID)
				}
				if !resp.Recovered || resp.Attempts != 1 || resp.RequestID != "lookup-1" || resp.StatusCode != http.StatusOK {
					t.Errorf("Response = %+v; want Recovered, 1 attempt, the look-up's answer", resp)
				}
				return
			}
			if b != nil || !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("got %+v, %v; want no backup and ErrOutcomeUnknown", b, err)
			}
			if !strings.Contains(err.Error(), tc.inReason) {
				t.Errorf("error %q does not say %q", err, tc.inReason)
			}
			// The POST's own error is kept, and only it.
			if tc.post.err != nil {
				var reqErr *RequestError
				if !errors.As(err, &reqErr) || !errors.Is(err, tc.post.err) || reqErr.Method != http.MethodPost {
					t.Errorf("error %#v does not keep the POST's *RequestError", err)
				}
			} else {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.post.status || !errors.Is(err, ErrServerError) {
					t.Errorf("error %v does not keep the POST's %d *APIError", err, tc.post.status)
				}
			}
			if errors.Is(err, ErrUnauthorized) {
				t.Errorf("error %v matches the look-up's failure, not only the write's", err)
			}
		})
	}
}

// TestCreateRecoveryHandsOutEachObjectOnce: a backup one call of a Client
// returned is never recovered for another.
func TestCreateRecoveryHandsOutEachObjectOnce(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithClock((&steppingClock{now: serverNow, step: time.Millisecond}).Now))
	made := serverNow.Add(-200 * time.Millisecond)
	post := &script{t: t, answers: []answer{
		{status: 201, body: manualBackupJSON(602, "manual", "nightly", made)},
		{status: 503},
		{status: 503},
	}}
	mock.RegisterResponder(http.MethodPost, testBase+"backups/", post.respond)
	look := &lookup{t: t, query: backupLookupQuery, items: []string{
		manualBackupJSON(604, "manual", "nightly", made),
		manualBackupJSON(602, "manual", "nightly", made),
	}}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", look.respond)
	ctx := context.Background()
	req := &BackupCreateRequest{ServerID: 12345, Description: "nightly"}

	var got []int64
	for range 3 {
		b, resp, err := c.Backups.Create(ctx, req)
		switch {
		case err == nil:
			got = append(got, b.ID)
			if (b.ID == 604) != resp.Recovered {
				t.Errorf("backup %d: Recovered = %v", b.ID, resp.Recovered)
			}
		case errors.Is(err, ErrOutcomeUnknown):
			got = append(got, 0)
		default:
			t.Fatal(err)
		}
	}
	if fmt.Sprint(got) != "[602 604 0]" {
		t.Fatalf("creates returned %v; want 602 (answered), 604 (recovered), then none left", got)
	}
}

// TestSnapshotCreateRecovery: the snapshot with the call's name made since
// it began.
func TestSnapshotCreateRecovery(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	post := &script{t: t, answers: []answer{{status: 502}}}
	mock.RegisterResponder(http.MethodPost, testBase+"snapshots/", post.respond)
	look := &lookup{t: t, query: "page=1&page_size=100&server_id=12345", items: []string{
		snapshotJSON(803, 12345, "nightly-2025-01-16", serverNow.Add(-time.Second)),
		snapshotJSON(801, 12345, "pre-migration-snapshot", serverNow.Add(-24*time.Hour)),
	}}
	mock.RegisterResponder(http.MethodGet, testBase+"snapshots/", look.respond)
	// The client's own clock is the real one, 2025 on the server.
	snap, resp, err := c.Snapshots.Create(context.Background(), &SnapshotCreateRequest{ServerID: 12345, Name: "nightly-2025-01-16"})
	if err != nil || snap.ID != 803 || !resp.Recovered {
		t.Fatalf("Create = %+v, %+v, %v; want snapshot 803 recovered", snap, resp, err)
	}
	if post.calls() != 1 {
		t.Fatalf("%d POSTs; want 1", post.calls())
	}
}

// TestRestoreRecovery: a restore whose answer was lost counts as started
// when its server reads "restoring".
func TestRestoreRecovery(t *testing.T) {
	t.Parallel()
	snapshots := []string{snapshotJSON(801, 12345, "pre-migration-snapshot", serverNow.Add(-24*time.Hour))}
	tests := []struct {
		name      string
		snapshot  bool     // Snapshots.Restore(801), else Servers.Restore(12345, 501)
		snapshots []string // the snapshot list the look-up reads
		restoring []string // the servers that read "restoring"
		found     bool
	}{
		{"snapshot restore, server restoring", true, snapshots, []string{restoringJSON(12345)}, true},
		{"snapshot restore, server not restoring", true, snapshots, []string{restoringJSON(777)}, false},
		{"snapshot restore, snapshot gone", true, nil, []string{restoringJSON(12345)}, false},
		{"server restore, restoring", false, nil, []string{restoringJSON(777), restoringJSON(12345)}, true},
		{"server restore, not restoring", false, nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			post := &script{t: t, answers: []answer{{err: reset(), wrote: true}}}
			snaps := &lookup{t: t, query: "page=1&page_size=100", items: tc.snapshots}
			servers := &lookup{t: t, query: "page=1&page_size=100&status=restoring", items: tc.restoring}
			mock.RegisterResponder(http.MethodGet, testBase+"servers/", servers.respond)
			var (
				got  ServerState
				resp *Response
				err  error
			)
			if tc.snapshot {
				mock.RegisterResponder(http.MethodPost, testBase+"snapshots/801/restore/", post.respond)
				mock.RegisterResponder(http.MethodGet, testBase+"snapshots/", snaps.respond)
				var out *SnapshotRestore
				out, resp, err = c.Snapshots.Restore(context.Background(), 801)
				if out != nil {
					got = out.Server
					if out.Snapshot.ID != 801 || out.Snapshot.Name != "pre-migration-snapshot" || out.Snapshot.CreatedAt.IsZero() {
						t.Errorf("Snapshot = %+v; want what the look-up saw", out.Snapshot)
					}
				}
			} else {
				mock.RegisterResponder(http.MethodPost, testBase+"servers/12345/restore/", post.respond)
				var out *ServerRestore
				out, resp, err = c.Servers.Restore(context.Background(), 12345, &ServerRestoreRequest{BackupID: 501})
				if out != nil {
					got = out.Server
				}
			}
			if post.calls() != 1 {
				t.Fatalf("%d POSTs; want 1", post.calls())
			}
			if !tc.found {
				if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("error %v; want ErrOutcomeUnknown and the reset", err)
				}
				return
			}
			if err != nil || !resp.Recovered {
				t.Fatalf("Restore = %+v, %v; want recovered", resp, err)
			}
			if got != (ServerState{ID: 12345, Name: "web-server-01", Status: ServerStatusRestoring}) {
				t.Errorf("Server = %+v; want server 12345 restoring", got)
			}
		})
	}
}

// TestNoLookupWithoutAmbiguity: a write that certainly did not act, or
// WithoutRecovery, sends no look-up (newTestClient fails the test on any
// request not registered); only the ambiguous one is an unknown outcome.
func TestNoLookupWithoutAmbiguity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		answers []answer
		unknown bool
	}{
		{"400", nil, []answer{{status: 400, body: `{"server_id":["Invalid pk."]}`}}, false},
		{"404", nil, []answer{{status: 404}}, false},
		{"501", nil, []answer{{status: 501}}, false},
		{"429 to the end", []Option{WithRetryMax(1)}, []answer{{status: 429}, {status: 429}}, false},
		{"never connected", []Option{WithRetryMax(1)}, []answer{{err: refused()}, {err: refused()}}, false},
		{"reset before the request was written", []Option{WithRetryMax(0)}, []answer{{err: reset()}}, false},
		{"503 without recovery", []Option{WithoutRecovery()}, []answer{{status: 503}}, true},
		{"reset after write without recovery", []Option{WithoutRecovery()}, []answer{{err: reset(), wrote: true}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, tc.opts...)
			post := &script{t: t, answers: tc.answers}
			mock.RegisterResponder(http.MethodPost, testBase+"backups/", post.respond)
			_, resp, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 12345})
			if err == nil {
				t.Fatal("want an error")
			}
			if errors.Is(err, ErrOutcomeUnknown) != tc.unknown {
				t.Fatalf("errors.Is(%v, ErrOutcomeUnknown) = %v; want %v", err, !tc.unknown, tc.unknown)
			}
			if tc.unknown && !strings.Contains(err.Error(), "recovery is off") {
				t.Errorf("error %q does not say recovery is off", err)
			}
			if resp != nil && resp.Recovered {
				t.Error("Recovered set on a failure")
			}
		})
	}
}

// TestRecoveryUsesTheCallsContext: a context that ends with the write
// leaves no look-up possible: the outcome is unknown, and the error says
// why the call ended.
func TestRecoveryUsesTheCallsContext(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mock.RegisterResponder(http.MethodPost, testBase+"backups/", func(*http.Request) (*http.Response, error) {
		cancel() // the caller gives up while the server acts
		return httpmock.NewStringResponse(503, ""), nil
	})
	_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 12345})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v; want ErrOutcomeUnknown and context.Canceled", err)
	}
}

// TestRecoveryLogsTheLookup: the look-up shows at debug level.
func TestRecoveryLogsTheLookup(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, mock, _ := newTestClient(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	post := &script{t: t, answers: []answer{{status: 503}}}
	mock.RegisterResponder(http.MethodPost, testBase+"backups/", post.respond)
	look := &lookup{t: t, items: []string{manualBackupJSON(602, "manual", "", serverNow)}}
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", look.respond)
	if _, _, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 12345}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`level=DEBUG msg="vpsorg: answer lost, looking for the result" method=POST path=/api/v1/backups/`,
		`level=DEBUG msg="vpsorg: result found" method=POST path=/api/v1/backups/ request_id=lookup-1`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestHandoutWaitsForCreatesInFlight: a look-up waits for the answer of a
// create of the same object still in flight, which then owns its id.
func TestHandoutWaitsForCreatesInFlight(t *testing.T) {
	t.Parallel()
	h := newHandout()
	key := objectKey{kind: "backup", serverID: 1, label: "nightly"}
	other := objectKey{kind: "backup", serverID: 2, label: "nightly"}
	h.begin(key)
	h.begin(other)
	if err := h.settle(context.Background(), objectKey{kind: "snapshot", serverID: 1, label: "nightly"}); err != nil {
		t.Fatalf("settle on a key with nothing in flight: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- h.settle(context.Background(), key) }()
	h.end(other, 9) // another key's answer does not release it
	select {
	case err := <-done:
		t.Fatalf("settle returned (%v) while a create of its key was in flight", err)
	default:
	}
	h.end(key, 7)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if h.claim("backup", 7) || h.claim("backup", 9) {
		t.Error("an id a create returned was claimed again")
	}
	if !h.claim("snapshot", 7) {
		t.Error("snapshot 7 is not backup 7")
	}

	ctx, cancel := context.WithCancel(context.Background())
	h.begin(key)
	cancel()
	if err := h.settle(ctx, key); !errors.Is(err, context.Canceled) {
		t.Fatalf("settle with an ended context = %v", err)
	}
}

// TestHandoutIsBounded: the record keeps the last handoutMax ids.
func TestHandoutIsBounded(t *testing.T) {
	t.Parallel()
	h := newHandout()
	for id := int64(1); id <= handoutMax+10; id++ {
		if !h.claim("backup", id) {
			t.Fatalf("id %d claimed twice", id)
		}
	}
	if len(h.given) != handoutMax || len(h.order) != handoutMax {
		t.Fatalf("record holds %d ids (%d in order); want %d", len(h.given), len(h.order), handoutMax)
	}
	if !h.claim("backup", 10) {
		t.Error("id 10 should have been forgotten")
	}
	if h.claim("backup", handoutMax+10) {
		t.Error("the newest id was forgotten")
	}
}
