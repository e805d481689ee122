package vpsorgtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds what is read of a request body; the API's bodies are tiny.
const maxBody = 1 << 20

// handler is what the server's listener serves.
func (s *Server) handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// serveHTTP takes every request through the same steps: log it, pick a fault,
// answer the fault before acting or carry the request out (and then perhaps
// answer the fault instead), and finish the log entry before anything reaches
// the client, so the log is complete once the client has its answer.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.control && strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.control.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	entry := s.logArrival(r, body)
	fault := s.pickFault(r, body)

	if fault != nil && !fault.acts() {
		if !s.wait(r, fault.Delay) {
			s.drop(w, entry, fault, reply{})
			return
		}
		if fault.replaces() {
			s.answerFault(w, r, entry, fault, reply{})
			return
		}
	}

	rep := s.handle(r, body)

	if fault != nil && fault.acts() {
		if !s.wait(r, fault.Delay) {
			s.drop(w, entry, fault, rep)
			return
		}
		if fault.replaces() {
			s.answerFault(w, r, entry, fault, rep)
			return
		}
	}
	s.send(w, entry, fault, rep)
}

// handle answers a request as the API would. The order of checks is Django's
// and DRF's: unknown URL, then authentication, then throttling, then method.
func (s *Server) handle(r *http.Request, body []byte) reply {
	methods, id, ok := matchRoute(r.URL.Path)
	if !ok {
		return notFound()
	}
	if rep := s.authenticate(r); rep != nil {
		return *rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if wait, ok := s.limit.take(now); !ok {
		return throttled(wait)
	}
	h, ok := methods[r.Method]
	if !ok {
		rep := methodNotAllowed(r.Method)
		rep.header = http.Header{"Allow": {allow(methods)}}
		return rep
	}
	rep := h(s, &call{r: r, body: body, id: id, now: now})
	// Date is read from the clock created_at is, as on a real server, so a
	// client can compare the two even when the fake runs on a Clock of its own.
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set("Date", now.Format(http.TimeFormat))
	return rep
}

// wait sleeps for a fault's delay, and reports false if the client went away
// or the server is closing first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// send writes a reply. Every answer carries the request id, and every answer
// with a body says what the body is. A fault's TruncateBody cuts the body
// short of its Content-Length and closes the connection.
func (s *Server) send(w http.ResponseWriter, entry *Request, fault *Fault, rep reply) {
	data, contentType := encode(rep)
	s.finish(entry, fault, rep)
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	h.Set("X-Request-Id", entry.RequestID)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if fault == nil || fault.TruncateBody <= 0 {
		w.WriteHeader(rep.status)
		_, _ = w.Write(data)
		return
	}
	// The declared length is the whole body's, so the client knows it was
	// cut; net/http would otherwise send the short body as if complete.
	if len(data) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(data)))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(data[:min(fault.TruncateBody, len(data))])
	_ = http.NewResponseController(w).Flush()
	closeConn(w)
}

// encode turns a reply's body into bytes. Raw bodies (a fault's Body) that are
// not JSON keep a content type of their own, as an HTML error page from a
// proxy would.
func encode(rep reply) (data []byte, contentType string) {
	if rep.status == http.StatusNoContent || rep.status == http.StatusNotModified {
		// DRF sends no Content-Type with an empty body.
		return nil, ""
	}
	switch body := rep.body.(type) {
	case nil:
		return nil, ""
	case []byte:
		if json.Valid(body) {
			return body, "application/json"
		}
		return body, http.DetectContentType(body)
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // DRF leaves <, > and & as they are
		if err := enc.Encode(body); err != nil {
			panic("vpsorgtest: encoding a reply: " + err.Error())
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "application/json"
	}
}
