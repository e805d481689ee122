package vpsorg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"
)

// The API's limits per server: a create beyond them is refused with 400.
const (
	MaxManualBackupsPerServer = 10
	MaxSnapshotsPerServer     = 5
)

// DefaultPruneParallel is how many deletes a prune runs at a time unless
// [PruneOptions.Parallel] says otherwise.
const DefaultPruneParallel = 4

// PruneOptions tunes [BackupsService.Prune] and [SnapshotsService.Prune].
// A nil *PruneOptions means the defaults.
type PruneOptions struct {
	// DryRun decides and reports, and deletes nothing.
	DryRun bool
	// Parallel is how many deletes run at a time (default
	// [DefaultPruneParallel]). Each goes through the Client's rate limit
	// ([WithRateLimit]) like any request.
	Parallel int
	// Upcoming, when not zero, is the creation time of an object about to
	// be made, such as the backup a nightly rotation makes next: the policy
	// decides as if it existed and was the newest, so that what it would
	// then drop is deleted now and the new object fits under the API's
	// limit. It is not among the results.
	Upcoming time.Time
}

// PruneCandidate is one object a prune considered, with the policy's
// decision about it and what became of it.
type PruneCandidate[T any] struct {
	Object *T
	RetentionDecision
	Deleted bool  // deleted by this prune; never in a dry run
	Err     error // why deleting it failed; nil when it was not tried or succeeded
}

// PruneResult is what a prune decided and did: every candidate, newest
// first.
type PruneResult[T any] struct {
	Candidates []PruneCandidate[T]
}

// Kept returns the candidates the policy keeps, newest first.
func (r *PruneResult[T]) Kept() []*T { return r.objects(true) }

// Dropped returns the candidates the policy drops, newest first: deleted,
// or to be deleted in a dry run, or whose delete failed.
func (r *PruneResult[T]) Dropped() []*T { return r.objects(false) }

func (r *PruneResult[T]) objects(keep bool) []*T {
	var out []*T
	for _, c := range r.Candidates {
		if c.Keep == keep {
			out = append(out, c.Object)
		}
	}
	return out
}

// Prune applies policy to a server's completed manual backups: it lists
// them (GET /api/v1/backups/?server_id=...&backup_type=manual), decides
// with [RetentionPolicy.Decide], and deletes the ones the policy drops
// (DELETE /api/v1/backups/{id}/), a few at a time. Automatic backups are
// never candidates (the plan expires them), nor are backups in progress or
// failed: they are never deleted and take no place in the policy. A delete
// that finds the backup already gone counts as done.
//
// The result holds every candidate with its decision, whether it was
// deleted and why not, even when the error is not nil.
//
// Errors: [*ValidationError] for a serverID <= 0 or a policy Decide
// refuses (nothing is sent); the listing's error (nothing is deleted);
// else an [errors.Join] of one error per failed delete, naming its backup;
// and those of every call ([Errors]).
func (s *BackupsService) Prune(ctx context.Context, serverID int64, policy RetentionPolicy, opts *PruneOptions) (*PruneResult[Backup], error) {
	filter := &BackupListOptions{ServerID: serverID, Type: BackupTypeManual, ListOptions: ListOptions{PageSize: maxPageSize}}
	return prune(ctx, s.client, pruneJob[Backup]{
		op:       "Backups.Prune",
		kind:     "backup",
		serverID: serverID,
		list:     func(ctx context.Context) iter.Seq2[*Backup, error] { return s.All(ctx, filter) },
		// The filters are the API's; checking again guarantees that an
		// automatic backup or another server's is never deleted here.
		candidate: func(b *Backup) bool {
			return b.Server.ID == serverID && b.Type == BackupTypeManual && b.Status == StatusCompleted
		},
		del: s.Delete,
	}, policy, opts)
}

// Prune applies policy to a server's completed snapshots (GET
// /api/v1/snapshots/?server_id=...), deleting the ones it drops (DELETE
// /api/v1/snapshots/{id}/), as [BackupsService.Prune] does for backups:
// snapshots in progress or failed are never candidates.
//
// Errors: as [BackupsService.Prune]'s.
func (s *SnapshotsService) Prune(ctx context.Context, serverID int64, policy RetentionPolicy, opts *PruneOptions) (*PruneResult[Snapshot], error) {
	filter := &SnapshotListOptions{ServerID: serverID, ListOptions: ListOptions{PageSize: maxPageSize}}
	return prune(ctx, s.client, pruneJob[Snapshot]{
		op:        "Snapshots.Prune",
		kind:      "snapshot",
		serverID:  serverID,
		list:      func(ctx context.Context) iter.Seq2[*Snapshot, error] { return s.All(ctx, filter) },
		candidate: func(sn *Snapshot) bool { return sn.Server.ID == serverID && sn.Status == StatusCompleted },
		del:       s.Delete,
	}, policy, opts)
}

