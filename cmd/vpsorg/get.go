package main

import (
	"context"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// kind is what get, wait and the completion of ids need to know of one
// kind of object.
type kind[T any] struct {
	name   string                                                    // "backup"
	list   func(context.Context, *vpsorg.Client) iter.Seq2[T, error] // every object, 100 a page
	view   view[T]
	status func(T) vpsorg.Status
	label  func(T) string // for completion: "web-server-01 manual completed 2025-01-16"
}

var (
	backupKind = kind[*vpsorg.Backup]{
		name: "backup",
		list: func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Backup, error] {
			return c.Backups.All(ctx, &vpsorg.BackupListOptions{ListOptions: vpsorg.ListOptions{PageSize: findPageSize}})
		},
		view:   backupView,
		status: func(b *vpsorg.Backup) vpsorg.Status { return b.Status },
		label: func(b *vpsorg.Backup) string {
			return strings.Join([]string{b.Server.Name, string(b.Type), string(b.Status), day(b.CreatedAt)}, " ")
		},
	}
	snapshotKind = kind[*vpsorg.Snapshot]{
		name: "snapshot",
		list: func(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Snapshot, error] {
			return c.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ListOptions: vpsorg.ListOptions{PageSize: findPageSize}})
		},
		view:   snapshotView,
		status: func(s *vpsorg.Snapshot) vpsorg.Status { return s.Status },
		label: func(s *vpsorg.Snapshot) string {
			return strings.Join([]string{s.Name, s.Server.Name, string(s.Status), day(s.CreatedAt)}, " ")
		},
	}
	serverKind = kind[*vpsorg.Server]{
		name:   "server",
		list:   listServers,
		view:   serverView,
		status: func(s *vpsorg.Server) vpsorg.Status { return s.Status },
		label: func(s *vpsorg.Server) string {
			return strings.Join([]string{s.Name, string(s.Status), s.Location}, " ")
		},
	}
)

// getInput is a get command's id and flags.
type getInput struct {
	args []string
	out  outputFlags
}

func newGetCmd[T any](a *app, k kind[T], example string) *cobra.Command {
	var in getInput
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Print one " + k.name,
		Long: `Print one ` + k.name + `. The API has no request for one object, so this walks the
list, 100 a page, and stops at the ` + k.name + `: one request when it is among the
first 100. An id the list lacks is exit 3.`,
		Example:           example,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeIDs(a, k, false),
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			in.args = args
			return runGet(cmd.Context(), a, k, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, k.view)
	return cmd
}

func runGet[T any](ctx context.Context, a *app, k kind[T], in getInput) error {
	ids, err := parseIDs(k.name, in.args)
	if err != nil {
		return err
	}
	if err := in.out.check(); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	found, err := lookUp(ctx, c, k, ids)
	if err != nil {
		return err
	}
	return writeOne(a.stdout, in.out, k.view, found[0])
}

// lookUp finds the objects ids name, in that order, with one walk of k's
// list that stops once all are found. An id the list lacks is exit 3,
// naming it.
func lookUp[T any](ctx context.Context, c *vpsorg.Client, k kind[T], ids []int64) ([]T, error) {
	found, missing, err := findIDs(k.list(ctx, c), ids, k.view.id)
	if err != nil {
		return nil, apiFailure("look up "+idList(k.name, ids), err, "")
	}
	if len(missing) > 0 {
		return nil, &failure{err: &notFoundError{k.name, missing}, hint: "check the id: vpsorg " + k.name + "s list", code: exitNotFound}
	}
	return found, nil
}
