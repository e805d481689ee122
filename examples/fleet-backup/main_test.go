package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// newFleet is a fake with n servers whose backups complete at once, and a
// client for it.
func newFleet(t *testing.T, n int) (*vpsorgtest.Server, *vpsorg.Client) {
	t.Helper()
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithCompletionDelay(0))
	t.Cleanup(srv.Close)
	for i := range n {
		srv.AddServer(fmt.Sprintf("web-%02d", i+1))
	}
	return srv, srv.Client(vpsorg.WithRateLimit(1000, 50))
}

func testConfig() config {
	return config{Concurrency: 4, Description: "test", Wait: vpsorg.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond}}
}

// backupsPerServer counts the manual backups each server has.
func backupsPerServer(t *testing.T, client *vpsorg.Client) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for b, err := range client.Backups.All(context.Background(), &vpsorg.BackupListOptions{Type: vpsorg.BackupTypeManual}) {
		if err != nil {
			t.Fatal(err)
		}
		out[b.Server.ID]++
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	srv, client := newFleet(t, 30)
	var out bytes.Buffer

	if err := run(context.Background(), client, &out, testConfig()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}

	got := backupsPerServer(t, client)
	if len(got) != 30 {
		t.Fatalf("%d servers have backups; want 30", len(got))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("server %d has %d backups; want 1", id, n)
		}
	}
	for _, want := range []string{"30 servers: starting a backup of each, 4 at a time", "30 backups started", "30 of 30 completed, 0 failed", "30 of 30 servers backed up"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// One wait for all of them: the polls read the shared list, 30 backups
	// on one page, not each server's.
	polls := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && r.Path == "/api/v1/backups/" && !strings.Contains(r.RawQuery, "backup_type") {
			polls++
			if strings.Contains(r.RawQuery, "server_id") {
				t.Errorf("a poll of one server's list: %s", r.RawQuery)
			}
		}
	}
	if polls != 1 {
		t.Errorf("%d polls; want one page, once", polls)
	}
}

func TestRunReportsFailures(t *testing.T) {
	t.Parallel()
	srv, client := newFleet(t, 6)
	// The third create is refused; backup 1 fails when the wait first looks.
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Path: "/api/v1/backups/", Nth: 3,
		Fault: vpsorgtest.Fault{Status: 400, Body: `{"non_field_errors":["Maximum number of manual backups (10) reached for this server."]}`}})
	var once sync.Once
	srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/backups/" {
			once.Do(func() {
				if err := srv.SetBackupStatus(1, vpsorg.StatusFailed); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	})
	var out bytes.Buffer

	err := run(context.Background(), client, &out, testConfig())

	if err == nil || !strings.Contains(err.Error(), "Maximum number of manual backups") || !strings.Contains(err.Error(), "backup 1: vpsorg: operation failed") {
		t.Fatalf("err = %v; want the refused create and the failed backup", err)
	}
	for _, want := range []string{"5 backups started", "1 could not be started", "4 of 5 completed, 1 failed", "backup 1 of web-", "4 of 6 servers backed up"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesNoConcurrency(t *testing.T) {
	t.Parallel()
	srv, client := newFleet(t, 1)
	cfg := testConfig()
	cfg.Concurrency = 0
	if err := run(context.Background(), client, &bytes.Buffer{}, cfg); err == nil {
		t.Fatal("no error for -concurrency 0")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestStartWithoutToken runs the program as CI does: on the fake, which
// it says. It takes about two seconds: 200 creates at 90 a second.
func TestStartWithoutToken(t *testing.T) {
	t.Setenv(vpsorg.EnvToken, "")
	var out bytes.Buffer
	if err := start(context.Background(), &out, config{Concurrency: 8, Description: "test"}, 10); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"VPSORG_API_TOKEN is not set: running against vpsorgtest", "200 servers", "200 of 200 servers backed up"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
