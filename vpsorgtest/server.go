package vpsorgtest

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
)

// Server is a fake VPS.org API listening on a loopback address. It is safe for
// concurrent use. Create one with NewServer and stop it with Close.
type Server struct {
	// URL is the root of the server, "http://127.0.0.1:PORT"; the API base
	// URL is URL + "/api/v1/".
	URL string
	// Token is the bearer token the server accepts.
	Token string

	cfg       config
	ts        *httptest.Server
	conns     atomic.Int64
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
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Server{
		Token:   cfg.token,
		cfg:     cfg,
		closing: make(chan struct{}),
		st:      newStore(cfg.seed),
		rng:     newFaultSource(cfg.faultSeed),
		limit:   newBucket(cfg.ratePerSecond, cfg.rateBurst),
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.ts.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.ts.Start()
	s.URL = s.ts.URL
	return s
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

// ConnectionsOpened reports how many TCP connections the server has accepted,
// so a test can check that a client reuses its connections.
func (s *Server) ConnectionsOpened() int {
	return int(s.conns.Load())
}

// newFaultSource is the seeded source of Rule.Probability. PCG is small and
// fast, and it is not safe for concurrent use, which the Server's lock
// covers. The second word is fixed: one seed is enough to choose a run.
func newFaultSource(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}
