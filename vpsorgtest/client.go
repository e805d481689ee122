package vpsorgtest

import (
	"net"
	"net/url"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// Client returns a vpsorg.Client that talks to this server with its token.
// opts are applied after the base URL, so they may override it. Like
// httptest, it panics if vpsorg.NewClient fails, which only a bad option can
// cause.
//
// A server started by NewServerAt on every interface ("0.0.0.0:8080") is
// reached over loopback; one on another address that is not loopback gets
// vpsorg.WithInsecureHTTP, because the fake speaks plain HTTP only.
func (s *Server) Client(opts ...vpsorg.Option) *vpsorg.Client {
	base := url.URL{Scheme: "http", Host: s.ts.Listener.Addr().String(), Path: "/api/v1/"}
	all := []vpsorg.Option{}
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
