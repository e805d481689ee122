package vpsorg

// The field tables jsonReader decodes the answer types with (see
// fastjson.go). A model's new field goes into its table too;
// TestFastDecodeEveryField fails until it does.

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
