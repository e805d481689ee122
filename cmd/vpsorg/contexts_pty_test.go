//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// On a terminal, "context create" asks for the token and does not echo
// what is typed.
func testContextPrompt(t *testing.T, bin string) {
	const tok = "tok-typed-6666-secret"
	xdg := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := exec.CommandContext(ctx, bin, "context", "create", "typed")
	cmd.Env = []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + xdg}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	screen := readUntil(t, ptmx, `API token for context "typed" (not shown): `)
	waitEchoOff(ctx, t, tty)
	if _, err := io.WriteString(ptmx, tok+"\n"); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	tty.Close() // the last one open: reads of ptmx end once drained
	rest, _ := io.ReadAll(ptmx)
	screen += string(rest)
	if err != nil {
		t.Fatalf("vpsorg: %v\n%q", err, screen)
	}
	if strings.Contains(screen, tok) || !strings.Contains(screen, `Context "typed" created in `) {
		t.Errorf("the terminal showed:\n%q", screen)
	}
	data, err := os.ReadFile(filepath.Join(xdg, "vpsorg", "config.toml"))
	if err != nil || !bytes.Contains(data, []byte(`token = "`+tok+`"`)) {
		t.Errorf("config file: %v\n%s", err, data)
	}
}

// readUntil reads the terminal until it has shown want.
func readUntil(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	var seen []byte
	buf := make([]byte, 256)
	for !bytes.Contains(seen, []byte(want)) {
		n, err := r.Read(buf)
		seen = append(seen, buf[:n]...)
		if err != nil {
			t.Fatalf("%v before %q; the terminal showed %q", err, want, seen)
		}
	}
	return string(seen)
}

// waitEchoOff waits until vpsorg has turned the terminal's echo off: text
// typed before that would be echoed by the terminal, not by vpsorg.
func waitEchoOff(ctx context.Context, t *testing.T, tty *os.File) {
	t.Helper()
	for {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			return
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatal("the terminal's echo stayed on")
		}
		runtime.Gosched()
	}
}
