package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
)

// nameKey marks a context with the call or try a recorder started in it,
// so that a recorder sees what a call or try was started under.
type nameKey struct{}

func nameIn(ctx context.Context) string {
	s, _ := ctx.Value(nameKey{}).(string)
	return s
}

// recorder is an Observer that writes one line per event into a log,
// which several recorders may share.
type recorder struct {
	tag string // before each line, to tell recorders apart
	log *eventLog
}

type eventLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *eventLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

func (r recorder) StartCall(ctx context.Context, op string) (context.Context, func(error)) {
	r.log.add("%scall %s under %q", r.tag, op, nameIn(ctx))
	return context.WithValue(ctx, nameKey{}, op), func(err error) {
		r.log.add("%send %s failed=%t", r.tag, op, err != nil)
	}
}

func (r recorder) StartTry(ctx context.Context, try TryInfo) (context.Context, func(TryResult)) {
	name := try.Method + " " + try.URLTemplate
	r.log.add("%stry %s resend=%d to %s:%d under %q", r.tag, name, try.ResendCount, try.ServerAddress, try.ServerPort, nameIn(ctx))
	return context.WithValue(ctx, nameKey{}, name), func(res TryResult) {
		r.log.add("%send %s status=%d failed=%t", r.tag, name, res.StatusCode, res.Err != nil)
	}
}

