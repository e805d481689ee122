package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestContexts runs the built vpsorg as a script does, with a HOME and
// XDG_CONFIG_HOME of its own, against fakes that each accept one token.
func TestContexts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds vpsorg")
	}
	bin := goBuild(t, ".", ".", "vpsorg")
	for name, test := range map[string]func(*testing.T, string){
		"lifecycle":             testContextLifecycle,
		"home without XDG":      testContextHomeConfig,
		"API root precedence":   testContextAPIURL,
		"open file refused":     testContextOpenFile,
		"bad tokens refused":    testContextBadToken,
		"token prompt no echo":  testContextPrompt,
		"names refused":         testContextNames,
		"broken file explained": testContextBrokenFile,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, bin)
		})
	}
}

// sh runs vpsorg with only the environment it is given, as a script in a
// clean shell would; out gathers everything it printed.
type sh struct {
	bin string
	env []string
	out *strings.Builder
}

func newSh(t *testing.T, bin string, env ...string) sh {
	t.Helper()
	return sh{bin: bin, env: env, out: &strings.Builder{}}
}

// with returns s with more variables.
func (s sh) with(env ...string) sh {
	s.env = append(append([]string(nil), s.env...), env...)
	return s
}

// run runs vpsorg with stdin as its standard input.
func (s sh) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), s.bin, args...)
	// A nil Env would be this process's: an empty one is empty.
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = append([]string{}, s.env...), strings.NewReader(stdin), &stdout, &stderr
	code := exitOf(t, cmd.Run())
	s.out.WriteString(stdout.String() + stderr.String())
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// never fails t if any of the tokens was ever printed.
func (s sh) never(t *testing.T, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if strings.Contains(s.out.String(), tok) {
			t.Errorf("token %q printed:\n%s", tok, s.out.String())
		}
	}
}

// fakeWithToken is a vpsorgtest server that accepts token only.
func fakeWithToken(t *testing.T, token string) (*vpsorgtest.Server, string) {
	t.Helper()
	srv := vpsorgtest.NewServer(vpsorgtest.WithToken(token))
	t.Cleanup(srv.Close)
	return srv, srv.URL + "/api/v1/"
}

// sentWith counts the API requests srv got carrying token.
func sentWith(srv *vpsorgtest.Server, token string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") == "Bearer "+token {
			n++
		}
	}
	return n
}

