package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newServersCmd(a *app) *cobra.Command {
	return group("servers", "List servers and restore them from backups",
		"  vpsorg servers list --status active",
		newServersListCmd(a), newServersRestoreCmd(a))
}

func newServersListCmd(a *app) *cobra.Command {
	var (
		out      outputFlags
		status   string
		location string
	)
	cmd := &cobra.Command{
		Use:   "list [--status S] [--location L]",
		Short: "List servers",
		Example: `  vpsorg servers list
  vpsorg servers list --status restoring -q`,
		Args: cobra.NoArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			opts := &vpsorg.ServerListOptions{Location: location}
			setString(&opts.Status, status)
			servers, err := collect(c.Servers.All(cmd.Context(), opts))
			if err != nil {
				return apiFailure("list servers", err, "")
			}
			return writeList(a.stdout, out, serverView, servers)
		}),
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().StringVar(&status, "status", "", `only servers with this status, such as "active" or "restoring"`)
	cmd.Flags().StringVar(&location, "location", "", "only servers in this location")
	return cmd
}

func newServersRestoreCmd(a *app) *cobra.Command {
	var (
		out      outputFlags
		wf       waitFlags
		backupID int64
		yes      bool
	)
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
		Args: cobra.ExactArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs("server", args)
			if err != nil {
				return err
			}
			serverID := ids[0]
			if backupID <= 0 {
				return usageErrorf("give the backup's id: vpsorg backups list --server "+id(serverID), "--backup %d is not a backup id", backupID)
			}
			op := fmt.Sprintf("restore server %d from backup %d", serverID, backupID)
			if err := errors.Join(out.check(), wf.check(), a.mayAsk(yes, op)); err != nil {
				return err
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			backups := c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: serverID})
			err = confirmFound(ctx, a, yes, backups, "backup", []int64{backupID}, backupView.id, "check --backup: "+backupsLater(serverID),
				func(found []*vpsorg.Backup) string {
					b := found[0]
					return fmt.Sprintf("Restore server %s from backup %d (%s, %s)? This overwrites all data on the server.",
						serverRef(b.Server), b.ID, b.Type, day(b.CreatedAt))
				})
			if err != nil {
				return err
			}
			res, _, err := c.Servers.Restore(ctx, serverID, &vpsorg.ServerRestoreRequest{BackupID: backupID})
			if err != nil {
				return apiFailure(op, err, "check the server id: vpsorg servers list")
			}
			var answer any = res
			if len(res.Raw) > 0 {
				answer = res.Raw // the body is undocumented: print it as the API sent it
			}
			return a.finishRestore(ctx, c, out, wf, restoreResult{server: res.Server, from: fmt.Sprintf("backup %d", backupID), answer: answer})
		}),
	}
	addOutputFlags(cmd, &out)
	addWaitFlags(cmd, &wf, "the server is no longer restoring")
	cmd.Flags().Int64Var(&backupID, "backup", 0, "backup to restore from (required)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "restore without asking")
	_ = cmd.MarkFlagRequired("backup")
	return cmd
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
	srv, err := await(ctx, a, wf, awaited{fmt.Sprintf("server %d", serverID), "vpsorg servers list"}, status,
		func(ctx context.Context, o *vpsorg.WaitOptions) (*vpsorg.Server, error) {
			return c.Servers.Wait(ctx, serverID, o)
		})
	if err != nil {
		return err
	}
	return writeOne(a.stdout, out, serverView, srv)
}
