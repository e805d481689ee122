package vpsorg

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/jarcoal/httpmock"
)

// leakForms returns the ways fmt can spell token: as is, in hex (%x, %X of
// a string or []byte), and as the bytes of a []byte (%d, %v, %#v).
func leakForms(token string) []string {
	b := []byte(token)
	dec := strings.Trim(fmt.Sprint(b), "[]") //nolint:staticcheck // the bytes in decimal are the leak looked for, not a string
	goSyntax := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", b), "[]byte{"), "}")
	return []string{token, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)), dec, goSyntax}
}

// leakSweep collects everything a caller of the SDK can print, and then
// looks for the token in all of it.
type leakSweep struct {
	mu     sync.Mutex
	values []any
}

// add records vals and, for errors, every error they wrap, and for a
// Response, the HTTP response and request (and redirect chain) inside it.
func (s *leakSweep) add(vals ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		s.addOne(v)
	}
}

func (s *leakSweep) addOne(v any) {
	switch v := v.(type) {
	case nil:
		return
	case error:
		s.values = append(s.values, v, v.Error())
		var apiErr *APIError
		if errors.As(v, &apiErr) {
			s.values = append(s.values, *apiErr, apiErr.Message, string(apiErr.Body), apiErr.FieldErrors)
		}
		if next := errors.Unwrap(v); next != nil {
			s.addOne(next)
		}
	case *Response:
		if v == nil {
			return
		}
		s.values = append(s.values, v, *v)
		if v.Response != nil {
			s.values = append(s.values, v.Response, *v.Response, v.Header)
			for r := v.Request; r != nil; {
				s.values = append(s.values, r, *r, r.Header, r.URL.String())
				if r.Response == nil {
					break
				}
				s.values = append(s.values, r.Response, *r.Response)
				r = r.Response.Request
			}
		}
	default:
		s.values = append(s.values, v)
	}
}

