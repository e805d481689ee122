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

const (
	backupManual    = "manual"
	backupAutomatic = "automatic"

	maxManualBackups = 10
	// retention is how long the nightly job's backups are kept; the API
	// documents 7 to 30 days depending on the plan.
	retention = 30 * 24 * time.Hour
)

type backup struct {
	id, serverID int64
	kind         string // backupManual or backupAutomatic
	created      time.Time
	expires      time.Time // zero for manual backups, which never expire
	description  string
	progress
}

// backupJSON is a backup as the API shows it, fields in the documented order.
type backupJSON struct {
	ID          int64     `json:"id"`
	Server      serverRef `json:"server"`
	BackupType  string    `json:"backup_type"`
	Status      string    `json:"status"`
	SizeMB      *int64    `json:"size_mb"`
	CreatedAt   string    `json:"created_at"`
	ExpiresAt   *string   `json:"expires_at"`
	Description string    `json:"description"`
	Message     string    `json:"message,omitempty"`
}

func (s *Server) backupJSON(b *backup, now time.Time) backupJSON {
	out := backupJSON{
		ID:          b.id,
		Server:      s.serverRef(b.serverID),
		BackupType:  b.kind,
		Status:      b.statusAt(now),
		SizeMB:      b.sizeAt(now),
		CreatedAt:   formatTime(b.created),
		Description: b.description,
	}
	if !b.expires.IsZero() {
		expires := formatTime(b.expires)
		out.ExpiresAt = &expires
	}
	return out
}

// listBackups serves GET /api/v1/backups/?server_id=&backup_type=.
func (s *Server) listBackups(c *call) reply {
	query := c.r.URL.Query()
	serverID, filtered, rep := serverFilter(query)
	if rep != nil {
		return *rep
	}
	kind := query.Get("backup_type")
	if kind != "" && kind != backupManual && kind != backupAutomatic {
		return fieldError("backup_type", fmt.Sprintf(msgBadChoice, kind))
	}
	var list []*backup
	for _, b := range s.st.backups {
		if (!filtered || b.serverID == serverID) && (kind == "" || b.kind == kind) {
			list = append(list, b)
		}
	}
	slices.SortFunc(list, func(a, b *backup) int { return cmp.Compare(b.id, a.id) })
	items := make([]backupJSON, len(list))
	for i, b := range list {
		items[i] = s.backupJSON(b, c.now)
	}
	return paginate(s, c.r, items)
}

// createBackup serves POST /api/v1/backups/ {"server_id", "description"}.
func (s *Server) createBackup(c *call) reply {
	in, rep := parseInput(c.body)
	if rep != nil {
		return *rep
	}
	serverID := in.integer("server_id")
	description := in.text("description", false)
	if rep := in.invalid(); rep != nil {
		return *rep
	}
	if s.st.servers[serverID] == nil {
		return notFound()
	}
	manual := 0
	for _, b := range s.st.backups {
		if b.serverID == serverID && b.kind == backupManual {
			manual++
		}
	}
	if manual >= maxManualBackups {
		return nonFieldError(fmt.Sprintf("Maximum number of manual backups (%d) reached for this server.", maxManualBackups))
	}
	s.st.lastBackup++
	b := &backup{
		id:          s.st.lastBackup,
		serverID:    serverID,
		kind:        backupManual,
		created:     c.now,
		description: description,
		progress:    progressStarted(c.now, s.cfg.completionDelay, plausibleSize(s.st.lastBackup)),
	}
	s.st.backups[b.id] = b
	out := s.backupJSON(b, c.now)
	out.Status, out.SizeMB = statusInProgress, nil // the answer says creation has started
	out.Message = "Backup is being created. This may take several minutes depending on server size."
	return reply{status: http.StatusCreated, body: out, acted: true}
}

// deleteBackup serves DELETE /api/v1/backups/{id}/.
func (s *Server) deleteBackup(c *call) reply {
	if s.st.backups[c.id] == nil {
		return notFound()
	}
	delete(s.st.backups, c.id)
	return reply{status: http.StatusNoContent, acted: true}
}

// AddAutomaticBackup adds a backup as the nightly job would: automatic,
// already completed, created now and expiring after 30 days. Automatic
// backups do not count toward the limit of manual ones. It returns the new
// backup's id, or an error if the server does not exist.
func (s *Server) AddAutomaticBackup(serverID int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.servers[serverID] == nil {
		return 0, fmt.Errorf("vpsorgtest: no server %d", serverID)
	}
	now := s.now()
	s.st.lastBackup++
	b := &backup{
		id:          s.st.lastBackup,
		serverID:    serverID,
		kind:        backupAutomatic,
		created:     now,
		expires:     now.Add(retention),
		description: "Automatic daily backup",
		progress:    progressCompleted(plausibleSize(s.st.lastBackup)),
	}
	s.st.backups[b.id] = b
	return b.id, nil
}

// SetBackupStatus forces a backup's status, for example to
// [vpsorg.StatusFailed] or any other string the API might send. A forced
// status sticks: the backup no longer completes by itself. size_mb is shown
// only while the status is "completed".
func (s *Server) SetBackupStatus(id int64, status vpsorg.Status) error {
	if status == "" {
		return errors.New("vpsorgtest: empty status")
	}
	if !s.forceBackup(id, status) {
		return fmt.Errorf("vpsorgtest: no backup %d", id)
	}
	return nil
}

// forceBackup forces a backup's status and reports whether there is one.
func (s *Server) forceBackup(id int64, status vpsorg.Status) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.backups[id]
	if b == nil {
		return false
	}
	b.force(string(status))
	return true
}
