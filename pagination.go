package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// maxPageSize is the largest page_size the API serves (DRF's max_page_size;
// vpsorgtest.MaxPageSize is the same). The waiters and the look-ups after a
// lost write ask for it, since what they cost is the number of pages.
const maxPageSize = 100

// ListOptions selects a page of a list. Zero values leave the choice to the
// server (page 1, its default page size).
type ListOptions struct {
	Page     int `url:"page,omitempty"`      // 1-based page number
	PageSize int `url:"page_size,omitempty"` // items per page
}

func (o ListOptions) validate() error {
	if o.Page < 0 {
		return &ValidationError{Field: "page", Message: "must not be negative"}
	}
	if o.PageSize < 0 {
		return &ValidationError{Field: "page_size", Message: "must not be negative"}
	}
	return nil
}

// envelope is DRF's list answer. The documentation's examples carry only
// count and results; DRF adds next and previous links.
type envelope[T any] struct {
	Count   int  `json:"count"`
	Next    link `json:"next"`
	Results []T  `json:"results"`
}

// link is a "next" field: absent (the documented shape), null (last page),
// or a URL.
type link struct {
	present bool
	url     string
}

func (l *link) UnmarshalJSON(b []byte) error {
	// Set afresh, not merged: "next" is present, and null or a URL.
	*l = link{present: true}
	if string(b) == "null" {
		return nil
	}
	return unmarshalJSON(b, &l.url)
}

// identified is what walkPages needs of an item to notice a repeated
// page, and the waiters to find an object in a list.
type identified interface{ itemID() int64 }

// getPage fetches one list page, from a path and query or from a next link.
func getPage[T any](ctx context.Context, c *Client, req request) (*envelope[T], *Response, error) {
	req.method = http.MethodGet
	var env envelope[T]
	resp, err := c.do(ctx, req, &env)
	if err != nil {
		return nil, resp, err
	}
	if env.Results == nil {
		return nil, resp, &RequestError{Method: req.method, Path: c.pathOf(req), Attempts: resp.Attempts,
			Err: errors.New(`decode response: list without "results"`)}
	}
	if env.Count < 0 {
		// A caller sizing a slice by Count would panic.
		return nil, resp, &RequestError{Method: req.method, Path: c.pathOf(req), Attempts: resp.Attempts,
			Err: errors.New(`decode response: negative "count"`)}
	}
	resp.Count = env.Count
	return &env, resp, nil
}

// pageFilter is a list's options, such as *BackupListOptions: it checks
// itself, nil included, and reaches the ListOptions it embeds.
type pageFilter[O any] interface {
	*O
	validate() error
	paging() *ListOptions
}

// paging is the page fields of a list's options; it is promoted to the
// options that embed ListOptions, which is how listPage and iterateItems
// read and set them.
func (o *ListOptions) paging() *ListOptions { return o }

// listPage is every service's List: it checks opts (nil: no filter),
// returns one page of the list at path and fills the Response's Count and
// NextPage. op names the call to observers ("Backups.List").
func listPage[T any, O any, F pageFilter[O]](ctx context.Context, c *Client, op, path string, opts F) (_ []*T, _ *Response, err error) {
	if err := opts.validate(); err != nil {
		return nil, nil, err
	}
	ctx, end := c.startCall(ctx, op)
	defer func() { end(err) }()
	var lo ListOptions
	if opts != nil {
		lo = *opts.paging()
	}
	env, resp, err := getPage[T](ctx, c, request{path: path, query: opts})
	if err != nil {
		return nil, resp, err
	}
	resp.NextPage = nextPageNumber(env, lo)
	return pointers(env.Results), resp, nil
}

// nextPageNumber is the page after the one env answered for lo: from its
// next link when it has one, else inferred from count.
func nextPageNumber[T any](env *envelope[T], lo ListOptions) int {
	page := max(lo.Page, 1)
	switch {
	case env.Next.url != "":
		return pageNumberOf(env.Next.url, page+1)
	case env.Next.present:
		return 0
	}
	// No links, as in the documentation: infer from count, taking the
	// pages before this one as full.
	size := lo.PageSize
	if size == 0 {
		size = len(env.Results)
	}
	if len(env.Results) > 0 && (page-1)*size+len(env.Results) < env.Count {
		return page + 1
	}
	return 0
}

