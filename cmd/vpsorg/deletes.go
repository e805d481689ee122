package main

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// deleteConcurrency bounds the requests in flight of inParallel: enough to
// prune a server's backups or rotate a fleet quickly, few enough to stay
// clear of rate limits.
const deleteConcurrency = 4

// inParallel runs fn on every item, deleteConcurrency at a time, and
// returns when all are done.
func inParallel[T any](items []T, fn func(i int, item T)) {
	var wg sync.WaitGroup
	slot := make(chan struct{}, deleteConcurrency)
	for i, it := range items {
		slot <- struct{}{}
		wg.Go(func() {
			defer func() { <-slot }()
			fn(i, it)
		})
	}
	wg.Wait()
}

// deleteCommand is what "backups delete" and "snapshots delete" differ in.
type deleteCommand[T any] struct {
	kind    string // "backup"
	example string
	list    func(context.Context, *vpsorg.Client) iter.Seq2[T, error] // where a prompt finds the ids
	id      func(T) int64
	label   func(T) string // an object in a prompt: "501 (web-server-01, 2025-01-16)"
	del     func(context.Context, *vpsorg.Client, int64) error
	// complete offers the ids to tab completion.
	complete func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)
}

// deleteInput is a delete command's ids and flags.
type deleteInput struct {
	args []string
	yes  bool
}

func newDeleteCmd[T any](a *app, d deleteCommand[T]) *cobra.Command {
	var in deleteInput
	cmd := &cobra.Command{
		Use:   "delete ID... [--yes]",
		Short: "Delete " + d.kind + "s for good",
		Long: `Delete ` + d.kind + `s for good; it cannot be undone. On a terminal it asks first,
naming each; anywhere else it needs --yes, and without it exits 2 having sent
nothing. Deletes run a few at a time; with several ids, the exit code is that
of the first that failed, and the others are still deleted.`,
		Example:           d.example,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: d.complete,
		RunE: asFailureRunE(func(cmd *cobra.Command, args []string) error {
			in.args = args
			return runDelete(cmd.Context(), a, d, in)
		}),
	}
	cmd.Flags().BoolVarP(&in.yes, "yes", "y", false, "delete without asking")
	return cmd
}

// runDelete is "backups delete" and "snapshots delete": it names what it
// deletes in the prompt, then deletes each id.
func runDelete[T any](ctx context.Context, a *app, d deleteCommand[T], in deleteInput) error {
	ids, err := parseIDs(d.kind, in.args)
	if err != nil {
		return err
	}
	if err := a.mayAsk(in.yes, "delete "+idList(d.kind, ids)); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	ask := func() error {
		return confirmFound(ctx, a, d.list(ctx, c), d.kind, ids, d.id, "", func(found []T) string {
			return "Delete " + nameAll(d.kind, found, d.label) + "?"
		})
	}
	errs, err := a.confirmThenDelete(ctx, in.yes, ask, d.kind, ids, func(ctx context.Context, id int64) error { return d.del(ctx, c, id) })
	if err != nil {
		return err
	}
	return a.deleteResult(d.kind, errs)
}

// confirmThenDelete is the last step of every command that deletes: ask
// (unless yes), then delete ids with del. It returns one error per id, nil
// for those deleted, or ask's error when nothing was deleted.
func (a *app) confirmThenDelete(ctx context.Context, yes bool, ask func() error, kind string, ids []int64,
	del func(context.Context, int64) error,
) ([]error, error) {
	if !yes {
		if err := ask(); err != nil {
			return nil, err
		}
	}
	return a.deleteAll(ctx, kind, ids, del), nil
}

// parseIDs reads positional ids; anything but a positive integer is a usage
// error, so nothing is sent for "vpsorg backups delete 501 abc". An id given
// twice counts once: its second delete would fail with 404.
func parseIDs(kind string, args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, arg := range args {
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n <= 0 {
			return nil, usageErrorf("ids are positive integers, as 'vpsorg "+kind+"s list' prints them", "%q is not a %s id", arg, kind)
		}
		if !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	return ids, nil
}

// deleteAll deletes ids with del, deleteConcurrency at a time, with a
// progress bar on a terminal and a line per delete elsewhere. It returns
// one error per id, nil for those deleted.
func (a *app) deleteAll(ctx context.Context, kind string, ids []int64, del func(context.Context, int64) error) []error {
	prog := a.newProgress()
	bar := prog.count("deleting "+kind+"s", len(ids))
	errs := make([]error, len(ids))
	inParallel(ids, func(i int, id int64) {
		what := fmt.Sprintf("%s %d", kind, id)
		if err := del(ctx, id); err != nil {
			errs[i] = apiFailure("delete "+what, err, "check the id: vpsorg "+kind+"s list")
		}
		bar.done(what, errs[i])
	})
	prog.stop()
	return errs
}

// deleteResult is the command's error for the deletes' errors: the one
// failure, or, after reporting each on its own line, a summary with the
// exit code of the first, so scripts see the same code for one id or many.
func (a *app) deleteResult(kind string, errs []error) error {
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return failed[0]
	}
	for _, err := range failed {
		report(a.stderr, err)
	}
	return &failure{
		err:  fmt.Errorf("%d of %d %s deletes failed", len(failed), len(errs), kind),
		code: exitCode(failed[0]),
	}
}

// confirmFound asks question about the objects ids name. It looks them
// up in seq first, so that the prompt names what will change: an id not
// listed is exit 3, with notFound as the hint (or "check the id"), before
// anything was changed.
func confirmFound[T any](ctx context.Context, a *app, seq iter.Seq2[T, error], kind string, ids []int64,
	idOf func(T) int64, notFound string, question func([]T) string) error {
	found, err := findByID(seq, kind, ids, idOf, notFound)
	if err != nil {
		return err
	}
	return a.confirm(ctx, question(found))
}

// findByID looks ids up in a listing, in the order given: one walk of the
// list, as the API has no endpoint for one object, stopping once all are
// found.
func findByID[T any](seq iter.Seq2[T, error], kind string, ids []int64, idOf func(T) int64, notFound string) ([]T, error) {
	if notFound == "" {
		notFound = "check the id: vpsorg " + kind + "s list"
	}
	found, missing, err := findIDs(seq, ids, idOf)
	if err != nil {
		return nil, apiFailure("look up "+kind+"s", err, "")
	}
	if len(missing) > 0 {
		return nil, &failure{err: fmt.Errorf("%s %d not found; nothing was done", kind, missing[0]), hint: notFound, code: exitNotFound}
	}
	return found, nil
}

// nameAll names objects for a prompt, label giving each one's details:
// "backup 501 (web-server-01, 2025-01-16)", or "2 backups: 501 (...), 499 (...)".
func nameAll[T any](kind string, items []T, label func(T) string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = label(it)
	}
	if len(items) == 1 {
		return kind + " " + parts[0]
	}
	return fmt.Sprintf("%d %ss: %s", len(items), kind, strings.Join(parts, ", "))
}

// idList names objects by id for messages: "backup 501", "backups 501, 502".
func idList(kind string, ids []int64) string {
	parts := make([]string, len(ids))
	for i, n := range ids {
		parts[i] = formatID(n)
	}
	if len(ids) != 1 {
		kind += "s"
	}
	return kind + " " + strings.Join(parts, ", ")
}
