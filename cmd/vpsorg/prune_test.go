package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestRetentionCommands runs the built vpsorg as a nightly script does:
// no terminal, its output and exit code read, against vpsorgtest. One
// build serves every case.
func TestRetentionCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := goBuild(t, ".", ".", "vpsorg")
	for _, tc := range []struct {
		name string
		test func(*testing.T, string)
	}{
		{"prune a year as restic does", testPruneYearAsRestic},
		{"prune -o json and the table", testPruneOutput},
		{"prune --dry-run deletes nothing", testPruneDryRun},
		{"prune --keep N is --keep-last N", testPruneKeepN},
		{"prune --tz moves a day boundary", testPruneTimeZone},
		{"prune snapshots", testPruneSnapshots},
		{"prune warns of a policy above the API's limit", testPruneWarning},
		{"bad input exits 2 and sends nothing", testRetentionBadInput},
		{"rotate a fleet with a failure and a full server", testRotateFleet},
		{"rotate --timeout prunes nothing", testRotateTimeout},
		{"rotate --all", testRotateAll},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, bin)
		})
	}
}

// script is the built vpsorg pointed at one fake, run without a terminal.
type script struct {
	bin      string
	srv      *vpsorgtest.Server
	serverID int64 // the fake's one server, "db-01"
}

// newScript starts a fake with no seeded data and one server.
func newScript(t *testing.T, bin string, opts ...vpsorgtest.Option) script {
	t.Helper()
	srv := vpsorgtest.NewServer(append([]vpsorgtest.Option{vpsorgtest.WithoutSeed(), vpsorgtest.WithCompletionDelay(0)}, opts...)...)
	t.Cleanup(srv.Close)
	return script{bin: bin, srv: srv, serverID: srv.AddServer("db-01")}
}

func (s script) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), s.bin, args...)
	cmd.Env = apiEnv(s.srv.URL+"/api/v1/", s.srv.Token)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), &stdout, &stderr
	code := exitOf(t, cmd.Run())
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// server is the --server flag for the script's server.
func (s script) server() string { return strconv.FormatInt(s.serverID, 10) }

