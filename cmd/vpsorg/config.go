package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// envPrefix names the environment variables flags can come from:
// --api-url is VPSORG_API_URL, --output is VPSORG_OUTPUT.
const envPrefix = "VPSORG_"

// notFromEnv are the flags an environment variable may not set: --yes is
// a decision about one command, never a setting left in a shell.
var notFromEnv = map[string]bool{"yes": true, "help": true}

// envName is the variable a flag can be set from.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets every flag of cmd that the command line did not set from
// its VPSORG_* variable, before cobra parses the command line, so that the
// command line wins and required flags can come from the environment.
func applyEnv(cmd *cobra.Command, getenv func(string) string) error {
	cmd.InheritedFlags() // merges the parents' persistent flags into cmd.Flags()
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || notFromEnv[f.Name] {
			return
		}
		name := envName(f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		if cmd.Flags().Set(f.Name, v) != nil {
			err = usageErrorf("unset it or give --"+f.Name, "%s=%q is not %s", name, v, valueWanted(f))
		}
	})
	return err
}

// tokenFlagError turns cobra's "unknown flag: --token" into a refusal that
// says where the token goes instead. A token on the command line ends up in
// shell history and in ps output, so there is no such flag.
func tokenFlagError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "unknown flag: --"); i >= 0 && strings.Contains(strings.ToLower(msg[i:]), "token") {
		return usageErrorf("the token is never given as a flag: set "+vpsorg.EnvToken, "%s", firstField(msg[i:]))
	}
	return nil
}

// firstField keeps "unknown flag: --token" and drops "=value", so a token
// typed on the command line is not echoed back.
func firstField(s string) string {
	if i := strings.IndexAny(s, "= "); i > len("unknown flag:") {
		return s[:i]
	}
	return s
}

// newClient builds the SDK client from the token and API root that
// credentials picks (VPSORG_API_TOKEN, a context) and the global flags. A
// missing token is exit 4: nothing could be authorized.
func (a *app) newClient() (*vpsorg.Client, error) {
	token, apiURL, err := a.credentials()
	if err != nil {
		return nil, err
	}
	a.apiURL = apiURL // a context's API root, when it is the one used
	opts := []vpsorg.Option{
		vpsorg.WithBaseURL(apiURL),
		vpsorg.WithUserAgent("vpsorg-cli/" + cliVersion()),
	}
	if a.debug {
		opts = append(opts, vpsorg.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := vpsorg.NewClient(token, opts...)
	if err != nil {
		return nil, &failure{err: a.apiURLError(token, opts, err), hint: "check --api-url or " + vpsorg.EnvBaseURL, code: exitUsage}
	}
	return c, nil
}

// apiURLError says why the SDK refused --api-url in the command line's
// words: its messages for an empty or a clear-text URL name its options,
// which mean nothing here.
func (a *app) apiURLError(token string, opts []vpsorg.Option, err error) error {
	if strings.TrimSpace(a.apiURL) == "" {
		return errors.New("the API root is empty")
	}
	u, parseErr := url.Parse(strings.TrimSpace(a.apiURL))
	if parseErr == nil && u.Scheme == "http" {
		// Accepted when clear text is allowed: refused for that alone.
		if _, insecureErr := vpsorg.NewClient(token, append(opts, vpsorg.WithInsecureHTTP())...); insecureErr == nil {
			return fmt.Errorf("http:// to %s would send the token in clear text; use https (http:// is for localhost and loopback addresses only)", u.Hostname())
		}
	}
	return err
}

// terminal reports whether v is a terminal. Tests pass streams with an
// IsTerminal method; real runs pass *os.File.
func terminal(v any) bool {
	switch t := v.(type) {
	case interface{ IsTerminal() bool }:
		return t.IsTerminal()
	case interface{ Fd() uintptr }:
		return term.IsTerminal(int(t.Fd()))
	}
	return false
}

// terminalWidth is the width of the terminal v, or 80 when unknown.
func terminalWidth(v any) int {
	if t, ok := v.(interface{ Fd() uintptr }); ok {
		if w, _, err := term.GetSize(int(t.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// redactor replaces the tokens in use in everything written through it:
// the SDK never logs them, and this keeps a server that echoes one back
// from making the CLI print it.
type redactor struct {
	w       io.Writer
	secrets *secrets
}

func newRedactor(w io.Writer, s *secrets) io.Writer {
	return &redactor{w: w, secrets: s}
}

func (r *redactor) Write(p []byte) (int, error) {
	clean, changed := r.secrets.redact(p)
	if !changed {
		return r.w.Write(p)
	}
	if _, err := r.w.Write(clean); err != nil {
		return 0, err
	}
	return len(p), nil
}

// secrets are the tokens this run knows: VPSORG_API_TOKEN's from the
// start, a context's once it is read. stdout's and stderr's redactors
// share them; progress goroutines write while a token may be added.
type secrets struct {
	mu   sync.Mutex
	list [][]byte
}

// add adds a token; one shorter than 4 bytes is too short to tell from
// ordinary text, and replacing it would garble the output.
func (s *secrets) add(secret string) {
	secret = strings.TrimSpace(secret)
	if len(secret) < 4 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, []byte(secret))
}

// redact returns p with every token replaced by "[redacted]", and
// whether it held any.
func (s *secrets) redact(p []byte) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, secret := range s.list {
		if bytes.Contains(p, secret) {
			p, changed = bytes.ReplaceAll(p, secret, []byte("[redacted]")), true
		}
	}
	return p, changed
}
