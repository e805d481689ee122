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
		newBackupsListCmd(a), newBackupsCreateCmd(a), newBackupsDeleteCmd(a), newBackupsPruneCmd(a))
}

func newBackupsListCmd(a *app) *cobra.Command {
	var (
		out      outputFlags
		serverID int64
		kind     string
	)
	cmd := &cobra.Command{
		Use:   "list [--server ID] [--type manual|automatic]",
		Short: "List backups, newest first",
		Example: `  vpsorg backups list
  vpsorg backups list --server 12345 --type manual -o json | jq '.[].id'`,
		Args: cobra.NoArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			opts := &vpsorg.BackupListOptions{ServerID: serverID, Type: vpsorg.BackupType(kind)}
			switch opts.Type {
			case "", vpsorg.BackupTypeManual, vpsorg.BackupTypeAutomatic:
			default:
				return usageErrorf("use --type manual or --type automatic", "unknown backup type %q", kind)
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			backups, err := collect(c.Backups.All(cmd.Context(), opts))
			if err != nil {
				return apiFailure("list backups", err, "")
			}
			sortBackups(backups)
			return writeList(a.stdout, out, backupView, backups)
		}),
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().Int64Var(&serverID, "server", 0, "only this server's backups")
	cmd.Flags().StringVar(&kind, "type", "", "only manual or automatic backups")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"manual", "automatic"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func newBackupsCreateCmd(a *app) *cobra.Command {
	var (
		out         outputFlags
		wf          waitFlags
		serverID    int64
		description string
	)
	cmd := &cobra.Command{
		Use:   "create --server ID [--description TEXT] [--wait]",
		Short: "Start a manual backup of a server",
		Long: `Start a manual backup of a server and print it. With --wait, wait until it
is completed (exit 5 if it fails, 6 after --timeout) and print it as it ended.
Manual backups never expire; a server keeps at most 10.`,
		Example: `  vpsorg backups create --server 12345 --description "before upgrade" --wait
  id=$(vpsorg backups create --server 12345 -q)`,
		Args: cobra.NoArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(out.check(), wf.check()); err != nil {
				return err
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			op := fmt.Sprintf("create a backup of server %d", serverID)
			b, _, err := c.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: serverID, Description: description})
			if err != nil {
				return apiFailure(op, err, "check --server: vpsorg servers list")
			}
			if wf.wait {
				b, err = await(ctx, a, wf, awaited{fmt.Sprintf("backup %d", b.ID), backupsLater(b.Server.ID)}, string(b.Status),
					func(ctx context.Context, o *vpsorg.WaitOptions) (*vpsorg.Backup, error) {
						return c.Backups.Wait(ctx, b, o)
					})
				if err != nil {
					return err
				}
			}
			return writeOne(a.stdout, out, backupView, b)
		}),
	}
	addOutputFlags(cmd, &out)
	addWaitFlags(cmd, &wf, "the backup is completed")
	cmd.Flags().Int64Var(&serverID, "server", 0, "server to back up (required)")
	cmd.Flags().StringVar(&description, "description", "", "free text to tell the backup by")
	_ = cmd.MarkFlagRequired("server")
	return cmd
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
		id: backupView.id,
		label: func(b *vpsorg.Backup) string {
			return fmt.Sprintf("%d (%s, %s)", b.ID, b.Server.Name, day(b.CreatedAt))
		},
		del: func(ctx context.Context, c *vpsorg.Client, id int64) error {
			_, err := c.Backups.Delete(ctx, id)
			return err
		},
	})
}

func newBackupsPruneCmd(a *app) *cobra.Command {
	var (
		out      outputFlags
		serverID int64
		keep     int
		dryRun   bool
		yes      bool
	)
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
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			if keep < 0 {
				return usageErrorf("give --keep 0 or more", "--keep %d is negative", keep)
			}
			if serverID <= 0 {
				return usageErrorf("give the server's id: vpsorg servers list", "--server %d is not a server id", serverID)
			}
			action := fmt.Sprintf("prune the backups of server %d", serverID)
			if !dryRun {
				if err := a.mayAsk(yes, action); err != nil {
					return err
				}
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			manual, err := collect(c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: serverID, Type: vpsorg.BackupTypeManual}))
			if err != nil {
				return apiFailure(action, err, "check --server: vpsorg servers list")
			}
			kept, doomed := prunePlan(manual, keep)
			server, err := pruneServerName(ctx, c, serverID, manual)
			if err != nil {
				return err
			}
			// "3 of 10 completed manual backups of web-server-01 (12345), keeping the 7 newest"
			summary := func(n int) string {
				return fmt.Sprintf("%d of %d completed manual backups of %s, keeping the %d newest", n, len(kept)+len(doomed), server, keep)
			}
			switch {
			case len(doomed) == 0:
				fmt.Fprintf(a.stderr, "nothing to prune on %s: %d completed manual backups, keeping up to %d\n", server, len(kept), keep)
				return writeList(a.stdout, out, backupView, doomed)
			case dryRun:
				fmt.Fprintf(a.stderr, "dry run: would delete %s; nothing was deleted\n", summary(len(doomed)))
				return writeList(a.stdout, out, backupView, doomed)
			}
			if !yes {
				if err := writeTable(a.stderr, backupView, doomed); err != nil {
					return err
				}
				if err := a.confirm(ctx, fmt.Sprintf("Delete %d manual backups of %s, keeping the %d newest?", len(doomed), server, keep)); err != nil {
					return err
				}
			}
			ids := make([]int64, len(doomed))
			for i, b := range doomed {
				ids[i] = b.ID
			}
			errs := a.deleteAll(ctx, "backup", ids, func(ctx context.Context, id int64) error {
				_, err := c.Backups.Delete(ctx, id)
				if errors.Is(err, vpsorg.ErrNotFound) {
					return nil // deleted meanwhile by someone else: gone, as asked
				}
				return err
			})
			deleted := make([]*vpsorg.Backup, 0, len(doomed))
			for i, b := range doomed {
				if errs[i] == nil {
					deleted = append(deleted, b)
				}
			}
			if err := writeList(a.stdout, out, backupView, deleted); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "deleted %s\n", summary(len(deleted)))
			return a.deleteResult("backup", errs)
		}),
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().Int64Var(&serverID, "server", 0, "server whose backups to prune (required)")
	cmd.Flags().IntVar(&keep, "keep", 0, "how many of the newest completed manual backups to keep (required)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be deleted and delete nothing")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	_ = cmd.MarkFlagRequired("server")
	_ = cmd.MarkFlagRequired("keep")
	return cmd
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

// prunePlan splits a server's manual backups into the keep newest
// completed ones and the other completed ones, newest first. Backups in
// progress, failed or of any other status are in neither: prune leaves
// them alone. Automatic ones never get here.
func prunePlan(manual []*vpsorg.Backup, keep int) (kept, doomed []*vpsorg.Backup) {
	var completed []*vpsorg.Backup
	for _, b := range manual {
		if b.Type == vpsorg.BackupTypeManual && b.Status == vpsorg.StatusCompleted {
			completed = append(completed, b)
		}
	}
	sortBackups(completed)
	n := min(keep, len(completed))
	return completed[:n], completed[n:]
}
