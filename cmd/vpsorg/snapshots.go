package main

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newSnapshotsCmd(a *app) *cobra.Command {
	return group("snapshots", "List, create, restore and delete snapshots",
		"  vpsorg snapshots list --server 12345",
		newSnapshotsListCmd(a), newSnapshotsCreateCmd(a), newSnapshotsRestoreCmd(a), newSnapshotsDeleteCmd(a))
}

func newSnapshotsListCmd(a *app) *cobra.Command {
	var (
		out      outputFlags
		serverID int64
	)
	cmd := &cobra.Command{
		Use:   "list [--server ID]",
		Short: "List snapshots, newest first",
		Example: `  vpsorg snapshots list
  vpsorg snapshots list --server 12345 -q`,
		Args: cobra.NoArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			snaps, err := collect(c.Snapshots.All(cmd.Context(), &vpsorg.SnapshotListOptions{ServerID: serverID}))
			if err != nil {
				return apiFailure("list snapshots", err, "")
			}
			sortSnapshots(snaps)
			return writeList(a.stdout, out, snapshotView, snaps)
		}),
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().Int64Var(&serverID, "server", 0, "only this server's snapshots")
	return cmd
}

func newSnapshotsCreateCmd(a *app) *cobra.Command {
	var (
		out         outputFlags
		wf          waitFlags
		serverID    int64
		name        string
		description string
	)
	cmd := &cobra.Command{
		Use:   "create --server ID --name NAME [--description TEXT] [--wait]",
		Short: "Start a snapshot of a server",
		Long: `Start a snapshot (a point-in-time copy of the whole server) and print it.
With --wait, wait until it is completed (exit 5 if it fails, 6 after
--timeout). Names are letters, digits, '-' and '_'; a server keeps at most 5
snapshots. Snapshotting a running server may leave its file system
inconsistent; stopping it first is safest.`,
		Example: `  vpsorg snapshots create --server 12345 --name pre-deploy-$(date +%Y%m%d) --wait
  snap=$(vpsorg snapshots create --server 12345 --name pre-deploy --wait -q)`,
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
			op := fmt.Sprintf("create snapshot %q of server %d", name, serverID)
			snap, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: serverID, Name: name, Description: description})
			if err != nil {
				return apiFailure(op, err, "check --server: vpsorg servers list")
			}
			if wf.wait {
				snap, err = await(ctx, a, wf, awaited{fmt.Sprintf("snapshot %d", snap.ID), snapshotsLater(snap.Server.ID)}, string(snap.Status),
					func(ctx context.Context, o *vpsorg.WaitOptions) (*vpsorg.Snapshot, error) {
						return c.Snapshots.Wait(ctx, snap, o)
					})
				if err != nil {
					return err
				}
			}
			return writeOne(a.stdout, out, snapshotView, snap)
		}),
	}
	addOutputFlags(cmd, &out)
	addWaitFlags(cmd, &wf, "the snapshot is completed")
	cmd.Flags().Int64Var(&serverID, "server", 0, "server to snapshot (required)")
	cmd.Flags().StringVar(&name, "name", "", "snapshot name: letters, digits, '-' and '_' (required)")
	cmd.Flags().StringVar(&description, "description", "", "free text")
	_ = cmd.MarkFlagRequired("server")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func snapshotsLater(serverID int64) string {
	return fmt.Sprintf("vpsorg snapshots list --server %d", serverID)
}

func newSnapshotsRestoreCmd(a *app) *cobra.Command {
	var (
		out outputFlags
		wf  waitFlags
		yes bool
	)
	cmd := &cobra.Command{
		Use:   "restore ID [--wait] [--yes]",
		Short: "Restore a server from one of its snapshots",
		Long: `Restore the snapshot's server from it. This overwrites all current data on
the server and cannot be undone; the server is stopped first. On a terminal
it asks first; anywhere else it needs --yes, and without it exits 2 having
sent nothing. It prints the restore as started; with --wait, it waits until
the server is no longer restoring and prints the server.`,
		Example: `  vpsorg snapshots restore 801
  vpsorg snapshots restore 801 --yes --wait --timeout 20m`,
		Args: cobra.ExactArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs("snapshot", args)
			if err != nil {
				return err
			}
			if err := errors.Join(out.check(), wf.check(), a.mayAsk(yes, "restore from snapshot "+id(ids[0]))); err != nil {
				return err
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			err = confirmFound(ctx, a, yes, listSnapshots(ctx, c), "snapshot", ids, snapshotView.id, "", func(found []*vpsorg.Snapshot) string {
				s := found[0]
				return fmt.Sprintf("Restore server %s from snapshot %d (%s, %s)? This overwrites all data on the server.",
					serverRef(s.Server), s.ID, s.Name, day(s.CreatedAt))
			})
			if err != nil {
				return err
			}
			res, _, err := c.Snapshots.Restore(ctx, ids[0])
			if err != nil {
				return apiFailure("restore from snapshot "+id(ids[0]), err, "check the id: vpsorg snapshots list")
			}
			started := restoreResult{
				server: res.Server,
				from:   fmt.Sprintf("snapshot %d (%s)", res.Snapshot.ID, res.Snapshot.Name),
				answer: res,
			}
			return a.finishRestore(ctx, c, out, wf, started)
		}),
	}
	addOutputFlags(cmd, &out)
	addWaitFlags(cmd, &wf, "the server is no longer restoring")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "restore without asking")
	return cmd
}

func newSnapshotsDeleteCmd(a *app) *cobra.Command {
	return newDeleteCmd(a, deleteCommand[*vpsorg.Snapshot]{
		kind: "snapshot",
		example: `  vpsorg snapshots delete 798
  vpsorg snapshots list --server 12345 -q | xargs vpsorg snapshots delete --yes`,
		list: listSnapshots,
		id:   snapshotView.id,
		label: func(s *vpsorg.Snapshot) string {
			return fmt.Sprintf("%d (%s, %s, %s)", s.ID, s.Name, s.Server.Name, day(s.CreatedAt))
		},
		del: func(ctx context.Context, c *vpsorg.Client, id int64) error {
			_, err := c.Snapshots.Delete(ctx, id)
			return err
		},
	})
}

func listSnapshots(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Snapshot, error] {
	return c.Snapshots.All(ctx, nil)
}
