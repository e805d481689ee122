package main

import (
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the output")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s--- want\n%s", name, path, got, want)
	}
}

// The seeded fake holds the documented objects, dates and sizes, so the
// tables and JSON of the list commands are fixed.
func TestListOutputGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"backups_list.table", []string{"backups", "list"}},
		{"backups_list.json", []string{"backups", "list", "-o", "json"}},
		{"backups_list_manual.ids", []string{"backups", "list", "--type", "manual", "-q"}},
		{"snapshots_list.table", []string{"snapshots", "list", "--server", "12345"}},
		{"snapshots_list.json", []string{"snapshots", "list", "-o", "json"}},
		{"servers_list.table", []string{"servers", "list"}},
		{"servers_list.json", []string{"servers", "list", "-o", "json"}},
		{"snapshots_restore.table", []string{"snapshots", "restore", "801", "--yes"}},
		{"snapshots_restore.json", []string{"snapshots", "restore", "798", "--yes", "-o", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Each restore needs an active server: a fresh fake per case.
			_, inv := fake(t)
			r := inv.run(t, tc.args...).expect(t, exitOK)
			golden(t, tc.name, r.stdout)
		})
	}
}

// -o json prints the API's objects: the same fields, names and values as
// the documented answers at the repository root, a list as an array.
func TestJSONIsTheAPIs(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	for _, tc := range []struct {
		args []string
		doc  string
	}{
		{[]string{"backups", "list", "-o", "json"}, "backups_list.json"},
		{[]string{"snapshots", "list", "-o", "json"}, "snapshots_list.json"},
	} {
		r := inv.run(t, tc.args...).expect(t, exitOK)
		var got []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%v: not a JSON array: %v\n%s", tc.args, err, r.stdout)
		}
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", tc.doc))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Results []map[string]any `json:"results"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byID(got), byID(doc.Results)) {
			t.Errorf("%v:\n got %v\nwant %v", tc.args, byID(got), byID(doc.Results))
		}
	}
}

// Servers have the fields of the provider's documented list, by name.
func TestServersJSONFields(t *testing.T) {
	t.Parallel()
	_, inv := fake(t)
	r := inv.run(t, "servers", "list", "-o", "json").expect(t, exitOK)
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "servers_list.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if g, w := keys(got[0]), keys(doc.Results[0]); !slices.Equal(g, w) {
		t.Errorf("fields %v, want %v", g, w)
	}
}

func keys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func byID(items []map[string]any) map[float64]map[string]any {
	m := map[float64]map[string]any{}
	for _, it := range items {
		m[it["id"].(float64)] = it
	}
	return m
}

// An empty list is [] in JSON and YAML, never null, and a header alone in
// a table.
func TestEmptyList(t *testing.T) {
	t.Parallel()
	srv, inv := fake(t)
	empty := formatID(srv.AddServer("empty-server"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "json"}, "[]\n"},
		{[]string{"-o", "yaml"}, "[]\n"},
		{nil, "ID  SERVER  TYPE  STATUS  SIZE  CREATED  EXPIRES\n"},
		{[]string{"--no-header"}, ""},
	} {
		if r := inv.run(t, append([]string{"backups", "list", "--server", empty}, tc.args...)...).expect(t, exitOK); r.stdout != tc.want {
			t.Errorf("%v: %q", tc.args, r.stdout)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mb   *int64
		want string
	}{
		{nil, ""},
		{ptr(int64(0)), "0 MiB"},
		{ptr(int64(512)), "512 MiB"},
		{ptr(int64(1024)), "1.0 GiB"},
		{ptr(int64(4523)), "4.4 GiB"},
		{ptr(int64(3 * 1024 * 1024)), "3.0 TiB"},
	} {
		if got := size(tc.mb); got != tc.want {
			t.Errorf("size(%v) = %q, want %q", tc.mb, got, tc.want)
		}
	}
}

func TestDateIsUTC(t *testing.T) {
	t.Parallel()
	tz := time.FixedZone("CET", 3600)
	if got := date(time.Date(2025, 1, 16, 4, 0, 0, 500, tz)); got != "2025-01-16T03:00:00Z" {
		t.Errorf("date = %q", got)
	}
	if got := date(time.Time{}); got != "" {
		t.Errorf("zero date = %q", got)
	}
}

// A value from the server cannot break a table's lines or columns.
func TestCellKeepsTheTable(t *testing.T) {
	t.Parallel()
	b := vpsorg.Backup{ID: 1, Server: vpsorg.ServerRef{ID: 2, Name: "evil\tname\nnext"}, Type: "manual", Status: "completed"}
	var s stream
	if err := writeTable(&s, backupView, []*vpsorg.Backup{&b}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(s.String(), "\n"); lines != 2 {
		t.Errorf("%d lines, want 2:\n%s", lines, s.String())
	}
}

func ptr[T any](v T) *T { return &v }
