package vpsorgtest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// ControlPrefix is where the control API lives, outside the API's /api/v1/.
const ControlPrefix = "/_fake/"

// ControlHandler returns the control API: the Server's Go methods over HTTP,
// for tests written in any language. It takes no token, so serve it only
// where the tests alone can reach it. [WithControlAPI] serves it on the
// server's own address; ControlHandler is for mounting it elsewhere, at
// [ControlPrefix], since it serves the paths below as they are:
//
//	GET    /_fake/requests               the request log as a JSON list (see below)
//	POST   /_fake/reset                  Reset; 204
//	POST   /_fake/servers                {"name": "db-1"} → 201 {"id": N}; AddServer
//	GET    /_fake/faults                 the rules, as a JSON list in ParseRules' shape
//	POST   /_fake/faults                 one rule in ParseRules' shape → 201 and the rule; AddFault
//	DELETE /_fake/faults                 ClearFaults; 204
//	POST   /_fake/backups                a backup (below) → 201 {"id": N}; AddBackup
//	POST   /_fake/snapshots              a snapshot (below) → 201 {"id": N}; AddSnapshot
//	PUT    /_fake/backups/{id}/status    {"status": "failed"} → 204; SetBackupStatus
//	PUT    /_fake/snapshots/{id}/status  {"status": "failed"} → 204; SetSnapshotStatus
//
// A backup or snapshot to add has the API's field names, as in its list
// answers, plus the required "server_id"; every other member is optional
// and follows [Server.AddBackup] and [Server.AddSnapshot]:
//
//	{"server_id": 12345, "backup_type": "automatic", "status": "completed",
//	 "created_at": "2024-01-16T03:00:00Z", "expires_at": "2024-02-15T03:00:00Z",
//	 "size_mb": 4500, "description": "Automatic daily backup", "id": 0}
//	{"server_id": 12345, "name": "weekly-2024-01-08", "status": "completed",
//	 "created_at": "2024-01-08T12:00:00Z", "size_mb": 4856, "description": "Weekly snapshot"}
//
// with times in RFC 3339. A JSON list of them (up to 1 MiB in all, a few
// thousand) is added all or none in one request, answered 201 {"ids": [...]}
// in the list's order, so a year of history takes one request.
//
// Errors are JSON {"detail": "..."}: 400 for a body that is not what the
// endpoint takes, saying why and naming the field ("status: ...", and
// "[3] status: ..." for the fourth item of a list); 404 for an unknown path or id; 405, with
// Allow, for a method the path does not take.
//
// Each entry of the request log is
//
//	{"method": "POST", "path": "/api/v1/backups/", "query": "", "body": "{...}",
//	 "request_id": "req-000001", "status": 201, "acted": true,
//	 "rate_limited": false, "fault": null}
//
// with "fault" the fault applied, in [ParseRules]' shape, and "status" 0 when
// no answer was sent. Headers are left out, so no token is ever shown.
// Control requests are never faulted, rate limited or logged there.
func (s *Server) ControlHandler() http.Handler {
	return s.control
}

// newControl builds the control API's routes. The patterns leave methods out
// so that a wrong method gets a JSON 405 like the API's, not ServeMux's text.
func (s *Server) newControl() http.Handler {
	mux := http.NewServeMux()
	route := func(path string, methods map[string]http.HandlerFunc) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			h, ok := methods[r.Method]
			if !ok {
				w.Header().Set("Allow", allow(methods))
				controlError(w, http.StatusMethodNotAllowed, defaultDetail(http.StatusMethodNotAllowed, r.Method, ""))
				return
			}
			h(w, r)
		})
	}
	route(ControlPrefix+"requests", map[string]http.HandlerFunc{http.MethodGet: s.controlRequests})
	route(ControlPrefix+"reset", map[string]http.HandlerFunc{http.MethodPost: s.controlReset})
	route(ControlPrefix+"servers", map[string]http.HandlerFunc{http.MethodPost: s.controlAddServer})
	route(ControlPrefix+"faults", map[string]http.HandlerFunc{
		http.MethodGet:    s.controlRules,
		http.MethodPost:   s.controlAddFault,
		http.MethodDelete: s.controlClearFaults,
	})
	route(ControlPrefix+"backups", map[string]http.HandlerFunc{http.MethodPost: s.controlAddBackups})
	route(ControlPrefix+"snapshots", map[string]http.HandlerFunc{http.MethodPost: s.controlAddSnapshots})
	route(ControlPrefix+"backups/{id}/status", map[string]http.HandlerFunc{
		http.MethodPut: s.controlStatus("backup", s.forceBackup),
	})
	route(ControlPrefix+"snapshots/{id}/status", map[string]http.HandlerFunc{
		http.MethodPut: s.controlStatus("snapshot", s.forceSnapshot),
	})
	mux.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		controlError(w, http.StatusNotFound, fmt.Sprintf("No control endpoint %s.", r.URL.Path))
	})
	return s.accessLogged(mux)
}

