package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
)

// pagedServer serves n snapshots in pages over httpmock, the way DRF
// does (links: true) or the way the documentation shows (links: false).
type pagedServer struct {
	n        int
	size     int  // default page size
	links    bool // send next/previous
	nextHost string
	mu       sync.Mutex
	queries  []string
}

func (p *pagedServer) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

func (p *pagedServer) respond(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.queries = append(p.queries, req.URL.RawQuery)
	p.mu.Unlock()
	q := req.URL.Query()
	page, size := 1, p.size
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	if v := q.Get("page_size"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	from := (page - 1) * size
	if page < 1 || (from >= p.n && (page != 1 || p.n != 0)) {
		return httpmock.NewStringResponse(404, `{"detail":"Invalid page."}`), nil
	}
	to := min(from+size, p.n)
	items := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"server":{"id":1,"name":"s"},"name":"snap-%d","status":"completed"}`, 10000-i, i))
	}
	next := "null"
	if to < p.n {
		host := p.nextHost
		if host == "" {
			host = "https://api.test"
		}
		q.Set("page", strconv.Itoa(page+1))
		next = strconv.Quote(host + req.URL.Path + "?" + q.Encode())
	}
	body := fmt.Sprintf(`{"count":%d,"results":[%s]}`, p.n, strings.Join(items, ","))
	if p.links {
		body = fmt.Sprintf(`{"count":%d,"next":%s,"previous":null,"results":[%s]}`, p.n, next, strings.Join(items, ","))
	}
	return httpmock.NewStringResponse(200, body), nil
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, []error) {
	t.Helper()
	var items []T
	var errs []error
	for item, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, item)
	}
	return items, errs
}

func TestAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		n, size   int
		links     bool
		opts      *SnapshotListOptions
		wantPages int
	}{
		{"next links", 25, 10, true, nil, 3},
		{"count only, as documented", 25, 10, false, nil, 3},
		{"count only, exact multiple", 30, 10, false, nil, 3},
		{"next links, exact multiple", 30, 10, true, nil, 3},
		{"page size passed on", 25, 10, false, &SnapshotListOptions{ServerID: 1, ListOptions: ListOptions{PageSize: 5}}, 5},
		{"empty list", 0, 10, true, nil, 1},
		{"empty list, no links", 0, 10, false, nil, 1},
		{"one page", 3, 10, false, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			p := &pagedServer{n: tc.n, size: tc.size, links: tc.links}
			mock.RegisterResponder("GET", testBase+"snapshots/", p.respond)
			var before SnapshotListOptions
			if tc.opts != nil {
				before = *tc.opts
			}

			items, errs := collect(t, c.Snapshots.All(context.Background(), tc.opts))

			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(items) != tc.n {
				t.Fatalf("got %d items; want %d", len(items), tc.n)
			}
			for i, s := range items {
				if s.ID != int64(10000-i) {
					t.Fatalf("item %d has id %d: out of order or repeated", i, s.ID)
				}
			}
			reqs := p.requests()
			if len(reqs) != tc.wantPages {
				t.Fatalf("requests %v; want %d pages", reqs, tc.wantPages)
			}
			if tc.opts != nil {
				if *tc.opts != before {
					t.Fatalf("All changed the caller's options: %+v -> %+v", before, *tc.opts)
				}
				for _, q := range reqs {
					if !strings.Contains(q, "server_id=1") || !strings.Contains(q, "page_size=5") {
						t.Fatalf("a page request dropped the filters: %q", q)
					}
				}
			}
		})
	}
}

func TestAllStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	p := &pagedServer{n: 100, size: 10, links: true}
	mock.RegisterResponder("GET", testBase+"snapshots/", p.respond)

	n := 0
	for _, err := range c.Snapshots.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if got := len(p.requests()); got != 2 {
		t.Fatalf("%d requests for 15 items of 10 a page; want 2", got)
	}
}

// TestAllErrors: the first error is yielded once and ends the walk.
func TestAllErrors(t *testing.T) {
	t.Parallel()
	page := func(count int, next string, ids ...int) string {
		items := make([]string, len(ids))
		for i, id := range ids {
			items[i] = fmt.Sprintf(`{"id":%d}`, id)
		}
		if next != "null" {
			next = strconv.Quote(next)
		}
		return fmt.Sprintf(`{"count":%d,"next":%s,"results":[%s]}`, count, next, strings.Join(items, ","))
	}
	tests := []struct {
		name     string
		bodies   []string // served in order
		status   int      // status of the last body
		want     string   // in the error
		sentinel error
		items    int
	}{
		{"server error on page 2", []string{page(4, "https://api.test/api/v1/backups/?page=2", 1, 2), `{"detail":"boom"}`}, 400, "boom", ErrBadRequest, 2},
		{"next to another host", []string{page(4, "https://evil.test/api/v1/backups/?page=2", 1, 2)}, 200, "another origin", nil, 2},
		{"next to another scheme", []string{page(4, "http://api.test/api/v1/backups/?page=2", 1, 2)}, 200, "another origin", nil, 2},
		{"next to another port", []string{page(4, "https://api.test:8443/api/v1/backups/?page=2", 1, 2)}, 200, "another origin", nil, 2},
		{"relative next", []string{page(4, "/api/v1/backups/?page=2", 1, 2)}, 200, "invalid next link", nil, 2},
		{"next loops on itself", []string{
			page(6, "https://api.test/api/v1/backups/?page=2", 1, 2),
			page(6, "https://api.test/api/v1/backups/?page=2", 3, 4)}, 200, "repeats an earlier page", nil, 4},
		{"page repeated", []string{`{"count":6,"results":[{"id":1},{"id":2}]}`, `{"count":6,"results":[{"id":1},{"id":2}]}`}, 200, "repeated a page", nil, 2},
		{"list without results", []string{`{"count":3}`}, 200, `without "results"`, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(0))
			calls := 0
			mock.RegisterResponder("GET", testBase+"backups/", func(*http.Request) (*http.Response, error) {
				calls++
				if calls > len(tc.bodies) {
					t.Errorf("request %d after the error", calls)
					return httpmock.NewStringResponse(500, ""), nil
				}
				status := 200
				if calls == len(tc.bodies) {
					status = tc.status
				}
				return httpmock.NewStringResponse(status, tc.bodies[calls-1]), nil
			})

			items, errs := collect(t, c.Backups.All(context.Background(), nil))

			if len(errs) != 1 {
				t.Fatalf("errors %v; want exactly one", errs)
			}
			if !strings.Contains(errs[0].Error(), tc.want) {
				t.Fatalf("error %q; want it to say %q", errs[0], tc.want)
			}
			if tc.sentinel != nil && !errors.Is(errs[0], tc.sentinel) {
				t.Fatalf("error %v; want %v", errs[0], tc.sentinel)
			}
			if len(items) != tc.items {
				t.Fatalf("%d items before the error; want %d", len(items), tc.items)
			}
		})
	}
}

func TestAllRefusesBadOptionsWithoutRequest(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	_, errs := collect(t, c.Backups.All(context.Background(), &BackupListOptions{Type: "weekly"}))
	var verr *ValidationError
	if len(errs) != 1 || !errors.As(errs[0], &verr) || verr.Field != "backup_type" {
		t.Fatalf("want one ValidationError on backup_type, got %v", errs)
	}
}

func TestAllEveryService(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	mock.RegisterResponder("GET", testBase+"backups/", httpmock.NewStringResponder(200,
		`{"count":2,"results":[{"id":1,"backup_type":"manual"},{"id":2,"backup_type":"automatic"}]}`))
	mock.RegisterResponder("GET", testBase+"servers/", httpmock.NewStringResponder(200,
		`{"count":1,"next":null,"results":[{"id":12345,"name":"web-server-01","status":"active"}]}`))
	ctx := context.Background()
	backups, errs := collect(t, c.Backups.All(ctx, nil))
	if len(errs) != 0 || len(backups) != 2 || backups[1].Type != BackupTypeAutomatic {
		t.Fatalf("backups %+v, errors %v", backups, errs)
	}
	servers, errs := collect(t, c.Servers.All(ctx, &ServerListOptions{Status: "active"}))
	if len(errs) != 0 || len(servers) != 1 || servers[0].Name != "web-server-01" {
		t.Fatalf("servers %+v, errors %v", servers, errs)
	}
}

// TestListNextPage: Response.NextPage comes from the next link when there
// is one, and from count otherwise.
func TestListNextPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		opts     *SnapshotListOptions
		wantNext int
	}{
		{"next link", `{"count":30,"next":"https://api.test/api/v1/snapshots/?page=2","results":[{"id":1}]}`, nil, 2},
		{"next link, page 4", `{"count":90,"next":"https://api.test/api/v1/snapshots/?page=5&page_size=10","results":[{"id":1}]}`, &SnapshotListOptions{ListOptions: ListOptions{Page: 4, PageSize: 10}}, 5},
		{"next null", `{"count":1,"next":null,"results":[{"id":1}]}`, nil, 0},
		{"documented shape, all here", `{"count":2,"results":[{"id":1},{"id":2}]}`, nil, 0},
		{"documented shape, more to come", `{"count":5,"results":[{"id":1},{"id":2}]}`, nil, 2},
		{"documented shape, page 2 of 3", `{"count":5,"results":[{"id":3},{"id":4}]}`, &SnapshotListOptions{ListOptions: ListOptions{Page: 2, PageSize: 2}}, 3},
		{"documented shape, last page", `{"count":5,"results":[{"id":5}]}`, &SnapshotListOptions{ListOptions: ListOptions{Page: 3, PageSize: 2}}, 0},
		{"empty page", `{"count":5,"results":[]}`, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			mock.RegisterResponder("GET", testBase+"snapshots/", httpmock.NewStringResponder(200, tc.body))
			_, resp, err := c.Snapshots.List(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if resp.NextPage != tc.wantNext {
				t.Fatalf("NextPage = %d; want %d", resp.NextPage, tc.wantNext)
			}
		})
	}
}
