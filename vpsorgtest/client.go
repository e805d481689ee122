package vpsorgtest

import (
	"net"
	"net/url"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// Client returns a vpsorg.Client that talks to this server with its token.
// opts are applied after the Client's own, so they may override them.
//
// Its waits take no real seconds: it is made with vpsorg.WithPollSleep, so
// that the pause between two polls moves the server's own clock on instead
// of sleeping, and Wait, WaitAll and Servers.Wait return at the first poll
// after the fake finishes the operation. On a test's clock ([WithClock])
// the pause is a couple of milliseconds of real time, and a wait returns at
// the poll after the test moves the clock. The polling schedule itself
// (vpsorg.WaitOptions) is the real one. Like
// httptest, it panics if vpsorg.NewClient fails, which only a bad option can
// cause.
//
// It sends through the server's own HTTP client (httptest's), not
// http.DefaultTransport, so that an HTTP mock a test activates does not
// catch it.
//
// A server started by NewServerAt on every interface ("0.0.0.0:8080") is
// reached over loopback; one on another address that is not loopback gets
// vpsorg.WithInsecureHTTP, because the fake speaks plain HTTP only.
func (s *Server) Client(opts ...vpsorg.Option) *vpsorg.Client {
	base := url.URL{Scheme: "http", Host: s.ts.Listener.Addr().String(), Path: "/api/v1/"}
	// The server's own HTTP client, as httptest gives it: a transport for
	// this server alone, whose idle connections Close closes. Through
	// http.DefaultTransport, the test binary's other servers would share
	// its pool, and its limits, with this one.
	all := []vpsorg.Option{vpsorg.WithHTTPClient(s.ts.Client()), vpsorg.WithPollSleep(s.passTime)}
	if addr, ok := s.ts.Listener.Addr().(*net.TCPAddr); ok {
		switch {
		case addr.IP.IsUnspecified():
			// "tcp" on an unspecified address, even "[::]", listens on
			// IPv4 as well, and IPv6 loopback may be switched off.
			base.Host = net.JoinHostPort("127.0.0.1", base.Port())
		case !addr.IP.IsLoopback():
			all = append(all, vpsorg.WithInsecureHTTP())
		}
	}
	all = append(all, vpsorg.WithBaseURL(base.String()))
	c, err := vpsorg.NewClient(s.Token, append(all, opts...)...)
	if err != nil {
		panic("vpsorgtest: " + err.Error())
	}
	return c
}