// check fails t for every printed value, and every text, holding token.
func (s *leakSweep) check(t *testing.T, token string, texts map[string]string) {
	t.Helper()
	forms := leakForms(token)
	find := func(where, out string) {
		for _, f := range forms {
			if strings.Contains(out, f) {
				t.Errorf("token (as %q) found in %s: %.300s", f, where, out)
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, v := range s.values {
		// Every verb a caller might print an SDK value with.
		for _, verb := range [...]string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
			find(fmt.Sprintf("%s of value %d (%T)", verb, i, v), fmt.Sprintf(verb, v))
		}
	}
	for where, text := range texts {
		find(where, text)
	}
}

// lockedBuffer is a bytes.Buffer that the logger and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTokenNeverLeaks runs a workload of successes, API errors (one that
// echoes the token), retries, transport failures, a cancelled context and
// redirects, then looks for the token in every error, every Response, the
// Client, its services and options printed with every fmt verb, in the
// debug log and in any panic.
func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	const token = "sweep-Zq8v-secret-7731"

	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	backup := func(id int64, status string) string {
		return fmt.Sprintf(`{"id":%d,"server":{"id":1,"name":"web"},"backup_type":"manual","status":%q,"created_at":"2025-01-16T15:45:00Z","description":"d"}`, id, status)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/backups/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-1")
		switch {
		case r.URL.Query().Get("server_id") == "77":
			fmt.Fprint(w, `{"count":"many","results":[]}`)
		case r.URL.Query().Get("page") == "2":
			fmt.Fprintf(w, `{"count":2,"next":null,"results":[%s]}`, backup(5, "completed"))
		default:
			fmt.Fprintf(w, `{"count":2,"next":"http://%s/api/v1/backups/?page=2","results":[%s]}`, r.Host, backup(4, "completed"))
		}
	})
	mux.HandleFunc("POST /api/v1/backups/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, backup(6, "in_progress"))
	})
	mux.HandleFunc("DELETE /api/v1/backups/1/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/collect/", http.StatusFound)
	})
	mux.HandleFunc("DELETE /api/v1/backups/2/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v1/backups/3/", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("DELETE /api/v1/backups/3/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /api/v1/backups/4/", func(w http.ResponseWriter, r *http.Request) {
		// A connection lost after the request was sent.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	mux.HandleFunc("GET /api/v1/snapshots/", func(w http.ResponseWriter, r *http.Request) {
		// A proxy that echoes the request's headers in its error page.
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"detail": "Invalid token: " + r.Header.Get("Authorization")})
	})
	mux.HandleFunc("POST /api/v1/snapshots/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"name":                        []string{"Bad name."},
			r.Header.Get("Authorization"): map[string][]string{"header": {r.Header.Get("Authorization")}},
		})
	})
	mux.HandleFunc("POST /api/v1/snapshots/9/restore/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // until then, the server would not notice the client leave
		cancel()                           // the caller gives up while the server thinks
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /api/v1/servers/", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html><title>Server Error</title><body>"+r.Header.Get("Authorization")+"</body></html>")
	})
	mux.HandleFunc("POST /api/v1/servers/1/restore/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"success","server":{"id":1,"status":"restoring"}}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // connections to it are refused

	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	noWait := WithWaitHook(func(time.Duration) {})
	opts := []Option{WithBaseURL(srv.URL + "/api/v1/"), WithLogger(logger), WithRetryMax(2), noWait}
	c, err := NewClient(token, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	d, err := NewClient(token, WithBaseURL(deadURL+"/api/v1/"), WithLogger(logger), WithRetryMax(1), noWait)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}

	sweep := &leakSweep{}
	sweep.add(c, *c, c.Backups, *c.Backups, c.Snapshots, *c.Snapshots, c.Servers, *c.Servers, d)
	for _, o := range opts {
		sweep.add(o)
	}
	var errs []error
	note := func(resp *Response, err error, vals ...any) {
		sweep.add(resp, err)
		sweep.add(vals...)
		if err != nil {
			errs = append(errs, err)
		}
	}

	panicked := func() (p any) {
		defer func() { p = recover() }()
		bg := context.Background()

		items, resp, err := c.Backups.List(bg, nil)
		note(resp, err, items)
		for b, err := range c.Backups.All(bg, nil) {
			note(nil, err, b)
		}
		_, resp, err = c.Backups.List(bg, &BackupListOptions{ServerID: 77})
		note(resp, err)
		b, resp, err := c.Backups.Create(bg, &BackupCreateRequest{ServerID: 1, Description: "x"})
		note(resp, err, b)
		got, err := c.Backups.Wait(bg, &Backup{ID: 5, Server: ServerRef{ID: 1}, Status: StatusInProgress}, nil)
		note(nil, err, got)
		for _, id := range []int64{1, 2, 4} {
			resp, err = c.Backups.Delete(bg, id)
			note(resp, err)
		}
		snaps, resp, err := c.Snapshots.List(bg, nil)
		note(resp, err, snaps)
		s, resp, err := c.Snapshots.Create(bg, &SnapshotCreateRequest{ServerID: 1, Name: "s1"})
		note(resp, err, s)
		s, resp, err = c.Snapshots.Create(bg, &SnapshotCreateRequest{ServerID: 1, Name: "bad name"})
		note(resp, err, s)
		sr, resp, err := c.Snapshots.Restore(ctx, 9)
		note(resp, err, sr)
		servers, resp, err := c.Servers.List(bg, nil)
		note(resp, err, servers)
		rr, resp, err := c.Servers.Restore(bg, 1, &ServerRestoreRequest{BackupID: 5})
		note(resp, err, rr)
		_, resp, err = d.Backups.List(bg, nil)
		note(resp, err)
		_, err = NewClient(token + "\x7f")
		note(nil, err)
		_, err = NewClient(token, WithBaseURL("http://example.com/api/v1/"))
		note(nil, err)
		return nil
	}()

	texts := map[string]string{"the debug log": logs.String()}
	if panicked != nil {
		t.Errorf("the workload panicked: %v", panicked)
		texts["the panic"] = fmt.Sprint(panicked)
	}
	sweep.check(t, token, texts)

	// The workload must have produced what the sweep claims to cover.
	if n := stolen.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
	for _, want := range []struct {
		name string
		is   func(error) bool
	}{
		{"401", func(err error) bool { return errors.Is(err, ErrUnauthorized) }},
		{"400", func(err error) bool { return errors.Is(err, ErrBadRequest) }},
		{"500 after retries", func(err error) bool {
			var e *APIError
			return errors.As(err, &e) && e.StatusCode == http.StatusInternalServerError && e.Attempts == 3
		}},
		{"refused redirect", func(err error) bool { return errors.Is(err, ErrRedirectRefused) }},
		{"cancelled context", func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"connection refused", func(err error) bool {
			var op *net.OpError
			return errors.As(err, &op) && op.Op == "dial"
		}},
		{"connection lost", func(err error) bool {
			var e *RequestError
			return errors.As(err, &e) && e.Method == http.MethodDelete && e.Attempts == 3
		}},
		{"decode error", func(err error) bool {
			var e *jsonv2.SemanticError
			return errors.As(err, &e)
		}},
		{"validation", func(err error) bool {
			var e *ValidationError
			return errors.As(err, &e)
		}},
	} {
		found := false
		for _, err := range errs {
			found = found || want.is(err)
		}
		if !found {
			t.Errorf("the workload produced no %s error; errors: %v", want.name, errs)
		}
	}
	for _, want := range []string{"level=DEBUG", "level=ERROR", "retrying request", "vpsorg: response", "status=401", "******"} {
		if !strings.Contains(logs.String()+fmt.Sprint(errs), want) {
			t.Errorf("the log and errors lack %q: the sweep did not see what it should", want)
		}
	}
}

