package vpsorg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestHostileListAnswers feeds broken and hostile list pages to List and
// All. Each must end in a clear error or a correct decode, never a panic,
// and never a request the test did not register.
func TestHostileListAnswers(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	page := func(next string) string {
		return `{"count":5,"next":` + next + `,"results":[{"id":1}]}`
	}
	tests := []struct {
		name    string
		status  int
		body    string
		all     bool                 // walk with All instead of one List
		page2   string               // when set, the body of page 2 at testBase+"backups/?page=2"
		wantErr []string             // substrings of the error; nil for success
		is      error                // errors.Is target, when one applies
		check   func([]*Backup) bool // for successes
	}{
		{name: "invalid JSON", body: `{"count": 1, "results": [}`, wantErr: []string{"decode response", "invalid character"}},
		{name: "truncated JSON", body: `{"count": 3, "results": [{"id": 501, "server": {"id": 1`, wantErr: []string{"decode response"}, is: io.ErrUnexpectedEOF},
		{name: "string id", body: `{"count": 1, "results": [{"id": "501"}]}`, wantErr: []string{"unmarshal JSON string into Go int64"}},
		{name: "object for results", body: `{"count": 1, "results": {"id": 1}}`, wantErr: []string{"unmarshal JSON object"}},
		{name: "string count", body: `{"count": "3", "results": []}`, wantErr: []string{"unmarshal JSON string"}},
		{name: "negative count", body: `{"count": -1, "results": []}`, wantErr: []string{`negative "count"`}},
		{name: "HTML page with 200", body: "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", wantErr: []string{"decode response", "invalid character '<'"}},
		{name: "empty 200", body: "", wantErr: []string{"decode response"}, is: io.ErrUnexpectedEOF},
		{name: "blank 200", body: " \n", wantErr: []string{"decode response"}, is: io.ErrUnexpectedEOF},
		{name: "JSON null", body: "null", wantErr: []string{`without "results"`}},
		{name: "JSON list instead of envelope", body: `[{"id": 1}]`, wantErr: []string{"unmarshal JSON array"}},
		{name: "list without results", body: `{"count": 0}`, wantErr: []string{`without "results"`}},
		{name: "results null", body: `{"count": 0, "results": null}`, wantErr: []string{`without "results"`}},
		{name: "id beyond int64", body: `{"count": 1, "results": [{"id": 9223372036854775808}]}`, wantErr: []string{"unmarshal JSON number 9223372036854775808", "out of range"}},
		{name: "size beyond int64", body: `{"count": 1, "results": [{"id": 1, "size_mb": 1e30}]}`, wantErr: []string{"unmarshal JSON number 1e30"}},
		{name: "count beyond int", body: `{"count": 1e400, "results": []}`, wantErr: []string{"decode response"}},
		{name: "huge nesting in an unknown field", body: `{"count": 1, "results": [{"id": 1, "extra": ` + deep + `}]}`, wantErr: []string{"exceeded max depth"}},
		{name: "huge nesting as results", body: `{"count": 1, "results": ` + deep + `}`, wantErr: []string{"unmarshal JSON array"}},
		{name: "huge nesting in the envelope", body: `{"count": 1, "facets": ` + deep + `, "results": []}`, wantErr: []string{"exceeded max depth"}},
		{name: "repeated key", body: `{"count": 1, "results": [{"id": 1, "id": 2}]}`, wantErr: []string{"decode response", "duplicate object member name"}},
		{
			name:  "a key in another case is not the field",
			body:  `{"count": 1, "results": [{"ID": 3, "Status": "completed"}]}`,
			check: func(b []*Backup) bool { return len(b) == 1 && b[0].ID == 0 && b[0].Status == "" },
		},
		{name: "bad date", body: `{"count": 1, "results": [{"id": 1, "created_at": "yesterday"}]}`, wantErr: []string{"decode response", "parsing time"}},
		{name: "next is a number", body: page("5"), wantErr: []string{"decode response"}},
		{
			name: "unknown fields and enum values are kept",
			body: `{"count": 1, "facets": {"a": [1, {"b": null}]}, "results": [{"id": 7, "backup_type": "hourly", "status": "queued",
				"colour": "red", "server": {"id": 1, "name": "x", "zone": [1, 2]}, "size_mb": 9223372036854775807}]}`,
			check: func(b []*Backup) bool {
				return len(b) == 1 && b[0].ID == 7 && b[0].Type == "hourly" && b[0].Status == "queued" &&
					b[0].Server.Name == "x" && b[0].SizeMB != nil && *b[0].SizeMB == 1<<63-1
			},
		},
		{name: "trailing garbage after the envelope", body: `{"count": 1, "results": [{"id": 2}]} <html>`, wantErr: []string{"decode response", "after top-level value"}},
		{
			name: "invalid UTF-8 becomes U+FFFD",
			body: "{\"count\": 1, \"results\": [{\"id\": 4, \"description\": \"caf\xe9\"}]}",
			check: func(b []*Backup) bool {
				return len(b) == 1 && b[0].ID == 4 && b[0].Description == "caf\uFFFD"
			},
		},
		{name: "All: next is not a URL", all: true, body: page(`"::not a url"`), wantErr: []string{"invalid next link"}},
		{name: "All: next with a control character", all: true, body: page(`"https://api.test/\u0000"`), wantErr: []string{"invalid next link"}},
		{name: "All: relative next", all: true, body: page(`"/api/v1/backups/?page=2"`), wantErr: []string{"invalid next link"}},
		{name: "All: query-only next", all: true, body: page(`"?page=2"`), wantErr: []string{"invalid next link"}},
		{name: "All: scheme-relative next", all: true, body: page(`"//evil.test/api/v1/backups/?page=2"`), wantErr: []string{"invalid next link"}},
		{name: "All: next to http", all: true, body: page(`"http://api.test/api/v1/backups/?page=2"`), wantErr: []string{"another origin (http://api.test)"}},
		{name: "All: next to another port", all: true, body: page(`"https://api.test:8443/api/v1/backups/?page=2"`), wantErr: []string{"another origin"}},
		{name: "All: next to another host", all: true, body: page(`"https://api.test.evil.test/api/v1/backups/?page=2"`), wantErr: []string{"another origin"}},
		{name: "All: next with user info hiding the host", all: true, body: page(`"https://api.test@evil.test/api/v1/backups/?page=2"`), wantErr: []string{"another origin (https://evil.test)"}},
		{name: "All: next to ftp", all: true, body: page(`"ftp://api.test/api/v1/backups/?page=2"`), wantErr: []string{"another origin"}},
		{name: "All: huge next link is cut in the error", all: true, body: page(`":` + strings.Repeat("a", 1<<20) + `"`), wantErr: []string{"invalid next link"}},
		{name: "All: huge host is cut in the error", all: true, body: page(`"https://` + strings.Repeat("a", 1<<20) + `.test/"`), wantErr: []string{"another origin"}},
		{name: "All: next repeats the page", all: true, body: page(`"https://api.test/api/v1/backups/"`), page2: "-", wantErr: []string{"repeat"}},
		{
			name: "All: same origin written differently is followed", all: true,
			body:  page(`"HTTPS://API.test:443/api/v1/backups/?page=2"`),
			page2: `{"count":2,"next":null,"results":[{"id":2}]}`,
			check: func(b []*Backup) bool { return len(b) == 2 && b[1].ID == 2 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(0))
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			// The host in any case, with or without its default port.
			anyCase := regexp.MustCompile(`^https://(?i:api\.test)(:443)?/api/v1/backups/`)
			mock.RegisterRegexpResponder(http.MethodGet, anyCase, func(req *http.Request) (*http.Response, error) {
				if tt.page2 != "" && tt.page2 != "-" && req.URL.Query().Get("page") == "2" {
					return httpmock.NewStringResponse(200, tt.page2), nil
				}
				return httpmock.NewStringResponse(status, tt.body), nil
			})
			var (
				items []*Backup
				err   error
			)
			if tt.all {
				for b, e := range c.Backups.All(context.Background(), nil) {
					if e != nil {
						err = e
						break
					}
					items = append(items, b)
				}
			} else {
				items, _, err = c.Backups.List(context.Background(), nil)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("error = %v, want success", err)
				}
				if !tt.check(items) {
					t.Errorf("decoded %+v", items)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; items %+v", items)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %.300q lacks %q", err, want)
				}
			}
			if !strings.HasPrefix(err.Error(), "vpsorg: ") || len(err.Error()) > 1000 {
				t.Errorf("error %.300q is not a short vpsorg error (%d bytes)", err, len(err.Error()))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if !tt.all {
				var re *RequestError
				if !errors.As(err, &re) || re.Path != "/api/v1/backups/" || re.Method != http.MethodGet {
					t.Errorf("error = %#v, want a *RequestError naming GET /api/v1/backups/", err)
				}
			}
		})
	}
}

