package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newContextCreateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME [--api-url URL]",
		Short: "Store an account's token under a name",
		Long: `Store an API token under NAME, with --api-url when the account is not on
the default API root. The token is read from standard input: typed at a
prompt that does not show it on a terminal, or piped in by a script. It is
never a flag, so it stays out of shell history and process lists.

The first context becomes the active one; later ones do not, so that a
script that adds an account never switches the account the next command
acts on: "vpsorg context use NAME" does. A name already taken is refused:
delete it first to store a new token under it.

` + contextsHelp,
		Example: `  vpsorg context create work                       # asks for the token
  printf '%s\n' "$TOKEN" | vpsorg context create ci
  vpsorg context create staging --api-url https://staging.example.com/api/v1/ < token.txt`,
		Args: cobra.ExactArgs(1),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			return runContextCreate(cmd.Context(), a, args[0])
		}),
	}
}

func runContextCreate(ctx context.Context, a *app, name string) error {
	if err := checkContextName(name); err != nil {
		return usageErrorf("see 'vpsorg context create --help'", "%w", err)
	}
	path, cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if cfg.find(name) != nil {
		return usageErrorf("delete it first (vpsorg context delete "+name+") or choose another name",
			"context %q already exists in %s", name, path)
	}
	apiURL, err := a.contextAPIURL()
	if err != nil {
		return err
	}
	token, err := a.readToken(ctx, name)
	if err != nil {
		return err
	}
	a.secrets.add(token)
	cfg.Contexts = append(cfg.Contexts, &contextEntry{Name: name, Token: secret(token), APIURL: apiURL})
	if cfg.ActiveContext == "" {
		cfg.ActiveContext = name
	}
	if err := saveConfig(path, cfg); err != nil {
		return err
	}
	if cfg.ActiveContext == name {
		fmt.Fprintf(a.stderr, "Context %q created in %s; it is the active context.\n", name, path)
	} else {
		fmt.Fprintf(a.stderr, "Context %q created in %s; %q stays active (vpsorg context use %s switches).\n", name, path, cfg.ActiveContext, name)
	}
	return nil
}

// contextAPIURL is the API root a new context keeps: --api-url (or
// VPSORG_API_URL) when given, checked as a command would check it; ""
// otherwise, for the default.
func (a *app) contextAPIURL() (string, error) {
	if !a.rootFlags.Changed("api-url") {
		return "", nil
	}
	const probe = "token-for-checking-the-url" // NewClient checks the URL; nothing is sent
	opts := []vpsorg.Option{vpsorg.WithBaseURL(a.apiURL)}
	if _, err := vpsorg.NewClient(probe, opts...); err != nil {
		return "", &failure{err: a.apiURLError(probe, opts, err), hint: "check --api-url or " + vpsorg.EnvBaseURL, code: exitUsage}
	}
	return strings.TrimSpace(a.apiURL), nil
}

// maxTokenInput bounds what is read from standard input for a token.
const maxTokenInput = 4096

// readToken reads the new context's token: at a prompt that does not echo
// on a terminal, else all of standard input. It is refused when empty or
// malformed; the message never shows it.
func (a *app) readToken(ctx context.Context, name string) (string, error) {
	var raw string
	var err error
	if terminal(a.stdin) {
		fmt.Fprintf(a.stderr, "API token for context %q (not shown): ", name)
		raw, err = readHidden(ctx, a.stdin)
		fmt.Fprintln(a.stderr)
	} else {
		var b []byte
		b, err = io.ReadAll(io.LimitReader(a.stdin, maxTokenInput+1))
		raw = string(b)
	}
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(raw)
	if err := checkToken(token); err != nil {
		return "", usageErrorf("give the token alone, on standard input or at the prompt; no context was created", "%w", err)
	}
	return token, nil
}

// readHidden reads a line from the terminal in without echoing it. Ctrl-C
// arrives as ctx's end (vpsorg catches SIGINT): it gives the terminal its
// echo back, which ReadPassword would only do once Enter is pressed.
func readHidden(ctx context.Context, in io.Reader) (string, error) {
	f, ok := in.(interface{ Fd() uintptr })
	if !ok { // a test's stand-in for a terminal: a line of text
		line, err := bufio.NewReader(in).ReadString('\n')
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return line, err
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read the token: %w", err)
	}
	type answer struct {
		b   []byte
		err error
	}
	done := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- answer{b, err}
	}()
	select {
	case ans := <-done:
		if ans.err != nil {
			return "", fmt.Errorf("read the token: %w", ans.err)
		}
		return string(ans.b), nil
	case <-ctx.Done():
		_ = term.Restore(fd, state) // vpsorg exits next: the read is abandoned
		return "", &failure{err: errInterrupted, hint: "no context was created", code: exitInterrupted}
	}
}
