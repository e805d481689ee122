package vpsorgotel_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestSpanTrees: each call is a span, its tries client spans under it, and
// the calls it makes (a wait's polls, a create's look-up, a prune's list
// and deletes) spans of their own under it.
func TestSpanTrees(t *testing.T) {
	t.Parallel()
	backupsRetry := vpsorgtest.Rule{Method: "GET", Path: "/api/v1/backups/", Nth: 1, Fault: vpsorgtest.Fault{Status: 503}}
	createLost := vpsorgtest.Rule{Method: "POST", Path: "/api/v1/backups/", Nth: 1, Fault: vpsorgtest.Fault{Status: 503, AfterAction: true}}
	tests := []struct {
		name  string
		opts  []vpsorg.Option
		fault *vpsorgtest.Rule
		call  func(ctx context.Context, o *observed) error
		want  []string
	}{{
		name: "a list",
		call: func(ctx context.Context, o *observed) error {
			_, _, err := o.client.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: 12345})
			return err
		},
		want: []string{
			"vpsorg Backups.List",
			"  GET /api/v1/backups/ 200",
		},
	}, {
		name:  "a GET retried after a 503",
		fault: &backupsRetry,
		call: func(ctx context.Context, o *observed) error {
			_, _, err := o.client.Backups.List(ctx, nil)
			return err
		},
		want: []string{
			"vpsorg Backups.List",
			"  GET /api/v1/backups/ 503 !503",
			"  GET /api/v1/backups/ 200 resend=1",
		},
	}, {
		name: "a 404",
		call: func(ctx context.Context, o *observed) error {
			_, err := o.client.Backups.Delete(ctx, 9999)
			return err
		},
		want: []string{
			"vpsorg Backups.Delete !404",
			"  DELETE /api/v1/backups/{id}/ 404 !404",
		},
	}, {
		name: "a wait: its polls inside it",
		call: func(ctx context.Context, o *observed) error {
			_, err := o.client.Backups.Wait(ctx, o.inProgress(t), nil)
			return err
		},
		want: []string{
			"vpsorg Backups.Wait",
			"  vpsorg Backups.List",
			"    GET /api/v1/backups/ 200",
		},
	}, {
		name: "a server's wait: the restoring servers, then all",
		call: func(ctx context.Context, o *observed) error {
			_, err := o.client.Servers.Wait(ctx, 12345, nil)
			return err
		},
		want: []string{
			"vpsorg Servers.Wait",
			"  vpsorg Servers.List",
			"    GET /api/v1/servers/ 200",
			"  vpsorg Servers.List",
			"    GET /api/v1/servers/ 200",
		},
	}, {
		name: "a WaitAll",
		call: func(ctx context.Context, o *observed) error {
			_, err := o.client.Backups.WaitAll(ctx, []*vpsorg.Backup{o.inProgress(t), o.inProgress(t)}, nil)
			return err
		},
		want: []string{
			"vpsorg Backups.WaitAll",
			"  vpsorg Backups.List",
			"    GET /api/v1/backups/ 200",
		},
	}, {
		name:  "a create whose answer was lost, then found",
		fault: &createLost,
		call: func(ctx context.Context, o *observed) error {
			_, resp, err := o.client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "traced"})
			if err == nil && !resp.Recovered {
				t.Error("the create was not recovered")
			}
			return err
		},
		want: []string{
			"vpsorg Backups.Create",
			"  POST /api/v1/backups/ 503 !503",
			"  vpsorg Backups.List",
			"    GET /api/v1/backups/ 200",
		},
	}, {
		name:  "a create whose answer was lost, without recovery",
		opts:  []vpsorg.Option{vpsorg.WithoutRecovery()},
		fault: &createLost,
		call: func(ctx context.Context, o *observed) error {
			_, _, err := o.client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "traced"})
			return err
		},
		want: []string{
			"vpsorg Backups.Create !outcome_unknown",
			"  POST /api/v1/backups/ 503 !503",
		},
	}, {
		name: "a prune: its list and its deletes",
		call: func(ctx context.Context, o *observed) error {
			o.inProgress(t) // not a candidate
			old := vpsorg.Backup{Server: vpsorg.ServerRef{ID: 12345}, Type: vpsorg.BackupTypeManual,
				Status: vpsorg.StatusCompleted, CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
			if _, err := o.srv.AddBackup(old); err != nil {
				return err
			}
			_, err := o.client.Backups.Prune(ctx, 12345, vpsorg.RetentionPolicy{Last: 1}, nil)
			return err
		},
		want: []string{
			"vpsorg Backups.Prune",
			"  vpsorg Backups.List",
			"    GET /api/v1/backups/ 200",
			"  vpsorg Backups.Delete",
			"    DELETE /api/v1/backups/{id}/ 204",
		},
	}, {
		name: "Client.Do",
		call: func(ctx context.Context, o *observed) error {
			req, err := o.client.NewRequest(ctx, "GET", "servers/?status=active", nil)
			if err != nil {
				return err
			}
			_, err = o.client.Do(req, nil)
			return err
		},
		want: []string{
			"vpsorg Client.Do",
			"  GET /api/v1/servers/ 200",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := newObserved(t, tc.opts...)
			if tc.fault != nil {
				o.srv.AddFault(*tc.fault)
			}
			_ = tc.call(context.Background(), o)
			if got := tree(o.spans.GetSpans()); !slices.Equal(got, tc.want) {
				t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// inProgress adds a manual backup of server 12345 in progress to the fake,
// which completes it before a wait's first poll.
func (o *observed) inProgress(t *testing.T) *vpsorg.Backup {
	t.Helper()
	b := vpsorg.Backup{Server: vpsorg.ServerRef{ID: 12345}, Type: vpsorg.BackupTypeManual, Status: vpsorg.StatusInProgress}
	id, err := o.srv.AddBackup(b)
	if err != nil {
		t.Fatal(err)
	}
	b.ID = id
	return &b
}

// TestTrySpanAttributes: a try's span is a client span with the HTTP
// conventions' attributes, and no others.
func TestTrySpanAttributes(t *testing.T) {
	t.Parallel()
	o := newObserved(t)
	o.srv.AddFault(vpsorgtest.Rule{Method: "DELETE", Nth: 1, Fault: vpsorgtest.Fault{Status: 502}})
	if _, err := o.client.Snapshots.Delete(context.Background(), 798); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(o.srv.URL, "http://"))
	common := []string{
		"http.request.method=DELETE",
		"server.address=127.0.0.1",
		"server.port=" + port,
		"url.template=/api/v1/snapshots/{id}/",
	}
	want := [][]string{
		append([]string{"error.type=502", "http.response.status_code=502"}, common...),
		append([]string{"http.request.resend_count=1", "http.response.status_code=204"}, common...),
	}
	var tries int
	for _, s := range o.spans.GetSpans() {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		if tries >= len(want) {
			t.Fatalf("more than %d tries", len(want))
		}
		got := sortedAttrs(s.Attributes)
		w := slices.Sorted(slices.Values(want[tries]))
		if !slices.Equal(got, w) {
			t.Errorf("try %d attributes:\n%s\nwant:\n%s", tries+1, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
		if s.Name != "DELETE /api/v1/snapshots/{id}/" {
			t.Errorf("try %d is named %q", tries+1, s.Name)
		}
		tries++
	}
	if tries != len(want) {
		t.Fatalf("%d try spans; want %d", tries, len(want))
	}
}