// TestTokenOnlyInAuthorizationHeader checks, on the wire, that every
// endpoint carries the token exactly once: in "Authorization: Bearer".
func TestTokenOnlyInAuthorizationHeader(t *testing.T) {
	t.Parallel()
	const token = "wire-Kp3m-secret-0420"
	var (
		mu    sync.Mutex
		dumps []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, err := httputil.DumpRequest(r, true)
		if err != nil {
			t.Errorf("dump: %v", err)
		}
		mu.Lock()
		dumps = append(dumps, string(dump))
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		if len(r.TransferEncoding) != 0 {
			// A bodyless POST once went out as an empty chunked body.
			t.Errorf("%s %s: Transfer-Encoding %q, want a plain Content-Length", r.Method, r.URL, r.TransferEncoding)
		}
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/restore/"):
			fmt.Fprint(w, `{"status":"success"}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":9,"status":"in_progress"}`)
		default:
			fmt.Fprint(w, `{"count":0,"results":[]}`)
		}
	}))
	defer srv.Close()
	c, err := NewClient(token, WithBaseURL(srv.URL+"/api/v1/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calls := []func() error{
		func() error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{ServerID: 1, Type: BackupTypeManual})
			return err
		},
		func() error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 1, Description: "d"})
			return err
		},
		func() error { _, err := c.Backups.Delete(ctx, 1); return err },
		func() error { _, _, err := c.Snapshots.List(ctx, &SnapshotListOptions{ServerID: 1}); return err },
		func() error {
			_, _, err := c.Snapshots.Create(ctx, &SnapshotCreateRequest{ServerID: 1, Name: "n"})
			return err
		},
		func() error { _, _, err := c.Snapshots.Restore(ctx, 1); return err },
		func() error { _, err := c.Snapshots.Delete(ctx, 1); return err },
		func() error { _, _, err := c.Servers.List(ctx, &ServerListOptions{Status: "active"}); return err },
		func() error { _, _, err := c.Servers.Restore(ctx, 1, &ServerRestoreRequest{BackupID: 1}); return err },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dumps) != len(calls) {
		t.Fatalf("server saw %d requests, want %d", len(dumps), len(calls))
	}
	for _, dump := range dumps {
		if n := strings.Count(dump, token); n != 1 || !strings.Contains(dump, "\r\nAuthorization: Bearer "+token+"\r\n") {
			t.Errorf("token appears %d times, not once as the Authorization header:\n%s", n, dump)
		}
	}
}

func TestPlainHTTPBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://admin.vps.org/api/v1/", false, true},
		{"http://admin.vps.org/api/v1/", false, false},
		{"http://admin.vps.org/api/v1/", true, true},
		{"http://localhost/api/v1/", false, true},
		{"http://LocalHost:8080/api/v1/", false, true},
		{"http://127.0.0.1:8080/api/v1/", false, true},
		{"http://127.255.0.9/api/v1/", false, true},
		{"http://[::1]:8080/api/v1/", false, true},
		{"http://[::ffff:127.0.0.1]/api/v1/", false, true},
		{"http://127.0.0.1.example.com/", false, false},
		{"http://localhost.example.com/", false, false},
		{"http://example.localhost.com/", false, false},
		{"http://127.0.0.1%2eexample.com/", false, false},
		{"http://2130706433/", false, false}, // 127.0.0.1 as a number: a name to a resolver
		{"http://0x7f.0.0.1/", false, false},
		{"http://0.0.0.0/", false, false},
		{"http://[::]/", false, false},
		{"http://10.0.0.1/", false, false},
		{"http://[fe80::1]/", false, false},
		{"http://user:pw@127.0.0.1/", false, false},
		{"http://user:pw@example.com/", true, false},
		{"ftp://127.0.0.1/", false, false},
		{"//127.0.0.1/", false, false},
		{"https://api.test/?token=x", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			opts := []Option{WithBaseURL(tt.url)}
			if tt.insecure {
				opts = append(opts, WithInsecureHTTP())
			}
			c, err := NewClient("tok", opts...)
			if tt.ok != (err == nil) {
				t.Fatalf("NewClient(%q, insecure=%v) error = %v, want ok=%v", tt.url, tt.insecure, err, tt.ok)
			}
			if err != nil && c != nil {
				t.Errorf("NewClient returned a Client with the error %v", err)
			}
		})
	}
}

// twoOrigins starts the API server, whose handler is api, and another
// origin that counts the requests it gets and those with an Authorization.
func twoOrigins(t *testing.T, api func(other string) http.Handler) (apiURL string, hits, withAuth *atomic.Int32) {
	t.Helper()
	hits, withAuth = new(atomic.Int32), new(atomic.Int32)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			withAuth.Add(1)
		}
		fmt.Fprint(w, `{"count":0,"results":[]}`)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(api(other.URL))
	t.Cleanup(srv.Close)
	return srv.URL, hits, withAuth
}

func TestRedirectToAnotherOriginRefused(t *testing.T) {
	t.Parallel()
	calls := map[string]func(context.Context, *Client) (*Response, error){
		"GET": func(ctx context.Context, c *Client) (*Response, error) {
			_, r, err := c.Backups.List(ctx, nil)
			return r, err
		},
		"DELETE": func(ctx context.Context, c *Client) (*Response, error) { return c.Backups.Delete(ctx, 7) },
		"POST": func(ctx context.Context, c *Client) (*Response, error) {
			_, r, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 1})
			return r, err
		},
	}
	for _, code := range []int{301, 302, 303, 307, 308} {
		for method, call := range calls {
			t.Run(fmt.Sprint(method, code), func(t *testing.T) {
				t.Parallel()
				var first atomic.Int32
				api, hits, withAuth := twoOrigins(t, func(other string) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						first.Add(1)
						http.Redirect(w, r, other+"/api/v1/backups/", code)
					})
				})
				c, err := NewClient("redirect-token", WithBaseURL(api+"/api/v1/"), WithWaitHook(func(time.Duration) {}))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := call(context.Background(), c)
				if !errors.Is(err, ErrRedirectRefused) {
					t.Fatalf("error = %v (response %v), want the redirect refused", err, resp)
				}
				var reqErr *RequestError
				if !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
					t.Errorf("error = %#v, want a *RequestError after 1 attempt", err)
				}
				if n, a := hits.Load(), withAuth.Load(); n != 0 || a != 0 {
					t.Errorf("the other origin got %d requests, %d with Authorization", n, a)
				}
				if n := first.Load(); n != 1 {
					t.Errorf("the API got %d requests, want 1 (a refused redirect is not retried)", n)
				}
			})
		}
	}
}

