package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"pkg/vpsorg.exe": {Data: []byte("MZ"), Mode: 0o755},
		"pkg/LICENSE":    {Data: []byte("MIT"), Mode: 0o644},
		"other/x":        {Data: []byte("no")},
	}
	mtime := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	out := filepath.Join(t.TempDir(), "a.zip")
	if err := write(out, fsys, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(mtime) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
	}
	if len(names) != 2 || names[0] != "pkg/LICENSE" || names[1] != "pkg/vpsorg.exe" || zr.File[1].Mode().Perm() != 0o755 {
		t.Errorf("entries %v, modes %v %v", names, zr.File[0].Mode(), zr.File[1].Mode())
	}
	again := filepath.Join(t.TempDir(), "b.zip")
	if err := write(again, fsys, "pkg", mtime); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if string(a) != string(b) {
		t.Error("the same files gave two different archives")
	}
}
