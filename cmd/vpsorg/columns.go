package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// field is one of the API's fields of an object, as --columns names it:
// its name ("backup_type"), its table header ("TYPE") and its table cell,
// which is written for people ("4.4 GiB"), as the default table's is.
type field[T any] struct {
	name   string
	header string
	cell   func(T) string
}

// newView builds the view of a kind from its fields: the default table
// shows the fields named in table, in that order.
func newView[T any](fields []field[T], table []string, id func(T) int64) view[T] {
	defaults := pick(fields, table)
	v := view[T]{id: id, fields: fields}
	for _, f := range defaults {
		v.columns = append(v.columns, f.header)
	}
	v.row = func(it T) []string { return cells(defaults, it) }
	return v
}

// pick returns the fields named, in the order named; names are checked
// beforehand by outputFlags.check.
func pick[T any](fields []field[T], names []string) []field[T] {
	out := make([]field[T], 0, len(names))
	for _, n := range names {
		if i := slices.IndexFunc(fields, func(f field[T]) bool { return f.name == n }); i >= 0 {
			out = append(out, fields[i])
		}
	}
	return out
}

func cells[T any](fields []field[T], it T) []string {
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = f.cell(it)
	}
	return row
}

// names lists a view's field names, for --columns and its help.
func (v view[T]) names() []string {
	out := make([]string, len(v.fields))
	for i, f := range v.fields {
		out[i] = f.name
	}
	return out
}

// addColumns says which fields --columns may name on cmd: those of v. It
// lists them in the flag's help and offers them to tab completion.
func addColumns[T any](cmd *cobra.Command, o *outputFlags, v view[T]) {
	o.known = v.names()
	f := cmd.Flags().Lookup("columns")
	f.Usage = "print only these fields, in this order: " + strings.Join(o.known, ",") +
		"; a table shows their columns, -o json and -o yaml each object cut to them"
	_ = cmd.RegisterFlagCompletionFunc("columns", func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		return nextColumns(o.known, typed), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	})
}

// nextColumns completes a comma list of fields: "id,st" offers "id,status"
// and every other field not yet in the list.
func nextColumns(known []string, typed string) []string {
	done := strings.Split(typed, ",")
	prefix := strings.Join(done[:len(done)-1], ",")
	if prefix != "" {
		prefix += ","
	}
	var out []string
	for _, n := range known {
		if !slices.Contains(done[:len(done)-1], n) {
			out = append(out, prefix+n)
		}
	}
	return out
}

// checkColumns refuses a --columns that names a field the command's
// objects do not have, naming those they have, before anything is sent.
func (o outputFlags) checkColumns() error {
	if len(o.columns) == 0 {
		return nil
	}
	if o.known == nil {
		return usageErrorf("leave out --columns here", "this command prints no fields to pick with --columns")
	}
	for _, c := range o.columns {
		if !slices.Contains(o.known, c) {
			return usageErrorf("use the API's field names: "+strings.Join(o.known, ","), "unknown column %q", c)
		}
	}
	return nil
}

// writeTableOf prints items as a table of the default columns, or of
// --columns, with or without its header line.
func writeTableOf[T any](w io.Writer, o outputFlags, v view[T], items []T) error {
	header, row := v.columns, v.row
	if len(o.columns) > 0 {
		chosen := pick(v.fields, o.columns)
		header = make([]string, len(chosen))
		for i, f := range chosen {
			header[i] = f.header
		}
		row = func(it T) []string { return cells(chosen, it) }
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if !o.noHeader {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for _, it := range items {
		cs := row(it)
		for i, c := range cs {
			cs[i] = cell(c)
		}
		fmt.Fprintln(tw, strings.Join(cs, "\t"))
	}
	return tw.Flush()
}

// trimJSON cuts an encoded object, or each object of an encoded array, to
// the fields named, in that order; a field the object lacks is null. The
// values stay as the API sent them.
func trimJSON(raw []byte, names []string) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("cut to --columns: %w", err)
		}
		parts := make([][]byte, len(items))
		for i, it := range items {
			cut, err := trimJSON(it, names)
			if err != nil {
				return nil, err
			}
			parts[i] = cut
		}
		return append(append([]byte{'['}, bytes.Join(parts, []byte{','})...), ']'), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("cut to --columns: %w", err)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(n) //nolint:errchkjson // a string always encodes
		b.Write(key)
		b.WriteByte(':')
		if v, ok := obj[n]; ok {
			b.Write(v)
		} else {
			b.WriteString("null")
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// checkColumns refuses --columns on a restore that does not --wait: it
// prints the API's answer to the restore, whose fields are not
// documented, rather than a server.
func (f restoreFlags) checkColumns() error {
	if len(f.out.columns) > 0 && !f.wait.wait {
		return usageErrorf("give --wait to print the server, or use -o json", "--columns picks a server's fields, which a restore prints only with --wait")
	}
	return nil
}