// TestHostileErrorBodies checks that an error body of any shape gives an
// *APIError with a short, valid message.
func TestHostileErrorBodies(t *testing.T) {
	t.Parallel()
	longKey := strings.Repeat("k", 30000)
	many := strings.TrimSuffix(strings.Repeat(`"a",`, 8000), ",")
	tests := []struct {
		name string
		body string
		want string // the start of the message
	}{
		{"deep nesting", strings.Repeat(`{"a":`, 12000) + `"x"` + strings.Repeat("}", 12000), "{\"a\":{\"a\""},
		{"nested keys over many messages", `{"server":{"` + longKey + `":[` + many + `]}}`, "server: " + longKey[:100]},
		{"detail as a huge list", `{"detail":[` + many + `]}`, "a; a; a"},
		{"numbers and bools", `{"detail":[1e400]}`, "{\"detail\":[1e400]}"},
		{"invalid UTF-8", "\xff\xfe{\"detail\":1}", "\uFFFD{\"detail\":1}"},
		{"only control characters", "\x00\x1b\x7f", "Bad Request"},
		{"terminal escapes in detail", `{"detail":"a\u001b[2J\nforged log line\u0000"}`, "a [2J forged log line "},
		{"terminal escapes in raw text", "oops\x1b[31m red \u0085 next", "oops [31m red next"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			mock.RegisterResponder(http.MethodPost, testBase+"backups/", httpmock.NewStringResponder(http.StatusBadRequest, tt.body))
			_, _, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 1})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
				t.Fatalf("error = %v, want a 400 *APIError", err)
			}
			if !strings.HasPrefix(apiErr.Message, tt.want) {
				t.Errorf("message %.200q does not start with %.200q", apiErr.Message, tt.want)
			}
			if n := len(apiErr.Message); n > maxMessagesLen+len("…") {
				t.Errorf("message is %d bytes, want at most %d", n, maxMessagesLen)
			}
			total := 0
			for k, msgs := range apiErr.FieldErrors {
				total += len(k)
				for _, m := range msgs {
					total += len(m)
				}
			}
			if total > len(apiErr.Body)+maxMessagesLen {
				t.Errorf("field errors hold %d bytes for a %d-byte body", total, len(apiErr.Body))
			}
		})
	}
}

