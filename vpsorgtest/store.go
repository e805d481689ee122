package vpsorgtest

import (
	"time"
)

// Statuses the fake gives backups, snapshots and servers on its own. Forced
// statuses (SetBackupStatus, SetSnapshotStatus) may be anything.
const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
	statusActive     = "active"
	statusRestoring  = "restoring"
)

// store is the fake's whole state. Server.mu guards it.
type store struct {
	servers   map[int64]*server
	backups   map[int64]*backup
	snapshots map[int64]*snapshot
	// The last ids handed out; new objects take the next one, so ids are never
	// reused after a delete, as with a database sequence.
	lastServer, lastBackup, lastSnapshot int64
}

func newStore(seeded bool) store {
	st := store{
		servers:   map[int64]*server{},
		backups:   map[int64]*backup{},
		snapshots: map[int64]*snapshot{},
	}
	if seeded {
		seedDocumented(&st)
	}
	return st
}

// now reads the configured clock, moved on by what waiting clients skipped
// (see passTime). Times are cut to microseconds because that is all the
// real API (Django) keeps and shows.
func (s *Server) now() time.Time {
	return s.cfg.now().Add(time.Duration(s.skipped.Load())).UTC().Truncate(time.Microsecond)
}

// progress is the life cycle shared by backups and snapshots. Status is worked
// out from the clock when read rather than by timers, so a test's clock alone
// decides when an object completes.
type progress struct {
	status  string    // statusInProgress until readyAt, unless forced
	readyAt time.Time // when an unforced in_progress object completes
	forced  bool      // status was set by the test and never changes by itself
	sizeMB  int64     // shown only once completed
}

// progressStarted is an object made at now that completes after delay.
func progressStarted(now time.Time, delay time.Duration, sizeMB int64) progress {
	return progress{status: statusInProgress, readyAt: now.Add(delay), sizeMB: sizeMB}
}

// progressCompleted is an object that is already completed.
func progressCompleted(sizeMB int64) progress {
	return progress{status: statusCompleted, sizeMB: sizeMB}
}

func (p progress) statusAt(now time.Time) string {
	if p.status == statusInProgress && !p.forced && !now.Before(p.readyAt) {
		return statusCompleted
	}
	return p.status
}

// sizeAt is null until the object is complete, as in the API's create answers.
func (p progress) sizeAt(now time.Time) *int64 {
	if p.statusAt(now) != statusCompleted {
		return nil
	}
	size := p.sizeMB
	return &size
}

func (p *progress) force(status string) {
	p.status = status
	p.forced = true
}

// plausibleSize gives new backups and snapshots a size near the documented
// ones that varies between objects but not between runs.
func plausibleSize(id int64) int64 {
	return 4096 + id*131%1024
}

// formatTime writes a time as Django REST Framework does: RFC 3339 in UTC with
// "Z", and microseconds only when there are some.
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}
