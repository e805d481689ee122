package vpsorgtest

import (
	"net/http"
	"strings"
	"testing"
)

// startWithBackups runs an unseeded server with 25 automatic backups on
// server 1, ids 1 to 25.
func startWithBackups(t *testing.T, opts ...Option) *harness {
	t.Helper()
	h := start(t, append([]Option{WithoutSeed()}, opts...)...)
	srv := h.AddServer("web")
	for range 25 {
		if _, err := h.AddAutomaticBackup(srv); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestPagination(t *testing.T) {
	t.Parallel()
	h := startWithBackups(t)
	base := h.URL + "/api/v1/backups/"
	tests := []struct {
		query          string
		results        int
		first          int64
		next, previous string // "" is null
	}{
		{"", 20, 25, base + "?page=2", ""},
		{"?page=2", 5, 5, "", base},
		{"?page_size=10", 10, 25, base + "?page=2&page_size=10", ""},
		{"?page_size=10&page=2", 10, 15, base + "?page=3&page_size=10", base + "?page_size=10"},
		{"?page=3&page_size=10", 5, 5, "", base + "?page=2&page_size=10"},
		{"?page=last&page_size=10", 5, 5, "", base + "?page=2&page_size=10"},
		{"?server_id=1&page_size=10&page=2", 10, 15,
			base + "?page=3&page_size=10&server_id=1", base + "?page_size=10&server_id=1"},
		{"?page_size=1000", 25, 25, "", ""},                        // capped at 100
		{"?page_size=0", 20, 25, base + "?page=2&page_size=0", ""}, // ignored
		{"?page_size=x", 20, 25, base + "?page=2&page_size=x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, "GET", "/api/v1/backups/"+tt.query, "")
			res.wantStatus(t, http.StatusOK)
			page := res.json(t)
			if page["count"] != float64(25) {
				t.Errorf("count %v", page["count"])
			}
			ids := res.ids(t)
			if len(ids) != tt.results || ids[0] != tt.first {
				t.Errorf("ids %v, want %d from %d", ids, tt.results, tt.first)
			}
			for key, want := range map[string]string{"next": tt.next, "previous": tt.previous} {
				var got string
				if page[key] != nil {
					got = page[key].(string)
				}
				if got != want {
					t.Errorf("%s %q, want %q", key, got, want)
				}
			}
		})
	}
}

func TestPageSizeCap(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed(), WithPageSize(150))
	srv := h.AddServer("web")
	for range 120 {
		if _, err := h.AddAutomaticBackup(srv); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.do(t, "GET", "/api/v1/backups/?page_size=500", "").ids(t)); got != MaxPageSize {
		t.Errorf("page_size=500 gave %d results", got)
	}
	// The default is not capped, as DRF's PAGE_SIZE is not.
	if got := len(h.do(t, "GET", "/api/v1/backups/", "").ids(t)); got != 120 {
		t.Errorf("default page gave %d results", got)
	}
}

func TestInvalidPage(t *testing.T) {
	t.Parallel()
	h := startWithBackups(t)
	for _, query := range []string{"?page=3", "?page=0", "?page=-1", "?page=two", "?page=1.0", "?page=2&page_size=25"} {
		res := h.do(t, "GET", "/api/v1/backups/"+query, "")
		res.wantStatus(t, http.StatusNotFound)
		res.wantJSON(t, `{"detail": "Invalid page."}`)
	}
}

func TestEmptyList(t *testing.T) {
	t.Parallel()
	h := start(t)
	res := h.do(t, "GET", "/api/v1/backups/?server_id=1", "")
	res.wantStatus(t, http.StatusOK)
	if !strings.Contains(string(res.body), `"results":[]`) {
		t.Errorf("body %s", res.body)
	}
	h.do(t, "GET", "/api/v1/backups/?server_id=1&page=2", "").wantStatus(t, http.StatusNotFound)
}

func TestPageLinksUseHostHeader(t *testing.T) {
	t.Parallel()
	h := startWithBackups(t)
	req := h.newRequest(t, "GET", "/api/v1/backups/?page=2&page_size=5", "")
	req.Host = "api.example.test:8443"
	page := h.send(t, req).json(t)
	if want := "http://api.example.test:8443/api/v1/backups/?page=3&page_size=5"; page["next"] != want {
		t.Errorf("next %v, want %s", page["next"], want)
	}
	if want := "http://api.example.test:8443/api/v1/backups/?page_size=5"; page["previous"] != want {
		t.Errorf("previous %v, want %s", page["previous"], want)
	}
}

func TestWithPageSize(t *testing.T) {
	t.Parallel()
	h := startWithBackups(t, WithPageSize(7))
	page := h.do(t, "GET", "/api/v1/backups/", "")
	if got := len(page.ids(t)); got != 7 {
		t.Fatalf("%d results", got)
	}
	h.do(t, "GET", "/api/v1/backups/?page=4", "").wantStatus(t, http.StatusOK)
	h.do(t, "GET", "/api/v1/backups/?page=5", "").wantStatus(t, http.StatusNotFound)
}

func TestWithoutPageLinks(t *testing.T) {
	t.Parallel()
	h := startWithBackups(t, WithoutPageLinks())
	for _, path := range []string{"/api/v1/backups/?page=2&page_size=5", "/api/v1/snapshots/", "/api/v1/servers/"} {
		page := h.do(t, "GET", path, "").json(t)
		_, hasNext := page["next"]
		_, hasPrevious := page["previous"]
		if hasNext || hasPrevious || page["count"] == nil || page["results"] == nil {
			t.Errorf("%s: %v", path, page)
		}
	}
}
