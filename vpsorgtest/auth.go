package vpsorgtest

import (
	"net/http"
	"strings"
)

// authenticate checks the Authorization header as DRF's TokenAuthentication
// does with the keyword "Bearer", and answers nil when the token is right.
func (s *Server) authenticate(r *http.Request) *reply {
	fields := strings.Fields(r.Header.Get("Authorization"))
	var msg string
	switch {
	case len(fields) == 0 || !strings.EqualFold(fields[0], "Bearer"):
		msg = "Authentication credentials were not provided."
	case len(fields) == 1:
		msg = "Invalid token header. No credentials provided."
	case len(fields) > 2:
		msg = "Invalid token header. Token string should not contain spaces."
	case fields[1] != s.cfg.token:
		msg = "Invalid token."
	default:
		return nil
	}
	rep := detail(http.StatusUnauthorized, msg)
	rep.header = http.Header{"Www-Authenticate": {"Bearer"}}
	return &rep
}
