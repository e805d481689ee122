package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

func TestToken(t *testing.T) {
	t.Parallel()
	if f := start(t); f.token != "vpsorgtest-token" {
		t.Fatalf("default token %q", f.token)
	}
	f := start(t, "-token", "s3cret-42")
	if f.token != "s3cret-42" {
		t.Fatalf("token %q on the first line, want s3cret-42", f.token)
	}
	f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 200)
	f.send(t, "GET", "/api/v1/backups/", "", "Bearer vpsorgtest-token").wantStatus(t, 401)
}

func TestFlagsTakeEffect(t *testing.T) {
	t.Parallel()
	faults := writeFile(t, "faults.json", `[
		{"method": "GET", "path": "/api/v1/servers/", "nth": 1, "fault": {"status": 503, "retry_after": "1"}}
	]`)
	// status reads the one field that shows the flag at work.
	backupStatus := func(t *testing.T, f *fake) string {
		f.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, 201)
		b := f.do(t, "GET", "/api/v1/backups/?backup_type=manual", "").object(t)["results"].([]any)[0]
		return b.(map[string]any)["status"].(string)
	}
	serverStatus := func(t *testing.T, f *fake) string {
		f.do(t, "POST", "/api/v1/snapshots/801/restore/", "").wantStatus(t, 200)
		s := f.do(t, "GET", "/api/v1/servers/", "").object(t)["results"].([]any)[0]
		return s.(map[string]any)["status"].(string)
	}
	serverCount := func(t *testing.T, f *fake) string {
		return fmt.Sprint(f.do(t, "GET", "/api/v1/servers/", "").object(t)["count"])
	}
	faultedThenReset := func(t *testing.T, f *fake) string {
		var got []string
		for range 2 {
			got = append(got, fmt.Sprint(f.do(t, "GET", "/api/v1/servers/", "").status))
		}
		f.control(t, "POST", "/_fake/reset", "").wantStatus(t, 204)
		got = append(got, fmt.Sprint(f.do(t, "GET", "/api/v1/servers/", "").status))
		return strings.Join(got, " ")
	}
	tests := []struct {
		flags []string
		check func(*testing.T, *fake) string
		want  string
	}{
		{[]string{"-completion-delay", "0"}, backupStatus, "completed"},
		{[]string{"-completion-delay", "1h"}, backupStatus, "in_progress"},
		{[]string{"-restore-duration", "0"}, serverStatus, "active"},
		{[]string{"-restore-duration", "1h"}, serverStatus, "restoring"},
		{[]string{"-no-seed"}, serverCount, "0"},
		{nil, serverCount, "1"},
		// The file's rules are the start state that reset goes back to.
		{[]string{"-faults", faults}, faultedThenReset, "503 200 503"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			t.Parallel()
			if got := tt.check(t, start(t, tt.flags...)); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestRequestLogOnStderr checks one line a request, in order, and that no
// token ever shows there.
func TestRequestLogOnStderr(t *testing.T) {
	t.Parallel()
	f := start(t, "-token", "tok-visible-only-on-stdout")
	f.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, 201)
	f.do(t, "GET", "/api/v1/backups/?server_id=12345", "").wantStatus(t, 200)
	f.send(t, "GET", "/api/v1/servers/", "", "Bearer not-the-token").wantStatus(t, 401)
	f.control(t, "POST", "/_fake/faults", `{"method": "DELETE", "fault": {"drop": true, "after_action": true}}`).wantStatus(t, 201)
	if resp, err := f.client.Do(mustRequest(t, "DELETE", f.url+"/api/v1/backups/499/", "Bearer "+f.token)); err == nil {
		resp.Body.Close()
		t.Fatal("a dropped DELETE was answered")
	}
	if code := f.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d", code)
	}
	stderr := f.stderr.String()
	for _, secret := range []string{f.token, "not-the-token", "Bearer", "Authorization"} {
		if strings.Contains(stderr, secret) {
			t.Fatalf("stderr shows %q:\n%s", secret, stderr)
		}
	}
	want := []string{
		`^req-000001 POST /api/v1/backups/ 201 acted \S+$`,
		`^req-000002 GET /api/v1/backups/\?server_id=12345 200 \S+$`,
		`^req-000003 GET /api/v1/servers/ 401 \S+$`,
		`^control POST /_fake/faults 201 \S+$`,
		`^req-000004 DELETE /api/v1/backups/499/ - acted fault=\{"drop":true,"after_action":true\} \S+$`,
		`^vpsorg-fake: shutting down$`,
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines on stderr, want %d:\n%s", len(lines), len(want), stderr)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d %q, want %s", i+1, lines[i], w)
		}
	}
}

// TestGracefulShutdown sends the signal while a request waits on a fault's
// delay: the request is answered in full, then the program exits 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			f := start(t)
			f.control(t, "POST", "/_fake/faults", `{"method": "GET", "fault": {"delay": "1s"}}`).wantStatus(t, 201)
			type result struct {
				status int
				body   []byte
				err    error
			}
			answered := make(chan result, 1)
			go func() {
				resp, err := f.client.Do(mustRequest(t, "GET", f.url+"/api/v1/backups/", "Bearer "+f.token))
				if err != nil {
					answered <- result{err: err}
					return
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				answered <- result{resp.StatusCode, body, err}
			}()
			for i := 0; ; i++ {
				if log := f.control(t, "GET", "/_fake/requests", "").value(t).([]any); len(log) > 0 {
					break
				}
				if i == 10000 {
					t.Fatal("the delayed request never arrived")
				}
			}
			f.client.CloseIdleConnections() // or Shutdown waits for the control requests' connection
			if err := f.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r := <-answered
			if r.err != nil || r.status != 200 || !json.Valid(r.body) {
				t.Fatalf("in-flight request: %d %s, %v", r.status, r.body, r.err)
			}
			if code := f.exitCode(t); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
			}
			// The request was still in flight when the shutdown began.
			stderr := f.stderr.String()
			down, served := strings.Index(stderr, "shutting down"), strings.Index(stderr, "req-000001 GET")
			if down < 0 || served < down {
				t.Fatalf("stderr:\n%s\nwant the shutdown before the request's line", stderr)
			}
		})
	}
}