func TestRedirectOnSameOriginFollowed(t *testing.T) {
	t.Parallel()
	const token = "same-origin-token"
	var target atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/backups/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v2/backups/?page=1", http.StatusFound)
	})
	mux.HandleFunc("/api/v2/backups/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+token {
			target.Add(1)
		}
		fmt.Fprint(w, `{"count":1,"results":[{"id":3}]}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := NewClient(token, WithBaseURL(srv.URL+"/api/v1/"))
	if err != nil {
		t.Fatal(err)
	}
	items, resp, err := c.Backups.List(context.Background(), nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(items) != 1 || items[0].ID != 3 {
		t.Errorf("items = %+v, want backup 3", items)
	}
	if target.Load() != 1 {
		t.Errorf("the redirect's target got %d authorized requests, want 1", target.Load())
	}
	if got := resp.Request.URL.Path; got != "/api/v2/backups/" {
		t.Errorf("Response.Request.URL.Path = %q, want the redirect's target", got)
	}
	// Neither the last request nor the one redirected from shows the token.
	if resp.Request.Response == nil || resp.Request.Response.Request == nil {
		t.Fatal("the Response does not keep the redirect chain")
	}
	for r := resp.Request; r != nil; {
		if h := r.Header.Get("Authorization"); h != "" {
			t.Errorf("request %s keeps Authorization %q", r.URL, h)
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
}

// TestNextLinkToAnotherOriginNotFollowed serves a first page whose next
// link leads to another local server, which must get no request at all.
func TestNextLinkToAnotherOriginNotFollowed(t *testing.T) {
	t.Parallel()
	api, hits, _ := twoOrigins(t, func(other string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"count":3,"next":"%s/api/v1/backups/?page=2","results":[{"id":1}]}`, other)
		})
	})
	c, err := NewClient("next-token", WithBaseURL(api+"/api/v1/"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var errs []error
	for b, err := range c.Backups.All(context.Background(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, b.ID)
	}
	if len(ids) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "another origin") {
		t.Errorf("All yielded ids %v and errors %v, want backup 1 then the next link refused", ids, errs)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
}

func TestResponseRequestHasNoAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
	}{
		{"success", http.StatusOK},
		{"API error", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			var sent *http.Request
			mock.RegisterResponder(http.MethodGet, testBase+"snapshots/", func(req *http.Request) (*http.Response, error) {
				sent = req
				resp := httpmock.NewStringResponse(tt.status, `{"count":0,"results":[]}`)
				resp.Request = req // as net/http's transport does
				return resp, nil
			})
			_, resp, _ := c.Snapshots.List(context.Background(), nil)
			if resp == nil || resp.Request == nil {
				t.Fatal("no Response.Request")
			}
			if got := sent.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("the server got Authorization %q", got)
			}
			if got := resp.Request.Header.Values("Authorization"); len(got) != 0 {
				t.Errorf("Response.Request.Header has Authorization %q", got)
			}
			if got := resp.Request.Header.Get("User-Agent"); got != defaultUserAgent {
				t.Errorf("Response.Request.Header lost its other headers: User-Agent = %q", got)
			}
			if resp.Request.URL.String() != testBase+"snapshots/" || resp.Request.Method != http.MethodGet {
				t.Errorf("Response.Request = %s %s", resp.Request.Method, resp.Request.URL)
			}
		})
	}
}