func testContextLifecycle(t *testing.T, bin string) {
	const tokA, tokB = "tok-aaaa-1111-secret", "tok-bbbb-2222-secret"
	srvA, urlA := fakeWithToken(t, tokA)
	srvB, urlB := fakeWithToken(t, tokB)
	xdg := t.TempDir()
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+xdg)
	path := filepath.Join(xdg, "vpsorg", "config.toml")

	r := s.run(t, tokA+"\n", "context", "create", "a", "--api-url", urlA).expect(t, exitOK)
	if !strings.Contains(r.stderr, `Context "a" created in `+path+"; it is the active context.") || r.stdout != "" {
		t.Errorf("create a: %+v", r)
	}
	checkMode(t, path, 0o600)
	checkMode(t, filepath.Dir(path), 0o700|os.ModeDir)
	r = s.run(t, tokB, "context", "create", "b", "--api-url", urlB).expect(t, exitOK)
	if !strings.Contains(r.stderr, `"a" stays active (vpsorg context use b switches)`) {
		t.Errorf("create b: %q", r.stderr)
	}
	r = s.run(t, "other-token", "context", "create", "b").expect(t, exitUsage)
	if !strings.Contains(r.stderr, `context "b" already exists in `+path+"; delete it first") {
		t.Errorf("b again: %q", r.stderr)
	}

	checkContextList(t, s, urlA, urlB)

	for _, tc := range []struct {
		name string
		s    sh
		args []string
		srv  *vpsorgtest.Server
		tok  string
	}{
		{"the active one", s, nil, srvA, tokA},
		{"--context", s, []string{"--context", "b"}, srvB, tokB},
		{"VPSORG_CONTEXT", s.with("VPSORG_CONTEXT=b"), nil, srvB, tokB},
		{"--context over VPSORG_CONTEXT", s.with("VPSORG_CONTEXT=b"), []string{"--context", "a"}, srvA, tokA},
	} {
		before := sentWith(tc.srv, tc.tok)
		tc.s.run(t, "", append(tc.args, "servers", "list", "-q")...).expect(t, exitOK)
		if sentWith(tc.srv, tc.tok) != before+1 {
			t.Errorf("%s: not sent to its context's API with its token", tc.name)
		}
	}

	// VPSORG_API_TOKEN wins over the active context, and over one named.
	s.run(t, "", "context", "use", "b").expect(t, exitOK)
	envTok := s.with("VPSORG_API_TOKEN="+tokA, "VPSORG_API_URL="+urlA)
	beforeB := len(srvB.Requests())
	r = envTok.run(t, "", "servers", "list", "-q").expect(t, exitOK)
	r2 := envTok.run(t, "", "--context", "b", "servers", "list", "-q").expect(t, exitOK)
	if len(srvB.Requests()) != beforeB || !strings.Contains(r2.stderr, `VPSORG_API_TOKEN is set, so context "b" is not used`) || r.stderr != "" {
		t.Errorf("VPSORG_API_TOKEN did not win: %d requests to b; stderr %q, %q", len(srvB.Requests())-beforeB, r.stderr, r2.stderr)
	}

	r = s.run(t, "", "--context", "c", "servers", "list").expect(t, exitUsage)
	if !strings.Contains(r.stderr, `no context "c" in `+path+" (known: a, b); see 'vpsorg context list'") {
		t.Errorf("unknown context: %q", r.stderr)
	}

	r = s.run(t, "", "context", "active").expect(t, exitOK)
	if r.stdout != "b\n" {
		t.Errorf("context active: %q", r.stdout)
	}
	r = s.run(t, "", "context", "delete", "b").expect(t, exitOK)
	if !strings.Contains(r.stderr, "No context is active now") {
		t.Errorf("delete the active one: %q", r.stderr)
	}
	if r = s.run(t, "", "context", "active").expect(t, exitOK); r.stdout != "" {
		t.Errorf("context active after delete: %q", r.stdout)
	}
	r = s.run(t, "", "servers", "list").expect(t, exitUnauthorized)
	if !strings.Contains(r.stderr, "VPSORG_API_TOKEN is not set; set VPSORG_API_TOKEN to your API token, or add a context: vpsorg context create NAME") {
		t.Errorf("no context active: %q", r.stderr)
	}
	s.run(t, "", "context", "delete", "a").expect(t, exitOK)
	if r = s.run(t, "", "context", "list", "-q").expect(t, exitOK); r.stdout != "" {
		t.Errorf("list after deleting all: %q", r.stdout)
	}
	s.never(t, tokA, tokB)
}

