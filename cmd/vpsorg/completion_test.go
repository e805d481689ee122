package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Tab offers the API's ids on delete, restore, get and wait, from one
// request, and nothing, quietly, without a token.
func testCompletionOfIDs(t *testing.T, bin string) {
	f := newBinFake(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backups", "get", ""}, "501\tweb-server-01 automatic completed 2025-01-16\n499\tweb-server-01 manual completed 2025-01-14\n495\tweb-server-01 automatic completed 2025-01-15\n:4\n"},
		{[]string{"backups", "delete", "501", ""}, "499\tweb-server-01 manual completed 2025-01-14\n495\tweb-server-01 automatic completed 2025-01-15\n:4\n"},
		{[]string{"backups", "wait", "495", ""}, "501\tweb-server-01 automatic completed 2025-01-16\n499\tweb-server-01 manual completed 2025-01-14\n:4\n"},
		{[]string{"snapshots", "restore", ""}, "801\tpre-migration-snapshot web-server-01 completed 2025-01-15\n798\tweekly-snapshot-2025-01-08 web-server-01 completed 2025-01-08\n:4\n"},
		{[]string{"snapshots", "restore", "801", ""}, ":4\n"},
		{[]string{"servers", "get", ""}, "12345\tweb-server-01 active us-east-1\n:4\n"},
		{[]string{"snapshots", "list", "--columns", "name,id,s"}, "name,id,server\nname,id,status\nname,id,size_mb\nname,id,created_at\nname,id,description\n:6\n"},
		{[]string{"servers", "restore", "12345", "--backup", ""}, "501\tweb-server-01 automatic completed 2025-01-16\n499\tweb-server-01 manual completed 2025-01-14\n495\tweb-server-01 automatic completed 2025-01-15\n:4\n"},
	} {
		args := append([]string{"__complete"}, tc.args...)
		before := len(f.srv.Requests())
		r := f.run(t, bin, args...).want(t, args, exitOK)
		if r.stdout != tc.want {
			t.Errorf("vpsorg %q:\n%q\nwant\n%q", args, r.stdout, tc.want)
		}
		if n := len(f.srv.Requests()) - before; n > 1 {
			t.Errorf("vpsorg %q: %d requests", args, n)
		}
	}
	// With the token of the active context and no VPSORG_API_TOKEN: the
	// same ids, as any command would use it.
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, "vpsorg"), 0o700); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("active_context = \"fake\"\n\n[[contexts]]\nname = \"fake\"\ntoken = %q\napi_url = %q\n", f.srv.Token, f.srv.URL+"/api/v1/")
	if err := os.WriteFile(filepath.Join(home, "vpsorg", "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"__complete", "servers", "get", ""}
	r := runBin(t, bin, []string{"XDG_CONFIG_HOME=" + home, "HOME=" + home}, args...).want(t, args, exitOK)
	if want := "12345\tweb-server-01 active us-east-1\n:4\n"; r.stdout != want {
		t.Errorf("through a context: %q, want %q; stderr %q", r.stdout, want, r.stderr)
	}

	// Without a token, or with a wrong one: no ids, no error, no request
	// without a token. cobra's own note on stderr is all there is.
	for _, env := range [][]string{
		{"VPSORG_API_URL=" + f.srv.URL + "/api/v1/", "HOME=/nonexistent"},
		apiEnv(f.srv.URL+"/api/v1/", "wrong-token"),
	} {
		before := len(f.srv.Requests())
		args := []string{"__complete", "backups", "delete", ""}
		r := runBin(t, bin, env, args...).want(t, args, exitOK)
		if r.stdout != ":4\n" || r.stderr != "Completion ended with directive: ShellCompDirectiveNoFileComp\n" {
			t.Errorf("env %v: stdout %q, stderr %q", env, r.stdout, r.stderr)
		}
		if n := len(f.srv.Requests()) - before; n > 1 || n == 1 && len(env) == 2 {
			t.Errorf("env %v: %d requests", env, n)
		}
	}
}