// countingBody is an endless (or size-long) response body, made of head
// and then filler bytes, that counts what the SDK read from it.
type countingBody struct {
	mu     sync.Mutex
	head   string
	filler byte
	size   int64 // -1 for endless
	read   int64
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errors.New("read on closed body")
	}
	if b.size >= 0 && b.read >= b.size {
		return 0, io.EOF
	}
	if b.size >= 0 && int64(len(p)) > b.size-b.read {
		p = p[:b.size-b.read]
	}
	for i := range p {
		if at := b.read + int64(i); at < int64(len(b.head)) {
			p[i] = b.head[at]
		} else {
			p[i] = b.filler
		}
	}
	b.read += int64(len(p))
	return len(p), nil
}

func (b *countingBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

func (b *countingBody) stats() (int64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read, b.closed
}

func TestSuccessBodyOverLimit(t *testing.T) {
	t.Parallel()
	const head = `{"count":1,"results":[{"id":1,"description":"`
	tests := []struct {
		name          string
		contentLength int64 // -1: not sent
		size          int64 // -1: endless
		wantRead      int64 // the most the SDK may read
	}{
		{"endless, no Content-Length", -1, -1, maxBodySize + 1},
		{"limit plus one, no Content-Length", -1, maxBodySize + 1, maxBodySize + 1},
		{"40 MiB announced", 40 << 20, 40 << 20, 0},
		{"announced one byte over the limit", maxBodySize + 1, maxBodySize + 1, 0},
		{"Content-Length that lies low", 100, -1, maxBodySize + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			body := &countingBody{head: head, filler: 'a', size: tt.size}
			mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
					ContentLength: tt.contentLength, Body: body, Request: req}, nil
			})
			_, _, err := c.Backups.List(context.Background(), nil)
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("error = %v, want ErrResponseTooLarge", err)
			}
			var re *RequestError
			if !errors.As(err, &re) || re.Path != "/api/v1/backups/" {
				t.Errorf("error = %v, want a *RequestError naming the call", err)
			}
			read, closed := body.stats()
			if read > tt.wantRead {
				t.Errorf("read %d bytes, want at most %d", read, tt.wantRead)
			}
			if !closed {
				t.Error("body not closed")
			}
		})
	}
}

