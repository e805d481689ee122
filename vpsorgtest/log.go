package vpsorgtest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Request is one request the server received, as Requests reports it.
type Request struct {
	Method   string      // the HTTP method, such as "POST"
	Path     string      // the URL path, such as "/api/v1/backups/"
	RawQuery string      // the query string without "?"
	Header   http.Header // the request's headers, Authorization included
	Body     []byte      // the request body (its first MiB)

	// RequestID is the X-Request-Id the server gave the request's answer (or
	// would have given, when the connection was dropped).
	RequestID string
	// Fault is the fault applied to the request, nil if none.
	Fault *Fault
	// Acted reports whether the request changed the state: a backup or
	// snapshot was created or deleted, or a restore was started. With an
	// AfterAction fault it can be true although the client saw a failure.
	Acted bool
	// RateLimited reports whether the server's rate limit ([WithRateLimit])
	// refused the request with a 429. A fault's 429 does not set it; with an
	// AfterAction fault the client saw the fault's answer instead.
	RateLimited bool
	// Status is the status answered. It is 0 when no answer was sent: the
	// connection was dropped, the client went away during a fault's Delay, or
	// the request is still being served.
	Status int

	arrived time.Time // for WithAccessLog; zero in the copies Requests returns
}

// Requests returns a copy of every request received so far, in the order they
// arrived, faulted and rejected ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, e := range s.log {
		out[i] = *e
		out[i].arrived = time.Time{}
		out[i].Header = e.Header.Clone()
		out[i].Body = slices.Clone(e.Body)
		if e.Fault != nil {
			f := *e.Fault
			out[i].Fault = &f
		}
	}
	return out
}

// logArrival records a request as it arrives, so the log keeps arrival order
// even when answers are delayed, and gives it its request id.
func (s *Server) logArrival(r *http.Request, body []byte) *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastReqID++
	e := &Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		Header:    r.Header.Clone(),
		Body:      body,
		RequestID: fmt.Sprintf("req-%06d", s.lastReqID),
		arrived:   time.Now(),
	}
	s.log = append(s.log, e)
	return e
}

// finish records how a request was answered: rep's status (0 for none) and
// what the API made of it. It runs once a request, just before the answer
// goes out or the connection is closed, so the access log's line comes
// before the client sees anything.
func (s *Server) finish(e *Request, fault *Fault, rep reply) {
	s.mu.Lock()
	if fault != nil {
		f := *fault
		e.Fault = &f
	}
	e.Acted = rep.acted
	e.RateLimited = rep.throttled
	e.Status = rep.status
	line := *e
	s.mu.Unlock()
	if s.cfg.accessLog != nil {
		s.writeAccessLog(&line)
	}
}