// checkContextList checks every output of "context list": the contexts
// in the order made, the active one marked, no token anywhere.
func checkContextList(t *testing.T, s sh, urlA, urlB string) {
	t.Helper()
	r := s.run(t, "", "context", "list").expect(t, exitOK)
	want := "ACTIVE  NAME  API_URL\n*       a     " + urlA + "\n        b     " + urlB + "\n"
	if r.stdout != want {
		t.Errorf("context list:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = s.run(t, "", "context", "list", "-o", "json").expect(t, exitOK)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(rows) != 2 || rows[0]["name"] != "a" || rows[0]["active"] != true || rows[1]["api_url"] != urlB || len(rows[1]) != 3 {
		t.Errorf("context list -o json: %s", r.stdout)
	}
	if r = s.run(t, "", "context", "list", "-q").expect(t, exitOK); r.stdout != "a\nb\n" {
		t.Errorf("context list -q: %q", r.stdout)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != want {
		t.Errorf("%s: mode %v, want %v", path, info.Mode(), want)
	}
}

// Without XDG_CONFIG_HOME (or with a relative one, which the XDG spec
// says to ignore) the file is ~/.config/vpsorg/config.toml; a context
// without --api-url uses --api-url or VPSORG_API_URL, else the default.
func testContextHomeConfig(t *testing.T, bin string) {
	const tok = "tok-home-3333-secret"
	srv, url := fakeWithToken(t, tok)
	home := t.TempDir()
	s := newSh(t, bin, "HOME="+home, "XDG_CONFIG_HOME=relative/dir")
	s.run(t, tok, "context", "create", "home").expect(t, exitOK)
	checkMode(t, filepath.Join(home, ".config", "vpsorg", "config.toml"), 0o600)
	s.with("VPSORG_API_URL="+url).run(t, "", "servers", "list").expect(t, exitOK)
	if sentWith(srv, tok) != 1 {
		t.Errorf("%d requests with the context's token", sentWith(srv, tok))
	}
	r := s.run(t, "", "context", "list", "-o", "json").expect(t, exitOK)
	if !strings.Contains(r.stdout, `"api_url": "https://admin.vps.org/api/v1/"`) {
		t.Errorf("the default API root is not listed: %s", r.stdout)
	}
	s.never(t, tok)
}

// The API root: --api-url, else VPSORG_API_URL, else the context's.
func testContextAPIURL(t *testing.T, bin string) {
	const tok = "tok-url-4444-secret"
	srvCtx, urlCtx := fakeWithToken(t, tok)
	srvEnv, urlEnv := fakeWithToken(t, tok)
	srvFlag, urlFlag := fakeWithToken(t, tok)
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	s.run(t, tok, "context", "create", "c", "--api-url", urlCtx).expect(t, exitOK)
	s.run(t, "", "servers", "list").expect(t, exitOK)
	s.with("VPSORG_API_URL="+urlEnv).run(t, "", "servers", "list").expect(t, exitOK)
	s.with("VPSORG_API_URL="+urlEnv).run(t, "", "--api-url", urlFlag, "servers", "list").expect(t, exitOK)
	for name, srv := range map[string]*vpsorgtest.Server{"context": srvCtx, "VPSORG_API_URL": srvEnv, "--api-url": srvFlag} {
		if n := sentWith(srv, tok); n != 1 {
			t.Errorf("%s's API got %d requests, want 1", name, n)
		}
	}
	r := s.run(t, tok, "context", "create", "plain", "--api-url", "http://admin.vps.org/api/v1/").expect(t, exitUsage)
	if !strings.Contains(r.stderr, "would send the token in clear text") {
		t.Errorf("clear-text --api-url: %q", r.stderr)
	}
	s.never(t, tok)
}

// A config file others can read is refused before anything is sent, with
// the command that fixes it; vpsorg never loosens or fixes it itself.
func testContextOpenFile(t *testing.T, bin string) {
	const tok = "tok-open-5555-secret"
	srv, url := fakeWithToken(t, tok)
	xdg := t.TempDir()
	path := filepath.Join(xdg, "vpsorg", "config.toml")
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+xdg)
	s.run(t, tok, "context", "create", "c", "--api-url", url).expect(t, exitOK)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"servers", "list"}, {"context", "list"}, {"context", "create", "d"}, {"context", "use", "c"}} {
			r := s.run(t, tok, args...).expect(t, exitUsage)
			want := fmt.Sprintf("vpsorg: config file %s: others can read it (mode %04o), so its tokens are not used; make it private: chmod 600 %s\n", path, mode, path)
			if r.stderr != want {
				t.Errorf("mode %o, vpsorg %v: %q", mode, args, r.stderr)
			}
		}
		checkMode(t, path, mode)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent with an open config file", n)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	s.run(t, "", "servers", "list").expect(t, exitOK)
	s.never(t, tok)
}

