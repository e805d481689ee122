package bench

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// token is what every client sends and every fixture server expects.
const token = "bench-token-3f9a"

// fixtureServer is a loopback server that answers in one shape with
// prepared bytes, and counts the TCP connections clients open to it.
type fixtureServer struct {
	URL   string // root, such as http://127.0.0.1:PORT
	shape shape
	auth  string

	list    prepared
	pages   []prepared
	created prepared
	ctype   []string

	conns atomic.Int64 // connections opened (http.StateNew)
}

// prepared is a body with its Content-Length, so that serving it costs no
// more than a write.
type prepared struct {
	body   []byte
	length []string
}

func prepare(b []byte) prepared {
	return prepared{body: b, length: []string{strconv.Itoa(len(b))}}
}

// startServer starts a fixture server for shape s with the List case's
// page of listItems items, or, when listItems is 0, the All case's pages.
// The bodies are built here, before any timing starts.
func startServer(tb testing.TB, s shape, listItems int) *fixtureServer {
	tb.Helper()
	srv := httptest.NewUnstartedServer(nil)
	fs := newFixture(s, "http://"+srv.Listener.Addr().String(), listItems)
	srv.Config.Handler = fs
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			fs.conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return fs
}

// newFixture prepares the answers of shape s for a server at url, without
// starting one (the in-memory transport answers from it directly).
func newFixture(s shape, url string, listItems int) *fixtureServer {
	fs := &fixtureServer{
		URL:   url,
		shape: s,
		auth:  "Bearer " + token,
		ctype: []string{"application/json"},
	}
	a := s.build(fs.URL, listItems)
	fs.list, fs.created = prepare(a.list), prepare(a.created)
	for _, p := range a.pages {
		fs.pages = append(fs.pages, prepare(p))
	}
	return fs
}

// answer routes a request: the status to answer with and the prepared body
// (none when body is nil).
func (fs *fixtureServer) answer(r *http.Request) (status int, answer prepared) {
	if r.Header.Get("Authorization") != fs.auth {
		return http.StatusUnauthorized, prepared{}
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == fs.shape.listPath:
		if fs.pages == nil {
			return http.StatusOK, fs.list
		}
		p := pageParam(r.URL.RawQuery)
		if p < 1 || p > len(fs.pages) {
			return http.StatusNotFound, prepared{}
		}
		return http.StatusOK, fs.pages[p-1]
	case r.Method == http.MethodPost && strings.HasPrefix(path, fs.shape.createPath):
		return http.StatusCreated, fs.created
	case r.Method == http.MethodDelete && strings.HasPrefix(path, fs.shape.deletePath):
		return http.StatusNoContent, prepared{}
	default:
		return http.StatusNotFound, prepared{}
	}
}

func (fs *fixtureServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, answer := fs.answer(r)
	if answer.body == nil {
		w.WriteHeader(status)
		return
	}
	// Header values set directly: the keys are already canonical, and this
	// keeps the server's own allocations out of the clients' comparison.
	h := w.Header()
	h["Content-Type"] = fs.ctype
	h["Content-Length"] = answer.length
	w.WriteHeader(status)
	_, _ = w.Write(answer.body)
}

// pageParam reads ?page=N without building a url.Values; 1 when absent.
func pageParam(rawQuery string) int {
	for q := rawQuery; q != ""; {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if v, ok := strings.CutPrefix(kv, "page="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0
			}
			return n
		}
	}
	return 1
}