// requestJSON is a log entry as GET /_fake/requests shows it.
type requestJSON struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	Body        string `json:"body"`
	RequestID   string `json:"request_id"`
	Status      int    `json:"status"`
	Acted       bool   `json:"acted"`
	RateLimited bool   `json:"rate_limited"`
	Fault       *Fault `json:"fault"`
}

func (s *Server) controlRequests(w http.ResponseWriter, _ *http.Request) {
	log := s.Requests()
	out := make([]requestJSON, len(log))
	for i, r := range log {
		out[i] = requestJSON{
			Method: r.Method, Path: r.Path, Query: r.RawQuery, Body: string(r.Body),
			RequestID: r.RequestID, Status: r.Status, Acted: r.Acted, RateLimited: r.RateLimited,
			Fault: r.Fault,
		}
	}
	controlJSON(w, http.StatusOK, out)
}

func (s *Server) controlReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlAddServer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name *string `json:"name"`
	}
	if !readControlBody(w, r, &body) {
		return
	}
	if body.Name == nil || *body.Name == "" {
		controlError(w, http.StatusBadRequest, `name: missing; want {"name": "..."}`)
		return
	}
	controlJSON(w, http.StatusCreated, map[string]int64{"id": s.AddServer(*body.Name)})
}

func (s *Server) controlRules(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	rules := make([]Rule, len(s.rules))
	for i, rs := range s.rules {
		rules[i] = rs.rule
	}
	s.mu.Unlock()
	controlJSON(w, http.StatusOK, rules)
}

func (s *Server) controlAddFault(w http.ResponseWriter, r *http.Request) {
	data, ok := readAll(w, r)
	if !ok {
		return
	}
	var rule Rule
	if err := rule.parse(data); err != nil {
		controlError(w, http.StatusBadRequest, "rule: "+err.Error())
		return
	}
	s.AddFault(rule)
	controlJSON(w, http.StatusCreated, rule)
}

func (s *Server) controlClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

// controlStatus serves PUT /_fake/{kind}s/{id}/status with force, which
// reports whether the object exists.
func (s *Server) controlStatus(kind string, force func(int64, vpsorg.Status) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			controlError(w, http.StatusNotFound, fmt.Sprintf("No %s %q: ids are whole numbers.", kind, r.PathValue("id")))
			return
		}
		var body struct {
			Status *string `json:"status"`
		}
		if !readControlBody(w, r, &body) {
			return
		}
		if body.Status == nil || *body.Status == "" {
			controlError(w, http.StatusBadRequest, `status: missing; want {"status": "failed"} or another status`)
			return
		}
		if !force(id, vpsorg.Status(*body.Status)) {
			controlError(w, http.StatusNotFound, fmt.Sprintf("No %s %d.", kind, id))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// readControlBody decodes a control request's JSON body strictly into v, or
// answers 400 with the reason and reports false.
func readControlBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, ok := readAll(w, r)
	return ok && decodeControl(w, data, v)
}

// decodeControl decodes a control request's JSON body, already read,
// strictly into v, or answers 400 with the reason and reports false.
func decodeControl(w http.ResponseWriter, data []byte, v any) bool {
	if err := decodeStrict(data, v); err != nil {
		controlError(w, http.StatusBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

func readAll(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			controlError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", maxBody))
		} else {
			controlError(w, http.StatusBadRequest, "body: "+err.Error())
		}
		return nil, false
	}
	return data, true
}

func controlError(w http.ResponseWriter, status int, msg string) {
	controlJSON(w, status, map[string]string{"detail": msg})
}

func controlJSON(w http.ResponseWriter, status int, body any) {
	data, contentType := encode(reply{status: status, body: body})
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
