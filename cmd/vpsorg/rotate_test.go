package main

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// rotatedRow is one element of rotate -o json.
type rotatedRow struct {
	ServerID     int64   `json:"server_id"`
	BackupID     int64   `json:"backup_id"`
	Status       string  `json:"status"`
	BackupStatus string  `json:"backup_status"`
	Deleted      []int64 `json:"deleted"`
	Kept         []int64 `json:"kept"`
	Error        string  `json:"error"`
}

func decodeRotated(t *testing.T, stdout string) map[int64]rotatedRow {
	t.Helper()
	var rows []rotatedRow
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("rotate -o json: %v\n%s", err, stdout)
	}
	byServer := map[int64]rotatedRow{}
	for _, r := range rows {
		byServer[r.ServerID] = r
	}
	return byServer
}

// failNextBackup makes the first backup that appears on server, besides
// those it has now, fail: at every GET the fake receives, until it is done,
// it looks on the fake for a new backup of server and forces its status.
// A GET comes before rotate can see the backup completed (its first poll),
// so rotate sees it fail.
func failNextBackup(t *testing.T, srv *vpsorgtest.Server, server int64) {
	t.Helper()
	const lookupAgent = "failnextbackup-lookup"
	lookup := srv.Client(vpsorg.WithUserAgent(lookupAgent))
	old := map[int64]bool{}
	for b, err := range lookup.Backups.All(t.Context(), &vpsorg.BackupListOptions{ServerID: server}) {
		if err != nil {
			t.Fatal(err)
		}
		old[b.ID] = true
	}
	var done atomic.Bool
	srv.SetFaultFunc(func(r *http.Request) *vpsorgtest.Fault {
		if done.Load() || r.Method != http.MethodGet || strings.Contains(r.UserAgent(), lookupAgent) {
			return nil
		}
		for b, err := range lookup.Backups.All(r.Context(), &vpsorg.BackupListOptions{ServerID: server}) {
			if err == nil && !old[b.ID] && srv.SetBackupStatus(b.ID, vpsorg.StatusFailed) == nil {
				done.Store(true)
			}
		}
		return nil
	})
}

