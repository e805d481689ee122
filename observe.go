package vpsorg

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Observer watches a Client's calls and their HTTP tries, so that a
// program can trace them, count them or log them. Give one to a Client
// with [WithObserver]; the module
// github.com/vpsorg/vpsorg-go/vpsorgotel makes OpenTelemetry spans and
// metrics with it, and a Prometheus or logging observer needs nothing more.
//
// A call is one method of a service, named as "Service.Method"
// ("Backups.Create", "Backups.WaitAll", "Servers.Wait") or "Client.Do"
// ([Client.Do]). Each page of a list is a call of its own, "Backups.List",
// whether it was asked by List, All, a waiter's poll or a write's look-up.
// A call that sends nothing is not observed: input refused before any
// request ([*ValidationError]), or a wait for objects already final.
//
// A call's methods run in the goroutine that made the call, except that
// [BackupsService.Prune]'s deletes run several at a time; an Observer
// shared by goroutines must be safe for concurrent use, as a Client is.
type Observer interface {
	// StartCall is called as a call begins, with op its name and ctx the
	// context the caller passed. The context it returns is the call's:
	// its tries, and the calls it makes in turn (a wait's polls, a
	// write's look-up after a lost answer, a prune's list and deletes),
	// start from it, so that a tracer can nest them. end is called once,
	// when the call returns, with the call's error, nil on success.
	StartCall(ctx context.Context, op string) (_ context.Context, end func(err error))

	// StartTry is called before each HTTP request of a call, retries
	// included, once the Client's rate limit has let it go; ctx is the
	// call's. The context it returns is that request's, which the HTTP
	// transport sees. end is called once, when the try's answer has been
	// read (a 2xx body whole) or the try failed.
	StartTry(ctx context.Context, try TryInfo) (_ context.Context, end func(TryResult))
}

// TryInfo describes one HTTP request of a call. It holds no token, no
// query and no body: each of its fields can be a metric label.
type TryInfo struct {
	Method string // the HTTP method, "GET"
	// URLTemplate is the URL path with each id as "{id}":
	// "/api/v1/backups/{id}/". It never has a query. A path given to
	// [Client.Do] has its numeric segments replaced alike.
	URLTemplate   string
	ServerAddress string // the base URL's host, "admin.vps.org"
	ServerPort    int    // the base URL's port, 443 for https without one
	ResendCount   int    // 0 for a call's first try, 1 for its first retry, ...
}

// TryResult is how one HTTP request of a call ended.
type TryResult struct {
	// StatusCode is the answer's HTTP status; 0 when no answer came.
	StatusCode int
	// Err is why the try got no usable answer: the transport's error (a
	// refused connection, a timeout, the context's end), or a 2xx answer
	// whose body broke off, in which case StatusCode is set too. It is nil
	// when an answer came whole, whatever its status.
	Err error
}

// WithObserver makes the Client tell o about every call and every HTTP
// try (see [Observer]). It may be given several times: each observer is
// told in the order given, each starting from the context the one before
// returned, and their ends run in the reverse order, as deferred calls do.
// NewClient refuses a nil o.
func WithObserver(o Observer) Option {
	return func(c *config) error {
		if o == nil {
			return errors.New("vpsorg: WithObserver: nil Observer")
		}
		c.observers = append(c.observers, o)
		return nil
	}
}

// startCall tells the Client's observers that a call named op begins, and
// returns the call's context and the function that ends it. A Client
// without observers returns ctx as it is and allocates nothing.
func (c *Client) startCall(ctx context.Context, op string) (context.Context, func(error)) {
	if len(c.observers) == 0 {
		return ctx, endNothing
	}
	return startEach(ctx, c.observers, func(o Observer, ctx context.Context) (context.Context, func(error)) {
		return o.StartCall(ctx, op)
	})
}

func endNothing(error) {}

// startEach starts every observer in turn, each from the context the one
// before returned, and returns the last context and a function that ends
// them in the reverse order. A nil context or end from an observer is
// passed over, so that a faulty observer cannot make a call panic. One
// observer, the usual case, is started alone, without a list of ends.
func startEach[R any](ctx context.Context, obs []Observer,
	start func(o Observer, ctx context.Context) (context.Context, func(R)),
) (context.Context, func(R)) {
	if len(obs) == 1 {
		next, end := start(obs[0], ctx)
		if next == nil {
			next = ctx
		}
		if end == nil {
			end = func(R) {}
		}
		return next, end
	}
	ends := make([]func(R), 0, len(obs))
	for _, o := range obs {
		next, end := start(o, ctx)
		if next != nil {
			ctx = next
		}
		if end != nil {
			ends = append(ends, end)
		}
	}
	return ctx, func(r R) {
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i](r)
		}
	}
}

// observedTries is a call's part in observing its tries, made only when
// the Client has observers.
type observedTries struct {
	ctx context.Context // the call's context, from which every try starts
	end func(TryResult) // ends the try under way; nil between tries
}

// startTry tells the observers that a try of cl begins, from parent, the
// call's context, and makes the context they return the request's.
// go-retryablehttp sends req as it is after this hook and copies it for
// the next try, so the try's context is set in place, and the next try
// starts again from the call's context, not from this try's.
func (cl *call) startTry(parent context.Context, req *http.Request) {
	c := cl.client
	info := TryInfo{
		Method:        cl.req.method,
		URLTemplate:   c.basePath + templateOf(cl.req.path),
		ServerAddress: c.origin.host,
		ServerPort:    c.serverPort,
		ResendCount:   cl.attempts,
	}
	ctx, end := startEach(parent, c.observers, func(o Observer, ctx context.Context) (context.Context, func(TryResult)) {
		return o.StartTry(ctx, info)
	})
	cl.observed.end = end
	*req = *req.WithContext(ctx)
}

// endTry tells the observers how the try under way ended.
func (cl *call) endTry(resp *http.Response, err error) {
	if cl.observed.end == nil {
		return
	}
	r := TryResult{Err: err}
	if resp != nil {
		r.StatusCode = resp.StatusCode
	}
	end := cl.observed.end
	cl.observed.end = nil
	end(r)
}

// templateOf returns a path relative to the base URL with every segment
// that is a number replaced by "{id}": "backups/501/" becomes
// "backups/{id}/". The SDK puts ids in its paths as numbers and nothing
// else there is one, so this is the path's template, with few values
// however many objects there are. A next link's template is its list's
// path, which the request keeps.
func templateOf(path string) string {
	if !strings.ContainsAny(path, "0123456789") {
		return path
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}
