package vpsorgtest

import (
	"net/http"
	"net/url"
	"strconv"
)

// pageWithLinks and pageWithoutLinks are DRF's page-number envelope, with and
// without the next/previous keys (WithoutPageLinks).
type pageWithLinks struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  any     `json:"results"`
}

type pageWithoutLinks struct {
	Count   int `json:"count"`
	Results any `json:"results"`
}

// paginate answers the page of items (already filtered and ordered) that the
// request's page and page_size parameters ask for, as DRF's
// PageNumberPagination does.
func paginate[T any](s *Server, r *http.Request, items []T) reply {
	query := r.URL.Query()
	size := pageSize(query.Get("page_size"), s.cfg.pageSize)
	pages := max(1, (len(items)+size-1)/size)
	page, ok := pageNumber(query.Get("page"), pages)
	if !ok {
		return detail(http.StatusNotFound, "Invalid page.")
	}
	results := items[(page-1)*size : min(page*size, len(items))]
	if results == nil {
		results = []T{} // "results": [] rather than null
	}
	if !s.cfg.pageLinks {
		return jsonReply(http.StatusOK, pageWithoutLinks{Count: len(items), Results: results})
	}
	env := pageWithLinks{Count: len(items), Results: results}
	if page < pages {
		env.Next = pageLink(r, page+1)
	}
	if page > 1 {
		env.Previous = pageLink(r, page-1)
	}
	return jsonReply(http.StatusOK, env)
}

// pageSize falls back to the default for anything but a positive integer and
// caps the rest at MaxPageSize, as DRF does.
func pageSize(param string, fallback int) int {
	n, err := strconv.Atoi(param)
	if err != nil || n <= 0 {
		return fallback
	}
	return min(n, MaxPageSize)
}

// pageNumber accepts 1..pages, and "last" as DRF does; no parameter is page 1.
func pageNumber(param string, pages int) (int, bool) {
	switch param {
	case "":
		return 1, true
	case "last":
		return pages, true
	}
	n, err := strconv.Atoi(param)
	if err != nil || n < 1 || n > pages {
		return 0, false
	}
	return n, true
}

// pageLink is the request's own absolute URL, built from its Host header as
// DRF does, with the page parameter changed; page 1 drops it.
func pageLink(r *http.Request, page int) *string {
	query := r.URL.Query()
	if page == 1 {
		query.Del("page")
	} else {
		query.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: query.Encode()}
	link := u.String()
	return &link
}