// checkPrune refuses what a prune must not start with, before anything is
// sent.
func checkPrune(serverID int64, policy RetentionPolicy) error {
	if err := checkID("server_id", serverID); err != nil {
		return err
	}
	return policy.validate()
}

// pruneJob is one Prune: what it lists, which objects are candidates, how
// one is deleted.
type pruneJob[T made] struct {
	op       string // "Backups.Prune", the call's name for observers
	kind     string // "backup", for errors
	serverID int64
	list     func(ctx context.Context) iter.Seq2[*T, error]
	// candidate says whether a listed object is the policy's to keep or
	// drop: completed, and of the server and type asked for.
	candidate func(*T) bool
	del       func(ctx context.Context, id int64) (*Response, error)
}

// prune is every Prune: it checks its input, lists the candidates and
// decides over them (decide), then deletes what the policy drops unless it
// is a dry run.
func prune[T made](ctx context.Context, c *Client, job pruneJob[T], policy RetentionPolicy, opts *PruneOptions) (_ *PruneResult[T], err error) {
	if err := checkPrune(job.serverID, policy); err != nil {
		return nil, err
	}
	ctx, end := c.startCall(ctx, job.op)
	defer func() { end(err) }()
	var candidates []*T
	for it, err := range job.list(ctx) {
		if err != nil {
			return nil, fmt.Errorf("vpsorg: prune %ss of server %d: %w", job.kind, job.serverID, err)
		}
		if job.candidate(it) {
			candidates = append(candidates, it)
		}
	}
	res, o, err := decide(candidates, policy, opts)
	if err != nil || o.DryRun {
		return res, err
	}
	return res, deleteDropped(ctx, res, job.kind, parallelism(o.Parallel), job.del)
}

// decide sorts candidates newest first and decides over them.
func decide[T made](candidates []*T, policy RetentionPolicy, opts *PruneOptions) (*PruneResult[T], PruneOptions, error) {
	var o PruneOptions
	if opts != nil {
		o = *opts
	}
	slices.SortFunc(candidates, func(a, b *T) int {
		return cmp.Or((*b).createdAt().Compare((*a).createdAt()), cmp.Compare((*b).itemID(), (*a).itemID()))
	})
	times := make([]time.Time, 0, len(candidates)+1)
	for _, c := range candidates {
		times = append(times, (*c).createdAt())
	}
	if !o.Upcoming.IsZero() {
		times = append(times, o.Upcoming)
	}
	decisions, err := policy.Decide(times)
	if err != nil {
		return nil, o, err
	}
	res := &PruneResult[T]{Candidates: make([]PruneCandidate[T], len(candidates))}
	for i, c := range candidates {
		res.Candidates[i] = PruneCandidate[T]{Object: c, RetentionDecision: decisions[i]}
	}
	return res, o, nil
}

// parallelism is n, or DefaultPruneParallel when n is unset.
func parallelism(n int) int {
	if n <= 0 {
		return DefaultPruneParallel
	}
	return n
}

// deleteDropped deletes the candidates res drops, parallel at a time, and
// notes each outcome on its candidate.
func deleteDropped[T made](ctx context.Context, res *PruneResult[T], kind string, parallel int,
	del func(context.Context, int64) (*Response, error),
) error {
	var (
		wg   sync.WaitGroup
		slot = make(chan struct{}, parallel)
	)
	for i := range res.Candidates {
		c := &res.Candidates[i]
		if c.Keep {
			continue
		}
		slot <- struct{}{}
		wg.Go(func() {
			defer func() { <-slot }()
			_, err := del(ctx, (*c.Object).itemID())
			if err == nil || errors.Is(err, ErrNotFound) {
				c.Deleted = true
				return
			}
			c.Err = fmt.Errorf("vpsorg: prune: delete %s %d: %w", kind, (*c.Object).itemID(), err)
		})
	}
	wg.Wait()
	var errs []error
	for _, c := range res.Candidates {
		if c.Err != nil {
			errs = append(errs, c.Err)
		}
	}
	return errors.Join(errs...)
}
