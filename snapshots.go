package vpsorg

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// SnapshotsService manages snapshots, point-in-time copies of a whole
// server: /api/v1/snapshots/.
type SnapshotsService struct {
	client *Client
}

// Snapshot is a point-in-time copy of a server.
type Snapshot struct {
	ID          int64     `json:"id"`
	Server      ServerRef `json:"server"`
	Name        string    `json:"name"`
	Status      Status    `json:"status"`
	SizeMB      *int64    `json:"size_mb"` // nil until the snapshot completes
	CreatedAt   time.Time `json:"created_at"`
	Description string    `json:"description"`
	Message     string    `json:"message,omitempty"` // set on the answer to Create only
}

func (s Snapshot) itemID() int64         { return s.ID }
func (s Snapshot) currentStatus() Status { return s.Status }
func (s Snapshot) serverID() int64       { return s.Server.ID }

// SnapshotListOptions filters [SnapshotsService.List] and [SnapshotsService.All].
type SnapshotListOptions struct {
	ServerID int64 `url:"server_id,omitempty"` // only this server's snapshots; 0 for all
	ListOptions
}

func (o *SnapshotListOptions) validate() error {
	if o == nil {
		return nil
	}
	if err := checkServerFilter(o.ServerID); err != nil {
		return err
	}
	return o.ListOptions.validate()
}

// SnapshotCreateRequest is the body of [SnapshotsService.Create].
type SnapshotCreateRequest struct {
	ServerID    int64  `json:"server_id"`             // required
	Name        string `json:"name"`                  // required: letters, digits, '-' and '_'
	Description string `json:"description,omitempty"` // free text
}

// SnapshotRestore is the answer to [SnapshotsService.Restore]: the restore
// has started and Server.Status is "restoring".
type SnapshotRestore struct {
	Status   string      `json:"status"` // "success" when the restore started
	Message  string      `json:"message"`
	Snapshot SnapshotRef `json:"snapshot"`
	Server   ServerState `json:"server"`
}

// SnapshotRef names the snapshot a restore started from.
type SnapshotRef struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// validSnapshotName reports whether name uses only the characters the API
// allows: ASCII letters, digits, '-' and '_'.
func validSnapshotName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// List returns one page of the snapshots on your servers (GET
// /api/v1/snapshots/), filtered by opts, which may be nil. Response.Count is
// the total and Response.NextPage the next page, 0 on the last;
// [SnapshotsService.All] walks them all.
//
// Errors: [*ValidationError] for a negative ServerID, Page or PageSize
// (nothing is sent); [ErrUnauthorized]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *SnapshotsService) List(ctx context.Context, opts *SnapshotListOptions) ([]*Snapshot, *Response, error) {
	return listPage[Snapshot](ctx, s.client, "Snapshots.List", "snapshots/", opts)
}

// All yields every snapshot matching opts (which may be nil), fetching the
// pages of GET /api/v1/snapshots/ lazily, one page in memory at a time. It
// stops after yielding the first error; breaking out of the loop sends no
// further request. opts is never modified.
//
// The errors yielded are those of [SnapshotsService.List] (a
// [*ValidationError] for bad opts comes before any request), and an error
// for a next link to another origin or a page the server repeats.
func (s *SnapshotsService) All(ctx context.Context, opts *SnapshotListOptions) iter.Seq2[*Snapshot, error] {
	return iterateItems[Snapshot](ctx, s.client, "Snapshots.List", "snapshots/", opts)
}

// Create starts a snapshot of a server (POST /api/v1/snapshots/) and
// returns it as the API answered: status "in_progress", SizeMB nil, with a
// Message. Wait for it with [SnapshotsService.Wait]. A server keeps at most
// 5 snapshots. Snapshotting a running server may leave its file system
// inconsistent; stopping it first is recommended.
//
// A create is never sent twice once it may have reached the server. When
// its answer is lost after that (a 5xx, a timeout or a reset after the
// request was sent, or a 2xx body that broke off), Create looks for the
// snapshot before it answers: the server's snapshot with that Name made
// since the call began (on the server's clock, read from its Date header)
// and not already returned to another call of this Client. Found, it is
// returned with Response.Recovered set; else the error also matches
// [ErrOutcomeUnknown]. Two creates with the same Name on one server at the
// same moment from different Clients cannot be told apart.
// [WithoutRecovery] turns the look-up off.
//
// Errors: [*ValidationError] for a nil req, ServerID <= 0, or a Name that is
// empty or has characters other than letters, digits, '-' and '_';
// [ErrBadRequest] for invalid parameters or the limit of 5 reached;
// [ErrNotFound] when the server does not exist; [ErrUnauthorized];
// [ErrOutcomeUnknown]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *SnapshotsService) Create(ctx context.Context, req *SnapshotCreateRequest) (*Snapshot, *Response, error) {
	if req == nil {
		return nil, nil, &ValidationError{Message: "nil SnapshotCreateRequest"}
	}
	if err := checkID("server_id", req.ServerID); err != nil {
		return nil, nil, err
	}
	if !validSnapshotName(req.Name) {
		return nil, nil, &ValidationError{Field: "name", Message: "must be non-empty letters, digits, '-' and '_'"}
	}
	key := objectKey{kind: "snapshot", serverID: req.ServerID, label: req.Name}
	list := func(ctx context.Context, page int) ([]*Snapshot, *Response, error) {
		return s.List(ctx, &SnapshotListOptions{ServerID: req.ServerID, ListOptions: ListOptions{Page: page, PageSize: maxPageSize}})
	}
	match := func(sn *Snapshot) bool { return sn.Server.ID == req.ServerID && sn.Name == req.Name }
	return createAndRecover(ctx, s.client, "Snapshots.Create", request{method: http.MethodPost, path: "snapshots/", body: req}, key, list, match)
}

