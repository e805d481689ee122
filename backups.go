package vpsorg

import (
	"context"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// BackupsService manages backups: /api/v1/backups/. Restoring a server from
// a backup is [ServersService.Restore].
type BackupsService struct {
	client *Client
}

// BackupType says who made a backup. Unknown values are kept as they came.
type BackupType string

// The documented backup types.
const (
	BackupTypeManual    BackupType = "manual"    // made through the API; never expires
	BackupTypeAutomatic BackupType = "automatic" // made by the plan; expires per retention
)

// Backup is a backup of a server.
type Backup struct {
	ID          int64      `json:"id"`
	Server      ServerRef  `json:"server"`
	Type        BackupType `json:"backup_type"`
	Status      Status     `json:"status"`
	SizeMB      *int64     `json:"size_mb"`    // nil until the backup completes
	CreatedAt   time.Time  `json:"created_at"` //
	ExpiresAt   *time.Time `json:"expires_at"` // nil for manual backups, which never expire
	Description string     `json:"description"`
	Message     string     `json:"message,omitempty"` // set on the answer to Create only
}

func (b Backup) itemID() int64         { return b.ID }
func (b Backup) currentStatus() Status { return b.Status }
func (b Backup) serverID() int64       { return b.Server.ID }

// BackupListOptions filters [BackupsService.List] and [BackupsService.All].
type BackupListOptions struct {
	ServerID int64      `url:"server_id,omitempty"`   // only this server's backups; 0 for all
	Type     BackupType `url:"backup_type,omitempty"` // only this type; "" for both
	ListOptions
}

func (o *BackupListOptions) validate() error {
	if o == nil {
		return nil
	}
	if err := checkServerFilter(o.ServerID); err != nil {
		return err
	}
	switch o.Type {
	case "", BackupTypeManual, BackupTypeAutomatic:
	default:
		return &ValidationError{Field: "backup_type", Message: `must be "manual" or "automatic"`}
	}
	return o.ListOptions.validate()
}

// BackupCreateRequest is the body of [BackupsService.Create].
type BackupCreateRequest struct {
	ServerID    int64  `json:"server_id"`             // required
	Description string `json:"description,omitempty"` // free text
}

// List returns one page of the backups on your servers (GET
// /api/v1/backups/), filtered by opts, which may be nil. The order is the
// server's and is not by date. Response.Count is the total across pages and
// Response.NextPage the next page's number, 0 on the last page; [BackupsService.All]
// walks them all.
//
// Errors: [*ValidationError] for a negative ServerID, Page or PageSize or an
// unknown Type (nothing is sent); [ErrUnauthorized] for a bad token;
// [ErrBadRequest]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *BackupsService) List(ctx context.Context, opts *BackupListOptions) ([]*Backup, *Response, error) {
	return listPage[Backup](ctx, s.client, "Backups.List", "backups/", opts)
}

// All yields every backup matching opts (which may be nil), fetching the
// pages of GET /api/v1/backups/ lazily as the loop advances, one page in
// memory at a time. It stops after yielding the first error; breaking out of
// the loop sends no further request. opts is never modified.
//
// The errors yielded are those of [BackupsService.List] (a [*ValidationError]
// for bad opts comes before any request), and an error for a next link to
// another origin or a page the server repeats.
//
//	for b, err := range client.Backups.All(ctx, nil) {
//		if err != nil { return err }
//		fmt.Println(b.ID)
//	}
func (s *BackupsService) All(ctx context.Context, opts *BackupListOptions) iter.Seq2[*Backup, error] {
	return iterateItems[Backup](ctx, s.client, "Backups.List", "backups/", opts)
}

// Create starts a manual backup of a server (POST /api/v1/backups/) and
// returns it as the API answered: status "in_progress", SizeMB nil, with a
// Message. Wait for it with [BackupsService.Wait]. Manual backups never
// expire; a server keeps at most 10.
//
// A create is never sent twice once it may have reached the server, so it
// cannot make two backups; a 429 or a connection that was never made is
// retried. When its answer is lost after that (a 5xx, a timeout or a reset
// after the request was sent, or a 2xx body that broke off), Create looks
// for the backup before it answers: the server's manual backup with the
// same Description, made since the call began (on the server's clock, read
// from its Date header) and not already returned to another call of this
// Client, the oldest if several. Found, it is returned with
// Response.Recovered set; else the error also matches [ErrOutcomeUnknown].
// Two creates with the same Description on one server at the same moment
// from different Clients cannot be told apart: give each a Description of
// its own. [WithoutRecovery] turns the look-up off.
//
// Errors: [*ValidationError] for a nil req or ServerID <= 0; [ErrBadRequest]
// for invalid parameters or the limit of 10 reached; [ErrNotFound] when the
// server does not exist; [ErrUnauthorized]; [ErrOutcomeUnknown]; and those
// of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *BackupsService) Create(ctx context.Context, req *BackupCreateRequest) (*Backup, *Response, error) {
	if req == nil {
		return nil, nil, &ValidationError{Message: "nil BackupCreateRequest"}
	}
	if err := checkID("server_id", req.ServerID); err != nil {
		return nil, nil, err
	}
	key := objectKey{kind: "backup", serverID: req.ServerID, label: req.Description}
	list := func(ctx context.Context, page int) ([]*Backup, *Response, error) {
		return s.List(ctx, &BackupListOptions{ServerID: req.ServerID, Type: BackupTypeManual,
			ListOptions: ListOptions{Page: page, PageSize: maxPageSize}})
	}
	match := func(b *Backup) bool {
		return b.Server.ID == req.ServerID && b.Type == BackupTypeManual && b.Description == req.Description
	}
	return createAndRecover(ctx, s.client, "Backups.Create", request{method: http.MethodPost, path: "backups/", body: req}, key, list, match)
}

// Delete deletes a backup for good (DELETE /api/v1/backups/{id}/); it cannot
// be undone. A backup still in progress may be deleted.
//
// When a try failed ambiguously (a 5xx or a broken connection) and the
// retry answers 404, Delete reports success: the backup is gone.
//
// Errors: [*ValidationError] for an id <= 0; [ErrNotFound] when no such
// backup exists; [ErrUnauthorized]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *BackupsService) Delete(ctx context.Context, backupID int64) (*Response, error) {
	if err := checkID("backup_id", backupID); err != nil {
		return nil, err
	}
	return s.client.deleteObject(ctx, "Backups.Delete", "backups/"+strconv.FormatInt(backupID, 10)+"/")
}
