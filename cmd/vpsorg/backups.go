package main

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newBackupsCmd(a *app) *cobra.Command {
	return group("backups", "List, create, delete and prune backups",
		"  vpsorg backups list --server 12345 --type manual",
		newBackupsListCmd(a), newBackupsCreateCmd(a), newBackupsDeleteCmd(a), newBackupsPruneCmd(a),
		newGetCmd(a, backupKind, "  vpsorg backups get 501\n  vpsorg backups get 501 -o json --columns id,status,size_mb"),
		newWaitCmd(a, backupWaiting, "is completed", "  vpsorg backups wait 502\n  vpsorg backups wait 502 503 --timeout 2h -q"))
}

// backupsListInput is "backups list"'s flags.
type backupsListInput struct {
	out      outputFlags
	serverID int64
	kind     string // --type
}

func newBackupsListCmd(a *app) *cobra.Command {
	var in backupsListInput
	cmd := &cobra.Command{
		Use:   "list [--server ID] [--type manual|automatic]",
		Short: "List backups, newest first",
		Example: `  vpsorg backups list
  vpsorg backups list --server 12345 --type manual -o json | jq '.[].id'`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runBackupsList(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, backupView)
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "only this server's backups")
	cmd.Flags().StringVar(&in.kind, "type", "", "only manual or automatic backups")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"manual", "automatic"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runBackupsList(ctx context.Context, a *app, in backupsListInput) error {
	if err := in.out.check(); err != nil {
		return err
	}
	opts := &vpsorg.BackupListOptions{ServerID: in.serverID, Type: vpsorg.BackupType(in.kind)}
	switch opts.Type {
	case "", vpsorg.BackupTypeManual, vpsorg.BackupTypeAutomatic:
	default:
		return usageErrorf("use --type manual or --type automatic", "unknown backup type %q", in.kind)
	}
	return listAndWrite(ctx, a, in.out, "backups", func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Backup, error] {
		return orUnknownServer(ctx, c, in.serverID, c.Backups.All(ctx, opts))
	}, sortBackups, backupView)
}

// backupsCreateInput is "backups create"'s flags.
type backupsCreateInput struct {
	out         outputFlags
	wait        waitFlags
	serverID    int64
	description string
}

func newBackupsCreateCmd(a *app) *cobra.Command {
	var in backupsCreateInput
	cmd := &cobra.Command{
		Use:   "create --server ID [--description TEXT] [--wait]",
		Short: "Start a manual backup of a server",
		Long: `Start a manual backup of a server and print it. With --wait, wait until it
is completed (exit 5 if it fails, 6 after --timeout) and print it as it ended.
Manual backups never expire; a server keeps at most 10.`,
		Example: `  vpsorg backups create --server 12345 --description "before upgrade" --wait
  id=$(vpsorg backups create --server 12345 -q)`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runBackupsCreate(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, backupView)
	addWaitFlags(cmd, &in.wait, "the backup is completed")
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "server to back up (required)")
	cmd.Flags().StringVar(&in.description, "description", "", "free text to tell the backup by")
	_ = cmd.MarkFlagRequired("server")
	return cmd
}

func runBackupsCreate(ctx context.Context, a *app, in backupsCreateInput) error {
	return createAndWait(ctx, a, in.out, in.wait, creation[vpsorg.Backup]{
		op: fmt.Sprintf("create a backup of server %d", in.serverID),
		create: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Backup, error) {
			b, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: in.serverID, Description: in.description})
			return b, err
		},
		wait: func(ctx context.Context, c *vpsorg.Client, b *vpsorg.Backup, o *vpsorg.WaitOptions) (*vpsorg.Backup, error) {
			return c.Backups.Wait(ctx, b, o)
		},
		awaited: func(b *vpsorg.Backup) awaited {
			return awaited{fmt.Sprintf("backup %d", b.ID), backupsLater(b.Server.ID), "vpsorg backups wait " + formatID(b.ID)}
		},
		status: func(b *vpsorg.Backup) vpsorg.Status { return b.Status },
		view:   backupView,
		unknown: fmt.Sprintf("the backup may have been made; before trying again, look for a manual backup %s in: vpsorg backups list --server %d --type manual",
			describedAs(in.description), in.serverID),
	})
}

