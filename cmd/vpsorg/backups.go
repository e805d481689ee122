package main

import (
	"context"
	"fmt"
	"iter"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newBackupsCmd(a *app) *cobra.Command {
	return group("backups", "List, create, delete and prune backups",
		"  vpsorg backups list --server 12345 --type manual",
		newBackupsListCmd(a), newBackupsCreateCmd(a), newBackupsDeleteCmd(a), newBackupsPruneCmd(a), newBackupsRotateCmd(a),
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
