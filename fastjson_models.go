package vpsorg

import (
	"strconv"
	"time"
)

// How jsonReader (fastjson.go) stores what it reads into the answer types,
// and each type's field table. A model's new field goes into its table
// too; TestFastDecodeEveryField fails until it does.

// jsonField is how one key of a type's JSON object is read into it.
type jsonField[T any] struct {
	name string
	read func(r *jsonReader, v *T)
}

// readObject reads an object into v field by field, as encoding/json
// would, and fails where encoding/json would do something else: a key
// that matches a field only when case is ignored, or a repeated key
// (encoding/json merges the two values).
func readObject[T any](r *jsonReader, v *T, fields []jsonField[T]) {
	if r.null() { // null leaves a struct as it was
		return
	}
	if !r.open('{') {
		return
	}
	var seen uint64 // a bit a field: tables have at most 64 (TestFastDecodeEveryField)
	for first := true; r.more('}', first); first = false {
		key := r.key()
		i := fieldIndex(fields, key)
		switch {
		case r.failed: // no key: more ends the loop
		case i < 0 && foldsToField(fields, key):
			r.fail()
		case i < 0:
			r.skip()
		case seen&(1<<i) != 0:
			r.fail()
		default:
			seen |= 1 << i
			fields[i].read(r, v)
		}
	}
}

