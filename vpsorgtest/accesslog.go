package vpsorgtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// writeAccessLog writes an API request's line for WithAccessLog, from a copy
// of its finished log entry.
func (s *Server) writeAccessLog(e *Request) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s", e.RequestID, e.Method, printable(e.Path, e.RawQuery), statusText(e.Status))
	if e.Acted {
		b.WriteString(" acted")
	}
	if e.RateLimited {
		b.WriteString(" rate-limited")
	}
	if fault := e.Fault; fault != nil {
		data, err := json.Marshal(fault)
		if err != nil {
			data = []byte(strconv.Quote(err.Error()))
		}
		b.WriteString(" fault=")
		b.Write(data)
	}
	s.writeLine(&b, e.arrived)
}

// accessLogged wraps the control API so that its requests are written to
// WithAccessLog's writer too.
func (s *Server) accessLogged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.accessLog == nil {
			h.ServeHTTP(w, r)
			return
		}
		began := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		var b strings.Builder
		fmt.Fprintf(&b, "control %s %s %s", r.Method, printable(r.URL.Path, r.URL.RawQuery), statusText(sw.status))
		s.writeLine(&b, began)
	})
}

func (s *Server) writeLine(b *strings.Builder, began time.Time) {
	fmt.Fprintf(b, " %s\n", time.Since(began).Round(time.Microsecond))
	s.accessMu.Lock()
	defer s.accessMu.Unlock()
	_, _ = io.WriteString(s.cfg.accessLog, b.String())
}

func statusText(status int) string {
	if status == 0 {
		return "-"
	}
	return strconv.Itoa(status)
}

// printable is path?query for a log line, quoted if it holds anything that
// could break the line or fool a terminal (the path is decoded: %0A is a
// newline there).
func printable(path, query string) string {
	uri := path
	if query != "" {
		uri += "?" + query
	}
	if strings.IndexFunc(uri, func(r rune) bool { return !unicode.IsPrint(r) || r == ' ' }) >= 0 {
		return strconv.Quote(uri)
	}
	return uri
}

// statusWriter notes the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}
