package vpsorgtest

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// objectIn holds what backups and snapshots to add share: the API's field
// names, as in its list answers, plus server_id and an optional id.
type objectIn struct {
	ID          int64  `json:"id"`
	ServerID    *int64 `json:"server_id"`
	Status      string `json:"status"`
	SizeMB      *int64 `json:"size_mb"`
	CreatedAt   string `json:"created_at"`
	Description string `json:"description"`
}

// read checks the shared members and returns those that need converting.
func (in objectIn) read() (vpsorg.ServerRef, time.Time, *vpsorg.ValidationError) {
	if in.ServerID == nil {
		return vpsorg.ServerRef{}, time.Time{}, invalidField("server_id", "missing")
	}
	created, err := parseControlTime("created_at", in.CreatedAt)
	return vpsorg.ServerRef{ID: *in.ServerID}, created, err
}

// backupIn is a backup as POST /_fake/backups takes it.
type backupIn struct {
	objectIn
	BackupType string  `json:"backup_type"`
	ExpiresAt  *string `json:"expires_at"`
}

func (in backupIn) convert() (vpsorg.Backup, *vpsorg.ValidationError) {
	server, created, err := in.read()
	if err != nil {
		return vpsorg.Backup{}, err
	}
	b := vpsorg.Backup{
		ID: in.ID, Server: server, Type: vpsorg.BackupType(in.BackupType), Status: vpsorg.Status(in.Status),
		SizeMB: in.SizeMB, CreatedAt: created, Description: in.Description,
	}
	if in.ExpiresAt != nil {
		expires, err := parseControlTime("expires_at", *in.ExpiresAt)
		if err != nil {
			return vpsorg.Backup{}, err
		}
		b.ExpiresAt = &expires
	}
	return b, nil
}

// snapshotIn is a snapshot as POST /_fake/snapshots takes it.
type snapshotIn struct {
	objectIn
	Name string `json:"name"`
}

func (in snapshotIn) convert() (vpsorg.Snapshot, *vpsorg.ValidationError) {
	server, created, err := in.read()
	if err != nil {
		return vpsorg.Snapshot{}, err
	}
	return vpsorg.Snapshot{
		ID: in.ID, Server: server, Name: in.Name, Status: vpsorg.Status(in.Status),
		SizeMB: in.SizeMB, CreatedAt: created, Description: in.Description,
	}, nil
}

// parseControlTime reads an RFC 3339 time; "" is the zero time, which the
// fake reads as now.
func parseControlTime(field, text string) (time.Time, *vpsorg.ValidationError) {
	if text == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, invalidField(field, fmt.Sprintf("%q: want an RFC 3339 time such as \"2025-01-16T03:00:00Z\"", text))
	}
	return t, nil
}

// controlAddBackups serves POST /_fake/backups: AddBackup over HTTP.
func (s *Server) controlAddBackups(w http.ResponseWriter, r *http.Request) {
	controlAdd(w, r, backupIn.convert, s.addBackups)
}

// controlAddSnapshots serves POST /_fake/snapshots: AddSnapshot over HTTP.
func (s *Server) controlAddSnapshots(w http.ResponseWriter, r *http.Request) {
	controlAdd(w, r, snapshotIn.convert, s.addSnapshots)
}

// controlAdd reads one object, answering {"id": N}, or a JSON list of them,
// answering {"ids": [...]}, so that a year of history takes one request.
// A list is added all or none; an error names the item by its place.
func controlAdd[In, T any](w http.ResponseWriter, r *http.Request, convert func(In) (T, *vpsorg.ValidationError), add func([]T) ([]int64, *badItem)) {
	data, ok := readAll(w, r)
	if !ok {
		return
	}
	list := bytes.HasPrefix(bytes.TrimSpace(data), []byte("["))
	var ins []In
	if list {
		ok = decodeControl(w, data, &ins)
	} else {
		ins = make([]In, 1)
		ok = decodeControl(w, data, &ins[0])
	}
	if !ok {
		return
	}
	items := make([]T, len(ins))
	for i, in := range ins {
		item, err := convert(in)
		if err != nil {
			controlError(w, http.StatusBadRequest, itemDetail(list, i, err))
			return
		}
		items[i] = item
	}
	ids, bad := add(items)
	if bad != nil {
		controlError(w, http.StatusBadRequest, itemDetail(list, bad.index, bad.err))
		return
	}
	if list {
		controlJSON(w, http.StatusCreated, map[string][]int64{"ids": ids})
		return
	}
	controlJSON(w, http.StatusCreated, map[string]int64{"id": ids[0]})
}

// itemDetail says what is wrong in the style of the other control errors,
// "status: ...", with the item's place first when the body was a list.
func itemDetail(list bool, index int, err *vpsorg.ValidationError) string {
	msg := err.Field + ": " + err.Message
	if list {
		return fmt.Sprintf("[%d] %s", index, msg)
	}
	return msg
}