// pointers returns a pointer to each item, into items' own array: one
// allocation for the page, not one per item, and what a List returns feeds
// WaitAll or Delete as it is.
func pointers[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// pageNumberOf reads the page number of a next link, or returns def.
func pageNumberOf(raw string, def int) int {
	u, err := url.Parse(raw)
	if err != nil {
		return def
	}
	if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > 0 {
		return n
	}
	return def
}

// iterateItems is every service's All: it checks opts (nil: no filter)
// before any request, then walks every page of the list at path lazily
// from opts' page, yielding items one by one. It works on a copy of opts,
// which it never changes. Each page is a call named op ("Backups.List")
// to observers.
func iterateItems[T identified, O any, F pageFilter[O]](ctx context.Context, c *Client, op, path string, opts F) iter.Seq2[*T, error] {
	var o O
	if opts != nil {
		o = *opts
	}
	if err := F(&o).validate(); err != nil {
		return failSeq[*T](err)
	}
	queryFor := func(page int) any {
		q := o
		F(&q).paging().Page = page
		return &q
	}
	return func(yield func(*T, error) bool) {
		for env, err := range walkPages[T](ctx, c, op, path, F(&o).paging().Page, queryFor) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range env.Results {
				// Each page is a new array, so the pointer stays the
				// caller's after the loop moves on.
				if !yield(&env.Results[i], nil) {
					return
				}
			}
		}
	}
}

// walkPages walks every page of the list at path lazily, from page first,
// yielding each page whole: iterateItems yields its items, and the
// waiters need its count and where one page ends. queryFor returns the
// query for a page number, for lists without next links. A page is
// yielded only after the repeated-page check, and the walk stops after the
// first error (yielded once) or when the loop breaks. Each page is a call
// named op to observers.
func walkPages[T identified](ctx context.Context, c *Client, op, path string, first int, queryFor func(page int) any) iter.Seq2[*envelope[T], error] {
	return func(yield func(*envelope[T], error) bool) {
		w := &pageWalk[T]{c: c, op: op, path: path, first: first, page: max(first, 1), visited: map[string]bool{}}
		for {
			env, err := w.fetch(ctx, queryFor)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(env, nil) {
				return
			}
			more, err := w.advance(env)
			if err != nil {
				yield(nil, err)
				return
			}
			if !more {
				return
			}
		}
	}
}

// pageWalk is where a walkPages walk stands.
type pageWalk[T identified] struct {
	c       *Client
	op      string // names each page's call to observers
	path    string
	first   int             // the page the walk began at
	page    int             // the page to fetch next
	seen    int             // items on the pages so far, skipped ones included
	next    string          // the next link to follow; "" to ask for page
	visited map[string]bool // next links followed
	prev    pageEnds        // the last non-empty page
}

// pageEnds tells one page from the next: a server that repeats a page
// sends the same length and the same first and last ids.
type pageEnds struct {
	n           int
	first, last int64
}

// fetch gets the walk's next page and fails on one that repeats the last.
func (w *pageWalk[T]) fetch(ctx context.Context, queryFor func(page int) any) (_ *envelope[T], err error) {
	ctx, end := w.c.startCall(ctx, w.op)
	defer func() { end(err) }()
	req := request{path: w.path, url: w.next}
	if w.next == "" {
		req.query = queryFor(w.page)
	}
	env, _, err := getPage[T](ctx, w.c, req)
	if err != nil {
		return nil, err
	}
	res := env.Results
	if n := len(res); n > 0 {
		ends := pageEnds{n: n, first: res[0].itemID(), last: res[n-1].itemID()}
		if ends == w.prev {
			return nil, fmt.Errorf("vpsorg: GET %s%s: the server repeated a page (page %d)", w.c.basePath, w.path, w.page)
		}
		w.prev = ends
	}
	return env, nil
}

// advance moves the walk past env and reports whether a page follows: a
// next link (to the base URL's origin, not followed before), or, without
// links, a page+1 while fewer than count items were seen and env was not
// empty.
func (w *pageWalk[T]) advance(env *envelope[T]) (bool, error) {
	res := env.Results
	if w.page == w.first && w.first > 1 {
		// A walk from a later page counts the pages it skipped, taken
		// as full like this one, or without links it would ask for a
		// page past the end and fail. A short page undercounts, which
		// at worst costs that failing request, never an item.
		w.seen = (w.first - 1) * len(res)
	}
	w.seen += len(res)
	w.page++
	switch {
	case env.Next.url != "":
		if err := w.c.checkNextLink(env.Next.url, w.visited); err != nil {
			return false, err
		}
		w.next = env.Next.url
		return true, nil
	case env.Next.present, len(res) == 0, w.seen >= env.Count:
		return false, nil
	}
	return true, nil
}

// checkNextLink refuses a next link that would take the token to another
// origin, or that was already followed (a server looping on its pages).
func (c *Client) checkNextLink(raw string, visited map[string]bool) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("vpsorg: list: invalid next link %q", clip(raw))
	}
	if originOf(u) != c.origin {
		return fmt.Errorf("vpsorg: list: next link to another origin (%s) refused", clip(u.Scheme+"://"+u.Host))
	}
	if visited[raw] {
		return fmt.Errorf("vpsorg: list: next link %s repeats an earlier page", clip(u.RequestURI()))
	}
	visited[raw] = true
	return nil
}

// clip shortens a string the server sent for an error message, which a
// hostile server could otherwise make megabytes long.
func clip(s string) string { return shorten(s, 200) }

// failSeq yields err once: All's answer to options refused before any
// request is sent.
func failSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