// Restore starts restoring a server from a snapshot (POST
// /api/v1/snapshots/{id}/restore/). It overwrites all current data on the
// server and cannot be undone; the server is stopped first and shows status
// "restoring" until done ([ServersService.Wait] waits for that).
//
// A restore is never sent twice once it may have reached the server. When
// its answer is lost after that, Restore looks before it answers: it finds
// the snapshot's server in the snapshot list, and counts the restore as
// started when that server reads "restoring". Then it returns what the
// look-up saw (the snapshot and the server; Status and Message are empty)
// with Response.Recovered set; else the error also matches
// [ErrOutcomeUnknown]. A restore that was already running, or one that
// finished before the look-up, is not told apart from this one.
// [WithoutRecovery] turns the look-up off.
//
// Errors: [*ValidationError] for an id <= 0; [ErrBadRequest] when the server
// is not in a state that allows a restore (one is already running, say);
// [ErrNotFound] when no such snapshot exists; [ErrUnauthorized];
// [ErrOutcomeUnknown]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *SnapshotsService) Restore(ctx context.Context, snapshotID int64) (*SnapshotRestore, *Response, error) {
	if err := checkID("snapshot_id", snapshotID); err != nil {
		return nil, nil, err
	}
	req := request{method: http.MethodPost, path: "snapshots/" + strconv.FormatInt(snapshotID, 10) + "/restore/"}
	return sendWrite(ctx, s.client, "Snapshots.Restore", req, new(SnapshotRestore), nil, func(ctx context.Context, _ *lostWrite) (*SnapshotRestore, *Response, error) {
		return s.findRestore(ctx, snapshotID)
	})
}

// findRestore is Restore's look-up: the snapshot's server, if it reads
// "restoring".
func (s *SnapshotsService) findRestore(ctx context.Context, snapshotID int64) (*SnapshotRestore, *Response, error) {
	var snap *Snapshot
	err := scanLookupPages(ctx, func(ctx context.Context, page int) ([]*Snapshot, *Response, error) {
		return s.List(ctx, &SnapshotListOptions{ListOptions: ListOptions{Page: page, PageSize: maxPageSize}})
	}, func(items []*Snapshot, _ *Response) bool {
		for _, it := range items {
			if it.ID == snapshotID {
				snap = it
				return false
			}
		}
		return true
	})
	if err != nil || snap == nil {
		return nil, nil, err
	}
	srv, resp, err := s.client.findRestoring(ctx, snap.Server.ID)
	if err != nil || srv == nil {
		return nil, nil, err
	}
	return &SnapshotRestore{
		Snapshot: SnapshotRef{ID: snap.ID, Name: snap.Name, CreatedAt: snap.CreatedAt},
		Server:   ServerState{ID: srv.ID, Name: srv.Name, Status: srv.Status},
	}, resp, nil
}

// Delete deletes a snapshot for good (DELETE /api/v1/snapshots/{id}/). A
// retried Delete that meets 404 after an ambiguous failure reports success.
//
// Errors: [*ValidationError] for an id <= 0; [ErrNotFound] when no such
// snapshot exists; [ErrUnauthorized]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *SnapshotsService) Delete(ctx context.Context, snapshotID int64) (*Response, error) {
	if err := checkID("snapshot_id", snapshotID); err != nil {
		return nil, err
	}
	return s.client.deleteObject(ctx, "Snapshots.Delete", "snapshots/"+strconv.FormatInt(snapshotID, 10)+"/")
}
