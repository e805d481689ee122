package vpsorg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is the API root the Client talks to unless [WithBaseURL]
// says otherwise.
const DefaultBaseURL = "https://admin.vps.org/api/v1/"

// Version is the SDK's version; the default User-Agent is "vpsorg-go/" + Version.
const Version = "0.2.0"

const defaultUserAgent = "vpsorg-go/" + Version

// Environment variables read by [NewClientFromEnv].
const (
	EnvToken   = "VPSORG_API_TOKEN"
	EnvBaseURL = "VPSORG_API_URL"
)

// Client talks to the VPS.org API. Create one with [NewClient] and share it:
// it is safe for concurrent use and reuses connections.
//
// Printing a Client with any fmt verb shows its base URL only, never the token.
type Client struct {
	Backups   *BackupsService   // /api/v1/backups/
	Snapshots *SnapshotsService // /api/v1/snapshots/
	Servers   *ServersService   // /api/v1/servers/

	base         string // absolute, ends with "/"
	basePath     string // base's path, for naming calls in errors
	origin       origin
	serverPort   int     // origin's port as a number, for observers
	auth         *string // "Bearer <token>"; a pointer, so fmt shows an address even for a copied Client
	userAgent    string
	logger       *slog.Logger
	http         *retryablehttp.Client
	throttle     *throttle // WithRateLimit, and the pause after a 429
	retryWaitMax time.Duration
	adjustWait   func(time.Duration) time.Duration
	sleep        func(ctx context.Context, d time.Duration) error // the throttle's pauses
	pollSleep    func(ctx context.Context, d time.Duration) error // the waiters' pauses between polls
	now          func() time.Time
	recovery     bool     // look for a write's result when its answer was lost
	handout      *handout // the objects the Client's creates returned
	observers    []Observer
}

// NewClient returns a Client that authenticates with token. It returns an
// error, and never a Client that fails later, for an empty token, a nil or
// failing option, a malformed base URL, or an http:// base URL to a host
// other than loopback without [WithInsecureHTTP].
//
// Without [WithHTTPClient], requests go through [http.DefaultTransport] as it
// is at each request, so that an HTTP mock or a tracing wrapper the program
// put there sees them, each try bounded by a 60 s timeout.
func NewClient(token string, opts ...Option) (*Client, error) {
	auth, err := bearer(token)
	if err != nil {
		return nil, err
	}
	cfg, err := configure(opts)
	if err != nil {
		return nil, err
	}
	base, err := parseBaseURL(cfg.baseURL, cfg.insecureHTTP)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:         base.String(),
		basePath:     base.Path,
		origin:       originOf(base),
		auth:         &auth,
		userAgent:    cmp.Or(cfg.userAgent, defaultUserAgent),
		logger:       cfg.logger,
		retryWaitMax: cfg.retryWaitMax,
		adjustWait:   cfg.adjustWait,
		sleep:        cfg.sleep,
		pollSleep:    cfg.pollSleep,
		now:          cfg.now,
		recovery:     !cfg.noRecovery,
		handout:      newHandout(),
		observers:    cfg.observers,
	}
	c.serverPort, _ = strconv.Atoi(c.origin.port) // digits: url.Parse checked them
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.pollSleep == nil {
		c.pollSleep = c.sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.http = c.newRetryClient(innerHTTPClient(cfg.httpClient, c.origin), cfg)
	c.throttle = newThrottle(cfg, c.now, c.sleep)
	c.Backups = &BackupsService{client: c}
	c.Snapshots = &SnapshotsService{client: c}
	c.Servers = &ServersService{client: c}
	return c, nil
}

// bearer returns the Authorization value for token, refusing one that is
// empty or could add header lines.
func bearer(token string) (string, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errors.New("vpsorg: NewClient: empty token")
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		// Said without the token itself: errors never carry it.
		return "", errors.New("vpsorg: NewClient: token contains white space or control characters")
	}
	return "Bearer " + token, nil
}

