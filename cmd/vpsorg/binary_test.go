package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestBinary builds vpsorg and runs it as users do: under a pseudo-terminal,
// and against cmd/vpsorg-fake, the fake as a program.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	bin := goBuild(t, ".", ".", "vpsorg")
	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		testTerminal(t, bin)
	})
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		if _, err := os.Stat(filepath.Join("..", "vpsorg-fake")); err != nil {
			t.Skip("no cmd/vpsorg-fake in this tree")
		}
		testAgainstFake(t, bin, goBuild(t, filepath.Join("..", ".."), "./cmd/vpsorg-fake", "vpsorg-fake"))
	})
}

// goBuild builds pkg, from dir, as a temporary binary called name.
func goBuild(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// apiEnv is the environment of a vpsorg process talking to url.
func apiEnv(url, token string) []string {
	return []string{"VPSORG_API_URL=" + url, "VPSORG_API_TOKEN=" + token, "VPSORG_POLL_INTERVAL=50ms", "HOME=" + os.TempDir()}
}

// testTerminal runs "backups create --wait" on a pseudo-terminal: the
// progress line must be redrawn in place while the backup runs and end on
// its final status.
func testTerminal(t *testing.T, bin string) {
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(1500 * time.Millisecond))
	defer srv.Close()
	out := onTerminal(t, bin, apiEnv(srv.URL+"/api/v1/", srv.Token), "backups", "create", "--server", "12345", "--wait")
	spinner := 0
	for _, frame := range []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"} {
		if strings.Contains(out, frame) {
			spinner++
		}
	}
	if spinner < 2 {
		t.Errorf("the spinner did not turn:\n%q", out)
	}
	for _, want := range []string{"backup 502", "in_progress", "✓ backup 502", "completed"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the terminal:\n%q", want, out)
		}
	}
	if !regexp.MustCompile(`502 +web-server-01 \(12345\) +manual +completed`).MatchString(out) {
		t.Errorf("no final table:\n%q", out)
	}
}

// onTerminal runs vpsorg under a pseudo-terminal to its end, checks that
// it succeeded and redrew its progress in place, and returns the screen.
func onTerminal(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	screen, _ := io.ReadAll(tty) // ends with EIO once vpsorg exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("vpsorg: %v\n%q", err, screen)
	}
	out := string(screen)
	// mpb redraws by moving the cursor up and erasing: "\x1b[<n>A\x1b[J".
	redraws := len(regexp.MustCompile(`\x1b\[\d+A\x1b\[J`).FindAllString(out, -1))
	if redraws < 3 {
		t.Errorf("%d redraws, want several:\n%q", redraws, out)
	}
	return out
}

// fakeProgram is a running cmd/vpsorg-fake.
type fakeProgram struct {
	url, token string // API base URL and token, from its first line
	root       string // scheme://host:port, for the control API
}

func startFake(t *testing.T, bin string, args ...string) *fakeProgram {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var log stream // its request log, shown when a test fails
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("vpsorg-fake's log:\n%s", log.String())
		}
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() {
			_ = cmd.Wait() // it was stopped: its exit status says nothing
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("vpsorg-fake said nothing: %v", err)
	}
	m := regexp.MustCompile(`^vpsorg-fake: serving ((http://[^/\s]+)/api/v1/) \(token (\S+)\)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("vpsorg-fake's first line: %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return &fakeProgram{url: m[1], root: m[2], token: m[3]}
}

// apiRequests counts the API requests in the fake's log, whatever its
// field names: entries with a value under /api/v1/.
func (f *fakeProgram) apiRequests(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(f.root + "/_fake/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var log []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&log); err != nil {
		t.Fatalf("GET /_fake/requests: %v", err)
	}
	n := 0
	for _, entry := range log {
		for _, v := range entry {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "/api/v1/") {
				n++
				break
			}
		}
	}
	return n
}

func (f *fakeProgram) failBackup(t *testing.T, id string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, f.root+"/_fake/backups/"+id+"/status", strings.NewReader(`{"status": "failed"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT /_fake/backups/%s/status: %s", id, resp.Status)
	}
}

