package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// outputFlags are -o, -q, --columns and --no-header, on every command
// that prints objects.
type outputFlags struct {
	format   string
	quiet    bool
	columns  []string // API field names, in the order to print them
	noHeader bool
	known    []string // the field names --columns may name; nil: none (see addColumns)
}

func addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringVarP(&o.format, "output", "o", "table", "output format: table, json or yaml (env VPSORG_OUTPUT)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print ids only, one a line")
	cmd.Flags().StringSliceVar(&o.columns, "columns", nil, "print only these of the API's fields, in this order")
	cmd.Flags().BoolVar(&o.noHeader, "no-header", false, "print tables without their header line")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
}

// check refuses an unknown format or column before anything is sent.
func (o outputFlags) check() error {
	switch o.format {
	case "table", "json", "yaml":
		return o.checkColumns()
	}
	return usageErrorf("use -o table, -o json or -o yaml", "unknown output format %q", o.format)
}

// view says how to print one kind of object: its table columns and id.
// JSON is the object itself: the SDK's types carry the API's field names.
type view[T any] struct {
	columns []string
	row     func(T) []string
	id      func(T) int64
	json    func(T) any // what -o json prints; nil: the object itself
	fields  []field[T]  // what --columns picks from; nil: nothing (see newView)
}

// writeList prints items as a table, a JSON or YAML array (never null) or
// ids.
func writeList[T any](w io.Writer, o outputFlags, v view[T], items []T) error {
	switch {
	case o.quiet:
		return writeIDs(w, v, items)
	case o.format == "json" || o.format == "yaml":
		out := make([]any, 0, len(items))
		for _, it := range items {
			out = append(out, v.jsonOf(it))
		}
		return writeData(w, o, out)
	}
	return writeTableOf(w, o, v, items)
}

// writeOne prints one object: a one-row table, a JSON or YAML object or its
// id.
func writeOne[T any](w io.Writer, o outputFlags, v view[T], item T) error {
	switch {
	case o.quiet:
		return writeIDs(w, v, []T{item})
	case o.format == "json" || o.format == "yaml":
		return writeData(w, o, v.jsonOf(item))
	}
	return writeTableOf(w, o, v, []T{item})
}

func (v view[T]) jsonOf(item T) any {
	if v.json != nil {
		return v.json(item)
	}
	return item
}

