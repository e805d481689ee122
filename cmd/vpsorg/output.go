package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// outputFlags are -o and -q, on every command that prints objects.
type outputFlags struct {
	format string
	quiet  bool
}

func addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringVarP(&o.format, "output", "o", "table", "output format: table or json (env VPSORG_OUTPUT)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print ids only, one a line")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

// check refuses an unknown format before anything is sent.
func (o outputFlags) check() error {
	switch o.format {
	case "table", "json":
		return nil
	}
	return usageErrorf("use -o table or -o json", "unknown output format %q", o.format)
}

// view says how to print one kind of object: its table columns and id.
// JSON is the object itself: the SDK's types carry the API's field names.
type view[T any] struct {
	columns []string
	row     func(T) []string
	id      func(T) int64
	json    func(T) any // what -o json prints; nil: the object itself
}

// writeList prints items as a table, a JSON array (never null) or ids.
func writeList[T any](w io.Writer, o outputFlags, v view[T], items []T) error {
	switch {
	case o.quiet:
		return writeIDs(w, v, items)
	case o.format == "json":
		out := make([]any, 0, len(items))
		for _, it := range items {
			out = append(out, v.jsonOf(it))
		}
		return writeJSON(w, out)
	}
	return writeTable(w, v, items)
}

// writeOne prints one object: a one-row table, a JSON object or its id.
func writeOne[T any](w io.Writer, o outputFlags, v view[T], item T) error {
	switch {
	case o.quiet:
		return writeIDs(w, v, []T{item})
	case o.format == "json":
		return writeJSON(w, v.jsonOf(item))
	}
	return writeTable(w, v, []T{item})
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // descriptions print as written, "<" and "&" included
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeTable[T any](w io.Writer, v view[T], items []T) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(v.columns, "\t"))
	for _, it := range items {
		cells := v.row(it)
		for i, c := range cells {
			cells[i] = cell(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
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

// The views of the API's objects. Tables show dates in UTC, RFC 3339, and
// sizes for people; JSON keeps the API's values.
var (
	backupView = view[*vpsorg.Backup]{
		columns: []string{"ID", "SERVER", "TYPE", "STATUS", "SIZE", "CREATED", "EXPIRES"},
		row: func(b *vpsorg.Backup) []string {
			expires := ""
			if b.ExpiresAt != nil {
				expires = date(*b.ExpiresAt)
			}
			return []string{formatID(b.ID), serverRef(b.Server), string(b.Type), string(b.Status), size(b.SizeMB), date(b.CreatedAt), expires}
		},
		id: func(b *vpsorg.Backup) int64 { return b.ID },
	}
	snapshotView = view[*vpsorg.Snapshot]{
		columns: []string{"ID", "SERVER", "NAME", "STATUS", "SIZE", "CREATED"},
		row: func(s *vpsorg.Snapshot) []string {
			return []string{formatID(s.ID), serverRef(s.Server), s.Name, string(s.Status), size(s.SizeMB), date(s.CreatedAt)}
		},
		id: func(s *vpsorg.Snapshot) int64 { return s.ID },
	}
	serverView = view[*vpsorg.Server]{
		columns: []string{"ID", "NAME", "STATUS", "LOCATION", "IP", "PLAN", "CREATED"},
		row: func(s *vpsorg.Server) []string {
			plan := ""
			if s.Plan != nil {
				plan = s.Plan.Name
			}
			return []string{formatID(s.ID), s.Name, string(s.Status), s.Location, s.IPAddress, plan, date(s.CreatedAt)}
		},
		id: func(s *vpsorg.Server) int64 { return s.ID },
	}
)

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
