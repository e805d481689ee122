package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// binary is the program, built once by TestMain for every test.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vpsorg-fake-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "vpsorg-fake")
	// -race carries over, so the program's own races are caught too.
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building vpsorg-fake:", err)
		return 1
	}
	return m.Run()
}

// startTimeout bounds how long the program may take to print its first line
// or to exit.
const startTimeout = 10 * time.Second

// fake is a running vpsorg-fake.
type fake struct {
	url    string // "http://127.0.0.1:PORT"
	token  string
	cmd    *exec.Cmd
	stderr stderrFile
	done   chan struct{} // closed once the program has exited
	err    error         // its exit, once done is closed
	client *http.Client
}

// start runs the program on a free loopback port with the flags given and
// waits for its first line, which must name 127.0.0.1. It is stopped when the
// test ends.
func start(t *testing.T, args ...string) *fake {
	t.Helper()
	f := launch(t, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	if !strings.HasPrefix(f.url, "http://127.0.0.1:") {
		t.Fatalf("serving on %s, want 127.0.0.1", f.url)
	}
	return f
}

// launch runs the program with args and waits for its first line.
func launch(t *testing.T, args ...string) *fake {
	t.Helper()
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a buffer: the program writes it directly, so there is no
	// copying goroutine to race with the test's reads.
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close() // the child has its own copy
	f := &fake{cmd: cmd, stderr: stderrFile(errFile.Name()), done: make(chan struct{}), client: &http.Client{Transport: &http.Transport{}}}
	cmd.Stderr = errFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		f.err = cmd.Wait()
		close(f.done)
	}()
	t.Cleanup(func() {
		f.client.CloseIdleConnections()
		select {
		case <-f.done:
			return
		default:
		}
		_ = cmd.Process.Kill()
		<-f.done
	})
	select {
	case line, ok := <-lines:
		m := regexp.MustCompile(`^vpsorg-fake: serving (http://\S+:[1-9][0-9]*)/api/v1/ \(token (\S+)\)$`).FindStringSubmatch(line)
		if !ok || m == nil {
			<-f.done
			t.Fatalf("first line %q; stderr:\n%s", line, f.stderr)
		}
		f.url, f.token = m[1], m[2]
	case <-time.After(startTimeout):
		t.Fatalf("no first line after %v; stderr:\n%s", startTimeout, f.stderr)
	}
	return f
}

// stop sends sig and returns the exit code.
func (f *fake) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := f.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return f.exitCode(t)
}

func (f *fake) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(startTimeout):
		t.Fatalf("still running after %v", startTimeout)
	}
	var exit *exec.ExitError
	if errors.As(f.err, &exit) {
		return exit.ExitCode()
	}
	if f.err != nil {
		t.Fatal(f.err)
	}
	return 0
}

func mustRequest(t *testing.T, method, url, auth string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	return req
}

// answer is a response, its body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request to the API with the token; body "" sends none.
func (f *fake) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	return f.send(t, method, path, body, "Bearer "+f.token)
}

// control sends a request to the control API, which takes no token.
func (f *fake) control(t *testing.T, method, path, body string) answer {
	t.Helper()
	return f.send(t, method, path, body, "")
}

func (f *fake) send(t *testing.T, method, path, body, auth string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, f.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}
}

func (a answer) wantStatus(t *testing.T, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	return a
}

// value decodes the body as generic JSON.
func (a answer) value(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return v
}

// object decodes the body as a JSON object.
func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	obj, ok := a.value(t).(map[string]any)
	if !ok {
		t.Fatalf("body %s is not an object", a.body)
	}
	return obj
}

// stderrFile is the file the program's stderr goes to.
type stderrFile string

// String is what the program has written so far.
func (name stderrFile) String() string {
	data, err := os.ReadFile(string(name))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(data)
}
