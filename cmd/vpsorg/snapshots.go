package main

import (
	"context"
	"fmt"
	"iter"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

func newSnapshotsCmd(a *app) *cobra.Command {
	return group("snapshots", "List, create, restore and delete snapshots",
		"  vpsorg snapshots list --server 12345",
		newSnapshotsListCmd(a), newSnapshotsCreateCmd(a), newSnapshotsRestoreCmd(a), newSnapshotsDeleteCmd(a), newSnapshotsPruneCmd(a),
		newGetCmd(a, snapshotKind, "  vpsorg snapshots get 801\n  vpsorg snapshots get 801 -o yaml"),
		newWaitCmd(a, snapshotWaiting, "is completed", "  vpsorg snapshots wait 802\n  vpsorg snapshots wait 802 803 --timeout 20m"))
}

// snapshotsListInput is "snapshots list"'s flags.
type snapshotsListInput struct {
	out      outputFlags
	serverID int64
}

func newSnapshotsListCmd(a *app) *cobra.Command {
	var in snapshotsListInput
	cmd := &cobra.Command{
		Use:   "list [--server ID]",
		Short: "List snapshots, newest first",
		Example: `  vpsorg snapshots list
  vpsorg snapshots list --server 12345 -q`,
		Args: cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runSnapshotsList(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, snapshotView)
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "only this server's snapshots")
	return cmd
}

func runSnapshotsList(ctx context.Context, a *app, in snapshotsListInput) error {
	if err := in.out.check(); err != nil {
		return err
	}
	return listAndWrite(ctx, a, in.out, "snapshots", func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Snapshot, error] {
		return orUnknownServer(ctx, c, in.serverID, c.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: in.serverID}))
	}, sortSnapshots, snapshotView)
}

// snapshotsCreateInput is "snapshots create"'s flags.
type snapshotsCreateInput struct {
	out         outputFlags
	wait        waitFlags
	serverID    int64
	name        string
	description string
}

func newSnapshotsCreateCmd(a *app) *cobra.Command {
	var in snapshotsCreateInput
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
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runSnapshotsCreate(cmd.Context(), a, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, snapshotView)
	addWaitFlags(cmd, &in.wait, "the snapshot is completed")
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "server to snapshot (required)")
	cmd.Flags().StringVar(&in.name, "name", "", "snapshot name: letters, digits, '-' and '_' (required)")
	cmd.Flags().StringVar(&in.description, "description", "", "free text")
	_ = cmd.MarkFlagRequired("server")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func runSnapshotsCreate(ctx context.Context, a *app, in snapshotsCreateInput) error {
	return createAndWait(ctx, a, in.out, in.wait, creation[vpsorg.Snapshot]{
		op: fmt.Sprintf("create snapshot %q of server %d", in.name, in.serverID),
		create: func(ctx context.Context, c *vpsorg.Client) (*vpsorg.Snapshot, error) {
			snap, _, err := c.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: in.serverID, Name: in.name, Description: in.description})
			return snap, err
		},
		wait: func(ctx context.Context, c *vpsorg.Client, snap *vpsorg.Snapshot, o *vpsorg.WaitOptions) (*vpsorg.Snapshot, error) {
			return c.Snapshots.Wait(ctx, snap, o)
		},
		awaited: func(snap *vpsorg.Snapshot) awaited {
			return awaited{fmt.Sprintf("snapshot %d", snap.ID), snapshotsLater(snap.Server.ID), "vpsorg snapshots wait " + formatID(snap.ID)}
		},
		status: func(snap *vpsorg.Snapshot) vpsorg.Status { return snap.Status },
		view:   snapshotView,
		unknown: fmt.Sprintf("the snapshot may have been made; before trying again, look for snapshot %q in: vpsorg snapshots list --server %d",
			in.name, in.serverID),
	})
}

func snapshotsLater(serverID int64) string {
	return fmt.Sprintf("vpsorg snapshots list --server %d", serverID)
}

// snapshotsRestoreInput is "snapshots restore"'s id and flags.
type snapshotsRestoreInput struct {
	args []string
	restoreFlags
}

func newSnapshotsRestoreCmd(a *app) *cobra.Command {
	var in snapshotsRestoreInput
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
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeIDs(a, snapshotKind, false),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			in.args = args
			return runSnapshotsRestore(cmd.Context(), a, in)
		}),
	}
	addRestoreFlags(cmd, &in.restoreFlags)
	return cmd
}

func runSnapshotsRestore(ctx context.Context, a *app, in snapshotsRestoreInput) error {
	ids, err := parseIDs("snapshot", in.args)
	if err != nil {
		return err
	}
	snapshotID := ids[0]
	op := "restore from snapshot " + formatID(snapshotID)
	return restoreAndWait(ctx, a, in.restoreFlags, restoration{
		op: op,
		confirm: func(ctx context.Context, c *vpsorg.Client) error {
			return confirmFound(ctx, a, listSnapshots(ctx, c), "snapshot", ids, snapshotView.id, "", func(found []*vpsorg.Snapshot) string {
				s := found[0]
				return fmt.Sprintf("Restore server %s from snapshot %d (%s, %s)? This overwrites all data on the server.",
					serverRef(s.Server), s.ID, s.Name, day(s.CreatedAt))
			})
		},
		restore: func(ctx context.Context, c *vpsorg.Client) (restoreResult, error) {
			res, _, err := c.Snapshots.Restore(ctx, snapshotID)
			if err != nil {
				return restoreResult{}, writeFailure(op, err, "check the id: vpsorg snapshots list", fmt.Sprintf(
					`the restore may have started; before trying again, see whether the server of snapshot %d is "restoring" in: vpsorg servers list --status restoring`, snapshotID))
			}
			return restoreResult{
				server: res.Server,
				from:   fmt.Sprintf("snapshot %d (%s)", res.Snapshot.ID, res.Snapshot.Name),
				answer: res,
			}, nil
		},
	})
}

func newSnapshotsDeleteCmd(a *app) *cobra.Command {
	return newDeleteCmd(a, deleteCommand[*vpsorg.Snapshot]{
		kind: "snapshot",
		example: `  vpsorg snapshots delete 798
  vpsorg snapshots list --server 12345 -q | xargs vpsorg snapshots delete --yes`,
		list:     listSnapshots,
		id:       snapshotView.id,
		complete: completeIDs(a, snapshotKind, true),
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
