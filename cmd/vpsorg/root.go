package main

import (
	"cmp"
	"context"
	"errors"
	"io"
	"iter"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

var errNoToken = errors.New(vpsorg.EnvToken + " is not set")

// app is one run of vpsorg: its streams and environment, what is known of
// them, and the global flags. Every command reads it; nothing is global.
type app struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	interactive bool // stdin and stderr are terminals: a prompt can be answered
	live        bool // stderr is a terminal: progress is redrawn in place
	width       int  // stderr's width when live

	apiURL       string
	debug        bool
	pollInterval time.Duration

	contextName string         // --context, VPSORG_CONTEXT
	rootFlags   *pflag.FlagSet // the global flags, to tell a set --api-url from its default
	secrets     *secrets       // the tokens output is cleaned of
}

// run is vpsorg with its world passed in, so tests run it in-process. It
// returns the exit code. SIGINT and SIGTERM end what it waits for, never the
// operation on the server.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		select {
		case <-signals:
			cancel(errInterrupted)
		case <-ctx.Done():
		}
	}()
	return execute(ctx, args, getenv, stdin, stdout, stderr)
}

// execute runs the command line under ctx; a ctx cancelled with cause
// errInterrupted is a Ctrl-C.
func execute(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	secrets := &secrets{}
	secrets.add(getenv(vpsorg.EnvToken))
	a := &app{
		getenv:      getenv,
		stdin:       stdin,
		stdout:      newRedactor(stdout, secrets),
		stderr:      newRedactor(stderr, secrets),
		secrets:     secrets,
		interactive: terminal(stdin) && terminal(stderr),
		live:        terminal(stderr),
		width:       terminalWidth(stderr),
	}
	root := newRootCmd(a) //nolint:contextcheck // commands get ctx from cmd.Context(), set by ExecuteContext below
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)

	if cmd, _, err := root.Find(args); err == nil {
		if err := applyEnv(cmd, getenv); err != nil {
			report(a.stderr, err)
			return exitCode(err)
		}
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var f *failure
	switch {
	case errors.Is(context.Cause(ctx), errInterrupted) && exitCode(err) != exitInterrupted:
		// Ctrl-C in a call: the SDK reports the context's plain Canceled.
		err = &failure{err: errInterrupted, hint: "whatever was sent goes on on the server", code: exitInterrupted}
	case !errors.As(err, &f):
		// Anything cobra itself refused (flags, arguments, commands).
		err = &failure{err: err, hint: "see 'vpsorg --help'", code: exitUsage}
	}
	report(a.stderr, err)
	return exitCode(err)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "vpsorg",
		Short: "Manage VPS.org backups and snapshots",
		Long: `vpsorg lists, creates, waits for, restores, deletes and prunes backups and
snapshots of your VPS.org servers.

It reads the API token from VPSORG_API_TOKEN (never from a flag) or from a
context ("vpsorg context --help"), and the API root from --api-url,
VPSORG_API_URL or the context. Any other flag can also be set from
VPSORG_<FLAG>, such as VPSORG_OUTPUT=json; the command line wins. --yes is the
exception: it is given per command.

Data goes to stdout (-o table|json|yaml, --columns, --no-header, -q for ids);
progress, prompts and errors go to stderr. "wait ID..." waits again for what
a --wait left running. Commands that delete or restore ask on a terminal and
need --yes anywhere else.

` + contextsHelp + `

` + exitCodesHelp,
		Example: `  export VPSORG_API_TOKEN=...
  vpsorg backups list --server 12345
  vpsorg snapshots create --server 12345 --name pre-deploy --wait
  vpsorg backups prune --server 12345 --keep 7 --yes`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.CompletionOptions.DisableDefaultCmd = true // ours below carries an example
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if plainErr := cmp.Or(tokenFlagError(err), flagValueError(cmd, err)); plainErr != nil {
			return plainErr
		}
		return usageErrorf("see '"+cmd.CommandPath()+" --help'", "%v", err)
	})
	root.SetHelpCommand(&cobra.Command{
		Use:     "help [command]",
		Short:   "Help about any command",
		Example: "  vpsorg help backups prune",
		Run: func(cmd *cobra.Command, args []string) {
			target, _, err := cmd.Root().Find(args)
			if err != nil || target == nil {
				target = cmd.Root()
			}
			_ = target.Help()
		},
	})

	addGlobalFlags(root, a)
	root.AddCommand(
		newBackupsCmd(a),
		newSnapshotsCmd(a),
		newServersCmd(a),
		newContextCmd(a),
		newCompletionCmd(),
		newVersionCmd(a),
	)
	return root
}

// addGlobalFlags gives root the flags every command takes.
func addGlobalFlags(root *cobra.Command, a *app) {
	pf := root.PersistentFlags()
	pf.StringVar(&a.apiURL, "api-url", vpsorg.DefaultBaseURL, "API root (env VPSORG_API_URL)")
	pf.BoolVar(&a.debug, "debug", false, "log the SDK's requests and answers to stderr (never the token)")
	pf.DurationVar(&a.pollInterval, "poll-interval", vpsorg.DefaultWaitInterval, "first delay between polls of --wait; later ones back off")
	addContextFlag(root, a)
	a.rootFlags = pf // credentials tells a set --api-url from its default
}

// group is a command that only holds subcommands. Without one it shows
// help; with an unknown one it is a usage error (cobra would show help and
// exit 0, which hides a typo in a script).
func group(use, short, example string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("see '"+cmd.CommandPath()+" --help'", "unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// asFailureRunE adapts a command's body for cobra: every error it returns
// becomes a *failure, so execute can tell them from cobra's own usage
// errors.
func asFailureRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		var f *failure
		if err == nil || errors.As(err, &f) {
			return err
		}
		return &failure{err: err}
	}
}

// listAndWrite is the end of every list command: it walks list to the end,
// orders the items (order may be nil: the API's order) and prints them.
// what names them for errors: "backups".
func listAndWrite[T any](ctx context.Context, a *app, out outputFlags, what string,
	list func(context.Context, *vpsorg.Client) iter.Seq2[T, error], order func([]T), v view[T],
) error {
	c, err := a.newClient()
	if err != nil {
		return err
	}
	items, err := collect(list(ctx, c))
	if err != nil {
		return apiFailure("list "+what, err, "check --server: vpsorg servers list")
	}
	if order != nil {
		order(items)
	}
	return writeList(a.stdout, out, v, items)
}

// collect walks a listing to the end: tables and JSON arrays need it whole.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	items := []T{}
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}
