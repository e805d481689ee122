package vpsorg

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// parseBaseURL checks the API root given to NewClient and returns it with a
// trailing slash, so relative paths such as "backups/" resolve under it.
func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("vpsorg: base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("vpsorg: base URL: scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("vpsorg: base URL: no host")
	case u.User != nil:
		return nil, errors.New("vpsorg: base URL: must not carry user info; the token is given to NewClient")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("vpsorg: base URL: must not have a query or fragment")
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("vpsorg: base URL: http:// to %s would send the token in clear text; use https, a loopback host, or WithInsecureHTTP", u.Hostname())
	case u.Path == "" || u.Path == "/":
		// Accepted, every call would answer 404, which a caller reads as
		// "already gone".
		return nil, fmt.Errorf("vpsorg: base URL: %s://%s has no API path; try %s://%s/api/v1/", u.Scheme, u.Host, u.Scheme, u.Host)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// isLoopback reports whether host is "localhost" or a literal loopback
// address. It never resolves names: "127.0.0.1.example.com" is not loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// origin is a URL's scheme, host and port, the unit the token is bound to.
type origin struct {
	scheme, host, port string
}

func originOf(u *url.URL) origin {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return origin{scheme: scheme, host: strings.ToLower(u.Hostname()), port: port}
}