func backupsLater(serverID int64) string {
	return fmt.Sprintf("vpsorg backups list --server %d", serverID)
}

func newBackupsDeleteCmd(a *app) *cobra.Command {
	return newDeleteCmd(a, deleteCommand[*vpsorg.Backup]{
		kind: "backup",
		example: `  vpsorg backups delete 499
  vpsorg backups delete 499 502 --yes`,
		list: func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Backup, error] {
			return c.Backups.All(ctx, nil)
		},
		id:       backupView.id,
		complete: completeIDs(a, backupKind, true),
		label: func(b *vpsorg.Backup) string {
			return fmt.Sprintf("%d (%s, %s)", b.ID, b.Server.Name, day(b.CreatedAt))
		},
		del: func(ctx context.Context, c *vpsorg.Client, id int64) error {
			_, err := c.Backups.Delete(ctx, id)
			return err
		},
	})
}

// backupsPruneInput is "backups prune"'s flags.
type backupsPruneInput struct {
	out      outputFlags
	serverID int64
	keep     int
	dryRun   bool
	yes      bool
}

func newBackupsPruneCmd(a *app) *cobra.Command {
	var in backupsPruneInput
	cmd := &cobra.Command{
		Use:   "prune --server ID --keep N [--dry-run] [--yes]",
		Short: "Delete a server's manual backups but the N newest completed",
		Long: `Keep the N newest completed manual backups of a server and delete its other
completed manual backups. Automatic backups (the plan's retention expires them),
backups in progress and failed ones are never touched.

It prints the backups it deleted (with --dry-run, those it would delete, and
deletes nothing). On a terminal it lists them and asks first; anywhere else it
needs --yes, and without it exits 2 having sent nothing. Deletes run a few at
a time, with a progress bar on a terminal.`,
		Example: `  vpsorg backups prune --server 12345 --keep 7 --dry-run
  # nightly, from cron or CI:
  vpsorg backups prune --server 12345 --keep 7 --yes`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runBackupsPrune(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "server whose backups to prune (required)")
	cmd.Flags().IntVar(&in.keep, "keep", 0, "how many of the newest completed manual backups to keep (required)")
	cmd.Flags().BoolVar(&in.dryRun, "dry-run", false, "print what would be deleted and delete nothing")
	cmd.Flags().BoolVarP(&in.yes, "yes", "y", false, "delete without asking")
	_ = cmd.MarkFlagRequired("server")
	_ = cmd.MarkFlagRequired("keep")
	return cmd
}

// check refuses flags that cannot name what to prune, before anything is
// sent.
func (in backupsPruneInput) check() error {
	if err := in.out.check(); err != nil {
		return err
	}
	if in.keep < 0 {
		return usageErrorf("give --keep 0 or more", "--keep %d is negative", in.keep)
	}
	if in.serverID <= 0 {
		return usageErrorf("give the server's id: vpsorg servers list", "--server %d is not a server id", in.serverID)
	}
	return nil
}

func runBackupsPrune(ctx context.Context, a *app, in backupsPruneInput) error {
	if err := in.check(); err != nil {
		return err
	}
	action := fmt.Sprintf("prune the backups of server %d", in.serverID)
	if !in.dryRun {
		if err := a.mayAsk(in.yes, action); err != nil {
			return err
		}
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	manual, err := collect(c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: in.serverID, Type: vpsorg.BackupTypeManual}))
	if err != nil {
		return apiFailure(action, err, "check --server: vpsorg servers list")
	}
	server, err := pruneServerName(ctx, c, in.serverID, manual)
	if err != nil {
		return err
	}
	p := planPrune(manual, in.keep, server)
	switch {
	case len(p.doomed) == 0:
		fmt.Fprintf(a.stderr, "nothing to prune on %s: %d completed manual backups, keeping up to %d\n", server, len(p.kept), in.keep)
		return writeList(a.stdout, in.out, backupView, p.doomed)
	case in.dryRun:
		fmt.Fprintf(a.stderr, "dry run: would delete %s; nothing was deleted\n", p.summary(len(p.doomed)))
		return writeList(a.stdout, in.out, backupView, p.doomed)
	}
	return a.prune(ctx, c, in, p)
}

