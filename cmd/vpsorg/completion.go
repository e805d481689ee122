package main

import (
	"io"

	"github.com/spf13/cobra"
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
