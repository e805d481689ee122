package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// pruneCommand is what "backups prune" and "snapshots prune" differ in.
// T is the SDK's type: vpsorg.Backup.
type pruneCommand[T any] struct {
	kind    string // "backup"
	plural  string // "manual backups": what a server has, for messages
	limit   int    // the API's limit of them per server
	untouch string // the sentence of the help that says what is never a candidate
	example string
	view    view[*T]
	server  func(*T) vpsorg.ServerRef
	json    func(*T, retention) any // the object's API fields plus keep and reasons
	service func(*vpsorg.Client) pruneService[T]
}

// pruneService is the part of the SDK's BackupsService and
// SnapshotsService that prune uses.
type pruneService[T any] interface {
	Prune(ctx context.Context, serverID int64, policy vpsorg.RetentionPolicy, opts *vpsorg.PruneOptions) (*vpsorg.PruneResult[T], error)
	Delete(ctx context.Context, id int64) (*vpsorg.Response, error)
}

// retention is what -o json adds to each candidate's fields.
type retention struct {
	Keep    bool     `json:"keep"`
	Reasons []string `json:"reasons"` // never null: [] for one that goes
}

func retentionOf(d vpsorg.RetentionDecision) retention {
	r := retention{Keep: d.Keep, Reasons: d.Reasons}
	if r.Reasons == nil {
		r.Reasons = []string{}
	}
	return r
}

// backupCandidate and snapshotCandidate print as the object with "keep"
// and "reasons" beside its own fields: encoding/json promotes the fields
// of embedded structs.
type backupCandidate struct {
	*vpsorg.Backup
	retention
}

type snapshotCandidate struct {
	*vpsorg.Snapshot
	retention
}

func newBackupsPruneCmd(a *app) *cobra.Command {
	return newPruneCmd(a, pruneCommand[vpsorg.Backup]{
		kind:    "backup",
		plural:  "manual backups",
		limit:   vpsorg.MaxManualBackupsPerServer,
		untouch: "Only completed manual backups are candidates: automatic backups (the plan\nexpires them), backups in progress and failed ones are never touched.",
		example: `  vpsorg backups prune --server 12345 --keep-daily 7 --keep-weekly 4 --dry-run
  # nightly, from cron or CI:
  vpsorg backups prune --server 12345 --keep-last 3 --keep-daily 7 --yes`,
		view:    backupView,
		server:  func(b *vpsorg.Backup) vpsorg.ServerRef { return b.Server },
		json:    func(b *vpsorg.Backup, r retention) any { return backupCandidate{b, r} },
		service: func(c *vpsorg.Client) pruneService[vpsorg.Backup] { return c.Backups },
	})
}

func newSnapshotsPruneCmd(a *app) *cobra.Command {
	return newPruneCmd(a, pruneCommand[vpsorg.Snapshot]{
		kind:    "snapshot",
		plural:  "snapshots",
		limit:   vpsorg.MaxSnapshotsPerServer,
		untouch: "Only completed snapshots are candidates: those in progress and failed ones\nare never touched.",
		example: `  vpsorg snapshots prune --server 12345 --keep-last 2 --keep-weekly 2 --dry-run -o json
  vpsorg snapshots prune --server 12345 --keep-within 7d --yes -q`,
		view:    snapshotView,
		server:  func(s *vpsorg.Snapshot) vpsorg.ServerRef { return s.Server },
		json:    func(s *vpsorg.Snapshot, r retention) any { return snapshotCandidate{s, r} },
		service: func(c *vpsorg.Client) pruneService[vpsorg.Snapshot] { return c.Snapshots },
	})
}

// pruneInput is a prune command's flags.
type pruneInput struct {
	out      outputFlags
	keep     keepFlags
	serverID int64
	dryRun   bool
	yes      bool
}

// keepUsage is the keep flags in a command's usage line.
const keepUsage = "[--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--keep-within DURATION] [--tz ZONE]"

func newPruneCmd[T any](a *app, p pruneCommand[T]) *cobra.Command {
	var in pruneInput
	cmd := &cobra.Command{
		Use:     "prune --server ID " + keepUsage + " [--dry-run] [--yes]",
		Short:   "Delete a server's " + p.plural + " that a retention policy does not keep",
		Long:    pruneLong(p.kind, p.untouch),
		Example: p.example,
		Args:    cobra.NoArgs,
		RunE: asFailureRunE(func(cmd *cobra.Command, _ []string) error {
			return runPrune(cmd.Context(), a, p, in)
		}),
	}
	addOutputFlags(cmd, &in.out)
	addColumns(cmd, &in.out, candidateView(p.view, p.json))
	addKeepFlags(cmd, &in.keep, p.kind)
	cmd.Flags().Int64Var(&in.serverID, "server", 0, "server whose "+p.kind+"s to prune (required)")
	cmd.Flags().BoolVar(&in.dryRun, "dry-run", false, "print what would be kept and deleted, and delete nothing")
	cmd.Flags().BoolVarP(&in.yes, "yes", "y", false, "delete without asking")
	_ = cmd.MarkFlagRequired("server")
	return cmd
}

