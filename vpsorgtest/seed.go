package vpsorgtest

import "time"

// seedDocumented fills st with the objects shown in the API documentation,
// field for field, so the documented list answers come out as printed.
func seedDocumented(st *store) {
	web := newServer(12345, "web-server-01", "192.0.2.45", mustTime("2024-11-02T09:15:00Z"))
	st.servers[web.id] = web

	backups := []*backup{
		{id: 501, serverID: web.id, kind: backupAutomatic, progress: progressCompleted(4523),
			created: mustTime("2025-01-16T03:00:00Z"), expires: mustTime("2025-02-16T03:00:00Z"),
			description: "Automatic daily backup"},
		{id: 499, serverID: web.id, kind: backupManual, progress: progressCompleted(4456),
			created:     mustTime("2025-01-14T10:30:00Z"),
			description: "Pre-update backup"},
		{id: 495, serverID: web.id, kind: backupAutomatic, progress: progressCompleted(4389),
			created: mustTime("2025-01-15T03:00:00Z"), expires: mustTime("2025-02-15T03:00:00Z"),
			description: "Automatic daily backup"},
	}
	for _, b := range backups {
		st.backups[b.id] = b
	}

	snapshots := []*snapshot{
		{id: 801, serverID: web.id, name: "pre-migration-snapshot", progress: progressCompleted(5120),
			created: mustTime("2025-01-15T18:30:00Z"), description: "Before major migration"},
		{id: 798, serverID: web.id, name: "weekly-snapshot-2025-01-08", progress: progressCompleted(4856),
			created: mustTime("2025-01-08T12:00:00Z"), description: "Weekly snapshot"},
	}
	for _, sn := range snapshots {
		st.snapshots[sn.id] = sn
	}

	// The documentation's create examples answer ids 502 and 802.
	st.lastServer, st.lastBackup, st.lastSnapshot = 12345, 501, 801
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
