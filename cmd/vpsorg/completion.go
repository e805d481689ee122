package main

import (
	"context"
	"io"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print the completion script for a shell to stdout. Load it in the shell's
start-up file, or write it where the shell looks for completions.`,
		Example: `  source <(vpsorg completion bash)
  vpsorg completion zsh > "${fpath[1]}/_vpsorg"
  vpsorg completion fish > ~/.config/fish/completions/vpsorg.fish
  vpsorg completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			return runCompletion(cmd.Root(), cmd.OutOrStdout(), args[0])
		}),
	}
}

// runCompletion writes the completion script of root's commands for shell.
func runCompletion(root *cobra.Command, out io.Writer, shell string) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(out, true)
	case "zsh":
		return root.GenZshCompletion(out)
	case "fish":
		return root.GenFishCompletion(out, true)
	default:
		return root.GenPowerShellCompletionWithDesc(out)
	}
}

// completionTimeout bounds the one request a tab completion makes: the
// shell waits for it, and offering nothing beats hanging.
const completionTimeout = 3 * time.Second

// completeIDs offers, for a command's id arguments, the ids the API has, as
// "501<tab>web-server-01 manual completed 2025-01-16". It sends one list
// request (the first 100 objects) and offers nothing, quietly, without a
// token or an answer. many: the command takes several ids.
func completeIDs[T any](a *app, k kind[T], many bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 && !many {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return offerIDs(cmd.Context(), a, k.list, k.view.id, k.label, args), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeBackupFlag offers for --backup the backups of the server the
// command's argument names, or every server's before it is typed.
func completeBackupFlag(a *app) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		opts := &vpsorg.BackupListOptions{ListOptions: vpsorg.ListOptions{PageSize: findPageSize}}
		if len(args) > 0 {
			opts.ServerID, _ = strconv.ParseInt(args[0], 10, 64) // a bad one lists every server's
			opts.ServerID = max(opts.ServerID, 0)
		}
		list := func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Backup, error] {
			return c.Backups.All(ctx, opts)
		}
		return offerIDs(cmd.Context(), a, list, backupView.id, backupKind.label, nil), cobra.ShellCompDirectiveNoFileComp
	}
}

// offerIDs lists the first page of list, at most 100 objects, and returns
// "ID<tab>label" for each whose id is not among typed. Any error, a missing
// token included, offers nothing: a shell shows no message anyway.
func offerIDs[T any](ctx context.Context, a *app, list func(context.Context, *vpsorg.Client) iter.Seq2[T, error],
	idOf func(T) int64, label func(T) string, typed []string,
) []string {
	// The token comes as for any command: VPSORG_API_TOKEN, or a context.
	// Without either, newClient fails before anything is sent.
	c, err := a.newClient()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	var out []string
	n := 0
	for it, err := range list(ctx, c) {
		if err != nil {
			return nil
		}
		if id := formatID(idOf(it)); !slices.Contains(typed, id) {
			out = append(out, id+"\t"+cell(label(it)))
		}
		if n++; n == findPageSize {
			break // the next item would cost a second request
		}
	}
	return out
}
