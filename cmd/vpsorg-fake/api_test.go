package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// documented reads one of the API documentation's examples, kept in the
// repository's testdata.
func documented(t *testing.T, name string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// jsonType names a decoded JSON value's type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// shapeDiff lists where got differs from want in key sets and JSON types.
// An item of an array is compared with the example's item of the same "id"
// (an example can hold null where another item holds a value), else with
// the one at the same place, or the last when the example has fewer.
func shapeDiff(path string, got, want any) []string {
	if jsonType(got) != jsonType(want) {
		return []string{fmt.Sprintf("%s: %s, documented %s", path, jsonType(got), jsonType(want))}
	}
	var diffs []string
	switch want := want.(type) {
	case map[string]any:
		got := got.(map[string]any)
		keys := func(m map[string]any) []string {
			var ks []string
			for k := range m {
				ks = append(ks, k)
			}
			slices.Sort(ks)
			return ks
		}
		if !slices.Equal(keys(got), keys(want)) {
			return []string{fmt.Sprintf("%s: keys %v, documented %v", path, keys(got), keys(want))}
		}
		for k := range want {
			diffs = append(diffs, shapeDiff(path+"."+k, got[k], want[k])...)
		}
	case []any:
		got := got.([]any)
		if len(want) > 0 && len(got) == 0 {
			return []string{path + ": empty, documented with items"}
		}
		for i, item := range got {
			diffs = append(diffs, shapeDiff(fmt.Sprintf("%s[%d]", path, i), item, sameItem(want, i, item))...)
		}
	}
	return diffs
}

func sameItem(want []any, i int, item any) any {
	if obj, ok := item.(map[string]any); ok && obj["id"] != nil {
		for _, w := range want {
			if w, ok := w.(map[string]any); ok && w["id"] == obj["id"] {
				return w
			}
		}
	}
	return want[min(i, len(want)-1)]
}

// TestDocumentedAnswers checks every example of the API documentation, and
// its documented errors, against the program: status, Content-Type, key
// sets and JSON types, request by request with plain net/http.
func TestDocumentedAnswers(t *testing.T) {
	t.Parallel()
	type req struct{ method, path, body string }
	repeat := func(n int, r req) []req {
		out := make([]req, n)
		for i := range out {
			out[i] = r
			out[i].body = strings.ReplaceAll(r.body, "N", fmt.Sprint(i))
		}
		return out
	}
	tests := []struct {
		name   string
		flags  []string
		before []req // sent first, each must succeed
		req    req
		noAuth bool
		status int
		file   string // the documented example; "" for no body
	}{
		{"list backups", nil, nil, req{"GET", "/api/v1/backups/", ""}, false, 200, "backups_list.json"},
		{"list backups of a server", nil, nil, req{"GET", "/api/v1/backups/?server_id=12345&backup_type=automatic", ""}, false, 200, "backups_list.json"},
		{"create a backup", nil, nil, req{"POST", "/api/v1/backups/", `{"server_id": 12345, "description": "Pre-deployment backup"}`}, false, 201, "backup_create.json"},
		{"delete a backup", nil, nil, req{"DELETE", "/api/v1/backups/499/", ""}, false, 204, ""},
		{"list snapshots", nil, nil, req{"GET", "/api/v1/snapshots/?server_id=12345", ""}, false, 200, "snapshots_list.json"},
		{"create a snapshot", nil, nil, req{"POST", "/api/v1/snapshots/",
			`{"server_id": 12345, "name": "before-update-snapshot", "description": "Snapshot before system update"}`}, false, 201, "snapshot_create.json"},
		{"restore a snapshot", nil, nil, req{"POST", "/api/v1/snapshots/801/restore/", ""}, false, 200, "snapshot_restore.json"},
		{"delete a snapshot", nil, nil, req{"DELETE", "/api/v1/snapshots/798/", ""}, false, 204, ""},
		{"list servers", nil, nil, req{"GET", "/api/v1/servers/", ""}, false, 200, "servers_list.json"},

		{"no token", nil, nil, req{"GET", "/api/v1/backups/", ""}, true, 401, "error_detail.json"},
		{"backup of an unknown server", nil, nil, req{"POST", "/api/v1/backups/", `{"server_id": 1}`}, false, 404, "error_not_found.json"},
		{"delete an unknown backup", nil, nil, req{"DELETE", "/api/v1/backups/1/", ""}, false, 404, "error_not_found.json"},
		{"delete an unknown snapshot", nil, nil, req{"DELETE", "/api/v1/snapshots/1/", ""}, false, 404, "error_not_found.json"},
		{"restore an unknown snapshot", nil, nil, req{"POST", "/api/v1/snapshots/1/restore/", ""}, false, 404, "error_not_found.json"},
		{"unknown path", nil, nil, req{"GET", "/api/v1/nothing/", ""}, false, 404, "error_not_found.json"},
		{"snapshot fields missing", nil, nil, req{"POST", "/api/v1/snapshots/", `{}`}, false, 400, "error_field_errors.json"},
		{"restore while restoring", nil, []req{{"POST", "/api/v1/snapshots/801/restore/", ""}},
			req{"POST", "/api/v1/snapshots/798/restore/", ""}, false, 400, "error_detail.json"},
		{"sixth snapshot", nil, repeat(3, req{"POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "sN"}`}),
			req{"POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "one-too-many"}`}, false, 400, "error_non_field_errors.json"},
		{"eleventh manual backup", nil, repeat(9, req{"POST", "/api/v1/backups/", `{"server_id": 12345}`}),
			req{"POST", "/api/v1/backups/", `{"server_id": 12345}`}, false, 400, "error_non_field_errors.json"},
		{"throttled", []string{"-rate-limit", "0.01"}, []req{{"GET", "/api/v1/servers/", ""}},
			req{"GET", "/api/v1/servers/", ""}, false, 429, "error_throttled.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := start(t, append([]string{"-no-page-links"}, tt.flags...)...)
			for _, r := range tt.before {
				if a := f.do(t, r.method, r.path, r.body); a.status >= 300 {
					t.Fatalf("%s %s: %d %s", r.method, r.path, a.status, a.body)
				}
			}
			var a answer
			if tt.noAuth {
				a = f.send(t, tt.req.method, tt.req.path, tt.req.body, "")
			} else {
				a = f.do(t, tt.req.method, tt.req.path, tt.req.body)
			}
			a.wantStatus(t, tt.status)
			if a.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if tt.file == "" {
				if len(a.body) != 0 || a.header.Get("Content-Type") != "" {
					t.Fatalf("body %q, Content-Type %q; want neither", a.body, a.header.Get("Content-Type"))
				}
				return
			}
			if ct := a.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, d := range shapeDiff("$", a.value(t), documented(t, tt.file)) {
				t.Errorf("%s (body %s)", d, a.body)
			}
			switch tt.status {
			case http.StatusUnauthorized:
				if a.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			case http.StatusTooManyRequests:
				if a.header.Get("Retry-After") != "100" {
					t.Errorf("Retry-After %q, want 100 at 0.01 a second", a.header.Get("Retry-After"))
				}
			}
		})
	}
}

// TestShapeDiffFinds makes sure the comparison above can fail.
func TestShapeDiffFinds(t *testing.T) {
	t.Parallel()
	want := documented(t, "backup_create.json")
	tests := []struct {
		name, got string
	}{
		{"missing key", `{"id": 502}`},
		{"number as string", strings.Replace(mustJSON(t, want), `"id":502`, `"id":"502"`, 1)},
		{"null made a number", strings.Replace(mustJSON(t, want), `"size_mb":null`, `"size_mb":1`, 1)},
		{"nested key", strings.Replace(mustJSON(t, want), `"name":"web-server-01"`, `"title":"web-server-01"`, 1)},
	}
	for _, tt := range tests {
		var got any
		if err := json.Unmarshal([]byte(tt.got), &got); err != nil {
			t.Fatal(err)
		}
		if len(shapeDiff("$", got, want)) == 0 {
			t.Errorf("%s: no difference found in %s", tt.name, tt.got)
		}
	}
	if d := shapeDiff("$", want, want); len(d) != 0 {
		t.Errorf("an example differs from itself: %v", d)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPages checks DRF's page-number envelope when links are on (the
// default), which the documentation's examples leave out.
func TestPages(t *testing.T) {
	t.Parallel()
	f := start(t, "-page-size", "2")
	first := f.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, 200).object(t)
	if first["count"] != 3.0 || first["previous"] != nil || first["next"] != f.url+"/api/v1/backups/?page=2" {
		t.Fatalf("first page %v", first)
	}
	if n := len(first["results"].([]any)); n != 2 {
		t.Fatalf("%d results on a page of 2", n)
	}
	second := f.do(t, "GET", "/api/v1/backups/?page=2", "").wantStatus(t, 200).object(t)
	if second["next"] != nil || second["previous"] != f.url+"/api/v1/backups/" || len(second["results"].([]any)) != 1 {
		t.Fatalf("second page %v", second)
	}
	f.do(t, "GET", "/api/v1/backups/?page=3", "").wantStatus(t, 404)
	if got := f.do(t, "GET", "/api/v1/backups/?page_size=1", "").object(t)["results"].([]any); len(got) != 1 {
		t.Fatalf("page_size=1 gave %d results", len(got))
	}
}
