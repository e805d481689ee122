package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestDailyUse runs the built vpsorg as a script does, against a fake on
// loopback: get, wait, -o yaml, --columns, --no-header, the exit codes
// scripts branch on, and the completion of ids.
func TestDailyUse(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds vpsorg")
	}
	bin := goBuild(t, ".", ".", "vpsorg")
	for name, test := range map[string]func(*testing.T, string){
		"get":                     testGet,
		"wait resumes":            testWaitResumes,
		"wait failed":             testWaitFailed,
		"wait servers":            testWaitServers,
		"yaml is json":            testYAMLIsJSON,
		"columns":                 testColumns,
		"outcome unknown":         testOutcomeUnknown,
		"not found":               testNotFoundEverywhere,
		"bad numbers":             testBadNumbers,
		"completion":              testCompletionOfIDs,
		"wait on a terminal":      testWaitOnATerminal,
		"restore missing backup":  testRestoreMissingBackup,
		"columns without objects": testColumnsOnRestore,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, bin)
		})
	}
}

// binFake is a vpsorgtest server and the environment of a vpsorg process
// pointed at it.
type binFake struct {
	srv *vpsorgtest.Server
	env []string
}

func newBinFake(t *testing.T, opts ...vpsorgtest.Option) binFake {
	t.Helper()
	srv := vpsorgtest.NewServer(append([]vpsorgtest.Option{vpsorgtest.WithCompletionDelay(0), vpsorgtest.WithRestoreDuration(0)}, opts...)...)
	t.Cleanup(srv.Close)
	env := apiEnv(srv.URL+"/api/v1/", srv.Token)
	return binFake{srv: srv, env: append(env, "VPSORG_POLL_INTERVAL=5ms")} // the last one wins
}

// run runs the binary to its end, without a terminal and with no input.
func (f binFake) run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	return runBin(t, bin, f.env, args...)
}

