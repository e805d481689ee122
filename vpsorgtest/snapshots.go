package vpsorgtest

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

const maxSnapshots = 5

type snapshot struct {
	id, serverID int64
	name         string
	created      time.Time
	description  string
	progress
}

// snapshotJSON is a snapshot as the API shows it, fields in the documented order.
type snapshotJSON struct {
	ID          int64     `json:"id"`
	Server      serverRef `json:"server"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	SizeMB      *int64    `json:"size_mb"`
	CreatedAt   string    `json:"created_at"`
	Description string    `json:"description"`
	Message     string    `json:"message,omitempty"`
}

func (s *Server) snapshotJSON(sn *snapshot, now time.Time) snapshotJSON {
	return snapshotJSON{
		ID:          sn.id,
		Server:      s.serverRef(sn.serverID),
		Name:        sn.name,
		Status:      sn.statusAt(now),
		SizeMB:      sn.sizeAt(now),
		CreatedAt:   formatTime(sn.created),
		Description: sn.description,
	}
}

// listSnapshots serves GET /api/v1/snapshots/?server_id=.
func (s *Server) listSnapshots(c *call) reply {
	serverID, filtered, rep := serverFilter(c.r.URL.Query())
	if rep != nil {
		return *rep
	}
	var list []*snapshot
	for _, sn := range s.st.snapshots {
		if !filtered || sn.serverID == serverID {
			list = append(list, sn)
		}
	}
	slices.SortFunc(list, func(a, b *snapshot) int { return cmp.Compare(b.id, a.id) })
	items := make([]snapshotJSON, len(list))
	for i, sn := range list {
		items[i] = s.snapshotJSON(sn, c.now)
	}
	return paginate(s, c.r, items)
}

// createSnapshot serves POST /api/v1/snapshots/ {"server_id", "name", "description"}.
func (s *Server) createSnapshot(c *call) reply {
	in, rep := parseInput(c.body)
	if rep != nil {
		return *rep
	}
	serverID := in.integer("server_id")
	name := in.slug("name")
	description := in.text("description", false)
	if rep := in.invalid(); rep != nil {
		return *rep
	}
	if s.st.servers[serverID] == nil {
		return notFound()
	}
	count := 0
	for _, sn := range s.st.snapshots {
		if sn.serverID == serverID {
			count++
		}
	}
	if count >= maxSnapshots {
		return nonFieldError(fmt.Sprintf("Maximum number of snapshots (%d) reached for this server.", maxSnapshots))
	}
	s.st.lastSnapshot++
	sn := &snapshot{
		id:          s.st.lastSnapshot,
		serverID:    serverID,
		name:        name,
		created:     c.now,
		description: description,
		progress:    progressStarted(c.now, s.cfg.completionDelay, plausibleSize(s.st.lastSnapshot)),
	}
	s.st.snapshots[sn.id] = sn
	out := s.snapshotJSON(sn, c.now)
	out.Status, out.SizeMB = statusInProgress, nil // the answer says creation has started
	out.Message = "Snapshot is being created. This may take 3-10 minutes depending on server size."
	return reply{status: http.StatusCreated, body: out, acted: true}
}

// restoreSnapshot serves POST /api/v1/snapshots/{id}/restore/ (no body).
func (s *Server) restoreSnapshot(c *call) reply {
	sn := s.st.snapshots[c.id]
	if sn == nil {
		return notFound()
	}
	srv := s.st.servers[sn.serverID]
	if srv.statusAt(c.now) != statusActive {
		return detail(http.StatusBadRequest, "Server is not in a valid state for restoration.")
	}
	if sn.statusAt(c.now) != statusCompleted {
		return detail(http.StatusBadRequest, "Snapshot is not in a valid state for restoration.")
	}
	srv.startRestore(c.now, s.cfg.restoreDuration)
	type snapshotRef struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		CreatedAt string `json:"created_at"`
	}
	body := struct {
		Status   string      `json:"status"`
		Message  string      `json:"message"`
		Snapshot snapshotRef `json:"snapshot"`
		Server   serverState `json:"server"`
	}{
		Status:   "success",
		Message:  "Server is being restored from snapshot. This may take 5-15 minutes.",
		Snapshot: snapshotRef{ID: sn.id, Name: sn.name, CreatedAt: formatTime(sn.created)},
		Server:   serverState{ID: srv.id, Name: srv.name, Status: statusRestoring},
	}
	return reply{status: http.StatusOK, body: body, acted: true}
}

// deleteSnapshot serves DELETE /api/v1/snapshots/{id}/.
func (s *Server) deleteSnapshot(c *call) reply {
	if s.st.snapshots[c.id] == nil {
		return notFound()
	}
	delete(s.st.snapshots, c.id)
	return reply{status: http.StatusNoContent, acted: true}
}

// SetSnapshotStatus forces a snapshot's status, for example to
// [vpsorg.StatusFailed] or any other string the API might send. A forced
// status sticks: the snapshot no longer completes by itself. size_mb is shown
// only while the status is "completed".
func (s *Server) SetSnapshotStatus(id int64, status vpsorg.Status) error {
	if status == "" {
		return errors.New("vpsorgtest: empty status")
	}
	if !s.forceSnapshot(id, status) {
		return fmt.Errorf("vpsorgtest: no snapshot %d", id)
	}
	return nil
}

// forceSnapshot forces a snapshot's status and reports whether there is one.
func (s *Server) forceSnapshot(id int64, status vpsorg.Status) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.st.snapshots[id]
	if sn == nil {
		return false
	}
	sn.force(string(status))
	return true
}
