package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runToEnd runs the program with args, expecting it to exit by itself, and
// returns its exit code, stdout and stderr.
func runToEnd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	badRules := writeFile(t, "bad.json", `[{"method": "GET", "fault": {"status": 503}}, {"fault": {"delay": "soon"}}]`)
	notJSON := writeFile(t, "not.json", `[{"fault":`)
	tests := []struct {
		name string
		args []string
		want string // a part of the one line on stderr
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"argument", []string{"serve"}, `unexpected argument "serve"`},
		{"page size not a number", []string{"-page-size", "x"}, `invalid value "x" for flag -page-size`},
		{"page size zero", []string{"-page-size", "0"}, "-page-size 0: want 1 or more"},
		{"negative delay", []string{"-completion-delay", "-1s"}, "-completion-delay -1s: want zero or more"},
		{"negative restore", []string{"-restore-duration", "-1ms"}, "-restore-duration -1ms"},
		{"bad duration", []string{"-completion-delay", "soon"}, `invalid value "soon" for flag -completion-delay`},
		{"negative rate", []string{"-rate-limit", "-1"}, "-rate-limit -1: want requests a second"},
		{"empty token", []string{"-token", ""}, "-token: want a token without spaces"},
		{"token with a space", []string{"-token", "a b"}, "-token: want a token without spaces"},
		{"no port", []string{"-addr", "127.0.0.1"}, `-addr "127.0.0.1": want host:port`},
		{"every interface", []string{"-addr", "0.0.0.0:0"}, "not a loopback address, and the control API under /_fake/ takes no token"},
		{"no host", []string{"-addr", ":0"}, "give -allow-remote"},
		{"a name", []string{"-addr", "127.0.0.1.example.com:0"}, "not a loopback address"},
		{"faults file missing", []string{"-faults", filepath.Join(t.TempDir(), "none.json")}, "-faults: open"},
		{"faults file not JSON", []string{"-faults", notJSON}, "rules: unexpected EOF"},
		{"faults file bad rule", []string{"-faults", badRules}, `rule 2: fault.delay "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runToEnd(t, tt.args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and no stdout", code, stdout, stderr)
			}
			if !strings.HasPrefix(stderr, "vpsorg-fake: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("stderr %q, want one line with %q", stderr, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runToEnd(t, "-h")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	for _, flag := range []string{"-addr", "-token", "-no-seed", "-completion-delay", "-restore-duration",
		"-page-size", "-no-page-links", "-rate-limit", "-faults", "-allow-remote"} {
		if !strings.Contains(stderr, "  "+flag) {
			t.Errorf("usage does not list %s:\n%s", flag, stderr)
		}
	}
}

func TestAddressInUse(t *testing.T) {
	t.Parallel()
	f := start(t)
	addr := strings.TrimPrefix(f.url, "http://")
	code, stdout, stderr := runToEnd(t, "-addr", addr)
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "cannot serve on "+addr) || !strings.Contains(stderr, "address already in use") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	f.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, 200) // the first one is still serving
}

func TestAllowRemote(t *testing.T) {
	t.Parallel()
	f := launch(t, "-addr", "0.0.0.0:0", "-allow-remote")
	// Go reports a listener on every interface as "[::]", even for 0.0.0.0.
	u, err := url.Parse(f.url)
	if err != nil || (u.Hostname() != "0.0.0.0" && u.Hostname() != "::") {
		t.Fatalf("URL %q, want every interface", f.url)
	}
	f.url = "http://" + net.JoinHostPort("127.0.0.1", u.Port())
	f.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, 200)
}
