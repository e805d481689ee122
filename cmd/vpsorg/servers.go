package main

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newServersCmd(a *app) *cobra.Command {
	return group("servers", "List servers and restore them from backups",
		"  vpsorg servers list --status active",
		newServersListCmd(a), newServersRestoreCmd(a),
		newGetCmd(a, serverKind, "  vpsorg servers get 12345\n  vpsorg servers get 12345 --columns status -o json"),
		newWaitCmd(a, serverWaiting, "is no longer restoring", "  vpsorg servers wait 12345\n  vpsorg servers wait 12345 12346 --timeout 20m"))
}

// serversListInput is "servers list"'s flags.
type serversListInput struct {
	out      outputFlags
	status   string
	location string
}

func newServersListCmd(a *app) *cobra.Command {
	var in serversListInput
	cmd := &cobra.Command{
		Use:   "list [--status S] [--location L]",
		Short: "List servers",
		Example: `  vpsorg servers list
  vpsorg servers list --status restoring -q`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runServersList(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, serverView)
	cmd.Flags().StringVar(&in.status, "status", "", `only servers with this status, such as "active" or "restoring"`)
	cmd.Flags().StringVar(&in.location, "location", "", "only servers in this location")
	return cmd
}

func runServersList(ctx context.Context, a *app, in serversListInput) error {
	if err := in.out.check(); err != nil {
		return err
	}
	opts := &vpsorg.ServerListOptions{Location: in.location}
	setString(&opts.Status, in.status)
	return listAndWrite(ctx, a, in.out, "servers", func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Server, error] {
		return c.Servers.All(ctx, opts)
	}, nil, serverView)
}

// serversRestoreInput is "servers restore"'s server id and flags.
type serversRestoreInput struct {
	args     []string
	backupID int64
	restoreFlags
}

func newServersRestoreCmd(a *app) *cobra.Command {
	var in serversRestoreInput
	cmd := &cobra.Command{
		Use:   "restore SERVER_ID --backup ID [--wait] [--yes]",
		Short: "Restore a server from one of its backups",
		Long: `Restore a server from one of its completed backups. This overwrites all
current data on the server and cannot be undone. On a terminal it asks first;
anywhere else it needs --yes, and without it exits 2 having sent nothing. It
prints the restore as started; with --wait, it waits until the server is no
longer restoring and prints the server.`,
		Example: `  vpsorg servers restore 12345 --backup 499
  vpsorg servers restore 12345 --backup 499 --yes --wait`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeIDs(a, serverKind, false),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			in.args = args
			return runServersRestore(cmd.Context(), a, in)
		}),
	}
	addRestoreFlags(cmd, &in.restoreFlags)
	cmd.Flags().Int64Var(&in.backupID, "backup", 0, "backup to restore from (required)")
	_ = cmd.MarkFlagRequired("backup")
	_ = cmd.RegisterFlagCompletionFunc("backup", completeBackupFlag(a))
	return cmd
}

func runServersRestore(ctx context.Context, a *app, in serversRestoreInput) error {
	ids, err := parseIDs("server", in.args)
	if err != nil {
		return err
	}
	serverID := ids[0]
	if in.backupID <= 0 {
		return usageErrorf("give the backup's id: vpsorg backups list --server "+formatID(serverID), "--backup %d is not a backup id", in.backupID)
	}
	op := fmt.Sprintf("restore server %d from backup %d", serverID, in.backupID)
	return restoreAndWait(ctx, a, in.restoreFlags, restoration{
		op: op,
		confirm: func(ctx context.Context, c *vpsorg.Client) error {
			backups := c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: serverID})
			return confirmFound(ctx, a, backups, "backup", []int64{in.backupID}, backupView.id, "check --backup: "+backupsLater(serverID),
				func(found []*vpsorg.Backup) string {
					b := found[0]
					return fmt.Sprintf("Restore server %s from backup %d (%s, %s)? This overwrites all data on the server.",
						serverRef(b.Server), b.ID, b.Type, day(b.CreatedAt))
				})
		},
		restore: func(ctx context.Context, c *vpsorg.Client) (restoreResult, error) {
			res, _, err := c.Servers.Restore(ctx, serverID, &vpsorg.ServerRestoreRequest{BackupID: in.backupID})
			if err != nil {
				return restoreResult{}, restoreFromBackupFailure(ctx, c, op, serverID, in.backupID, err)
			}
			var answer any = res
			if len(res.Raw) > 0 {
				answer = res.Raw // the body is undocumented: print it as the API sent it
			}
			return restoreResult{server: res.Server, from: fmt.Sprintf("backup %d", in.backupID), answer: answer}, nil
		},
	})
}