// runBin runs the binary to its end, without a terminal and with no input.
func runBin(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	code := exitOf(t, cmd.Run())
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func (r result) want(t *testing.T, args []string, code int, stderr ...string) result {
	t.Helper()
	if r.code != code {
		t.Errorf("vpsorg %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("vpsorg %v: stderr %q lacks %q", args, r.stderr, s)
		}
	}
	return r
}

func testGet(t *testing.T, bin string) {
	f := newBinFake(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string // a regexp
		stderr string
	}{
		{[]string{"backups", "get", "499"}, exitOK, `(?m)^ID +SERVER .*\n499 +web-server-01 \(12345\) +manual +completed`, ""},
		{[]string{"snapshots", "get", "798", "-q"}, exitOK, `^798\n$`, ""},
		{[]string{"servers", "get", "12345", "-o", "json"}, exitOK, `(?s)^\{\n  "id": 12345,\n  "name": "web-server-01",.*\}\n$`, ""},
		{[]string{"backups", "get", "777"}, exitNotFound, `^$`, "vpsorg: backup 777 not found; check the id: vpsorg backups list\n"},
		{[]string{"snapshots", "get", "777"}, exitNotFound, `^$`, "vpsorg: snapshot 777 not found; check the id: vpsorg snapshots list\n"},
		{[]string{"servers", "get", "999"}, exitNotFound, `^$`, "vpsorg: server 999 not found; check the id: vpsorg servers list\n"},
	} {
		r := f.run(t, bin, tc.args...).want(t, tc.args, tc.code, tc.stderr)
		if !regexp.MustCompile(tc.stdout).MatchString(r.stdout) {
			t.Errorf("vpsorg %v: stdout %q, want /%s/", tc.args, r.stdout, tc.stdout)
		}
	}
	// Each get cost one request, of the largest page, though not found.
	for _, req := range f.srv.Requests() {
		if req.Method != http.MethodGet || !strings.Contains(req.RawQuery, "page_size=100") {
			t.Errorf("%s %s?%s", req.Method, req.Path, req.RawQuery)
		}
	}
	if n := len(f.srv.Requests()); n != 6 {
		t.Errorf("%d requests for 6 gets", n)
	}
}

// A --wait that ran out of time says how to wait again, and that works.
func testWaitResumes(t *testing.T, bin string) {
	clock := vpsorgtest.NewClock(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	f := newBinFake(t, vpsorgtest.WithClock(clock.Now), vpsorgtest.WithCompletionDelay(time.Hour))
	args := []string{"backups", "create", "--server", "12345", "--wait", "--timeout", "200ms"}
	f.run(t, bin, args...).want(t, args, exitTimeout,
		"timed out after 200ms waiting for backup 502 (last seen in_progress); it goes on on the server; wait again with: vpsorg backups wait 502\n")

	args = []string{"backups", "wait", "502", "--timeout", "100ms"}
	r := f.run(t, bin, args...).want(t, args, exitTimeout, "wait again with: vpsorg backups wait 502\n")
	if !strings.Contains(r.stdout, "in_progress") {
		t.Errorf("a wait that timed out prints the backup as last seen: %q", r.stdout)
	}

	clock.AutoAdvance(10 * time.Minute) // each request moves the fake on: done within a few polls
	args = []string{"backups", "wait", "502", "-o", "json"}
	r = f.run(t, bin, args...).want(t, args, exitOK, "backup 502: in_progress\n", "backup 502: completed after ")
	var b vpsorg.Backup
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil || b.ID != 502 || b.Status != vpsorg.StatusCompleted {
		t.Errorf("%v: %+v\n%s", err, b, r.stdout)
	}
	// Several at once: a list, whatever is already done is not waited for.
	clock.AutoAdvance(0)
	args = []string{"backups", "wait", "502", "499", "-q"}
	if r := f.run(t, bin, args...).want(t, args, exitOK); r.stdout != "502\n499\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	args = []string{"backups", "wait", "502", "777"}
	f.run(t, bin, args...).want(t, args, exitNotFound, "backup 777 not found")
}

func testWaitFailed(t *testing.T, bin string) {
	f := newBinFake(t, vpsorgtest.WithCompletionDelay(time.Hour))
	for _, args := range [][]string{{"backups", "create", "--server", "12345"}, {"backups", "create", "--server", "12345"}, {"snapshots", "create", "--server", "12345", "--name", "s"}} {
		f.run(t, bin, args...).want(t, args, exitOK)
	}
	if err := f.srv.SetBackupStatus(503, vpsorg.StatusFailed); err != nil {
		t.Fatal(err)
	}
	args := []string{"backups", "wait", "503"}
	r := f.run(t, bin, args...).want(t, args, exitFailed, "vpsorg: backup 503 failed (status failed); see vpsorg backups get 503\n")
	if !regexp.MustCompile(`(?m)^503 .* failed `).MatchString(r.stdout) {
		t.Errorf("stdout %q", r.stdout)
	}
	// One of two failed, the other still runs: the timeout decides.
	args = []string{"backups", "wait", "502", "503", "--timeout", "100ms"}
	f.run(t, bin, args...).want(t, args, exitTimeout, "waiting for backups 502, 503 (last seen 502 in_progress, 503 failed)")

	if err := f.srv.SetSnapshotStatus(802, vpsorg.StatusFailed); err != nil {
		t.Fatal(err)
	}
	args = []string{"snapshots", "wait", "802", "801"}
	f.run(t, bin, args...).want(t, args, exitFailed, "vpsorg: snapshot 802 failed (status failed); see vpsorg snapshots list\n")
}

func testWaitServers(t *testing.T, bin string) {
	clock := vpsorgtest.NewClock(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	f := newBinFake(t, vpsorgtest.WithClock(clock.Now), vpsorgtest.WithRestoreDuration(time.Hour))
	args := []string{"servers", "restore", "12345", "--backup", "499", "--yes", "--wait", "--timeout", "100ms"}
	f.run(t, bin, args...).want(t, args, exitTimeout, "wait again with: vpsorg servers wait 12345\n")
	args = []string{"servers", "get", "12345", "--columns", "status", "--no-header"}
	if r := f.run(t, bin, args...).want(t, args, exitOK); r.stdout != "restoring\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	clock.Advance(time.Hour)
	args = []string{"servers", "wait", "12345", "--columns", "id,status", "-o", "json"}
	if r := f.run(t, bin, args...).want(t, args, exitOK, "server 12345: active\n"); r.stdout != "{\n  \"id\": 12345,\n  \"status\": \"active\"\n}\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	args = []string{"servers", "wait", "999"}
	f.run(t, bin, args...).want(t, args, exitNotFound, "server 999 not found")
}

// -o yaml holds what -o json holds: the API's fields, names and values.
func testYAMLIsJSON(t *testing.T, bin string) {
	f := newBinFake(t)
	for _, args := range [][]string{
		{"backups", "list"},
		{"snapshots", "list"},
		{"servers", "list"},
		{"backups", "get", "499"},
		{"servers", "get", "12345"},
		{"backups", "list", "--columns", "description,id,expires_at"},
		{"backups", "list", "--server", "12345", "--type", "automatic", "--columns", "id"},
	} {
		j := f.run(t, bin, append(args, "-o", "json")...).want(t, args, exitOK)
		y := f.run(t, bin, append(args, "-o", "yaml")...).want(t, args, exitOK)
		var fromJSON, fromYAML any
		if err := json.Unmarshal([]byte(j.stdout), &fromJSON); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := yaml.Unmarshal([]byte(y.stdout), &fromYAML); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, y.stdout)
		}
		if again := viaJSON(t, fromYAML); !reflect.DeepEqual(fromJSON, again) {
			t.Errorf("%v:\njson %v\nyaml %v\n%s", args, fromJSON, again, y.stdout)
		}
	}
}

// viaJSON passes v through JSON, so YAML's ints compare with JSON's numbers.
func viaJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func testColumns(t *testing.T, bin string) {
	f := newBinFake(t)
	for _, tc := range []struct {
		args   []string
		stdout string
	}{
		{[]string{"backups", "list", "--type", "manual", "--columns", "description,id,backup_type"}, "DESCRIPTION        ID   TYPE\nPre-update backup  499  manual\n"},
		{[]string{"backups", "list", "--type", "manual", "--columns", "id", "--columns", "size_mb", "--no-header"}, "499  4.4 GiB\n"},
		{[]string{"backups", "list", "--type", "manual", "--no-header"}, "499  web-server-01 (12345)  manual  completed  4.4 GiB  2025-01-14T10:30:00Z  -\n"},
		{[]string{"snapshots", "list", "--columns", "name", "--no-header"}, "pre-migration-snapshot\nweekly-snapshot-2025-01-08\n"},
		{[]string{"backups", "get", "499", "-o", "json", "--columns", "status,id,server"}, "{\n  \"status\": \"completed\",\n  \"id\": 499,\n  \"server\": {\n    \"id\": 12345,\n    \"name\": \"web-server-01\"\n  }\n}\n"},
		{[]string{"backups", "list", "--type", "manual", "-o", "yaml", "--columns", "expires_at,id"}, "- expires_at: null\n  id: 499\n"},
		{[]string{"servers", "list", "-o", "yaml", "--columns", "os,hostname"}, "- os:\n    id: 12\n    name: Ubuntu 22.04 LTS\n  hostname: web-server-01.example.com\n"},
		{[]string{"backups", "list", "--server", "12345", "--type", "manual", "-o", "json", "--columns", "id", "-q"}, "499\n"},
	} {
		if r := f.run(t, bin, tc.args...).want(t, tc.args, exitOK); r.stdout != tc.stdout {
			t.Errorf("vpsorg %v:\n%s\nwant:\n%s", tc.args, r.stdout, tc.stdout)
		}
	}
	before := len(f.srv.Requests())
	for _, args := range [][]string{
		{"backups", "list", "--columns", "id,size"},
		{"servers", "get", "12345", "--columns", "backup_type"},
		{"backups", "create", "--server", "12345", "--columns", "nope"},
	} {
		r := f.run(t, bin, args...).want(t, args, exitUsage, "unknown column ")
		if !strings.Contains(r.stderr, "use the API's field names: id,") || r.stdout != "" {
			t.Errorf("vpsorg %v: %q", args, r.stderr)
		}
	}
	r := f.run(t, bin, "servers", "list", "--help")
	if !strings.Contains(r.stdout, "id,name,hostname,status,ip_address,location,plan,os,created_at,updated_at") {
		t.Errorf("servers list --help does not list the columns:\n%s", r.stdout)
	}
	if n := len(f.srv.Requests()) - before; n != 0 {
		t.Errorf("refused columns sent %d requests", n)
	}
}

// Exit 7: the answer to a create or restore was lost, and the SDK could
// not find what it made, since the look-up broke too. The message names
// the command that shows whether it acted.
func testOutcomeUnknown(t *testing.T, bin string) {
	for _, tc := range []struct {
		args        []string
		post, look  string
		want, acted string // acted: the command that shows it did
		shows       string // what acted prints when it did
	}{
		{
			args: []string{"backups", "create", "--server", "12345", "--description", "nightly 2025-02-01"},
			post: "/api/v1/backups/", look: "/api/v1/backups/",
			want:  `vpsorg: create a backup of server 12345: Service Unavailable. (HTTP 503, request req-000001); the outcome is unknown: the backup may have been made; before trying again, look for a manual backup with description "nightly 2025-02-01" in: vpsorg backups list --server 12345 --type manual` + "\n",
			acted: "backups list --server 12345 --type manual --columns description",
			shows: "nightly 2025-02-01",
		},
		{
			args: []string{"snapshots", "create", "--server", "12345", "--name", "pre-deploy", "--wait"},
			post: "/api/v1/snapshots/", look: "/api/v1/snapshots/",
			want:  `vpsorg: create snapshot "pre-deploy" of server 12345: Service Unavailable. (HTTP 503, request req-000001); the outcome is unknown: the snapshot may have been made; before trying again, look for snapshot "pre-deploy" in: vpsorg snapshots list --server 12345` + "\n",
			acted: "snapshots list --server 12345 --columns name",
			shows: "pre-deploy",
		},
		{
			args: []string{"servers", "restore", "12345", "--backup", "499", "--yes"},
			post: "/api/v1/servers/12345/restore/", look: "/api/v1/servers/",
			want:  `vpsorg: restore server 12345 from backup 499: Service Unavailable. (HTTP 503, request req-000001); the outcome is unknown: the restore may have started; before trying again, see whether server 12345 is "restoring": vpsorg servers get 12345` + "\n",
			acted: "servers get 12345 --columns status",
			shows: "restoring",
		},
		{
			args: []string{"snapshots", "restore", "801", "--yes"},
			post: "/api/v1/snapshots/801/restore/", look: "/api/v1/snapshots/",
			want:  `the restore may have started; before trying again, see whether the server of snapshot 801 is "restoring" in: vpsorg servers list --status restoring` + "\n",
			acted: "servers list --status restoring --columns id",
			shows: "12345",
		},
	} {
		f := newBinFake(t, vpsorgtest.WithRestoreDuration(time.Hour))
		f.srv.AddFault(vpsorgtest.Rule{Method: http.MethodPost, Path: tc.post, Fault: vpsorgtest.Fault{Status: http.StatusServiceUnavailable, AfterAction: true}})
		f.srv.AddFault(vpsorgtest.Rule{Method: http.MethodGet, Path: tc.look, Fault: vpsorgtest.Fault{Status: http.StatusBadRequest}})
		r := f.run(t, bin, tc.args...).want(t, tc.args, exitOutcomeUnknown, tc.want)
		if r.stdout != "" {
			t.Errorf("stdout %q", r.stdout)
		}
		f.srv.ClearFaults()
		// The request did act, and the named command shows it.
		look := f.run(t, bin, strings.Fields(tc.acted)...).want(t, strings.Fields(tc.acted), exitOK)
		if !strings.Contains(look.stdout, tc.shows) {
			t.Errorf("vpsorg %s shows nothing made:\n%s", tc.acted, look.stdout)
		}
	}
}

// Not found is exit 3 on every command, whichever request finds it.
func testNotFoundEverywhere(t *testing.T, bin string) {
	f := newBinFake(t)
	empty := f.srv.AddServer("empty-server")
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"backups", "list", "--server", "999"}, exitNotFound, "vpsorg: list backups: server 999 not found; check --server: vpsorg servers list\n"},
		{[]string{"snapshots", "list", "--server", "999", "-o", "json"}, exitNotFound, "vpsorg: list snapshots: server 999 not found"},
		{[]string{"backups", "list", "--server", formatID(empty), "-q"}, exitOK, ""},
		{[]string{"backups", "create", "--server", "999"}, exitNotFound, "Not found. (HTTP 404"},
		{[]string{"backups", "delete", "777", "--yes"}, exitNotFound, "vpsorg: delete backup 777: Not found."},
		{[]string{"snapshots", "restore", "777", "--yes"}, exitNotFound, "Not found. (HTTP 404"},
		{[]string{"servers", "restore", "999", "--backup", "499", "--yes"}, exitNotFound, "Not found. (HTTP 404"},
		{[]string{"servers", "restore", "12345", "--backup", "777", "--yes"}, exitNotFound, "vpsorg: restore server 12345 from backup 777: backup 777 not found; check --backup: vpsorg backups list --server 12345\n"},
		{[]string{"backups", "wait", "777"}, exitNotFound, "vpsorg: backup 777 not found"},
	} {
		f.run(t, bin, tc.args...).want(t, tc.args, tc.code, tc.stderr)
	}
}

