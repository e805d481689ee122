package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// stream is an output buffer safe for the progress goroutines; with tty
// set it says it is a terminal, as a test's stand-in for one.
type stream struct {
	mu  sync.Mutex
	buf bytes.Buffer
	tty bool
}

func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *stream) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *stream) IsTerminal() bool { return s.tty }

// input is stdin; with tty set it is a terminal a user types into.
type input struct {
	io.Reader
	tty bool
}

func (i input) IsTerminal() bool { return i.tty }

// invocation is one in-process run of vpsorg.
type invocation struct {
	env   map[string]string
	stdin string
	tty   bool // stdin and stderr are terminals
	ctx   context.Context
}

type result struct {
	stdout, stderr string
	code           int
}

func (inv invocation) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr stream
	stderr.tty = inv.tty
	ctx := inv.ctx
	if ctx == nil {
		ctx = t.Context()
	}
	getenv := func(k string) string { return inv.env[k] }
	code := execute(ctx, args, getenv, input{strings.NewReader(inv.stdin), inv.tty}, &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// fake starts a vpsorgtest server whose backups and snapshots complete at
// once, and returns it with the environment pointing vpsorg at it.
func fake(t *testing.T, opts ...vpsorgtest.Option) (*vpsorgtest.Server, invocation) {
	t.Helper()
	srv := vpsorgtest.NewServer(append([]vpsorgtest.Option{vpsorgtest.WithCompletionDelay(0), vpsorgtest.WithRestoreDuration(0)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, invocation{env: map[string]string{
		"VPSORG_API_URL":       srv.URL + "/api/v1/",
		"VPSORG_API_TOKEN":     srv.Token,
		"VPSORG_POLL_INTERVAL": "1ms",
	}}
}

// with returns inv with more environment variables.
func (inv invocation) with(kv ...string) invocation {
	env := make(map[string]string, len(inv.env)+len(kv)/2)
	for k, v := range inv.env {
		env[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	inv.env = env
	return inv
}

func (r result) expect(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}
