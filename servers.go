package vpsorg

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// ServersService lists servers and restores them from backups:
// /api/v1/servers/.
type ServersService struct {
	client *Client
}

// Server statuses the SDK relies on; others are kept as they came. A
// server's status is a [Status] like a backup's, so that [WaitOptions]
// reports both alike.
const (
	ServerStatusActive    Status = "active"
	ServerStatusRestoring Status = "restoring" // after a restore started, until it is over
)

// Server is one of your servers, as GET /api/v1/servers/ lists it.
type Server struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Hostname  string    `json:"hostname"`
	Status    Status    `json:"status"` // [ServerStatusActive], [ServerStatusRestoring], or another value kept as it came
	IPAddress string    `json:"ip_address"`
	Location  string    `json:"location"`
	Plan      *Plan     `json:"plan"`
	OS        *OS       `json:"os"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s Server) itemID() int64         { return s.ID }
func (s Server) currentStatus() Status { return s.Status }

// Plan is a server's plan, with sizes in the units the servers page shows.
type Plan struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	VCPUs   int    `json:"vcpus"`
	Memory  int64  `json:"memory"`  // MB
	Storage int64  `json:"storage"` // GB
}

// OS is a server's operating system.
type OS struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ServerListOptions filters [ServersService.List] and [ServersService.All].
type ServerListOptions struct {
	Status   Status `url:"status,omitempty"`   // such as [ServerStatusRestoring]; "" for any
	Location string `url:"location,omitempty"` // "" for any
	ListOptions
}

func (o *ServerListOptions) validate() error {
	if o == nil {
		return nil
	}
	return o.ListOptions.validate()
}

// ServerRestoreRequest is the body of [ServersService.Restore].
type ServerRestoreRequest struct {
	BackupID int64 `json:"backup_id"` // required: a completed backup of this server
}

// ServerRestore is the answer to [ServersService.Restore]. The API does not
// document this body, so it is decoded leniently: fields that are missing or
// of another shape are left zero, and Raw keeps the body as it came.
type ServerRestore struct {
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Server  ServerState     `json:"server"`
	Raw     json.RawMessage `json:"-"`
}

// List returns one page of your servers (GET /api/v1/servers/), filtered by
// opts, which may be nil. Response.Count is the total and Response.NextPage
// the next page, 0 on the last; [ServersService.All] walks them all.
//
// Errors: [*ValidationError] for a negative Page or PageSize (nothing is
// sent); [ErrUnauthorized]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *ServersService) List(ctx context.Context, opts *ServerListOptions) ([]*Server, *Response, error) {
	return listPage[Server](ctx, s.client, "Servers.List", "servers/", opts)
}

// All yields every server matching opts (which may be nil), fetching the
// pages of GET /api/v1/servers/ lazily, one page in memory at a time. It
// stops after yielding the first error; breaking out of the loop sends no
// further request. opts is never modified.
//
// The errors yielded are those of [ServersService.List] (a
// [*ValidationError] for bad opts comes before any request), and an error
// for a next link to another origin or a page the server repeats.
func (s *ServersService) All(ctx context.Context, opts *ServerListOptions) iter.Seq2[*Server, error] {
	return iterateItems[Server](ctx, s.client, "Servers.List", "servers/", opts)
}

// Restore starts restoring a server from one of its backups (POST
// /api/v1/servers/{id}/restore/). It overwrites all current data on the
// server and cannot be undone; the server shows status "restoring" until
// done ([ServersService.Wait] waits for that).
//
// A restore is never sent twice once it may have reached the server. When
// its answer is lost after that (a 5xx, a timeout or a reset after the
// request was sent, or a 2xx body that broke off), Restore looks before it
// answers, and counts the restore as started when the server reads
// "restoring": it then returns what the look-up saw (Server; Status,
// Message and Raw are empty) with Response.Recovered set; else the error
// also matches [ErrOutcomeUnknown]. A restore that was already running, or
// one that finished before the look-up, is not told apart from this one.
// [WithoutRecovery] turns the look-up off.
//
// The answer's body is not documented: any 2xx counts as started, whatever
// its body, and [ServerRestore] holds what could be read from it.
//
// Errors: [*ValidationError] for a serverID <= 0, a nil req or a BackupID <=
// 0; [ErrBadRequest] when the server cannot be restored now or the backup
// does not fit it; [ErrNotFound] when the server does not exist;
// [ErrUnauthorized]; [ErrOutcomeUnknown]; and those of every call ([Errors]).
//
// [Errors]: https://pkg.go.dev/github.com/vpsorg/vpsorg-go#hdr-Errors
func (s *ServersService) Restore(ctx context.Context, serverID int64, req *ServerRestoreRequest) (*ServerRestore, *Response, error) {
	if err := checkID("server_id", serverID); err != nil {
		return nil, nil, err
	}
	if req == nil {
		return nil, nil, &ValidationError{Message: "nil ServerRestoreRequest"}
	}
	if err := checkID("backup_id", req.BackupID); err != nil {
		return nil, nil, err
	}
	post := request{method: http.MethodPost, path: "servers/" + strconv.FormatInt(serverID, 10) + "/restore/", body: req}
	out, resp, err := sendWrite(ctx, s.client, "Servers.Restore", post, new(ServerRestore), nil, func(ctx context.Context, _ *lostWrite) (*ServerRestore, *Response, error) {
		srv, resp, err := s.client.findRestoring(ctx, serverID)
		if err != nil || srv == nil {
			return nil, nil, err
		}
		return &ServerRestore{Server: ServerState{ID: srv.ID, Name: srv.Name, Status: srv.Status}}, resp, nil
	})
	if err != nil {
		return nil, resp, err
	}
	if out.Server.ID == 0 {
		out.Server.ID = serverID // the body did not say; the request did
	}
	return out, resp, nil
}

// decodeLenient reads each known field on its own, so that one field of
// an unexpected shape does not hide the others.
func (out *ServerRestore) decodeLenient(raw []byte) {
	*out = ServerRestore{Raw: json.RawMessage(raw)}
	var fields map[string]jsontext.Value
	if unmarshalJSON(raw, &fields) != nil {
		return
	}
	_ = unmarshalJSON(fields["status"], &out.Status)
	_ = unmarshalJSON(fields["message"], &out.Message)
	var server map[string]jsontext.Value
	if unmarshalJSON(fields["server"], &server) == nil {
		_ = unmarshalJSON(server["id"], &out.Server.ID)
		_ = unmarshalJSON(server["name"], &out.Server.Name)
		_ = unmarshalJSON(server["status"], &out.Server.Status)
	}
}