// parseMetrics reads a metrics file as Prometheus does, into value by
// metric name and server_id.
func parseMetrics(t *testing.T, path string) (map[string]*dto.MetricFamily, map[string]map[string]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	values := map[string]map[string]float64{}
	for name, mf := range families {
		values[name] = map[string]float64{}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "server_id" {
					values[name][l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return families, values
}

// A nightly rotation over four servers: one plain, one whose new backup
// fails, one at the API's limit that the policy can make room on, and one
// at the limit whose backups the policy keeps all of.
func testRotateFleet(t *testing.T, bin string) {
	s := newScript(t, bin)
	plain, failing, full, keepsAll := s.serverID, s.srv.AddServer("db-02"), s.srv.AddServer("db-03"), s.srv.AddServer("db-04")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	at := func(day, hour int) time.Time { return today.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
	// --keep-daily 11 keeps yesterday's 03:00 (the day's newest) and 01:00
	// (the oldest, with count left), and drops 02:00.
	plainOld := s.addBackups(t, plain, at(-1, 1), at(-1, 2), at(-1, 3))
	failingOld := s.addBackups(t, failing, at(-1, 1), at(-1, 2), at(-1, 3))
	var fullTimes, keepsAllTimes []time.Time
	for i := range 10 {
		fullTimes = append(fullTimes, at(-3, i))            // one day: the policy keeps 2 and the new one
		keepsAllTimes = append(keepsAllTimes, at(-1-i, 12)) // ten days: with the new one, eleven to keep
	}
	fullOld := s.addBackups(t, full, fullTimes...)
	keepsAllOld := s.addBackups(t, keepsAll, keepsAllTimes...)
	failNextBackup(t, s.srv, failing)
	metrics := filepath.Join(t.TempDir(), "vpsorg.prom")
	if err := os.WriteFile(metrics, []byte("# last night's\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := s.run(t, "backups", "rotate", "--server", formatID(plain)+","+formatID(failing), "--server", formatID(full), "--server", formatID(keepsAll),
		"--keep-daily", "11", "--description", "nightly", "--metrics-file", metrics, "--yes", "-o", "json").expect(t, exitFailed)
	rows := decodeRotated(t, r.stdout)
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4:\n%s", len(rows), r.stdout)
	}

	// The plain server: backed up, yesterday's 02:00 deleted after.
	p := rows[plain]
	if p.Status != "ok" || p.BackupStatus != "completed" || p.BackupID == 0 || !slices.Equal(p.Deleted, []int64{plainOld[1]}) || len(p.Kept) != 3 {
		t.Errorf("plain server: %+v", p)
	}
	if left := s.backupIDs(t, plain); !slices.Equal(left, []int64{plainOld[0], plainOld[2], p.BackupID}) {
		t.Errorf("plain server has %v", left)
	}
	// The failing server lost nothing: its failed backup is beside the old ones.
	f := rows[failing]
	if f.Status != "failed" || f.BackupStatus != "failed" || len(f.Deleted) != 0 || !strings.Contains(f.Error, "failed; no old backup was deleted") {
		t.Errorf("failing server: %+v", f)
	}
	if left := s.backupIDs(t, failing); !slices.Equal(left, append(slices.Clone(failingOld), f.BackupID)) {
		t.Errorf("failing server has %v, want %v and the failed one", left, failingOld)
	}
	// The full server: 8 of its 10 deleted before the create, to make room.
	full3 := rows[full]
	wantDeleted := slices.Clone(fullOld[1:9])
	slices.Reverse(wantDeleted) // newest first
	if full3.Status != "ok" || !slices.Equal(full3.Deleted, wantDeleted) {
		t.Errorf("full server: %+v, want deleted %v", full3, wantDeleted)
	}
	if left := s.backupIDs(t, full); !slices.Equal(left, []int64{fullOld[0], fullOld[9], full3.BackupID}) {
		t.Errorf("full server has %v", left)
	}
	// The server whose 10 the policy keeps: failed, untouched, no backup made.
	k := rows[keepsAll]
	if k.Status != "failed" || k.BackupID != 0 || len(k.Deleted) != 0 || !strings.Contains(k.Error, "has 10 manual backups, the API's limit, and the policy keeps them all: nothing was done") {
		t.Errorf("server that keeps all: %+v", k)
	}
	if left := s.backupIDs(t, keepsAll); !slices.Equal(left, keepsAllOld) {
		t.Errorf("server that keeps all has %v", left)
	}
	for _, want := range []string{
		"this policy can keep up to 11 manual backups a server, but the API allows 10",
		"rotated 4 servers: 2 new backups completed, 9 old ones deleted, 2 servers failed",
		"vpsorg: servers " + formatID(failing) + ", " + formatID(keepsAll) + " failed",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	// The metrics: this night's backup where it completed, the last good
	// one where it failed.
	families, values := parseMetrics(t, metrics)
	for name, help := range map[string]string{
		"vpsorg_backup_last_success_timestamp_seconds": "newest completed backup",
		"vpsorg_backup_rotate_success":                 "1 when",
	} {
		mf := families[name]
		if mf == nil || mf.GetType() != dto.MetricType_GAUGE || !strings.Contains(mf.GetHelp(), help) {
			t.Errorf("%s: %v", name, mf)
		}
	}
	if len(families) != 2 {
		t.Errorf("%d metric families, want 2", len(families))
	}
	created := func(server, id int64) float64 {
		for b, err := range s.srv.Client().Backups.All(t.Context(), &vpsorg.BackupListOptions{ServerID: server}) {
			if err == nil && b.ID == id {
				return float64(b.CreatedAt.UnixMilli()) / 1000
			}
		}
		t.Fatalf("no backup %d", id)
		return 0
	}
	wantLast := map[string]float64{
		formatID(plain):    created(plain, p.BackupID),
		formatID(failing):  float64(at(-1, 3).Unix()),
		formatID(full):     created(full, full3.BackupID),
		formatID(keepsAll): float64(at(-1, 12).Unix()),
	}
	wantOK := map[string]float64{formatID(plain): 1, formatID(failing): 0, formatID(full): 1, formatID(keepsAll): 0}
	if got := values["vpsorg_backup_last_success_timestamp_seconds"]; !maps.Equal(got, wantLast) {
		t.Errorf("last success %v, want %v", got, wantLast)
	}
	if got := values["vpsorg_backup_rotate_success"]; !maps.Equal(got, wantOK) {
		t.Errorf("rotate success %v, want %v", got, wantOK)
	}
	if entries, _ := os.ReadDir(filepath.Dir(metrics)); len(entries) != 1 {
		t.Errorf("left in the metrics' directory: %v", entries)
	}
}

// --timeout ends the wait with exit 6, and nothing is pruned: not even
// what the policy would drop on a server whose backup is still running.
func testRotateTimeout(t *testing.T, bin string) {
	s := newScript(t, bin, vpsorgtest.WithCompletionDelay(time.Hour))
	yesterday := time.Now().UTC().Add(-24 * time.Hour)
	old := s.addBackups(t, s.serverID, yesterday, yesterday.Add(time.Minute), yesterday.Add(2*time.Minute))
	metrics := filepath.Join(t.TempDir(), "vpsorg.prom")
	r := s.run(t, "backups", "rotate", "--server", s.server(), "--keep-last", "1", "--timeout", "300ms", "--metrics-file", metrics, "--yes", "-o", "json").expect(t, exitTimeout)
	row := decodeRotated(t, r.stdout)[s.serverID]
	if row.Status != "timed_out" || row.BackupStatus != "in_progress" || len(row.Deleted) != 0 {
		t.Errorf("row %+v", row)
	}
	if !strings.Contains(r.stderr, "timed out after 300ms waiting for the backups; nothing was pruned") {
		t.Errorf("stderr %q", r.stderr)
	}
	if n := s.deletes(); n != 0 {
		t.Errorf("%d DELETEs after a timeout", n)
	}
	if left := s.backupIDs(t, s.serverID); !slices.Equal(left, append(slices.Clone(old), row.BackupID)) {
		t.Errorf("left %v", left)
	}
	_, values := parseMetrics(t, metrics)
	if got := values["vpsorg_backup_rotate_success"][s.server()]; got != 0 {
		t.Errorf("rotate success %v after a timeout", got)
	}
	if got, want := values["vpsorg_backup_last_success_timestamp_seconds"][s.server()], float64(yesterday.Add(2*time.Minute).UnixMilli())/1000; got != want {
		t.Errorf("last success %v, want %v (the newest old one)", got, want)
	}
}

// --all backs up every server; -q prints the new backups' ids. A server
// with no backup at all has a last success of 0 until one completes.
func testRotateAll(t *testing.T, bin string) {
	s := newScript(t, bin)
	second := s.srv.AddServer("db-02")
	r := s.run(t, "backups", "rotate", "--all", "--keep-last", "3", "--yes", "-q").expect(t, exitOK)
	ids := strings.Fields(r.stdout)
	if len(ids) != 2 {
		t.Fatalf("-q printed %q, want two ids", r.stdout)
	}
	for _, server := range []int64{s.serverID, second} {
		if left := s.backupIDs(t, server); len(left) != 1 || !slices.Contains(ids, formatID(left[0])) {
			t.Errorf("server %d has %v; -q printed %v", server, left, ids)
		}
	}
	// The table, and a metrics file that cannot be written: the rotation
	// stands, the exit code says the file failed.
	r = s.run(t, "backups", "rotate", "--server", formatID(second), "--keep-last", "3", "--yes", "--metrics-file", filepath.Join(t.TempDir(), "no", "such", "dir", "x.prom"))
	if r.code != exitOther || !strings.Contains(r.stderr, "write --metrics-file") || !strings.HasPrefix(r.stdout, "SERVER") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

// A write that fails leaves the old file as it was and no temporary file;
// one that succeeds replaces it whole.
func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "vpsorg.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("disk full")
	for _, tc := range []struct {
		write func(io.Writer) error
		err   error
		want  string
	}{
		{func(w io.Writer) error { _, _ = io.WriteString(w, "half"); return broken }, broken, "old\n"},
		{func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }, nil, "new\n"},
	} {
		if err := writeFileAtomic(path, tc.write); !errors.Is(err, tc.err) {
			t.Errorf("err %v, want %v", err, tc.err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != tc.want {
			t.Errorf("file %q, %v; want %q", got, err, tc.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("left in the directory: %v", entries)
		}
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644 for the exporter to read", info.Mode(), err)
	}
}