// TestObserverSeesCallsAndTries: each call is started and ended once, with
// its tries inside it and the calls it makes nested in it.
func TestObserverSeesCallsAndTries(t *testing.T) {
	t.Parallel()
	list := `{"count":1,"results":[{"id":502,"server":{"id":12345},"backup_type":"manual","status":"completed"}]}`
	tests := []struct {
		name    string
		answers map[string][]answer // "METHOD path" -> answers in turn
		opts    []Option
		call    func(ctx context.Context, c *Client) error
		want    []string
	}{{
		name:    "a list",
		answers: map[string][]answer{"GET backups/": {{status: 200, body: list}}},
		call: func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{ServerID: 12345})
			return err
		},
		want: []string{
			`call Backups.List under ""`,
			`try GET /api/v1/backups/ resend=0 to api.test:443 under "Backups.List"`,
			`end GET /api/v1/backups/ status=200 failed=false`,
			`end Backups.List failed=false`,
		},
	}, {
		name:    "a retried delete, its id in the template",
		answers: map[string][]answer{"DELETE backups/501/": {{status: 503}, {status: 204}}},
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Delete(ctx, 501)
			return err
		},
		want: []string{
			`call Backups.Delete under ""`,
			`try DELETE /api/v1/backups/{id}/ resend=0 to api.test:443 under "Backups.Delete"`,
			`end DELETE /api/v1/backups/{id}/ status=503 failed=false`,
			`try DELETE /api/v1/backups/{id}/ resend=1 to api.test:443 under "Backups.Delete"`,
			`end DELETE /api/v1/backups/{id}/ status=204 failed=false`,
			`end Backups.Delete failed=false`,
		},
	}, {
		name:    "a try with no answer",
		answers: map[string][]answer{"GET servers/": {{err: refused()}}},
		opts:    []Option{WithRetryMax(0)},
		call: func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, nil)
			return err
		},
		want: []string{
			`call Servers.List under ""`,
			`try GET /api/v1/servers/ resend=0 to api.test:443 under "Servers.List"`,
			`end GET /api/v1/servers/ status=0 failed=true`,
			`end Servers.List failed=true`,
		},
	}, {
		name:    "a wait's polls inside it",
		answers: map[string][]answer{"GET backups/": {{status: 200, body: list}}},
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Wait(ctx, &Backup{ID: 502, Server: ServerRef{ID: 12345}, Status: StatusInProgress}, nil)
			return err
		},
		want: []string{
			`call Backups.Wait under ""`,
			`call Backups.List under "Backups.Wait"`,
			`try GET /api/v1/backups/ resend=0 to api.test:443 under "Backups.List"`,
			`end GET /api/v1/backups/ status=200 failed=false`,
			`end Backups.List failed=false`,
			`end Backups.Wait failed=false`,
		},
	}, {
		name: "input refused before sending is not a call",
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Delete(ctx, 0)
			return err
		},
		want: nil,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := &eventLog{}
			c, mock, _ := newTestClient(t, append(tc.opts, WithObserver(recorder{log: log}))...)
			for route, answers := range tc.answers {
				method, path, _ := strings.Cut(route, " ")
				mock.RegisterResponder(method, testBase+path, (&script{t: t, answers: answers}).respond)
			}
			_ = tc.call(context.Background(), c)
			if got := log.all(); !slices.Equal(got, tc.want) {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestObserversCompose: several observers are each told, in the order
// given, each from the context the one before returned; they end in the
// reverse order.
func TestObserversCompose(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	c, mock, _ := newTestClient(t, WithObserver(recorder{tag: "1 ", log: log}), WithObserver(recorder{tag: "2 ", log: log}))
	mock.RegisterResponder("DELETE", testBase+"snapshots/801/", httpmock.NewStringResponder(204, ""))

	if _, err := c.Snapshots.Delete(context.Background(), 801); err != nil {
		t.Fatal(err)
	}

	want := []string{
		`1 call Snapshots.Delete under ""`,
		`2 call Snapshots.Delete under "Snapshots.Delete"`,
		`1 try DELETE /api/v1/snapshots/{id}/ resend=0 to api.test:443 under "Snapshots.Delete"`,
		`2 try DELETE /api/v1/snapshots/{id}/ resend=0 to api.test:443 under "DELETE /api/v1/snapshots/{id}/"`,
		`2 end DELETE /api/v1/snapshots/{id}/ status=204 failed=false`,
		`1 end DELETE /api/v1/snapshots/{id}/ status=204 failed=false`,
		`2 end Snapshots.Delete failed=false`,
		`1 end Snapshots.Delete failed=false`,
	}
	if got := log.all(); !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestObserverTryContextIsTheRequests: the transport sees the context
// StartTry returned, a fresh one for each try.
func TestObserverTryContextIsTheRequests(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	c, mock, _ := newTestClient(t, WithObserver(recorder{log: log}))
	var seen []string
	tries := 0
	mock.RegisterResponder("GET", testBase+"snapshots/", func(req *http.Request) (*http.Response, error) {
		seen = append(seen, nameIn(req.Context()))
		if tries++; tries == 1 {
			return httpmock.NewStringResponse(502, ""), nil
		}
		return httpmock.NewStringResponse(200, `{"count":0,"results":[]}`), nil
	})

	if _, _, err := c.Snapshots.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	want := []string{"GET /api/v1/snapshots/", "GET /api/v1/snapshots/"}
	if !slices.Equal(seen, want) {
		t.Errorf("the transport saw contexts of %q; want %q", seen, want)
	}
	if got := log.all(); !slices.Contains(got, `try GET /api/v1/snapshots/ resend=1 to api.test:443 under "Snapshots.List"`) {
		t.Errorf("the retry did not start from the call's context:\n%s", strings.Join(got, "\n"))
	}
}

// nilObserver returns nothing usable, as a careless implementation might.
type nilObserver struct{}

func (nilObserver) StartCall(context.Context, string) (context.Context, func(error)) {
	return nil, nil
}

func (nilObserver) StartTry(context.Context, TryInfo) (context.Context, func(TryResult)) {
	return nil, nil
}

// TestObserverNilResults: an observer that returns a nil context or end
// cannot make a call fail or panic.
func TestObserverNilResults(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithObserver(nilObserver{}))
	mock.RegisterResponder("GET", testBase+"servers/", httpmock.NewStringResponder(200, `{"count":0,"results":[]}`))
	if _, _, err := c.Servers.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestWithObserverNil(t *testing.T) {
	t.Parallel()
	if _, err := NewClient("token", WithObserver(nil)); err == nil || !strings.Contains(err.Error(), "WithObserver") {
		t.Fatalf("NewClient(WithObserver(nil)) = %v; want an error naming WithObserver", err)
	}
}

func TestTemplateOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"backups/", "backups/"},
		{"backups/501/", "backups/{id}/"},
		{"servers/12345/restore/", "servers/{id}/restore/"},
		{"v2x/1a/", "v2x/1a/"},
		{"a/1/b/22", "a/{id}/b/{id}"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := templateOf(tc.path); got != tc.want {
			t.Errorf("templateOf(%q) = %q; want %q", tc.path, got, tc.want)
		}
	}
}

// TestObserverEndGetsTheCallsError: a call's end gets the call's own error.
func TestObserverEndGetsTheCallsError(t *testing.T) {
	t.Parallel()
	var got error
	obs := endSpy{end: func(err error) { got = err }}
	c, mock, _ := newTestClient(t, WithObserver(obs))
	mock.RegisterResponder("DELETE", testBase+"backups/9/", httpmock.NewStringResponder(404, `{"detail":"Not found."}`))
	_, err := c.Backups.Delete(context.Background(), 9)
	if !errors.Is(got, ErrNotFound) || !errors.Is(got, err) {
		t.Fatalf("end got %v; want the call's error %v", got, err)
	}
}

type endSpy struct{ end func(error) }

func (s endSpy) StartCall(ctx context.Context, _ string) (context.Context, func(error)) {
	return ctx, s.end
}

func (endSpy) StartTry(ctx context.Context, _ TryInfo) (context.Context, func(TryResult)) {
	return ctx, func(TryResult) {}
}