// TestSuccessBodyAtLimit checks the other side of the limit: a body of
// exactly 32 MiB is read and decoded.
func TestSuccessBodyAtLimit(t *testing.T) {
	t.Parallel()
	const head, tail = `{"count":1,"results":[{"id":1}],"pad":"`, `"}`
	c, mock, _ := newTestClient(t)
	pad := strings.Repeat("a", maxBodySize-len(head)-len(tail))
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", httpmock.NewStringResponder(200, head+pad+tail))
	items, _, err := c.Backups.List(context.Background(), nil)
	if err != nil || len(items) != 1 {
		t.Fatalf("List = %v, %v; want the one backup", items, err)
	}
}

func TestErrorBodyOverLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		contentLength int64
		size          int64
	}{
		{"endless, no Content-Length", -1, -1},
		{"1 MiB announced", 1 << 20, 1 << 20},
		{"limit plus one", maxErrorBodySize + 1, maxErrorBodySize + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			body := &countingBody{head: "<html><title>Payload rejected</title>", filler: 'x', size: tt.size}
			mock.RegisterResponder(http.MethodPost, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: http.StatusRequestEntityTooLarge, Header: http.Header{}, ContentLength: tt.contentLength, Body: body, Request: req}, nil
			})
			_, _, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 1})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("error = %v, want a 413 *APIError", err)
			}
			if len(apiErr.Body) != maxErrorBodySize {
				t.Errorf("Body is %d bytes, want %d", len(apiErr.Body), maxErrorBodySize)
			}
			if apiErr.Message != "Payload rejected" {
				t.Errorf("Message = %q", apiErr.Message)
			}
			read, closed := body.stats()
			if read > maxErrorBodySize {
				t.Errorf("read %d bytes of the error body, want at most %d", read, maxErrorBodySize)
			}
			if !closed {
				t.Error("body not closed")
			}
		})
	}
}

// TestEndlessBodyStopsWithTheContext serves bodies that start and never
// end; the call must return with the context's error soon after its
// deadline.
func TestEndlessBodyStopsWithTheContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		head   string
		call   func(context.Context, *Client) error
	}{
		{"list", http.StatusOK, `{"count":1,"results":[{"id":1,"description":"`, func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, nil)
			return err
		}},
		{"All", http.StatusOK, `{"count":1,"results":[`, func(ctx context.Context, c *Client) error {
			for _, err := range c.Backups.All(ctx, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"create", http.StatusCreated, `{"id":1,`, func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 1})
			return err
		}},
		{"restore, undocumented body", http.StatusOK, `{"status":"`, func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.Restore(ctx, 1, &ServerRestoreRequest{BackupID: 1})
			return err
		}},
		{"error body", http.StatusBadRequest, `{"detail":"`, func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 1})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.head)
				http.NewResponseController(w).Flush()
				<-r.Context().Done() // the rest never comes
			}))
			defer srv.Close()
			c, err := NewClient("endless-token", WithBaseURL(srv.URL+"/api/v1/"), WithRetryMax(0))
			if err != nil {
				t.Fatal(err)
			}
			const deadline = 300 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			err = tt.call(ctx, c)
			if took := time.Since(start); took > deadline+5*time.Second {
				t.Errorf("returned %v after the deadline", took-deadline)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want one matching context.DeadlineExceeded", err)
			}
		})
	}
}

// TestDecodedNumbersStayExact checks that ids near the int64 limit are
// not rounded through float64 anywhere on the way.
func TestDecodedNumbersStayExact(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	const id = 9007199254740993 // 2^53 + 1: a float64 would round it
	mock.RegisterResponder(http.MethodGet, testBase+"snapshots/", httpmock.NewStringResponder(200,
		fmt.Sprintf(`{"count":1,"next":"https://api.test/api/v1/snapshots/?page=123456789","results":[{"id":%d,"server":{"id":%d}}]}`, id, id)))
	items, resp, err := c.Snapshots.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if items[0].ID != id || items[0].Server.ID != id {
		b, _ := json.Marshal(items)
		t.Errorf("decoded %s, want ids %d", b, id)
	}
	if resp.NextPage != 123456789 {
		t.Errorf("NextPage = %d", resp.NextPage)
	}
}