// prune deletes the plan's doomed backups, after asking unless --yes, and
// prints those it deleted.
func (a *app) prune(ctx context.Context, c *vpsorg.Client, in backupsPruneInput, p pruning) error {
	ask := func() error {
		if err := writeTable(a.stderr, backupView, p.doomed); err != nil {
			return err
		}
		return a.confirm(ctx, fmt.Sprintf("Delete %d manual backups of %s, keeping the %d newest?", len(p.doomed), p.server, p.keep))
	}
	ids := make([]int64, len(p.doomed))
	for i, b := range p.doomed {
		ids[i] = b.ID
	}
	errs, err := a.confirmThenDelete(ctx, in.yes, ask, "backup", ids, func(ctx context.Context, id int64) error {
		_, err := c.Backups.Delete(ctx, id)
		if errors.Is(err, vpsorg.ErrNotFound) {
			return nil // deleted meanwhile by someone else: gone, as asked
		}
		return err
	})
	if err != nil {
		return err
	}
	deleted := make([]*vpsorg.Backup, 0, len(p.doomed))
	for i, b := range p.doomed {
		if errs[i] == nil {
			deleted = append(deleted, b)
		}
	}
	if err := writeList(a.stdout, in.out, backupView, deleted); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "deleted %s\n", p.summary(len(deleted)))
	return a.deleteResult("backup", errs)
}

// pruneServerName names the server for prune's messages. The backups
// carry its name; with none, the server list says whether it exists at
// all, since a filtered list of an unknown server is simply empty.
func pruneServerName(ctx context.Context, c *vpsorg.Client, serverID int64, manual []*vpsorg.Backup) (string, error) {
	if len(manual) > 0 {
		return serverRef(manual[0].Server), nil
	}
	found, err := findByID(c.Servers.All(ctx, nil), "server", []int64{serverID}, serverView.id, "check --server: vpsorg servers list")
	if err != nil {
		return "", err
	}
	return serverRef(vpsorg.ServerRef{ID: serverID, Name: found[0].Name}), nil
}

// pruning is what prune will do on one server: keep the keep newest
// completed manual backups, delete the other completed ones (doomed),
// both newest first. Backups in progress, failed or of any other status
// are in neither: prune leaves them alone. Automatic ones never get here.
type pruning struct {
	server       string // "web-server-01 (12345)"
	keep         int
	kept, doomed []*vpsorg.Backup
}

func planPrune(manual []*vpsorg.Backup, keep int, server string) pruning {
	var completed []*vpsorg.Backup
	for _, b := range manual {
		if b.Type == vpsorg.BackupTypeManual && b.Status == vpsorg.StatusCompleted {
			completed = append(completed, b)
		}
	}
	sortBackups(completed)
	n := min(keep, len(completed))
	return pruning{server: server, keep: keep, kept: completed[:n], doomed: completed[n:]}
}

// summary says what n of the doomed backups are, for prune's messages:
// "3 of 10 completed manual backups of web-server-01 (12345), keeping the 7 newest".
func (p pruning) summary(n int) string {
	return fmt.Sprintf("%d of %d completed manual backups of %s, keeping the %d newest", n, len(p.kept)+len(p.doomed), p.server, p.keep)
}
