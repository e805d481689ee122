package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// envContext names the context to use, like --context.
const envContext = envPrefix + "CONTEXT"

// contextsHelp is how a command picks its token and API root; the root's
// and "context"'s help show it.
const contextsHelp = `Which token and API root a command uses:
  token     VPSORG_API_TOKEN, else the token of the context named by
            --context or VPSORG_CONTEXT, else of the active context
  API root  --api-url, else VPSORG_API_URL, else the context's (when the
            token is a context's), else https://admin.vps.org/api/v1/
Contexts live in $XDG_CONFIG_HOME/vpsorg/config.toml (else
~/.config/vpsorg/config.toml), mode 0600. A config file that others can
read is refused (exit 2, nothing sent) until "chmod 600" makes it private.`

// addContextFlag gives root the global --context flag (VPSORG_CONTEXT).
func addContextFlag(root *cobra.Command, a *app) {
	root.PersistentFlags().StringVar(&a.contextName, "context", "", "use this context's token and API root (env "+envContext+")")
	_ = root.RegisterFlagCompletionFunc("context", a.completeContextNames)
}

// credentials returns the token and API root a command sends with, as
// contextsHelp says. A context's token joins the secrets that output is
// cleaned of.
func (a *app) credentials() (token, apiURL string, err error) {
	if token = strings.TrimSpace(a.getenv(vpsorg.EnvToken)); token != "" {
		if a.contextName != "" {
			fmt.Fprintf(a.stderr, "vpsorg: %s is set, so context %q is not used\n", vpsorg.EnvToken, a.contextName)
		}
		return token, a.apiURL, nil
	}
	ctx, err := a.pickContext()
	if err != nil {
		return "", "", err
	}
	if ctx == nil {
		return "", "", &failure{err: errNoToken, code: exitUnauthorized,
			hint: "set " + vpsorg.EnvToken + " to your API token, or add a context: vpsorg context create NAME"}
	}
	a.secrets.add(string(ctx.Token))
	apiURL = a.apiURL
	if !a.rootFlags.Changed("api-url") && ctx.APIURL != "" {
		apiURL = ctx.APIURL
	}
	return string(ctx.Token), apiURL, nil
}

// pickContext reads the config file and returns the context named by
// --context or VPSORG_CONTEXT, else the active one; nil when there is
// neither.
func (a *app) pickContext() (*contextEntry, error) {
	path := configPath(a.getenv)
	if path == "" && a.contextName == "" {
		return nil, nil
	}
	path, cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	name := a.contextName
	if name == "" {
		name = cfg.ActiveContext
	}
	if name == "" {
		return nil, nil
	}
	return findContext(path, cfg, name)
}

// loadConfig returns the config file's path and content.
func (a *app) loadConfig() (string, *configFile, error) {
	path := configPath(a.getenv)
	if path == "" {
		return "", nil, usageErrorf("set HOME or XDG_CONFIG_HOME", "no directory for the config file")
	}
	cfg, err := loadConfig(path)
	return path, cfg, err
}

// loadConfigWith is loadConfig for a command about the context called
// name: a file without it is a usage error.
func (a *app) loadConfigWith(name string) (string, *configFile, error) {
	path, cfg, err := a.loadConfig()
	if err == nil {
		_, err = findContext(path, cfg, name)
	}
	return path, cfg, err
}

// findContext returns the context called name; an unknown name is a
// usage error that lists the known ones.
func findContext(path string, cfg *configFile, name string) (*contextEntry, error) {
	if ctx := cfg.find(name); ctx != nil {
		return ctx, nil
	}
	known := "there are none"
	if names := cfg.names(); len(names) > 0 {
		known = "known: " + strings.Join(names, ", ")
	}
	return nil, usageErrorf("see 'vpsorg context list'", "no context %q in %s (%s)", name, path, known)
}

// completeContextNames offers the contexts' names; a config file it cannot
// read offers none.
func (a *app) completeContextNames(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	path := configPath(a.getenv)
	if path == "" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cfg.names(), cobra.ShellCompDirectiveNoFileComp
}

func newContextCmd(a *app) *cobra.Command {
	cmd := group("context", "Keep the tokens of several accounts, and pick one",
		`  printf '%s\n' "$TOKEN" | vpsorg context create work
  vpsorg context use work
  vpsorg --context personal backups list`,
		newContextCreateCmd(a), newContextUseCmd(a), newContextListCmd(a),
		newContextDeleteCmd(a), newContextActiveCmd(a))
	cmd.Long = `A context is a name for an account: its API token and, when not the
default, its API root. "vpsorg context create" stores one; every other
command then uses the active context, or the one --context names.

` + contextsHelp
	return cmd
}

func newContextUseCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Make a context the active one",
		Example:           "  vpsorg context use work",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeContextNames,
		RunE: asFailureRunE(func(_ *cobra.Command, args []string) error {
			return runContextUse(a, args[0])
		}),
	}
}

func runContextUse(a *app, name string) error {
	path, cfg, err := a.loadConfigWith(name)
	if err != nil {
		return err
	}
	cfg.ActiveContext = name
	if err := saveConfig(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Context %q is active.\n", name)
	a.warnTokenWins()
	return nil
}

func newContextDeleteCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Forget a context and its token",
		Long: `Forget a context and its token. Deleting the active context leaves none
active until "vpsorg context use" picks one.`,
		Example:           "  vpsorg context delete old-account",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeContextNames,
		RunE: asFailureRunE(func(_ *cobra.Command, args []string) error {
			return runContextDelete(a, args[0])
		}),
	}
}

func runContextDelete(a *app, name string) error {
	path, cfg, err := a.loadConfigWith(name)
	if err != nil {
		return err
	}
	cfg.Contexts = slices.DeleteFunc(cfg.Contexts, func(ctx *contextEntry) bool { return ctx.Name == name })
	wasActive := cfg.ActiveContext == name
	if wasActive {
		cfg.ActiveContext = ""
	}
	if err := saveConfig(path, cfg); err != nil {
		return err
	}
	if wasActive {
		fmt.Fprintf(a.stderr, "Context %q deleted. No context is active now: \"vpsorg context use NAME\" picks one.\n", name)
	} else {
		fmt.Fprintf(a.stderr, "Context %q deleted.\n", name)
	}
	return nil
}

func newContextActiveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "active",
		Short: "Print the name of the context commands use",
		Long: `Print the name of the context commands use: the one --context or
VPSORG_CONTEXT names, else the active one. Prints nothing when there is none.`,
		Example: "  vpsorg context active",
		Args:    cobra.NoArgs,
		RunE: asFailureRunE(func(*cobra.Command, []string) error {
			return runContextActive(a)
		}),
	}
}

func runContextActive(a *app) error {
	ctx, err := a.pickContext()
	if err != nil || ctx == nil {
		return err
	}
	fmt.Fprintln(a.stdout, ctx.Name)
	a.warnTokenWins()
	return nil
}

// warnTokenWins says so when VPSORG_API_TOKEN makes the contexts moot.
func (a *app) warnTokenWins() {
	if strings.TrimSpace(a.getenv(vpsorg.EnvToken)) != "" {
		fmt.Fprintf(a.stderr, "vpsorg: %s is set: it wins over any context until it is unset\n", vpsorg.EnvToken)
	}
}

// contextRow is a context as "context list" prints it: never its token.
type contextRow struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
	APIURL string `json:"api_url"`
}

var contextView = view[contextRow]{
	columns: []string{"ACTIVE", "NAME", "API_URL"},
	row: func(c contextRow) []string {
		active := " "
		if c.Active {
			active = "*"
		}
		return []string{active, c.Name, c.APIURL}
	},
}

func newContextListCmd(a *app) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the contexts, never their tokens",
		Long: `List the contexts: their names, API roots, and which is active (marked
"*"). Tokens are never shown. -q prints the names only.`,
		Example: `  vpsorg context list
  vpsorg context list -o json`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(*cobra.Command, []string) error {
			return runContextList(a, out)
		}),
	}
	addOutputFlags(cmd, &out)
	return cmd
}

func runContextList(a *app, out outputFlags) error {
	if err := out.check(); err != nil {
		return err
	}
	_, cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	rows := make([]contextRow, 0, len(cfg.Contexts))
	for _, ctx := range cfg.Contexts {
		apiURL := cmp.Or(ctx.APIURL, vpsorg.DefaultBaseURL)
		rows = append(rows, contextRow{Name: ctx.Name, Active: ctx.Name == cfg.ActiveContext, APIURL: apiURL})
	}
	if out.quiet {
		for _, r := range rows {
			fmt.Fprintln(a.stdout, r.Name)
		}
		return nil
	}
	return writeList(a.stdout, out, contextView, rows)
}
