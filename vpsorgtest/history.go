package vpsorgtest

import (
	"fmt"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// AddBackup puts b on the fake as if it had been made earlier, so a test can
// build a history (a year of nightly backups, say) and returns its id. It is
// not an API request: it goes past the limit of 10 manual backups per
// server, as history made before the limit would, while later creates
// through the API still meet the limit. [Server.Reset] takes it away again.
//
// The fields are kept as given, with these rules:
//
//   - ID: 0 takes the next id. Another id is used if no backup has it,
//     else it is an error; later ids continue above the highest used.
//   - Server.ID must name a server of the fake; Server.Name is ignored,
//     since lists show the fake's name for the server.
//   - Type: [vpsorg.BackupTypeManual] or [vpsorg.BackupTypeAutomatic]; ""
//     means manual.
//   - Status: [vpsorg.StatusInProgress], [vpsorg.StatusCompleted] or
//     [vpsorg.StatusFailed]; "" means completed. An in_progress backup
//     completes the completion delay ([WithCompletionDelay]) after it was
//     added, or after CreatedAt if that is later, as one made through the
//     API does; to keep it in progress for good, force its status with
//     [Server.SetBackupStatus]. Other statuses can be forced that way too.
//   - CreatedAt: zero means the fake's clock now ([WithClock]). Times are
//     kept to the microsecond, in UTC, as the API shows them.
//   - SizeMB: shown once the backup is completed; nil gives a size like the
//     fake's own backups have.
//   - ExpiresAt: must be nil for a manual backup, which never expires. For
//     an automatic one nil means CreatedAt plus 30 days, the retention of
//     [Server.AddAutomaticBackup], and a time before CreatedAt is an error.
//     The fake lists expired backups all the same: it never deletes them.
//   - Description as given; Message is ignored, as lists never carry one.
//
// Bad input is an error that wraps a [*vpsorg.ValidationError] whose Field
// is the API's name of the field ("server_id", "backup_type", "status",
// "size_mb", "expires_at", or "id"), and nothing is added.
func (s *Server) AddBackup(b vpsorg.Backup) (int64, error) {
	ids, bad := s.addBackups([]vpsorg.Backup{b})
	if bad != nil {
		return 0, fmt.Errorf("vpsorgtest: add backup: %w", bad.err)
	}
	return ids[0], nil
}

// AddSnapshot puts sn on the fake as if it had been made earlier, past the
// limit of 5 snapshots per server, and returns its id: the snapshots'
// [Server.AddBackup]. ID, Server, Status, CreatedAt, SizeMB, Description
// and Message follow the same rules. Name is required and, as the API asks,
// made of letters, digits, '-' and '_' only. Bad input is an error that
// wraps a [*vpsorg.ValidationError] naming the field ("server_id", "name",
// "status", "size_mb" or "id"), and nothing is added.
func (s *Server) AddSnapshot(sn vpsorg.Snapshot) (int64, error) {
	ids, bad := s.addSnapshots([]vpsorg.Snapshot{sn})
	if bad != nil {
		return 0, fmt.Errorf("vpsorgtest: add snapshot: %w", bad.err)
	}
	return ids[0], nil
}

// badItem is the object of a batch that was refused: its place and why.
type badItem struct {
	index int
	err   *vpsorg.ValidationError
}

// addBackups adds backups all or none, under one lock, so a control request
// with a list never leaves half a history behind.
func (s *Server) addBackups(items []vpsorg.Backup) ([]int64, *badItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return addAll(items, &s.st.lastBackup, s.addBackupLocked, func(id int64) { delete(s.st.backups, id) })
}

// addSnapshots is addBackups for snapshots.
func (s *Server) addSnapshots(items []vpsorg.Snapshot) ([]int64, *badItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return addAll(items, &s.st.lastSnapshot, s.addSnapshotLocked, func(id int64) { delete(s.st.snapshots, id) })
}

// addAll adds items one by one with add. At the first refusal it takes off
// again, with remove, those already added and puts the id sequence back.
func addAll[T any](items []T, last *int64, add func(T) (int64, *vpsorg.ValidationError), remove func(int64)) ([]int64, *badItem) {
	first := *last
	ids := make([]int64, 0, len(items))
	for i, item := range items {
		id, err := add(item)
		if err != nil {
			for _, id := range ids {
				remove(id)
			}
			*last = first
			return nil, &badItem{index: i, err: err}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// addBackupLocked checks and adds one backup. Its id is taken before the
// last checks, which is safe because addAll puts the sequence back on error.
func (s *Server) addBackupLocked(in vpsorg.Backup) (int64, *vpsorg.ValidationError) {
	kind, err := addedKind(in.Type)
	if err != nil {
		return 0, err
	}
	if err := s.checkServer(in.Server.ID); err != nil {
		return 0, err
	}
	now := s.now()
	created := addedTime(in.CreatedAt, now)
	expires, err := addedExpiry(kind, created, in.ExpiresAt)
	if err != nil {
		return 0, err
	}
	id, err := newID(in.ID, &s.st.lastBackup, func(id int64) bool { return s.st.backups[id] != nil })
	if err != nil {
		return 0, err
	}
	p, err := s.addedProgress(in.Status, in.SizeMB, id, created, now)
	if err != nil {
		return 0, err
	}
	s.st.backups[id] = &backup{
		id: id, serverID: in.Server.ID, kind: kind, created: created, expires: expires,
		description: in.Description, progress: p,
	}
	return id, nil
}

// addSnapshotLocked is addBackupLocked for a snapshot.
func (s *Server) addSnapshotLocked(in vpsorg.Snapshot) (int64, *vpsorg.ValidationError) {
	if err := s.checkServer(in.Server.ID); err != nil {
		return 0, err
	}
	if in.Name == "" || !isSlug(in.Name) {
		return 0, invalidField("name", fmt.Sprintf("%q: want letters, digits, '-' and '_' only, at least one", in.Name))
	}
	now := s.now()
	created := addedTime(in.CreatedAt, now)
	id, err := newID(in.ID, &s.st.lastSnapshot, func(id int64) bool { return s.st.snapshots[id] != nil })
	if err != nil {
		return 0, err
	}
	p, err := s.addedProgress(in.Status, in.SizeMB, id, created, now)
	if err != nil {
		return 0, err
	}
	s.st.snapshots[id] = &snapshot{
		id: id, serverID: in.Server.ID, name: in.Name, created: created,
		description: in.Description, progress: p,
	}
	return id, nil
}

func invalidField(field, msg string) *vpsorg.ValidationError {
	return &vpsorg.ValidationError{Field: field, Message: msg}
}

func (s *Server) checkServer(id int64) *vpsorg.ValidationError {
	if s.st.servers[id] == nil {
		return invalidField("server_id", fmt.Sprintf("no server %d", id))
	}
	return nil
}

func addedKind(t vpsorg.BackupType) (string, *vpsorg.ValidationError) {
	switch t {
	case "", vpsorg.BackupTypeManual:
		return backupManual, nil
	case vpsorg.BackupTypeAutomatic:
		return backupAutomatic, nil
	}
	return "", invalidField("backup_type", fmt.Sprintf("%q: want manual or automatic", t))
}

// addedTime is t as the API would keep it, or now for a zero t.
func addedTime(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC().Truncate(time.Microsecond)
}

// addedExpiry follows the API: manual backups never expire, automatic ones
// after the retention unless the test says when.
func addedExpiry(kind string, created time.Time, given *time.Time) (time.Time, *vpsorg.ValidationError) {
	switch {
	case given == nil && kind == backupAutomatic:
		return created.Add(retention), nil
	case given == nil:
		return time.Time{}, nil
	case kind == backupManual:
		return time.Time{}, invalidField("expires_at", "want none: manual backups never expire")
	case given.Before(created):
		return time.Time{}, invalidField("expires_at", "before created_at")
	}
	return addedTime(*given, created), nil
}

// addedProgress is the life cycle of an added object. One added in progress
// completes like one made through the API, after the completion delay,
// counted from when it was added so that it reads as given at first even
// when made long ago. Without a size it gets one like the fake's own.
func (s *Server) addedProgress(status vpsorg.Status, size *int64, id int64, created, now time.Time) (progress, *vpsorg.ValidationError) {
	mb := plausibleSize(id)
	if size != nil {
		if *size < 0 {
			return progress{}, invalidField("size_mb", fmt.Sprintf("%d: want 0 or more", *size))
		}
		mb = *size
	}
	switch status {
	case "", vpsorg.StatusCompleted:
		return progressCompleted(mb), nil
	case vpsorg.StatusInProgress:
		return progressStarted(later(created, now), s.cfg.completionDelay, mb), nil
	case vpsorg.StatusFailed:
		p := progressCompleted(mb)
		p.force(string(vpsorg.StatusFailed))
		return p, nil
	default: // a server's statuses and any other: force one with SetBackupStatus
		return progress{}, invalidField("status", fmt.Sprintf("%q: want in_progress, completed or failed", status))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// newID picks an added object's id: the next of the sequence for 0, else the
// one asked for if it is free, and then the sequence goes on above it.
func newID(want int64, last *int64, taken func(int64) bool) (int64, *vpsorg.ValidationError) {
	switch {
	case want == 0:
		*last++
		return *last, nil
	case want < 0:
		return 0, invalidField("id", fmt.Sprintf("%d: want 0 for the next id, or a positive one", want))
	case taken(want):
		return 0, invalidField("id", fmt.Sprintf("%d is taken", want))
	}
	*last = max(*last, want)
	return want, nil
}
