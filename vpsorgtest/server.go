package vpsorgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake VPS.org API listening on a loopback address (or the one
// given to [NewServerAt]). It is safe for concurrent use. Create one with
// [NewServer] and stop it with [Server.Close] or [Server.Shutdown].
type Server struct {
	// URL is the root of the server, "http://127.0.0.1:PORT"; the API base
	// URL is URL + "/api/v1/".
	URL string
	// Token is the bearer token the server accepts.
	Token string

	cfg       config
	ts        *httptest.Server
	conns     atomic.Int64
	skipped   atomic.Int64  // nanoseconds the own clock was moved on by waiting clients (passTime)
	control   http.Handler  // ControlHandler
	accessMu  sync.Mutex    // keeps WithAccessLog's lines whole
	closing   chan struct{} // closed by Close, so delayed answers stop waiting
	closeOnce sync.Once

	mu        sync.Mutex // guards everything below
	st        store
	rng       *rand.Rand // draws Rule.Probability
	limit     bucket     // WithRateLimit
	rules     []*ruleState
	faultFunc func(r *http.Request) *Fault
	log       []*Request
	lastReqID int
}

// NewServer starts a fake API on a loopback address, seeded with the documented
// server, backups and snapshots unless WithoutSeed is given. The caller should
// call Close when done, typically with defer or t.Cleanup.
func NewServer(opts ...Option) *Server {
	s := newUnstarted(opts)
	s.ts = httptest.NewUnstartedServer(s.handler())
	s.start()
	return s
}

// NewServerAt starts a fake API listening on addr, a TCP address such as
// "127.0.0.1:8080" or "127.0.0.1:0" (any free port; URL says which), and is
// otherwise [NewServer]. It returns the listener's error, for example when
// the address is in use. A non-loopback address serves the fake, and with
// [WithControlAPI] its control API, to whoever can reach it; nothing is
// checked beyond the token.
func NewServerAt(addr string, opts ...Option) (*Server, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("vpsorgtest: %w", err)
	}
	s := newUnstarted(opts)
	// This server may face more than the test that started it, so a
	// client that never finishes its headers cannot hold a connection.
	s.ts = &httptest.Server{Listener: l, Config: &http.Server{Handler: s.handler(), ReadHeaderTimeout: readHeaderTimeout}}
	s.start()
	return s, nil
}

// readHeaderTimeout bounds how long NewServerAt's server waits for a
// request's headers.
const readHeaderTimeout = 30 * time.Second

func newUnstarted(opts []Option) *Server {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Server{
		Token:   cfg.token,
		cfg:     cfg,
		closing: make(chan struct{}),
	}
	s.control = s.newControl()
	s.resetLocked()
	return s
}

func (s *Server) start() {
	s.ts.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.ts.Start()
	s.URL = s.ts.URL
}

// Reset puts the server back in the state it started in: the seeded (or
// empty) store with its ids, no fault rules or fault function, an empty
// request log whose ids start again at req-000001, the fault source freshly
// seeded, the rate limit's bucket full, and only the rules of [WithFaults].
// The options stay as given.
// Requests being served meanwhile finish against the new state.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.st = newStore(s.cfg.seed)
	s.rng = newFaultSource(s.cfg.faultSeed)
	s.limit = newBucket(s.cfg.ratePerSecond, s.cfg.rateBurst)
	s.rules, s.faultFunc = nil, nil
	for _, r := range s.cfg.rules {
		s.rules = append(s.rules, &ruleState{rule: r})
	}
	s.log, s.lastReqID = nil, 0
}

// Close shuts the server down and blocks until every request has finished.
// Requests waiting on a fault's Delay are cut short and their connections
// dropped. The state and the request log stay readable after Close.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.Close()
	})
}

// Shutdown shuts the server down gracefully: it stops accepting connections
// and waits until the requests being served have been answered, a fault's
// Delay included, or ctx ends. Then it closes the server as [Server.Close]
// does, which cuts short what is still waiting, and returns ctx's error if
// anything was.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.ts.Config.Shutdown(ctx)
	s.Close()
	if err != nil {
		return fmt.Errorf("vpsorgtest: shutdown: %w", err)
	}
	return nil
}

// ConnectionsOpened reports how many TCP connections the server has accepted,
// so a test can check that a client reuses its connections.
func (s *Server) ConnectionsOpened() int {
	return int(s.conns.Load())
}

// newFaultSource is the seeded source of Rule.Probability. PCG is small and
// fast, and it is not safe for concurrent use, which the Server's lock
// covers. The second word is fixed: one seed is enough to choose a run.
func newFaultSource(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) //nolint:gosec // G404: faults must repeat from a seed, not be unpredictable

}