func writeIDs[T any](w io.Writer, v view[T], items []T) error {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(strconv.FormatInt(v.id(it), 10))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeData prints data, an object or a list, as -o json or -o yaml, cut
// to --columns when given. YAML is made from the JSON, so both carry the
// same fields, names and values.
func writeData(w io.Writer, o outputFlags, data any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // descriptions print as written, "<" and "&" included
	if err := enc.Encode(data); err != nil {
		return fmt.Errorf("encode the output: %w", err)
	}
	raw := buf.Bytes()
	if len(o.columns) > 0 {
		cut, err := trimJSON(raw, o.columns)
		if err != nil {
			return err
		}
		raw = cut
	}
	if o.format == "yaml" {
		return writeYAML(w, raw)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(raw), "", "  "); err != nil {
		return fmt.Errorf("indent the output: %w", err)
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// writeYAML prints JSON as YAML in block style, keys in the JSON's order.
// A string that would read as another type (a date, "true", "123") is
// quoted, so it reads back as the string it is.
func writeYAML(w io.Writer, raw []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("convert the output to YAML: %w", err)
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("write YAML: %w", err)
	}
	return enc.Close()
}

// blockStyle drops the JSON's flow style and quotes from n and below: the
// encoder quotes again only what needs it.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// writeTable prints items as the view's default table, header included.
func writeTable[T any](w io.Writer, v view[T], items []T) error {
	return writeTableOf(w, outputFlags{}, v, items)
}

// cell keeps a value on its line and out of the next column: a tab or
// newline from the server would break the table.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// The views of the API's objects: every field of the API's, by its name,
// for --columns. Tables show dates in UTC, RFC 3339, and sizes for
// people; JSON and YAML keep the API's values.
var (
	backupView = newView([]field[*vpsorg.Backup]{
		{"id", "ID", func(b *vpsorg.Backup) string { return formatID(b.ID) }},
		{"server", "SERVER", func(b *vpsorg.Backup) string { return serverRef(b.Server) }},
		{"backup_type", "TYPE", func(b *vpsorg.Backup) string { return string(b.Type) }},
		{"status", "STATUS", func(b *vpsorg.Backup) string { return string(b.Status) }},
		{"size_mb", "SIZE", func(b *vpsorg.Backup) string { return size(b.SizeMB) }},
		{"created_at", "CREATED", func(b *vpsorg.Backup) string { return date(b.CreatedAt) }},
		{"expires_at", "EXPIRES", func(b *vpsorg.Backup) string { return datePtr(b.ExpiresAt) }},
		{"description", "DESCRIPTION", func(b *vpsorg.Backup) string { return b.Description }},
	}, []string{"id", "server", "backup_type", "status", "size_mb", "created_at", "expires_at"},
		func(b *vpsorg.Backup) int64 { return b.ID })

	snapshotView = newView([]field[*vpsorg.Snapshot]{
		{"id", "ID", func(s *vpsorg.Snapshot) string { return formatID(s.ID) }},
		{"server", "SERVER", func(s *vpsorg.Snapshot) string { return serverRef(s.Server) }},
		{"name", "NAME", func(s *vpsorg.Snapshot) string { return s.Name }},
		{"status", "STATUS", func(s *vpsorg.Snapshot) string { return string(s.Status) }},
		{"size_mb", "SIZE", func(s *vpsorg.Snapshot) string { return size(s.SizeMB) }},
		{"created_at", "CREATED", func(s *vpsorg.Snapshot) string { return date(s.CreatedAt) }},
		{"description", "DESCRIPTION", func(s *vpsorg.Snapshot) string { return s.Description }},
	}, []string{"id", "server", "name", "status", "size_mb", "created_at"},
		func(s *vpsorg.Snapshot) int64 { return s.ID })

	serverView = newView([]field[*vpsorg.Server]{
		{"id", "ID", func(s *vpsorg.Server) string { return formatID(s.ID) }},
		{"name", "NAME", func(s *vpsorg.Server) string { return s.Name }},
		{"hostname", "HOSTNAME", func(s *vpsorg.Server) string { return s.Hostname }},
		{"status", "STATUS", func(s *vpsorg.Server) string { return string(s.Status) }},
		{"ip_address", "IP", func(s *vpsorg.Server) string { return s.IPAddress }},
		{"location", "LOCATION", func(s *vpsorg.Server) string { return s.Location }},
		{"plan", "PLAN", func(s *vpsorg.Server) string { return planName(s.Plan) }},
		{"os", "OS", func(s *vpsorg.Server) string { return osName(s.OS) }},
		{"created_at", "CREATED", func(s *vpsorg.Server) string { return date(s.CreatedAt) }},
		{"updated_at", "UPDATED", func(s *vpsorg.Server) string { return date(s.UpdatedAt) }},
	}, []string{"id", "name", "status", "location", "ip_address", "plan", "created_at"},
		func(s *vpsorg.Server) int64 { return s.ID })
)

func datePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return date(*t)
}

func planName(p *vpsorg.Plan) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func osName(o *vpsorg.OS) string {
	if o == nil {
		return ""
	}
	return o.Name
}

// formatID writes an id as the API and the commands take it.
func formatID(n int64) string { return strconv.FormatInt(n, 10) }

func serverRef(s vpsorg.ServerRef) string {
	if s.Name == "" {
		return formatID(s.ID)
	}
	return s.Name + " (" + formatID(s.ID) + ")"
}

// date is t in UTC, RFC 3339, to the second; "" for a zero time.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// day is t's date in UTC, for prompts: "2025-01-16".
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// size reads the API's size_mb (binary megabytes) for people: "4.4 GiB".
func size(mb *int64) string {
	if mb == nil {
		return ""
	}
	n := *mb
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " MiB"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " GiB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " TiB"
}

// newestFirst orders backups or snapshots by creation, newest first, ties
// by id: the API promises no order, and scripts want a stable one.
func newestFirst[T any](items []T, created func(T) time.Time, id func(T) int64) {
	slices.SortStableFunc(items, func(a, b T) int {
		if c := created(b).Compare(created(a)); c != 0 {
			return c
		}
		return cmp.Compare(id(b), id(a))
	})
}

func sortBackups(bs []*vpsorg.Backup) {
	newestFirst(bs, func(b *vpsorg.Backup) time.Time { return b.CreatedAt }, backupView.id)
}

func sortSnapshots(ss []*vpsorg.Snapshot) {
	newestFirst(ss, func(s *vpsorg.Snapshot) time.Time { return s.CreatedAt }, snapshotView.id)
}