// An empty or malformed token is refused, never echoed, and leaves no
// file behind.
func testContextBadToken(t *testing.T, bin string) {
	xdg := t.TempDir()
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+xdg)
	for _, tc := range []struct{ stdin, want string }{
		{"", "the token is empty"},
		{"  \n\n", "the token is empty"},
		{"tok-one-secret\ntok-two-secret\n", "the token holds spaces or control characters"},
		{"token: tok-label-secret", "the token holds spaces or control characters"},
		{strings.Repeat("x", 5000), "longer than 4096 bytes"},
	} {
		r := s.run(t, tc.stdin, "context", "create", "c").expect(t, exitUsage)
		if !strings.Contains(r.stderr, tc.want+"; give the token alone") {
			t.Errorf("stdin %.20q: %q", tc.stdin, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(xdg, "vpsorg")); !os.IsNotExist(err) {
		t.Errorf("a refused token left %v", err)
	}
	r := s.run(t, "", "context", "create", "c", "--token", "tok-flag-secret").expect(t, exitUsage)
	if !strings.Contains(r.stderr, "the token is never given as a flag") {
		t.Errorf("--token: %q", r.stderr)
	}
	s.never(t, "tok-one-secret", "tok-two-secret", "tok-label-secret", "tok-flag-secret", "xxxxxxxxxx")
}

// Context names are plain words; an unknown one names the known ones.
func testContextNames(t *testing.T, bin string) {
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	for _, name := range []string{"a b", "-x", "é", strings.Repeat("n", 65), "a/b"} {
		r := s.run(t, "tok-name-secret", "context", "create", "--", name).expect(t, exitUsage)
		if !strings.Contains(r.stderr, "use up to 64 letters, digits") {
			t.Errorf("name %q: %q", name, r.stderr)
		}
	}
	for _, args := range [][]string{{"context", "use", "x"}, {"context", "delete", "x"}, {"--context", "x", "context", "active"}} {
		r := s.run(t, "", args...).expect(t, exitUsage)
		if !strings.Contains(r.stderr, `no context "x" in `) || !strings.Contains(r.stderr, "(there are none)") {
			t.Errorf("%v: %q", args, r.stderr)
		}
	}
	r := newSh(t, bin).run(t, "tok-name-secret", "context", "create", "c").expect(t, exitUsage)
	if !strings.Contains(r.stderr, "no directory for the config file; set HOME or XDG_CONFIG_HOME") {
		t.Errorf("without HOME: %q", r.stderr)
	}
	s.never(t, "tok-name-secret")
}

// A config file vpsorg cannot read is explained by its line, never by
// its content, which may hold a token.
func testContextBrokenFile(t *testing.T, bin string) {
	xdg := t.TempDir()
	path := filepath.Join(xdg, "vpsorg", "config.toml")
	s := newSh(t, bin, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+xdg)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ content, want string }{
		{"active_context = \"a\"\n[[contexts]]\nname = \"a\"\ntoken = \"tok-broken-secret\n", "line 4 is not valid TOML"},
		{"[[contexts]]\nname = \"a\"\ntoken = \"tok-broken-secret\"\ntokne = \"tok-broken-secret\"\n", `unknown key "contexts.tokne"`},
		{"[[contexts]]\nname = \"a\"\ntoken = 12\n", "not a vpsorg config file (a value has the wrong type)"},
		{"active_context = \"b\"\n[[contexts]]\nname = \"a\"\ntoken = \"tok-broken-secret\"\n", `the active context "b" is not there`},
		{"[[contexts]]\nname = \"a\"\ntoken = \"tok broken-secret\"\n", `context "a": the token holds spaces`},
		{"[[contexts]]\nname = \"a\"\ntoken = \"\"\n", `context "a": the token is empty`},
	} {
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		r := s.run(t, "", "servers", "list").expect(t, exitUsage)
		if !strings.Contains(r.stderr, "vpsorg: config file "+path+": "+tc.want) {
			t.Errorf("%q: %q", tc.content, r.stderr)
		}
	}
	s.never(t, "tok-broken-secret", "tok broken-secret")
}
