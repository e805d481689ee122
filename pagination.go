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

// identified is what All needs of an item to notice a repeated page.
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

// list returns one page and fills the Response's Count and NextPage.
func list[T any](ctx context.Context, c *Client, path string, query any, lo ListOptions) ([]*T, *Response, error) {
	env, resp, err := getPage[T](ctx, c, request{path: path, query: query})
	if err != nil {
		return nil, resp, err
	}
	page := max(lo.Page, 1)
	switch {
	case env.Next.url != "":
		resp.NextPage = pageOf(env.Next.url, page+1)
	case env.Next.present:
		resp.NextPage = 0
	default:
		// No links, as in the documentation: infer from count, taking the
		// pages before this one as full.
		size := lo.PageSize
		if size == 0 {
			size = len(env.Results)
		}
		if len(env.Results) > 0 && (page-1)*size+len(env.Results) < env.Count {
			resp.NextPage = page + 1
		}
	}
	return pointers(env.Results), resp, nil
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

// pageOf reads the page number of a next link, or returns def.
func pageOf(raw string, def int) int {
	u, err := url.Parse(raw)
	if err != nil {
		return def
	}
	if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > 0 {
		return n
	}
	return def
}

// all walks every page lazily, yielding items one by one. queryFor returns
// the query for a page number; it must not share memory with the caller's
// options, which All never changes.
func all[T identified](ctx context.Context, c *Client, path string, first int, queryFor func(page int) any) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for env, err := range pages[T](ctx, c, path, first, queryFor) {
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

// pages walks every page lazily, as all does, yielding each page whole:
// the waiters need its count and where one page ends. A page is yielded
// only after the repeated-page check, and the walk stops after the first
// error (yielded once) or when the loop breaks.
func pages[T identified](ctx context.Context, c *Client, path string, first int, queryFor func(page int) any) iter.Seq2[*envelope[T], error] {
	return func(yield func(*envelope[T], error) bool) {
		page, seen := max(first, 1), 0
		next := ""
		visited := map[string]bool{}
		var prev struct {
			n           int
			first, last int64
		}
		for {
			req := request{path: path, url: next}
			if next == "" {
				req.query = queryFor(page)
			}
			env, _, err := getPage[T](ctx, c, req)
			if err != nil {
				yield(nil, err)
				return
			}
			res := env.Results
			if n := len(res); n > 0 {
				if n == prev.n && res[0].itemID() == prev.first && res[n-1].itemID() == prev.last {
					yield(nil, fmt.Errorf("vpsorg: GET %s%s: the server repeated a page (page %d)", c.basePath, path, page))
					return
				}
				prev.n, prev.first, prev.last = n, res[0].itemID(), res[n-1].itemID()
			}
			if !yield(env, nil) {
				return
			}
			if page == first && first > 1 {
				// A walk from a later page counts the pages it skipped, taken
				// as full like this one, or without links it would ask for a
				// page past the end and fail. A short page undercounts, which
				// at worst costs that failing request, never an item.
				seen = (first - 1) * len(res)
			}
			seen += len(res)
			page++
			switch {
			case env.Next.url != "":
				if err := c.checkNextLink(env.Next.url, visited); err != nil {
					yield(nil, err)
					return
				}
				next = env.Next.url
			case env.Next.present, len(res) == 0, seen >= env.Count:
				return
			}
		}
	}
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