func pruneLong(kind, untouch string) string {
	return `Keep the ` + kind + `s of a server that the --keep rules keep, and delete the
others. The rules are restic forget's: --keep-daily 7 keeps the newest ` + kind + `
of each of the 7 last days that have one, and --keep-hourly, --keep-weekly
(ISO weeks), --keep-monthly and --keep-yearly do the same for their periods,
counted in --tz (UTC by default). --keep-last N keeps the N newest (--keep N
is the same); --keep-within 7d keeps every one made within 7 days before the
newest (Go's units and d for days: 36h, 7d12h). -1 is no limit. One ` + kind + `
may be kept by several rules, and counts for each. A rule with count left
when it reaches the oldest keeps the oldest too. At least one rule is
needed. ` + untouch + `

It prints every candidate, newest first, with KEEP and the rules that keep
it (REASONS); -o json adds "keep" and "reasons" to the API's fields; -q
prints only the ids deleted (with --dry-run, those it would delete).
--dry-run deletes nothing. A policy that can keep more than the API lets a
server have is warned about on stderr. On a terminal it lists what it will
delete and asks first; anywhere else it needs --yes, and without it exits 2
having sent nothing. Deletes run a few at a time.`
}

// check refuses flags that cannot say what to prune, before anything is
// sent, and returns the policy.
func (in pruneInput) check() (vpsorg.RetentionPolicy, error) {
	if err := in.out.check(); err != nil {
		return vpsorg.RetentionPolicy{}, err
	}
	if in.serverID <= 0 {
		return vpsorg.RetentionPolicy{}, usageErrorf("give the server's id: vpsorg servers list", "--server %d is not a server id", in.serverID)
	}
	return in.keep.policy()
}

// pruning is what a prune decided on one server.
type pruning[T any] struct {
	res     *vpsorg.PruneResult[T]
	what    string // "completed manual backups"
	server  string // "web-server-01 (12345)"
	keeping string // "the 7 newest"
}

// summary says what n of the candidates are, for prune's messages: "3 of
// 10 completed manual backups of web-server-01 (12345), keeping the 7 newest".
func (p pruning[T]) summary(n int) string {
	return fmt.Sprintf("%d of %d %s of %s, keeping %s", n, len(p.res.Candidates), p.what, p.server, p.keeping)
}

func runPrune[T any](ctx context.Context, a *app, p pruneCommand[T], in pruneInput) error {
	policy, err := in.check()
	if err != nil {
		return err
	}
	action := fmt.Sprintf("prune the %ss of server %d", p.kind, in.serverID)
	if !in.dryRun {
		if err := a.mayAsk(in.yes, action); err != nil {
			return err
		}
	}
	in.keep.warnLimit(a.stderr, policy, p.plural, p.limit)
	c, err := a.newClient()
	if err != nil {
		return err
	}
	// Always decide first and delete after: the prompt names what goes, and
	// exactly that goes, even if a new one appears while it waits.
	res, err := p.service(c).Prune(ctx, in.serverID, policy, &vpsorg.PruneOptions{DryRun: true})
	if err != nil {
		return apiFailure(action, err, "check --server: vpsorg servers list")
	}
	server, err := pruneServerName(ctx, c, in.serverID, res.Candidates, p.server)
	if err != nil {
		return err
	}
	pl := pruning[T]{res: res, what: "completed " + p.plural, server: server, keeping: in.keep.describe(policy)}
	v := candidateView(p.view, p.json)
	switch dropped := len(res.Dropped()); {
	case dropped == 0:
		fmt.Fprintf(a.stderr, "nothing to prune on %s: %d %s, keeping %s\n", server, len(res.Candidates), pl.what, pl.keeping)
		return writePruned(a.stdout, in.out, v, res.Candidates, true)
	case in.dryRun:
		fmt.Fprintf(a.stderr, "dry run: would delete %s; nothing was deleted\n", pl.summary(dropped))
		return writePruned(a.stdout, in.out, v, res.Candidates, true)
	}
	return deletePruned(ctx, a, c, p, in, pl)
}