// TestCallerInputCannotChangeTheURL sends hostile strings in every field a
// caller fills and checks the exact URL and body that go out, or that
// nothing goes out at all.
func TestCallerInputCannotChangeTheURL(t *testing.T) {
	t.Parallel()
	hostileText := "quote \" back \\ newline \n tab \t </script> & ?x=1 #frag ../ %2F \u2028 é"
	type inputCase struct {
		name     string
		call     func(context.Context, *Client) error
		wantURL  string // "" when nothing may be sent
		wantBody map[string]any
		field    string // the ValidationError's Field when nothing is sent
	}
	tests := []inputCase{
		{"status with & and =", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{Status: "a&page=9"})
			return err
		}, testBase + "servers/?status=a%26page%3D9", nil, ""},
		{"location with #", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{Location: "x#y"})
			return err
		}, testBase + "servers/?location=x%23y", nil, ""},
		{"location with ../", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{Location: "../"})
			return err
		}, testBase + "servers/?location=..%2F", nil, ""},
		{"status with %2F", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{Status: "%2F", Location: "a/b?c=d"})
			return err
		}, testBase + "servers/?location=a%2Fb%3Fc%3Dd&status=%252F", nil, ""},
		{"status with CR LF and space", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{Status: "a b\r\nX-Evil: 1"})
			return err
		}, testBase + "servers/?status=a+b%0D%0AX-Evil%3A+1", nil, ""},
		{"All keeps the filter escaped", func(ctx context.Context, c *Client) error {
			for _, err := range c.Servers.All(ctx, &ServerListOptions{Status: "a&page=9", ListOptions: ListOptions{Page: 2}}) {
				return err
			}
			return nil
		}, testBase + "servers/?page=2&status=a%26page%3D9", nil, ""},
		{"backup description", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 1, Description: hostileText})
			return err
		}, testBase + "backups/", map[string]any{"server_id": 1.0, "description": hostileText}, ""},
		{"snapshot description", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Create(ctx, &SnapshotCreateRequest{ServerID: 1, Name: "ok-name_1", Description: hostileText})
			return err
		}, testBase + "snapshots/", map[string]any{"server_id": 1.0, "name": "ok-name_1", "description": hostileText}, ""},
		{"largest id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Restore(ctx, math.MaxInt64)
			return err
		}, testBase + "snapshots/9223372036854775807/restore/", nil, ""},
	}
	for _, name := range []string{"../x", "a/b", "x?y=1", "x#y", "%2F", "a b", "a\nb", "ünï", "a.b", "", "a&b"} {
		tests = append(tests, inputCase{"snapshot name " + fmt.Sprintf("%q", name), func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Create(ctx, &SnapshotCreateRequest{ServerID: 1, Name: name})
			return err
		}, "", nil, "name"})
	}
	refusals := []struct {
		name  string
		field string
		call  func(context.Context, *Client) error
	}{
		{"backup type", "backup_type", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{Type: "manual&server_id=2"})
			return err
		}},
		{"negative server filter", "server_id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.List(ctx, &SnapshotListOptions{ServerID: -1})
			return err
		}},
		{"negative page", "page", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, &ServerListOptions{ListOptions: ListOptions{Page: -1}})
			return err
		}},
		{"zero backup id", "backup_id", func(ctx context.Context, c *Client) error { _, err := c.Backups.Delete(ctx, 0); return err }},
		{"negative snapshot id", "snapshot_id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Restore(ctx, -5)
			return err
		}},
		{"negative server id", "server_id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.Restore(ctx, math.MinInt64, &ServerRestoreRequest{BackupID: 1})
			return err
		}},
		{"zero backup to restore", "backup_id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.Restore(ctx, 1, &ServerRestoreRequest{})
			return err
		}},
	}
	for _, r := range refusals {
		tests = append(tests, inputCase{r.name, r.call, "", nil, r.field})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			var (
				mu   sync.Mutex
				urls []string
			)
			// Every request reaches this responder; an unexpected one
			// also fails the test through newTestClient.
			mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				mu.Lock()
				urls = append(urls, req.URL.String())
				mu.Unlock()
				if tt.wantBody != nil {
					var got map[string]any
					if err := json.NewDecoder(req.Body).Decode(&got); err != nil {
						t.Errorf("request body: %v", err)
					}
					if fmt.Sprint(got) != fmt.Sprint(tt.wantBody) {
						t.Errorf("request body = %v, want %v", got, tt.wantBody)
					}
				}
				switch req.Method {
				case http.MethodGet:
					return httpmock.NewStringResponse(200, `{"count":0,"results":[]}`), nil
				default:
					return httpmock.NewStringResponse(201, `{"id":1}`), nil
				}
			})
			err := tt.call(context.Background(), c)
			mu.Lock()
			defer mu.Unlock()
			if tt.wantURL == "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.field {
					t.Errorf("error = %v, want a *ValidationError for %q", err, tt.field)
				}
				if len(urls) != 0 {
					t.Errorf("sent %v, want nothing", urls)
				}
				return
			}
			if err != nil {
				t.Errorf("call: %v", err)
			}
			if len(urls) != 1 || urls[0] != tt.wantURL {
				t.Errorf("sent %q, want exactly %q", urls, tt.wantURL)
			}
		})
	}
}