// vpsorg runs the binary to its end, without a terminal.
func (f *fakeProgram) vpsorg(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	return runBin(t, bin, env, args...)
}

func exitOf(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if exit != nil {
		return exit.ExitCode()
	}
	return 0
}

// waitStarted runs a --wait command until it reports its object in
// progress, calls then with the object's id, and runs it to its end.
func (f *fakeProgram) waitStarted(t *testing.T, bin string, then func(cmd *exec.Cmd, id string), args ...string) result {
	t.Helper()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env, cmd.Stdout = apiEnv(f.url, f.token), &stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(pipe)
	first, err := r.ReadString('\n')
	m := regexp.MustCompile(`^\w+ (\d+): in_progress\n$`).FindStringSubmatch(first)
	if err != nil || m == nil {
		t.Fatalf("first line %q, %v", first, err)
	}
	then(cmd, m[1])
	rest, _ := io.ReadAll(r)
	code := exitOf(t, cmd.Wait())
	return result{stdout: stdout.String(), stderr: first + string(rest), code: code}
}

// testAgainstFake exercises every exit code, and the refusal to delete
// without a terminal, on the binaries.
func testAgainstFake(t *testing.T, bin, fakeBin string) {
	f := startFake(t, fakeBin, "-completion-delay", "1h")
	env := apiEnv(f.url, f.token)
	for _, tc := range []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string
	}{
		{"0 ok", env, []string{"backups", "list", "--server", "12345", "-q"}, exitOK, ""},
		{"2 usage", env, []string{"backups", "list", "--token", "x"}, exitUsage, "the token is never given as a flag"},
		{"3 not found", env, []string{"backups", "create", "--server", "999"}, exitNotFound, "check --server"},
		{"4 unauthorized", apiEnv(f.url, "not-"+f.token), []string{"servers", "list"}, exitUnauthorized, "set VPSORG_API_TOKEN"},
		{"6 timed out", env, []string{"snapshots", "create", "--server", "12345", "--name", "slow", "--wait", "--timeout", "300ms"}, exitTimeout, "timed out after 300ms"},
	} {
		r := f.vpsorg(t, bin, tc.env, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%s: vpsorg %v: exit %d, stderr %q; want %d with %q", tc.name, tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}

	t.Run("2 without a terminal nothing is sent", func(t *testing.T) {
		before := f.apiRequests(t)
		if before == 0 {
			t.Fatal("the fake's log shows none of the requests sent so far")
		}
		for _, args := range [][]string{
			{"backups", "delete", "501"},
			{"snapshots", "restore", "801"},
			{"servers", "restore", "12345", "--backup", "499"},
			{"backups", "prune", "--server", "12345", "--keep", "1"},
		} {
			if r := f.vpsorg(t, bin, env, args...); r.code != exitUsage || !strings.Contains(r.stderr, "no terminal to ask on") {
				t.Errorf("vpsorg %v: exit %d, %q", args, r.code, r.stderr)
			}
		}
		if after := f.apiRequests(t); after != before {
			t.Errorf("%d API requests sent", after-before)
		}
	})

	t.Run("5 the backup failed", func(t *testing.T) {
		r := f.waitStarted(t, bin, func(_ *exec.Cmd, id string) { f.failBackup(t, id) },
			"backups", "create", "--server", "12345", "--wait")
		if r.code != exitFailed || !regexp.MustCompile(`vpsorg: backup \d+ failed \(status failed\)`).MatchString(r.stderr) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("130 Ctrl-C stops the wait only", func(t *testing.T) {
		r := f.waitStarted(t, bin, func(cmd *exec.Cmd, _ string) { _ = cmd.Process.Signal(os.Interrupt) },
			"backups", "create", "--server", "12345", "--wait")
		if r.code != exitInterrupted || !strings.Contains(r.stderr, "stopped waiting for backup") || !strings.Contains(r.stderr, "it goes on on the server") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