// addBackups puts completed manual backups of server made at times on the
// fake and returns their ids, in the same order.
func (s script) addBackups(t *testing.T, server int64, times ...time.Time) []int64 {
	t.Helper()
	ids := make([]int64, len(times))
	for i, at := range times {
		id, err := s.srv.AddBackup(vpsorg.Backup{Server: vpsorg.ServerRef{ID: server}, CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// backupIDs lists the ids of a server's backups on the fake, sorted.
func (s script) backupIDs(t *testing.T, server int64) []int64 {
	t.Helper()
	bs, _, err := s.srv.Client().Backups.List(t.Context(), &vpsorg.BackupListOptions{ServerID: server, ListOptions: vpsorg.ListOptions{PageSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	slices.Sort(ids)
	return ids
}

// deletes counts the DELETEs the fake received.
func (s script) deletes() int {
	n := 0
	for _, r := range s.srv.Requests() {
		if r.Method == http.MethodDelete {
			n++
		}
	}
	return n
}

// candidate is one element of prune -o json.
type candidate struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Keep      bool      `json:"keep"`
	Reasons   []string  `json:"reasons"`
}

func decodeCandidates(t *testing.T, stdout string) []candidate {
	t.Helper()
	var cs []candidate
	if err := json.Unmarshal([]byte(stdout), &cs); err != nil {
		t.Fatalf("prune -o json: %v\n%s", err, stdout)
	}
	return cs
}

// resticGolden is testdata/retention's record of what restic keeps.
type resticGolden struct {
	Times []time.Time `json:"times"`
	Keep  []struct {
		Time    time.Time `json:"time"`
		Reasons []string  `json:"reasons"` // "daily snapshot", "oldest daily snapshot"
	} `json:"keep"`
}

// A year of nightly backups pruned with restic's favourite policy keeps
// exactly what restic 0.18.1 kept of the same times, for the same reasons.
func testPruneYearAsRestic(t *testing.T, bin string) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "retention", "restic_year_daily.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden resticGolden
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	s := newScript(t, bin)
	s.addBackups(t, s.serverID, golden.Times...)

	r := s.run(t, "backups", "prune", "--server", s.server(), "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "12", "--yes", "-o", "json").expect(t, exitOK)
	want := map[time.Time][]string{}
	for _, k := range golden.Keep {
		var words []string
		for _, reason := range k.Reasons {
			word := strings.TrimSuffix(strings.TrimPrefix(reason, "oldest "), " snapshot")
			if !slices.Contains(words, word) {
				words = append(words, word)
			}
		}
		want[k.Time.UTC()] = words
	}
	got := map[time.Time][]string{}
	var kept []int64
	for _, c := range decodeCandidates(t, r.stdout) {
		if c.Keep {
			got[c.CreatedAt.UTC()] = c.Reasons
			kept = append(kept, c.ID)
		}
	}
	if len(got) != len(want) {
		t.Errorf("kept %d, restic kept %d", len(got), len(want))
	}
	for at, words := range want {
		if !slices.Equal(got[at], words) {
			t.Errorf("%s: kept for %v, restic kept it for %v", at.Format(time.DateOnly), got[at], words)
		}
	}
	slices.Sort(kept)
	if left := s.backupIDs(t, s.serverID); !slices.Equal(left, kept) {
		t.Errorf("the fake has %d backups left, want the %d kept", len(left), len(kept))
	}
	if n := s.deletes(); n != len(golden.Times)-len(want) {
		t.Errorf("%d DELETEs, want %d", n, len(golden.Times)-len(want))
	}
}

// -o json is every candidate, newest first, with the API's fields plus
// "keep" and "reasons" ([] for one that goes); the table has KEEP and
// REASONS columns; -q the ids deleted.
func testPruneOutput(t *testing.T, bin string) {
	s := newScript(t, bin)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 3, 0, 0, 0, time.UTC) }
	ids := s.addBackups(t, s.serverID, day(1), day(2), day(3), day(3).Add(time.Hour))
	args := []string{"backups", "prune", "--server", s.server(), "--keep-last", "1", "--keep-daily", "2", "--dry-run"}

	r := s.run(t, append(args, "-o", "json")...).expect(t, exitOK)
	var objs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &objs); err != nil || len(objs) != 4 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	for _, field := range []string{"id", "server", "backup_type", "status", "size_mb", "created_at", "expires_at", "description", "keep", "reasons"} {
		if _, ok := objs[0][field]; !ok {
			t.Errorf("no %q in %v", field, objs[0])
		}
	}
	want := []candidate{
		{ID: ids[3], Keep: true, Reasons: []string{"last", "daily"}},
		{ID: ids[2], Keep: false, Reasons: []string{}},
		{ID: ids[1], Keep: true, Reasons: []string{"daily"}},
		{ID: ids[0], Keep: false, Reasons: []string{}},
	}
	for i, c := range decodeCandidates(t, r.stdout) {
		if c.ID != want[i].ID || c.Keep != want[i].Keep || !slices.Equal(c.Reasons, want[i].Reasons) || c.Reasons == nil {
			t.Errorf("candidate %d: %+v, want %+v", i, c, want[i])
		}
	}

	r = s.run(t, args...).expect(t, exitOK)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 || !strings.HasSuffix(strings.Join(strings.Fields(lines[0]), " "), "CREATED EXPIRES KEEP REASONS") ||
		!strings.HasSuffix(lines[1], "yes   last,daily") || !strings.HasSuffix(lines[2], "no    -") {
		t.Errorf("table:\n%s", r.stdout)
	}

	// --columns picks fields, keep and reasons among them, as on every
	// command that prints objects; --no-header drops the header line.
	r = s.run(t, append(args, "--columns", "id,keep,reasons", "--no-header")...).expect(t, exitOK)
	if want := formatID(ids[3]) + "  yes  last,daily\n"; !strings.HasPrefix(r.stdout, want) || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("--columns id,keep,reasons --no-header:\n%s", r.stdout)
	}
	r = s.run(t, append(args, "--columns", "id,reasons", "-o", "yaml")...).expect(t, exitOK)
	if want := "- id: " + formatID(ids[3]) + "\n  reasons:\n    - last\n    - daily\n"; !strings.HasPrefix(r.stdout, want) {
		t.Errorf("--columns id,reasons -o yaml:\n%s", r.stdout)
	}

	r = s.run(t, "backups", "prune", "--server", s.server(), "--keep-last", "1", "--keep-daily", "2", "--yes", "-q").expect(t, exitOK)
	if want := formatID(ids[2]) + "\n" + formatID(ids[0]) + "\n"; r.stdout != want {
		t.Errorf("-q printed %q, want the deleted %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "deleted 2 of 4 completed manual backups of db-01 ("+s.server()+"), keeping the 1 newest, 2 daily") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// --dry-run lists, decides and prints, and sends no DELETE; -q prints what
// would go.
func testPruneDryRun(t *testing.T, bin string) {
	s := newScript(t, bin)
	base := time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)
	ids := s.addBackups(t, s.serverID, base, base.Add(24*time.Hour), base.Add(48*time.Hour))
	r := s.run(t, "backups", "prune", "--server", s.server(), "--keep-last", "1", "--dry-run", "-q").expect(t, exitOK)
	if want := formatID(ids[1]) + "\n" + formatID(ids[0]) + "\n"; r.stdout != want {
		t.Errorf("-q printed %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "dry run: would delete 2 of 3 completed manual backups of db-01 ("+s.server()+"), keeping the 1 newest; nothing was deleted") {
		t.Errorf("stderr %q", r.stderr)
	}
	if n := s.deletes(); n != 0 {
		t.Errorf("a dry run sent %d DELETEs", n)
	}
	if left := s.backupIDs(t, s.serverID); len(left) != 3 {
		t.Errorf("left %v", left)
	}
}

// --keep N, as scripts wrote it before the other rules, still keeps the N
// newest, and still needs --yes without a terminal.
func testPruneKeepN(t *testing.T, bin string) {
	s := newScript(t, bin)
	base := time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)
	ids := s.addBackups(t, s.serverID, base, base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour))
	r := s.run(t, "backups", "prune", "--server", s.server(), "--keep", "2").expect(t, exitUsage)
	if !strings.Contains(r.stderr, "no terminal to ask on, and no --yes") || len(s.srv.Requests()) != 0 {
		t.Errorf("without --yes: %q, %d requests", r.stderr, len(s.srv.Requests()))
	}
	r = s.run(t, "backups", "prune", "--server", s.server(), "--keep", "2", "--yes", "-q").expect(t, exitOK)
	if want := formatID(ids[1]) + "\n" + formatID(ids[0]) + "\n"; r.stdout != want {
		t.Errorf("deleted %q, want %q", r.stdout, want)
	}
	if left := s.backupIDs(t, s.serverID); !slices.Equal(left, ids[2:]) {
		t.Errorf("left %v, want %v", left, ids[2:])
	}
}

// 22:30 and 23:30 UTC on 10 January are one day in UTC but two in Berlin
// (23:30 on the 10th, 00:30 on the 11th): --keep-daily 2 keeps a different
// pair.
func testPruneTimeZone(t *testing.T, bin string) {
	s := newScript(t, bin)
	ids := s.addBackups(t, s.serverID,
		time.Date(2024, 1, 9, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 10, 22, 30, 0, 0, time.UTC),
		time.Date(2024, 1, 10, 23, 30, 0, 0, time.UTC))
	for _, tc := range []struct {
		tz      []string
		dropped int64
	}{
		{nil, ids[1]},                               // UTC: the 10th's earlier one goes
		{[]string{"--tz", "UTC"}, ids[1]},           // the same, said
		{[]string{"--tz", "Europe/Berlin"}, ids[0]}, // Berlin: the 10th and the 11th are kept, the 9th goes
	} {
		args := append([]string{"backups", "prune", "--server", s.server(), "--keep-daily", "2", "--dry-run", "-q"}, tc.tz...)
		if r := s.run(t, args...).expect(t, exitOK); r.stdout != formatID(tc.dropped)+"\n" {
			t.Errorf("%v: would delete %q, want %d", tc.tz, r.stdout, tc.dropped)
		}
	}
}

// snapshots prune is the same command over completed snapshots.
func testPruneSnapshots(t *testing.T, bin string) {
	s := newScript(t, bin)
	var ids []int64
	for i := range 4 {
		id, err := s.srv.AddSnapshot(vpsorg.Snapshot{
			Server: vpsorg.ServerRef{ID: s.serverID}, Name: "snap-" + strconv.Itoa(i),
			CreatedAt: time.Date(2025, 3, 1+i, 3, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	r := s.run(t, "snapshots", "prune", "--server", s.server(), "--keep-last", "2", "--yes", "-o", "json").expect(t, exitOK)
	cs := decodeCandidates(t, r.stdout)
	if len(cs) != 4 || !strings.Contains(r.stdout, `"name": "snap-3"`) {
		t.Fatalf("candidates %+v\n%s", cs, r.stdout)
	}
	for i, c := range cs { // newest first: the last two made are kept
		if c.ID != ids[3-i] || c.Keep != (i < 2) {
			t.Errorf("candidate %d: %+v, want id %d kept %v", i, c, ids[3-i], i < 2)
		}
	}
	left, _, err := s.srv.Client().Snapshots.List(t.Context(), nil)
	if err != nil || len(left) != 2 {
		t.Errorf("left %d snapshots, %v", len(left), err)
	}
}

// A policy that can keep more than the API lets a server have is warned
// about, naming the flags to change; one within the limit is not.
func testPruneWarning(t *testing.T, bin string) {
	s := newScript(t, bin)
	for _, tc := range []struct {
		args []string
		want string // "" for no warning
	}{
		{[]string{"backups", "prune", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "12"},
			"vpsorg: warning: this policy can keep up to 23 manual backups a server, but the API allows 10: lower --keep-daily, --keep-weekly or --keep-monthly so that the counts add up to 10 or less\n"},
		{[]string{"snapshots", "prune", "--keep-last", "3", "--keep-within", "7d"},
			"vpsorg: warning: this policy can keep any number of snapshots a server, but the API allows 5: drop --keep-within\n"},
		{[]string{"snapshots", "prune", "--keep", "2", "--keep-yearly", "-1"},
			"vpsorg: warning: this policy can keep any number of snapshots a server, but the API allows 5: give --keep-yearly a count instead of -1\n"},
		{[]string{"backups", "prune", "--keep-last", "3", "--keep-daily", "7"}, ""},
		{[]string{"snapshots", "prune", "--keep-weekly", "5"}, ""},
	} {
		r := s.run(t, append(tc.args, "--server", s.server(), "--dry-run")...).expect(t, exitOK)
		warning, _, _ := strings.Cut(r.stderr, "nothing to prune")
		if warning != tc.want {
			t.Errorf("%v: stderr %q, want the warning %q", tc.args, r.stderr, tc.want)
		}
	}
}

// Every mistake on the command line is exit 2, one line on stderr, and no
// request at all.
func testRetentionBadInput(t *testing.T, bin string) {
	s := newScript(t, bin)
	prune := []string{"backups", "prune", "--server", s.server(), "--yes"}
	rotate := []string{"backups", "rotate", "--server", s.server(), "--yes"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{prune, "no keep rule: nothing says what to keep"},
		{append(prune, "--keep-last", "0"), "no keep rule"},
		{append(prune, "--keep-daily", "-2"), "--keep-daily -2 is below -1"},
		{append(prune, "--keep", "-3"), "--keep -3 is below -1"},
		{append(prune, "--keep", "1", "--keep-last", "2"), "--keep and --keep-last both given"},
		{append(prune, "--keep-within", "7x"), `--keep-within "7x": not a duration`},
		{append(prune, "--keep-within", "1.5d"), `--keep-within "1.5d": not a duration`},
		{append(prune, "--keep-within", "-36h"), `--keep-within "-36h": -36h is negative`},
		{append(prune, "--keep-within", "999999999999d"), "too long"},
		{append(prune, "--keep-last", "1", "--tz", "Mars/Olympus_Mons"), `--tz "Mars/Olympus_Mons" is not a time zone`},
		{append(prune, "--keep-last", "x"), `--keep-last "x" is not a whole number`},
		{[]string{"snapshots", "prune", "--server", "0", "--keep-last", "1", "--yes"}, "--server 0 is not a server id"},
		{[]string{"snapshots", "prune", "--keep-last", "1", "--yes"}, `required flag(s) "server" not set`},
		{[]string{"backups", "prune", "--server", s.server(), "--keep-last", "1"}, "no terminal to ask on, and no --yes"},
		{rotate, "no keep rule"},
		{append(rotate, "--keep-daily", "-2"), "--keep-daily -2 is below -1"},
		{append(rotate, "--keep-last", "3", "--tz", "Nowhere"), `--tz "Nowhere" is not a time zone`},
		{append(rotate, "--keep-last", "3", "--all"), "--server and --all both given"},
		{[]string{"backups", "rotate", "--keep-last", "3", "--yes"}, "give --server ID (repeatable, or a comma list) or --all"},
		{append(rotate, "--keep-last", "3", "--server", "0"), "--server 0 is not a server id"},
		{append(rotate, "--keep-last", "3", "--timeout", "0s"), "--timeout 0s is not positive"},
		{append(rotate, "--keep-last", "3", "-o", "xml"), `unknown output format "xml"`},
		{[]string{"backups", "rotate", "--server", s.server(), "--keep-last", "3"}, "no terminal to ask on, and no --yes"},
	} {
		r := s.run(t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line with %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if n := len(s.srv.Requests()); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

// On a terminal, prune lists what it will delete and asks, and rotate
// asks before it backs anything up; "no" sends nothing that changes.
func TestRetentionPrompts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args   []string
		prompt string
	}{
		{[]string{"backups", "prune", "--server", "12345", "--keep-last", "1"},
			"Delete 1 manual backups of web-server-01 (12345), keeping the 1 newest? [y/N] "},
		{[]string{"snapshots", "prune", "--server", "12345", "--keep-daily", "1", "--tz", "Europe/Berlin"},
			"Delete 1 snapshots of web-server-01 (12345), keeping 1 daily (periods in Europe/Berlin)? [y/N] "},
		{[]string{"backups", "rotate", "--server", "12345,12345", "--keep-weekly", "2", "--keep-within", "7d"},
			"Back up server 12345, then delete the manual backups not kept (keeping 2 weekly, all within 7d)? [y/N] "},
	} {
		srv, inv := fake(t)
		if _, _, err := srv.Client().Backups.Create(t.Context(), &vpsorg.BackupCreateRequest{ServerID: 12345}); err != nil {
			t.Fatal(err) // a second completed manual backup, so that 499 goes
		}
		inv.tty = true // and no answer: declined
		before := len(srv.Requests())
		r := inv.run(t, tc.args...).expect(t, exitOther)
		if !strings.Contains(r.stderr, tc.prompt) || !strings.Contains(r.stderr, "not confirmed; nothing was done") {
			t.Errorf("%v: stderr %q\nwant %q", tc.args, r.stderr, tc.prompt)
		}
		for _, req := range srv.Requests()[before:] {
			if req.Method != http.MethodGet {
				t.Errorf("%v: declined, but sent %s %s", tc.args, req.Method, req.Path)
			}
		}
	}
	// "y" deletes what the table showed.
	srv, inv := fake(t)
	if _, _, err := srv.Client().Backups.Create(t.Context(), &vpsorg.BackupCreateRequest{ServerID: 12345}); err != nil {
		t.Fatal(err)
	}
	inv.tty, inv.stdin = true, "y\n"
	r := inv.run(t, "backups", "prune", "--server", "12345", "--keep-last", "1", "-q").expect(t, exitOK)
	if r.stdout != "499\n" || countRequests(srv, http.MethodDelete, "/api/v1/backups/499/") != 1 || !strings.Contains(r.stderr, "499  web-server-01 (12345)  manual") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}