// deletePruned deletes what the prune dropped, after asking unless --yes,
// and prints the candidates with what became of them.
func deletePruned[T any](ctx context.Context, a *app, c *vpsorg.Client, p pruneCommand[T], in pruneInput, pl pruning[T]) error {
	var at []int // the dropped candidates' places
	for i, cand := range pl.res.Candidates {
		if !cand.Keep {
			at = append(at, i)
		}
	}
	dropped, ids := make([]*T, len(at)), make([]int64, len(at))
	for j, i := range at {
		dropped[j] = pl.res.Candidates[i].Object
		ids[j] = p.view.id(dropped[j])
	}
	ask := func() error {
		if err := writeTable(a.stderr, p.view, dropped); err != nil {
			return err
		}
		return a.confirm(ctx, fmt.Sprintf("Delete %d %s of %s, keeping %s?", len(ids), p.plural, pl.server, pl.keeping))
	}
	errs, err := a.confirmThenDelete(ctx, in.yes, ask, p.kind, ids, func(ctx context.Context, id int64) error {
		_, err := p.service(c).Delete(ctx, id)
		if errors.Is(err, vpsorg.ErrNotFound) {
			return nil // deleted meanwhile by someone else: gone, as asked
		}
		return err
	})
	if err != nil {
		return err
	}
	deleted := 0
	for j, i := range at {
		cand := &pl.res.Candidates[i]
		cand.Deleted, cand.Err = errs[j] == nil, errs[j]
		if cand.Deleted {
			deleted++
		}
	}
	if err := writePruned(a.stdout, in.out, candidateView(p.view, p.json), pl.res.Candidates, false); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "deleted %s\n", pl.summary(deleted))
	return a.deleteResult(p.kind, errs)
}

// candidateView prints prune's candidates: the object's view with KEEP and
// REASONS after its columns, and its JSON with "keep" and "reasons".
func candidateView[T any](base view[*T], toJSON func(*T, retention) any) view[vpsorg.PruneCandidate[T]] {
	return view[vpsorg.PruneCandidate[T]]{
		columns: append(slices.Clip(base.columns), "KEEP", "REASONS"),
		row: func(c vpsorg.PruneCandidate[T]) []string {
			return append(base.row(c.Object), keepWord(c.Keep), strings.Join(c.Reasons, ","))
		},
		id:     func(c vpsorg.PruneCandidate[T]) int64 { return base.id(c.Object) },
		json:   func(c vpsorg.PruneCandidate[T]) any { return toJSON(c.Object, retentionOf(c.RetentionDecision)) },
		fields: candidateFields(base.fields),
	}
}

// candidateFields are the fields --columns may name on prune: the
// object's, then "keep" and "reasons".
func candidateFields[T any](base []field[*T]) []field[vpsorg.PruneCandidate[T]] {
	out := make([]field[vpsorg.PruneCandidate[T]], 0, len(base)+2)
	for _, f := range base {
		out = append(out, field[vpsorg.PruneCandidate[T]]{name: f.name, header: f.header,
			cell: func(c vpsorg.PruneCandidate[T]) string { return f.cell(c.Object) }})
	}
	return append(out,
		field[vpsorg.PruneCandidate[T]]{name: "keep", header: "KEEP", cell: func(c vpsorg.PruneCandidate[T]) string { return keepWord(c.Keep) }},
		field[vpsorg.PruneCandidate[T]]{name: "reasons", header: "REASONS", cell: func(c vpsorg.PruneCandidate[T]) string { return strings.Join(c.Reasons, ",") }})
}

// writePruned prints every candidate, or with -q the ids of those that
// went: deleted, or in a dry run (planned) to be deleted.
func writePruned[T any](w io.Writer, out outputFlags, v view[vpsorg.PruneCandidate[T]], cands []vpsorg.PruneCandidate[T], planned bool) error {
	if !out.quiet {
		return writeList(w, out, v, cands)
	}
	var gone []vpsorg.PruneCandidate[T]
	for _, c := range cands {
		if !c.Keep && (planned || c.Deleted) {
			gone = append(gone, c)
		}
	}
	return writeIDs(w, v, gone)
}

// pruneServerName names the server for prune's messages. The candidates
// carry its name; with none, the server list says whether it exists at
// all, since a filtered list of an unknown server is simply empty.
func pruneServerName[T any](ctx context.Context, c *vpsorg.Client, serverID int64, cands []vpsorg.PruneCandidate[T], ref func(*T) vpsorg.ServerRef) (string, error) {
	if len(cands) > 0 {
		return serverRef(ref(cands[0].Object)), nil
	}
	found, err := findByID(c.Servers.All(ctx, nil), "server", []int64{serverID}, serverView.id, "check --server: vpsorg servers list")
	if err != nil {
		return "", err
	}
	return serverRef(vpsorg.ServerRef{ID: serverID, Name: found[0].Name}), nil
}

// keepWord is a candidate's KEEP cell.
func keepWord(keep bool) string {
	if keep {
		return "yes"
	}
	return "no"
}
