// Command vpsorg-fake serves the vpsorgtest fake of the VPS.org API as a
// program, for tests in any language, until SIGINT or SIGTERM:
//
//	go run ./cmd/vpsorg-fake -addr 127.0.0.1:8080
//
// Its first line on stdout is
//
//	vpsorg-fake: serving http://127.0.0.1:8080/api/v1/ (token vpsorgtest-token)
//
// with the address it bound, so -addr 127.0.0.1:0 picks a free port and the
// caller reads it there. Each request is then logged on stderr, one line
// each, without its headers. Beside the API, a control API under /_fake/
// resets the fake, adds servers, injects faults and forces statuses; it takes
// no token, so the program refuses an address that is not loopback unless
// -allow-remote is given. See vpsorgtest.Server.ControlHandler for the
// endpoints and the README for examples.
//
// Exit status: 0 after a graceful shutdown, 1 when it cannot serve (the
// address is in use, say), 2 for a bad flag or faults file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// shutdownGrace is how long a shutdown waits for requests in flight, a
// fault's delay included, before it cuts them.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, stop, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends and returns the exit status. stop is called once
// the shutdown begins, so that a second signal ends the program at once.
func run(ctx context.Context, stop func(), args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "vpsorg-fake: %v\n", err)
		return 2
	}
	srv, err := vpsorgtest.NewServerAt(cfg.addr, cfg.options(stderr)...) //nolint:contextcheck // ctx says when to stop serving, not how long to listen

	if err != nil {
		fmt.Fprintf(stderr, "vpsorg-fake: cannot serve on %s: %v\n", cfg.addr, err)
		return 1
	}
	fmt.Fprintf(stdout, "vpsorg-fake: serving %s/api/v1/ (token %s)\n", srv.URL, srv.Token)

	<-ctx.Done()
	stop()
	fmt.Fprintln(stderr, "vpsorg-fake: shutting down")
	// ctx has ended; the grace period is a context of its own.
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		fmt.Fprintf(stderr, "vpsorg-fake: requests still in flight after %v were cut: %v\n", shutdownGrace, err)
		return 1
	}
	return 0
}
