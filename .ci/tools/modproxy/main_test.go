package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
)

// The hashes are the go command's: for a module it downloaded, made again
// from the extracted files, they are the ones in its go.sum.
func TestSumLinesAreTheGoCommands(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "mod", "download", "-json", "golang.org/x/mod@v0.43.0").Output()
	if err != nil {
		t.Fatalf("go mod download: %v", err)
	}
	var dl struct {
		Dir      string `json:"Dir"`
		Sum      string `json:"Sum"`
		GoModSum string `json:"GoModSum"`
	}
	if err := json.Unmarshal(out, &dl); err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	v := version{proxy: proxy, mod: module.Version{Path: "golang.org/x/mod", Version: "v0.43.0"}, dir: dl.Dir}
	lines, err := v.add()
	if err != nil {
		t.Fatal(err)
	}
	want := "golang.org/x/mod v0.43.0 " + dl.Sum + "\ngolang.org/x/mod v0.43.0/go.mod " + dl.GoModSum + "\n"
	if lines != want {
		t.Errorf("got\n%swant\n%s", lines, want)
	}
	for _, f := range []string{"v0.43.0.zip", "v0.43.0.mod", "v0.43.0.info", "list"} {
		if _, err := os.Stat(filepath.Join(proxy, "golang.org", "x", "mod", "@v", f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := (version{proxy: proxy, mod: v.mod, dir: dl.Dir}).add(); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(filepath.Join(proxy, "golang.org", "x", "mod", "@v", "list"))
	if !bytes.Equal(list, []byte("v0.43.0\n")) {
		t.Errorf("list after adding twice: %q", list)
	}
}

// Upper-case letters in a module path are escaped in the proxy's paths.
func TestEscapedPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/BurntSushi/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	lines, err := version{proxy: proxy, mod: module.Version{Path: "github.com/BurntSushi/x", Version: "v1.0.0"}, dir: dir}.add()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lines, "github.com/BurntSushi/x v1.0.0 h1:") {
		t.Errorf("lines %q", lines)
	}
	if _, err := os.Stat(filepath.Join(proxy, "github.com", "!burnt!sushi", "x", "@v", "v1.0.0.zip")); err != nil {
		t.Error(err)
	}
}
