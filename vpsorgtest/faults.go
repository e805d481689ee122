package vpsorgtest

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// Rule chooses requests to fault. A request matches when its method and URL
// path match; among the matching requests, Nth and Count pick which are
// faulted, and Probability thins those out at random.
type Rule struct {
	Method string // "" matches any method
	Path   string // exact URL path such as "/api/v1/backups/"; "" matches any path
	Nth    int    // 1-based: fault the Nth matching request; 0 faults every matching request
	Count  int    // with Nth: fault Count consecutive matches starting at the Nth (0 means 1)
	// Probability, between 0 and 1, faults only that share of the requests
	// Nth and Count pick, so a test can say "20% of GETs". Each is drawn from
	// the server's seeded source ([WithFaultSeed]), so a run that sends the same
	// requests in the same order sees the same faults. 0, and anything
	// outside (0, 1), faults every request picked.
	Probability float64
	Fault       Fault
}

// Fault is what the server does instead of (or after) answering a request
// normally. Faults are applied before the token is checked, so any request
// can be faulted.
//
// With none of Status, Drop and TruncateBody, a Fault only delays the
// request, which is then answered normally.
//
// A dropped GET on a reused keep-alive connection is retried once by Go's
// http.Transport without the caller seeing it; fault more than one match
// (Count, or Nth 0) or use a fresh connection when the drop must be seen.
type Fault struct {
	Status     int    // answer this HTTP status, a valid code (leave 0 with Drop)
	RetryAfter string // Retry-After header value, when non-empty
	// Body is the answer's body. Empty means a DRF {"detail": "..."} body
	// fitting the status. A body that is not JSON is sent with the content
	// type it looks like (an HTML error page as text/html).
	Body string
	// Drop closes the connection without any answer.
	Drop bool
	// Delay is waited before answering. The wait ends early, with the
	// connection dropped, if the client goes away or the server is closed.
	Delay time.Duration
	// AfterAction carries the request out first (a create, delete or restore
	// takes effect and stays), then answers Status or drops the connection
	// instead of the real answer. Without it the fault answers before
	// anything is done.
	AfterAction bool
	// TruncateBody, when positive, breaks the answer off in its body: the
	// request is carried out as with AfterAction, the answer's status and
	// headers go out with the Content-Length of the whole body, then only the
	// body's first TruncateBody bytes, and the connection is closed. The
	// client reads fewer bytes than Content-Length and gets
	// io.ErrUnexpectedEOF, as behind a proxy that cut the stream. The answer
	// cut is the real one, or the fault's own when Status is set. An answer
	// whose body is no longer than TruncateBody (a 204, for one) goes out
	// whole before the connection is closed. Drop takes precedence.
	TruncateBody int
}

// ruleState is a Rule with the count of requests that matched it.
type ruleState struct {
	rule Rule
	seen int
}

// AddFault adds a rule. Rules are tried in the order they were added and the
// first one that fires decides the fault; every rule counts the requests that
// match it, whether or not it fires.
func (s *Server) AddFault(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &ruleState{rule: r})
}

// SetFaultFunc sets a function consulted for every request no Rule faulted.
// It returns the fault to apply, or nil for none. The request's body can be
// read. It may be called from several goroutines at once. nil removes it.
func (s *Server) SetFaultFunc(fn func(r *http.Request) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultFunc = fn
}

// ClearFaults removes every rule and the fault function.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
	s.faultFunc = nil
}

// pickFault returns a copy of the fault for this request, or nil.
func (s *Server) pickFault(r *http.Request, body []byte) *Fault {
	s.mu.Lock()
	var picked *Fault
	for _, rs := range s.rules {
		if !rs.matches(r) {
			continue
		}
		rs.seen++
		if picked == nil && rs.fires() && s.chance(rs.rule.Probability) {
			f := rs.rule.Fault
			picked = &f
		}
	}
	fn := s.faultFunc
	s.mu.Unlock()

	if picked != nil || fn == nil {
		return picked
	}
	// The function gets its own copy so it can read the body and cannot
	// change the request being served.
	rc := r.Clone(r.Context())
	rc.Body = io.NopCloser(bytes.NewReader(body))
	if f := fn(rc); f != nil {
		c := *f
		return &c
	}
	return nil
}

func (rs *ruleState) matches(r *http.Request) bool {
	return (rs.rule.Method == "" || rs.rule.Method == r.Method) &&
		(rs.rule.Path == "" || rs.rule.Path == r.URL.Path)
}

// fires reports whether the request just counted is one the rule faults.
func (rs *ruleState) fires() bool {
	if rs.rule.Nth <= 0 {
		return true
	}
	count := max(rs.rule.Count, 1)
	return rs.seen >= rs.rule.Nth && rs.seen < rs.rule.Nth+count
}

// acts reports whether the request is carried out before the fault is applied.
func (f *Fault) acts() bool {
	return f.AfterAction || f.TruncateBody > 0
}

// chance draws whether a rule with probability p fires. Only rules with a
// probability draw, so adding one leaves the others' draws as they were.
// It runs with s.mu held, which the source needs.
func (s *Server) chance(p float64) bool {
	if !(p > 0 && p < 1) {
		return true
	}
	return s.rng.Float64() < p
}

// replaces reports whether the fault answers in place of the real answer, as
// opposed to only delaying it.
func (f *Fault) replaces() bool {
	return f.Drop || f.Status != 0
}

// answerFault answers a request with its fault's status or drops it. done is
// what the API made of the request, the zero reply when it was not reached.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, entry *Request, f *Fault, done reply) {
	if f.Drop {
		s.drop(w, entry, f, done)
		return
	}
	rep := reply{status: f.Status, acted: done.acted, throttled: done.throttled, header: http.Header{}}
	if f.Body != "" {
		rep.body = []byte(f.Body)
	} else {
		rep.body = map[string]string{"detail": defaultDetail(f.Status, r.Method, f.RetryAfter)}
	}
	if f.RetryAfter != "" {
		rep.header.Set("Retry-After", f.RetryAfter)
	}
	s.send(w, entry, f, rep)
}

// drop closes the connection without answering. done is what the API made of
// the request, the zero reply when it was not reached.
func (s *Server) drop(w http.ResponseWriter, entry *Request, f *Fault, done reply) {
	s.finish(entry, f, reply{acted: done.acted, throttled: done.throttled})
	closeConn(w)
}

// closeConn closes the connection under w. What was written but not flushed
// is lost. Without a Hijacker (HTTP/2, or a wrapper that hides it) aborting
// the handler has the same effect: the stream is reset.
func closeConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
