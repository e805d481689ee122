// Command modproxy adds a module version, from a directory holding its
// files, to a file-based Go module proxy (GOPROXY=file://DIR), and prints
// its go.sum lines.
//
//	go run ./modproxy -proxy DIR -module PATH -version vX.Y.Z -dir SRC
//
// The zip is made with golang.org/x/mod/zip as the go command makes it
// from a tag, so from a "git archive" of the tagged commit its hash is the
// one proxy.golang.org and sum.golang.org will serve: scripts/pin-sdk.sh
// writes it into cmd/vpsorg/go.sum before the tag exists. It lives in a
// module of its own so that the SDK's go.mod never needs golang.org/x/mod.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

func main() {
	var v version
	flag.StringVar(&v.proxy, "proxy", "", "the proxy's directory")
	flag.StringVar(&v.mod.Path, "module", "", "the module path")
	flag.StringVar(&v.mod.Version, "version", "", "the version, such as v0.2.0")
	flag.StringVar(&v.dir, "dir", "", "the module's files, go.mod at the top")
	flag.Parse()
	lines, err := v.add()
	if err != nil {
		fmt.Fprintln(os.Stderr, "modproxy:", err)
		os.Exit(1)
	}
	fmt.Print(lines)
}

// version is one module version to add to a proxy.
type version struct {
	proxy string
	mod   module.Version
	dir   string
}

// add writes the version's .mod, .zip and .info files, adds it to the
// list, and returns its two go.sum lines.
func (v version) add() (string, error) {
	if v.proxy == "" || v.dir == "" {
		return "", errors.New("-proxy and -dir are required")
	}
	if err := module.Check(v.mod.Path, v.mod.Version); err != nil {
		return "", err
	}
	escPath, err := module.EscapePath(v.mod.Path)
	if err != nil {
		return "", err
	}
	base := filepath.Join(v.proxy, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(base, 0o750); err != nil {
		return "", err
	}
	file := filepath.Join(base, v.mod.Version)
	gomod, err := os.ReadFile(filepath.Join(v.dir, "go.mod"))
	if err != nil {
		return "", err
	}
	if err := v.writeFiles(file, gomod); err != nil {
		return "", err
	}
	if err := addToList(filepath.Join(base, "list"), v.mod.Version); err != nil {
		return "", err
	}
	return sumLines(v.mod, file+".zip", gomod)
}

// writeFiles writes VERSION.mod, VERSION.zip and VERSION.info, readable
// by the user only: the proxy is read by the same user's go command.
func (v version) writeFiles(file string, gomod []byte) error {
	if err := os.WriteFile(file+".mod", gomod, 0o600); err != nil { //nolint:gosec // G703: paths are the caller's proxy, by design
		return err
	}
	var zipped bytes.Buffer
	if err := zip.CreateFromDir(&zipped, v.mod, v.dir); err != nil {
		return fmt.Errorf("zip %s: %w", v.dir, err)
	}
	if err := os.WriteFile(file+".zip", zipped.Bytes(), 0o600); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string    `json:"Version"`
		Time    time.Time `json:"Time"`
	}{v.mod.Version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	return os.WriteFile(file+".info", info, 0o600)
}

// addToList adds version to the proxy's list of the module's versions.
func addToList(list, version string) error {
	data, err := os.ReadFile(list) //nolint:gosec // G304: a file of the proxy being built
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	versions := strings.Fields(string(data))
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	return os.WriteFile(list, []byte(strings.Join(versions, "\n")+"\n"), 0o600) //nolint:gosec // G703: paths are the caller's proxy, by design
}

// sumLines are the go.sum lines of m: the hash of its zip, and of its
// go.mod, each as the go command computes them.
func sumLines(m module.Version, zipFile string, gomod []byte) (string, error) {
	zipHash, err := dirhash.HashZip(zipFile, dirhash.Hash1)
	if err != nil {
		return "", err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gomod)), nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", m.Path, m.Version, zipHash, m.Path, m.Version, modHash), nil
}
