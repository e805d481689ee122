// Command zipdir writes a zip archive of a directory, for the Windows
// release archives: Go's archive/zip, so a release needs no zip program.
//
//	go run ./zipdir -o dist/vpsorg_0.2.0_windows_amd64.zip -C stage vpsorg_0.2.0_windows_amd64
//
// Entries are in lexical order and dated -time (Unix seconds: the release
// commit's time), so the same files give the same archive.
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("o", "", "the zip file to write")
	dir := flag.String("C", ".", "the directory the names are relative to")
	unix := flag.Int64("time", 0, "the entries' modification time, in Unix seconds")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: zipdir -o OUT.zip [-C DIR] [-time SECONDS] NAME")
		os.Exit(2)
	}
	if err := write(*out, os.DirFS(*dir), flag.Arg(0), time.Unix(*unix, 0).UTC()); err != nil {
		fmt.Fprintln(os.Stderr, "zipdir:", err)
		os.Exit(1)
	}
}

// write zips the tree at name in fsys into the file out.
func write(out string, fsys fs.FS, name string, mtime time.Time) error {
	f, err := os.Create(out) //nolint:gosec // G304: the path is the release script's
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = fs.WalkDir(fsys, name, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return add(zw, fsys, path, d, mtime)
	})
	return errors.Join(err, zw.Close(), f.Close())
}

// add writes one file, with its mode (executable or not), into zw.
func add(zw *zip.Writer, fsys fs.FS, path string, d fs.DirEntry, mtime time.Time) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	hdr, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	hdr.Name, hdr.Method, hdr.Modified = filepath.ToSlash(path), zip.Deflate, mtime
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	src, err := fsys.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(w, src)
	return err
}
