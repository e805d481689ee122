package vpsorgtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// handler serves one endpoint and method. It runs with Server.mu held.
type handler func(s *Server, c *call) reply

// call is what a handler gets to work with.
type call struct {
	r    *http.Request
	body []byte
	id   int64     // the object id in the path, when the path has one
	now  time.Time // the clock, read once so one request sees one instant
}

// matchRoute finds the endpoint for a URL path: its handlers by method and
// the id in the path. Like the API's URL patterns it needs the trailing
// slash and digits only for an id; anything else is not found.
func matchRoute(path string) (methods map[string]handler, id int64, ok bool) {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok || !strings.HasSuffix(rest, "/") {
		return nil, 0, false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(segs) > 1 {
		n, err := strconv.ParseUint(segs[1], 10, 63)
		if err != nil {
			return nil, 0, false
		}
		id, segs[1] = int64(n), "{id}"
	}
	switch strings.Join(segs, "/") {
	case "backups":
		methods = map[string]handler{http.MethodGet: (*Server).listBackups, http.MethodPost: (*Server).createBackup}
	case "backups/{id}":
		methods = map[string]handler{http.MethodDelete: (*Server).deleteBackup}
	case "snapshots":
		methods = map[string]handler{http.MethodGet: (*Server).listSnapshots, http.MethodPost: (*Server).createSnapshot}
	case "snapshots/{id}":
		methods = map[string]handler{http.MethodDelete: (*Server).deleteSnapshot}
	case "snapshots/{id}/restore":
		methods = map[string]handler{http.MethodPost: (*Server).restoreSnapshot}
	case "servers":
		methods = map[string]handler{http.MethodGet: (*Server).listServers}
	case "servers/{id}/restore":
		methods = map[string]handler{http.MethodPost: (*Server).restoreServer}
	default:
		return nil, 0, false
	}
	return methods, id, true
}

// allow is the Allow header a 405 answer carries.
func allow[H any](methods map[string]H) string {
	names := make([]string, 0, len(methods))
	for m := range methods {
		names = append(names, m)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
