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
	if err := checkURLParts(u); err != nil {
		return nil, err
	}
	if err := checkAPIRoot(u, insecure); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// checkURLParts refuses a URL with parts a base URL cannot have: a scheme
// other than http(s), no host, user info, a query or a fragment.
func checkURLParts(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("vpsorg: base URL: scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("vpsorg: base URL: no host")
	case u.User != nil:
		return errors.New("vpsorg: base URL: must not carry user info: the API token is the only credential sent")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return errors.New("vpsorg: base URL: must not have a query or fragment")
	}
	return nil
}

// checkAPIRoot refuses a well-formed URL that would leak the token or
// could not be the API: http:// off loopback unless insecure, and a bare
// host.
func checkAPIRoot(u *url.URL, insecure bool) error {
	switch {
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return fmt.Errorf("vpsorg: base URL: http:// to %s would send the token in clear text; use https, a loopback host, or WithInsecureHTTP", u.Hostname())
	case u.Path == "" || u.Path == "/":
		// Accepted, every call would answer 404, which a caller reads as
		// "already gone".
		return fmt.Errorf("vpsorg: base URL: %s://%s has no API path; try %s://%s/api/v1/", u.Scheme, u.Host, u.Scheme, u.Host)
	}
	return nil
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