// restoreFlags are the flags both restore commands take.
type restoreFlags struct {
	out  outputFlags
	wait waitFlags
	yes  bool
}

func addRestoreFlags(cmd *cobra.Command, f *restoreFlags) {
	addOutputFlags(cmd, &f.out)
	addColumns(cmd, &f.out, serverView) // of the server --wait prints
	addWaitFlags(cmd, &f.wait, "the server is no longer restoring")
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "restore without asking")
}

// restoration is what "snapshots restore" and "servers restore" differ in.
type restoration struct {
	op      string                                                       // "restore server 12345 from backup 499"
	confirm func(context.Context, *vpsorg.Client) error                  // asks, naming what will change
	restore func(context.Context, *vpsorg.Client) (restoreResult, error) // starts it; its errors are the CLI's
}

// restoreAndWait is every restore: it checks the flags, asks unless --yes
// (refusing without a terminal), starts the restore, and prints it, or
// with --wait the server once it is no longer restoring.
func restoreAndWait(ctx context.Context, a *app, f restoreFlags, r restoration) error {
	if err := errors.Join(f.out.check(), f.wait.check(), f.checkColumns(), a.mayAsk(f.yes, r.op)); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	if !f.yes {
		if err := r.confirm(ctx, c); err != nil {
			return err
		}
	}
	started, err := r.restore(ctx, c)
	if err != nil {
		return err
	}
	return a.finishRestore(ctx, c, f.out, f.wait, started)
}

// setString sets a string field whether the SDK types it as a plain
// string or as a string type of its own (as Status is).
func setString[S ~string](dst *S, v string) { *dst = S(v) }

// restoreResult is a restore the API accepted, for printing.
type restoreResult struct {
	server vpsorg.ServerState
	from   string // "snapshot 801 (pre-migration-snapshot)"
	answer any    // the API's answer, for -o json
}

var restoreView = view[restoreResult]{
	columns: []string{"SERVER", "STATUS", "FROM"},
	row: func(r restoreResult) []string {
		return []string{serverRef(vpsorg.ServerRef{ID: r.server.ID, Name: r.server.Name}), string(r.server.Status), r.from}
	},
	id:   func(r restoreResult) int64 { return r.server.ID },
	json: func(r restoreResult) any { return r.answer },
}

// finishRestore prints a started restore, or with --wait waits for the
// server to leave "restoring" and prints the server as it ended.
func (a *app) finishRestore(ctx context.Context, c *vpsorg.Client, out outputFlags, wf waitFlags, r restoreResult) error {
	if !wf.wait {
		return writeOne(a.stdout, out, restoreView, r)
	}
	serverID := r.server.ID
	status := string(r.server.Status)
	if status == "" {
		status = string(vpsorg.ServerStatusRestoring) // string() whether the constant is typed or not
	}
	srv, err := await(ctx, a, wf, awaited{fmt.Sprintf("server %d", serverID), "vpsorg servers list", "vpsorg servers wait " + formatID(serverID)}, status,
		func(ctx context.Context, o *vpsorg.WaitOptions) (*vpsorg.Server, error) {
			return c.Servers.Wait(ctx, serverID, o)
		})
	if err != nil {
		return err
	}
	return writeOne(a.stdout, out, serverView, srv)
}