// configure applies opts, in order, to the defaults.
func configure(opts []Option) (config, error) {
	cfg := defaultConfig()
	for i, opt := range opts {
		if opt == nil {
			return cfg, fmt.Errorf("vpsorg: NewClient: option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// NewClientFromEnv returns a Client for the token in VPSORG_API_TOKEN and,
// when set, the base URL in VPSORG_API_URL. opts are applied after the
// environment, so an explicit [WithBaseURL] wins. It fails like [NewClient],
// and when VPSORG_API_TOKEN is empty.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	token := os.Getenv(EnvToken)
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("vpsorg: NewClientFromEnv: " + EnvToken + " is not set")
	}
	if u := os.Getenv(EnvBaseURL); u != "" {
		opts = append([]Option{WithBaseURL(u)}, opts...)
	}
	return NewClient(token, opts...)
}

// BaseURL returns the API root the Client sends its requests to.
func (c *Client) BaseURL() string { return c.base }

// String describes the Client without its token.
func (c *Client) String() string { return "vpsorg.Client{BaseURL: " + c.base + "}" }

// GoString describes the Client without its token, for %#v.
func (c *Client) GoString() string {
	return "&vpsorg.Client{BaseURL: " + fmt.Sprintf("%q", c.base) + "}"
}

// Format prints [Client.String] for every verb (and [Client.GoString] for
// %#v), so that no fmt verb can reach the token through reflection.
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.String())
}

// defaultTimeout bounds one try of a Client made without [WithHTTPClient],
// as the Timeout of its HTTP client.
const defaultTimeout = 60 * time.Second

// defaultHTTPClient sends through http.DefaultTransport, whatever it holds:
// net/http's own transport, or what the program put there before or after
// NewClient (httpmock.Activate, gock, a tracing wrapper), which then sees
// the SDK's requests as it sees any other. The SDK needs nothing of its
// type: connection reuse comes from draining every body and from the
// waiters polling one request at a time, which the default two idle
// connections per host serve.
func defaultHTTPClient() *http.Client {
	return &http.Client{Timeout: defaultTimeout}
}

// innerHTTPClient returns the *http.Client the Client sends through: the
// user's, wrapped, or its own default one.
func innerHTTPClient(user *http.Client, api origin) *http.Client {
	if user != nil {
		return wrapHTTPClient(user, api)
	}
	inner := wrapHTTPClient(defaultHTTPClient(), api)
	// No one else holds the default client, so its Transport cannot
	// change later: leave it nil, and net/http sends through
	// http.DefaultTransport as it is at each request. When that is still
	// its own *http.Transport, net/http keeps Timeout with the request's
	// context, not with a goroutine and a timer per request as it must
	// for a transport it does not know.
	inner.Transport = nil
	return inner
}

// wrapHTTPClient returns a client that behaves as user does but refuses to
// follow a redirect out of the API's origin. It reads user.Transport at every
// request, so mocks installed on user after NewClient still take effect.
func wrapHTTPClient(user *http.Client, api origin) *http.Client {
	inner := *user
	inner.Transport = userTransport{user}
	next := user.CheckRedirect
	inner.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if originOf(req.URL) != api {
			return fmt.Errorf("%w to another origin (%s://%s)", ErrRedirectRefused, req.URL.Scheme, req.URL.Host)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &inner
}

// userTransport sends through the user's client's current Transport.
type userTransport struct{ hc *http.Client }

func (t userTransport) transport() http.RoundTripper {
	if rt := t.hc.Transport; rt != nil {
		return rt
	}
	return http.DefaultTransport
}

func (t userTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// As net/http's own transport does, send nothing once the context has
	// ended: the throttle's wait for a token can end that way, and a mock
	// or a transport of the user's might not look.
	if err := r.Context().Err(); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return t.transport().RoundTrip(r)
}

// CloseIdleConnections passes the call on, as http.Client would.
func (t userTransport) CloseIdleConnections() {
	if ci, ok := t.transport().(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// CloseIdleConnections closes the keep-alive connections the Client is not
// using, as [http.Client.CloseIdleConnections] does for its transport. Call
// it when a long-lived program is done with the API.
func (c *Client) CloseIdleConnections() {
	c.http.HTTPClient.CloseIdleConnections()
}