// A restore from a backup of another server is the API's 400, not a
// missing backup.
func testRestoreMissingBackup(t *testing.T, bin string) {
	f := newBinFake(t)
	other := f.srv.AddServer("db-server-01")
	args := []string{"backups", "create", "--server", formatID(other), "-q"}
	id := strings.TrimSpace(f.run(t, bin, args...).want(t, args, exitOK).stdout)
	args = []string{"servers", "restore", "12345", "--backup", id, "--yes"}
	f.run(t, bin, args...).want(t, args, exitOther, "Backup does not belong to this server.")
}

// --columns on a restore picks the fields of the server --wait prints.
func testColumnsOnRestore(t *testing.T, bin string) {
	f := newBinFake(t)
	args := []string{"snapshots", "restore", "801", "--yes", "--columns", "status"}
	f.run(t, bin, args...).want(t, args, exitUsage, "--columns picks a server's fields, which a restore prints only with --wait")
	args = []string{"snapshots", "restore", "801", "--yes", "--wait", "--columns", "status", "--no-header"}
	if r := f.run(t, bin, args...).want(t, args, exitOK); r.stdout != "active\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

// A number that is not one is exit 2 naming the flag, in words, not Go's.
func testBadNumbers(t *testing.T, bin string) {
	f := newBinFake(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backups", "list", "--server", "abc"}, `vpsorg: --server "abc" is not a whole number; see 'vpsorg backups list --help'` + "\n"},
		{[]string{"backups", "create", "--server", "12x"}, `--server "12x" is not a whole number`},
		{[]string{"servers", "restore", "12345", "--backup", "x", "--yes"}, `--backup "x" is not a whole number`},
		{[]string{"backups", "wait", "502", "--timeout", "soon"}, `--timeout "soon" is not a duration such as 90s, 30m or 2h`},
		{[]string{"backups", "get", "abc"}, `"abc" is not a backup id`},
		{[]string{"servers", "wait", "12345", "-1"}, `unknown shorthand flag: '1' in -1`},
		{[]string{"snapshots", "get", "0"}, `"0" is not a snapshot id`},
	} {
		r := f.run(t, bin, tc.args...).want(t, tc.args, exitUsage, tc.want)
		if strings.Contains(r.stderr, "strconv") || strings.Contains(r.stderr, "time:") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("vpsorg %v: %q", tc.args, r.stderr)
		}
	}
	// The same from the environment, named by its variable.
	args := []string{"backups", "list"}
	r := runBin(t, bin, append(f.env, "VPSORG_SERVER=abc"), args...).want(t, args, exitUsage, `VPSORG_SERVER="abc" is not a whole number`)
	if strings.Contains(r.stderr, "strconv") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("VPSORG_SERVER=abc: %q", r.stderr)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// On a terminal, wait redraws a line per object until each ends.
func testWaitOnATerminal(t *testing.T, bin string) {
	f := newBinFake(t, vpsorgtest.WithCompletionDelay(time.Second))
	for _, args := range [][]string{{"backups", "create", "--server", "12345"}, {"backups", "create", "--server", "12345"}} {
		f.run(t, bin, args...).want(t, args, exitOK)
	}
	out := onTerminal(t, bin, slices.Concat(f.env, []string{"VPSORG_POLL_INTERVAL=50ms"}), "backups", "wait", "502", "503", "499")
	for _, want := range []string{"backup 502", "in_progress", "✓ backup 502", "✓ backup 503", "✓ backup 499"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the terminal:\n%q", want, out)
		}
	}
	if !regexp.MustCompile(`503 +web-server-01 \(12345\) +manual +completed`).MatchString(out) {
		t.Errorf("no final table:\n%q", out)
	}
}