func fieldIndex[T any](fields []jsonField[T], key []byte) int {
	for i := range fields {
		if fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

// foldsToField reports whether an ASCII key equals a field name when case
// is ignored.
func foldsToField[T any](fields []jsonField[T], key []byte) bool {
	for _, f := range fields {
		if len(f.name) != len(key) {
			continue
		}
		same := true
		for i := range key {
			if lower(key[i]) != lower(f.name[i]) {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// readArray reads an array into a new slice, each element by item; null
// sets it to nil.
func readArray[T any](r *jsonReader, s *[]T, item func(r *jsonReader, v *T)) {
	if r.null() {
		*s = nil
		return
	}
	if !r.open('[') {
		return
	}
	out := []T{}
	var zero T
	for first := true; r.more(']', first); first = false {
		out = append(out, zero)
		item(r, &out[len(out)-1])
	}
	*s = out
}

// The readers below take a field's value; null leaves a value as it was
// and sets a pointer to nil, as in encoding/json.

func readString[S ~string](r *jsonReader, p *S) {
	if r.null() {
		return
	}
	*p = S(r.str())
}

func (r *jsonReader) readInt64(p *int64) {
	if r.null() {
		return
	}
	*p = r.integer(64)
}

func (r *jsonReader) readInt(p *int) {
	if r.null() {
		return
	}
	*p = int(r.integer(strconv.IntSize))
}

func (r *jsonReader) readInt64Ptr(p **int64) {
	if r.null() {
		*p = nil
		return
	}
	n := r.integer(64)
	*p = &n
}

// readTime hands the raw string to time.Time's UnmarshalJSON, as
// encoding/json does, so both accept and refuse the same text.
func (r *jsonReader) readTime(t *time.Time) {
	if r.null() {
		return
	}
	raw := r.stringToken()
	if r.failed {
		return
	}
	if err := t.UnmarshalJSON(raw); err != nil {
		r.fail()
	}
}

func (r *jsonReader) readTimePtr(p **time.Time) {
	if r.null() {
		*p = nil
		return
	}
	t := new(time.Time)
	r.readTime(t)
	*p = t
}

// readObjectPtr reads an object into a new value; null sets it to nil.
func readObjectPtr[T any](r *jsonReader, p **T, fields []jsonField[T]) {
	if r.null() {
		*p = nil
		return
	}
	v := new(T)
	readObject(r, v, fields)
	*p = v
}

func (e *envelope[T]) readJSON(r *jsonReader) {
	readObject(r, e, []jsonField[envelope[T]]{
		{"count", func(r *jsonReader, e *envelope[T]) { r.readInt(&e.Count) }},
		{"next", func(r *jsonReader, e *envelope[T]) { r.readLink(&e.Next) }},
		{"results", func(r *jsonReader, e *envelope[T]) { readArray(r, &e.Results, readItem[T]) }},
	})
}

// readItem reads one list item, for the types that have a table.
func readItem[T any](r *jsonReader, v *T) {
	d, ok := any(v).(jsonDecodable)
	if !ok {
		r.fail()
		return
	}
	d.readJSON(r)
}

// readLink reads a "next" link as link.UnmarshalJSON does.
func (r *jsonReader) readLink(l *link) {
	if r.null() {
		*l = link{present: true}
		return
	}
	*l = link{present: true, url: r.str()}
}

func (b *Backup) readJSON(r *jsonReader) { readObject(r, b, backupFields) }

var backupFields = []jsonField[Backup]{
	{"id", func(r *jsonReader, b *Backup) { r.readInt64(&b.ID) }},
	{"server", func(r *jsonReader, b *Backup) { readObject(r, &b.Server, serverRefFields) }},
	{"backup_type", func(r *jsonReader, b *Backup) { readString(r, &b.Type) }},
	{"status", func(r *jsonReader, b *Backup) { readString(r, &b.Status) }},
	{"size_mb", func(r *jsonReader, b *Backup) { r.readInt64Ptr(&b.SizeMB) }},
	{"created_at", func(r *jsonReader, b *Backup) { r.readTime(&b.CreatedAt) }},
	{"expires_at", func(r *jsonReader, b *Backup) { r.readTimePtr(&b.ExpiresAt) }},
	{"description", func(r *jsonReader, b *Backup) { readString(r, &b.Description) }},
	{"message", func(r *jsonReader, b *Backup) { readString(r, &b.Message) }},
}

func (s *Snapshot) readJSON(r *jsonReader) { readObject(r, s, snapshotFields) }

var snapshotFields = []jsonField[Snapshot]{
	{"id", func(r *jsonReader, s *Snapshot) { r.readInt64(&s.ID) }},
	{"server", func(r *jsonReader, s *Snapshot) { readObject(r, &s.Server, serverRefFields) }},
	{"name", func(r *jsonReader, s *Snapshot) { readString(r, &s.Name) }},
	{"status", func(r *jsonReader, s *Snapshot) { readString(r, &s.Status) }},
	{"size_mb", func(r *jsonReader, s *Snapshot) { r.readInt64Ptr(&s.SizeMB) }},
	{"created_at", func(r *jsonReader, s *Snapshot) { r.readTime(&s.CreatedAt) }},
	{"description", func(r *jsonReader, s *Snapshot) { readString(r, &s.Description) }},
	{"message", func(r *jsonReader, s *Snapshot) { readString(r, &s.Message) }},
}

var serverRefFields = []jsonField[ServerRef]{
	{"id", func(r *jsonReader, s *ServerRef) { r.readInt64(&s.ID) }},
	{"name", func(r *jsonReader, s *ServerRef) { readString(r, &s.Name) }},
}

func (s *Server) readJSON(r *jsonReader) { readObject(r, s, serverFields) }

var serverFields = []jsonField[Server]{
	{"id", func(r *jsonReader, s *Server) { r.readInt64(&s.ID) }},
	{"name", func(r *jsonReader, s *Server) { readString(r, &s.Name) }},
	{"hostname", func(r *jsonReader, s *Server) { readString(r, &s.Hostname) }},
	{"status", func(r *jsonReader, s *Server) { readString(r, &s.Status) }},
	{"ip_address", func(r *jsonReader, s *Server) { readString(r, &s.IPAddress) }},
	{"location", func(r *jsonReader, s *Server) { readString(r, &s.Location) }},
	{"plan", func(r *jsonReader, s *Server) { readObjectPtr(r, &s.Plan, planFields) }},
	{"os", func(r *jsonReader, s *Server) { readObjectPtr(r, &s.OS, osFields) }},
	{"created_at", func(r *jsonReader, s *Server) { r.readTime(&s.CreatedAt) }},
	{"updated_at", func(r *jsonReader, s *Server) { r.readTime(&s.UpdatedAt) }},
}

var planFields = []jsonField[Plan]{
	{"id", func(r *jsonReader, p *Plan) { r.readInt64(&p.ID) }},
	{"name", func(r *jsonReader, p *Plan) { readString(r, &p.Name) }},
	{"vcpus", func(r *jsonReader, p *Plan) { r.readInt(&p.VCPUs) }},
	{"memory", func(r *jsonReader, p *Plan) { r.readInt64(&p.Memory) }},
	{"storage", func(r *jsonReader, p *Plan) { r.readInt64(&p.Storage) }},
}

var osFields = []jsonField[OS]{
	{"id", func(r *jsonReader, o *OS) { r.readInt64(&o.ID) }},
	{"name", func(r *jsonReader, o *OS) { readString(r, &o.Name) }},
}
