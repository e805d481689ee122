package vpsorgtest

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

type plan struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	VCPUs   int    `json:"vcpus"`
	Memory  int    `json:"memory"`  // MB
	Storage int    `json:"storage"` // GB
}

type osInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type server struct {
	id                        int64
	name, hostname, ipAddress string
	location                  string
	plan                      plan
	os                        osInfo
	created, updated          time.Time
	restoringUntil            time.Time
}

// newServer makes an active server. Every server is of the same plan, system
// and place: the API documents those fields, not their values.
func newServer(id int64, name, ip string, created time.Time) *server {
	return &server{
		id:        id,
		name:      name,
		hostname:  name + ".example.com",
		ipAddress: ip,
		location:  "us-east-1",
		plan:      plan{ID: 3, Name: "Standard 4GB", VCPUs: 2, Memory: 4096, Storage: 80},
		os:        osInfo{ID: 12, Name: "Ubuntu 22.04 LTS"},
		created:   created,
		updated:   created,
	}
}

func (v *server) statusAt(now time.Time) string {
	if now.Before(v.restoringUntil) {
		return statusRestoring
	}
	return statusActive
}

func (v *server) startRestore(now time.Time, d time.Duration) {
	v.restoringUntil = now.Add(d)
	v.updated = now
}

// serverRef is how backups and snapshots name their server.
type serverRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// serverState is the server part of a restore answer.
type serverState struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

type serverJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Hostname  string `json:"hostname"`
	Status    string `json:"status"`
	IPAddress string `json:"ip_address"`
	Location  string `json:"location"`
	Plan      plan   `json:"plan"`
	OS        osInfo `json:"os"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func (s *Server) serverRef(id int64) serverRef {
	return serverRef{ID: id, Name: s.st.servers[id].name}
}

// listServers serves GET /api/v1/servers/?status=&location=.
func (s *Server) listServers(c *call) reply {
	query := c.r.URL.Query()
	status, location := query.Get("status"), query.Get("location")
	var items []serverJSON
	for _, v := range s.st.servers {
		item := serverJSON{
			ID:        v.id,
			Name:      v.name,
			Hostname:  v.hostname,
			Status:    v.statusAt(c.now),
			IPAddress: v.ipAddress,
			Location:  v.location,
			Plan:      v.plan,
			OS:        v.os,
			CreatedAt: formatTime(v.created),
			UpdatedAt: formatTime(v.updated),
		}
		if (status == "" || item.Status == status) && (location == "" || item.Location == location) {
			items = append(items, item)
		}
	}
	slices.SortFunc(items, func(a, b serverJSON) int { return cmp.Compare(b.ID, a.ID) })
	return paginate(s, c.r, items)
}

// restoreServer serves POST /api/v1/servers/{id}/restore/ {"backup_id"}.
func (s *Server) restoreServer(c *call) reply {
	srv := s.st.servers[c.id]
	if srv == nil {
		return notFound()
	}
	in, rep := parseInput(c.body)
	if rep != nil {
		return *rep
	}
	backupID := in.integer("backup_id")
	if rep := in.invalid(); rep != nil {
		return *rep
	}
	b := s.st.backups[backupID]
	switch {
	case b == nil:
		return fieldError("backup_id", fmt.Sprintf(msgInvalidPK, backupID))
	case b.serverID != srv.id:
		return fieldError("backup_id", "Backup does not belong to this server.")
	case b.statusAt(c.now) != statusCompleted:
		return fieldError("backup_id", "Backup is not completed and cannot be restored.")
	case srv.statusAt(c.now) != statusActive:
		return detail(http.StatusBadRequest, "Server is not in a valid state for restoration.")
	}
	srv.startRestore(c.now, s.cfg.restoreDuration)
	type backupRef struct {
		ID        int64  `json:"id"`
		CreatedAt string `json:"created_at"`
	}
	body := struct {
		Status  string      `json:"status"`
		Message string      `json:"message"`
		Backup  backupRef   `json:"backup"`
		Server  serverState `json:"server"`
	}{
		Status:  "success",
		Message: "Server is being restored from backup. This may take several minutes depending on backup size.",
		Backup:  backupRef{ID: b.id, CreatedAt: formatTime(b.created)},
		Server:  serverState{ID: srv.id, Name: srv.name, Status: statusRestoring},
	}
	return reply{status: http.StatusOK, body: body, acted: true}
}

// AddServer adds an active server named name and returns its id. Ids follow
// the seeded server 12345, or start at 1 with WithoutSeed.
func (s *Server) AddServer(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.st.lastServer++
	id := s.st.lastServer
	// 192.0.2.0/24 is TEST-NET-1, documentation only and never routed.
	s.st.servers[id] = newServer(id, name, fmt.Sprintf("192.0.2.%d", 100+id%150), now)
	return id
}

// serverFilter reads the optional server_id filter of a list request.
func serverFilter(query url.Values) (id int64, filtered bool, rep *reply) {
	param := query.Get("server_id")
	if param == "" {
		return 0, false, nil
	}
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		r := fieldError("server_id", msgQueryInt)
		return 0, false, &r
	}
	return id, true, nil
}
