package vpsorgtest

import vpsorg "github.com/vpsorg/vpsorg-go"

// Client returns a vpsorg.Client that talks to this server with its token.
// opts are applied after the base URL, so they may override it. Like
// httptest, it panics if vpsorg.NewClient fails, which only a bad option can
// cause.
func (s *Server) Client(opts ...vpsorg.Option) *vpsorg.Client {
	all := append([]vpsorg.Option{vpsorg.WithBaseURL(s.URL + "/api/v1/")}, opts...)
	c, err := vpsorg.NewClient(s.Token, all...)
	if err != nil {
		panic("vpsorgtest: " + err.Error())
	}
	return c
}
