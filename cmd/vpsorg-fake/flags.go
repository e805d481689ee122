package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"time"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// config is what the flags ask for, checked.
type config struct {
	addr            string
	token           string
	noSeed          bool
	completionDelay time.Duration
	restoreDuration time.Duration
	pageSize        int
	noPageLinks     bool
	rateLimit       float64
	rules           []vpsorgtest.Rule
}

// parseFlags reads and checks the flags. Its errors are one line each; -h
// prints the usage to stderr and returns flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var cfg config
	var faultsFile string
	var allowRemote bool
	fs := flag.NewFlagSet("vpsorg-fake", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`address` to serve on; port 0 picks a free one")
	fs.StringVar(&cfg.token, "token", vpsorgtest.DefaultToken, "bearer `token` the API accepts")
	fs.BoolVar(&cfg.noSeed, "no-seed", false, "start with no servers, backups or snapshots")
	fs.DurationVar(&cfg.completionDelay, "completion-delay", vpsorgtest.DefaultCompletionDelay,
		"how long a new backup or snapshot stays in_progress")
	fs.DurationVar(&cfg.restoreDuration, "restore-duration", vpsorgtest.DefaultRestoreDuration,
		"how long a server stays restoring")
	fs.IntVar(&cfg.pageSize, "page-size", vpsorgtest.DefaultPageSize, "list page size without a page_size parameter")
	fs.BoolVar(&cfg.noPageLinks, "no-page-links", false, `leave "next" and "previous" out of lists, as the documentation's examples do`)
	fs.Float64Var(&cfg.rateLimit, "rate-limit", 0,
		"requests a second the API answers before 429, in bursts of up to one second's worth; 0 for no limit")
	fs.StringVar(&faultsFile, "faults", "", "JSON `file` with a list of fault rules to start with (and to go back to on reset)")
	fs.BoolVar(&allowRemote, "allow-remote", false, "serve on an address that is not loopback although the control API takes no token")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vpsorg-fake [flags]\n\nServes a fake of the VPS.org API and a control API under /_fake/.\n\nFlags:")
		fs.PrintDefaults()
	}

	// flag prints the whole usage after an error; one line is wanted.
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.Usage()
			return nil, err
		}
		return nil, fmt.Errorf("%w (see -h)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: vpsorg-fake takes flags only (see -h)", fs.Arg(0))
	}
	if err := cfg.check(allowRemote); err != nil {
		return nil, err
	}
	if faultsFile != "" {
		data, err := os.ReadFile(faultsFile) //nolint:gosec // G304: the file the user named is the one to read
		if err != nil {
			return nil, fmt.Errorf("-faults: %w", err)
		}
		cfg.rules, err = vpsorgtest.ParseRules(data)
		if err != nil {
			return nil, fmt.Errorf("-faults %s: %w", faultsFile, err)
		}
	}
	return &cfg, nil
}

func (cfg *config) check(allowRemote bool) error {
	host, _, err := net.SplitHostPort(cfg.addr)
	switch {
	case err != nil:
		return fmt.Errorf("-addr %q: want host:port, such as 127.0.0.1:8080", cfg.addr)
	case !allowRemote && !isLoopback(host):
		return fmt.Errorf("-addr %s is not a loopback address, and the control API under /_fake/ takes no token: "+
			"anyone who reaches it can change the fake; give -allow-remote if that is what you want", cfg.addr)
	case cfg.token == "" || strings.ContainsFunc(cfg.token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return errors.New("-token: want a token without spaces or control characters")
	case cfg.completionDelay < 0:
		return fmt.Errorf("-completion-delay %v: want zero or more", cfg.completionDelay)
	case cfg.restoreDuration < 0:
		return fmt.Errorf("-restore-duration %v: want zero or more", cfg.restoreDuration)
	case cfg.pageSize < 1:
		return fmt.Errorf("-page-size %d: want 1 or more", cfg.pageSize)
	case cfg.rateLimit < 0 || math.IsNaN(cfg.rateLimit) || math.IsInf(cfg.rateLimit, 0):
		return fmt.Errorf("-rate-limit %v: want requests a second, or 0 for no limit", cfg.rateLimit)
	}
	return nil
}

// isLoopback follows the SDK's rule: the name localhost or a literal
// loopback address, with no look-up. An empty host is every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxBurst keeps a huge -rate-limit from overflowing the burst.
const maxBurst = 1 << 30

// options turns the flags into the fake's options. The rate limit's burst is
// one second's worth of requests, at least 1: a client that keeps to the
// rate never sees a 429, and one that bursts past it soon does.
func (cfg *config) options(accessLog io.Writer) []vpsorgtest.Option {
	opts := []vpsorgtest.Option{
		vpsorgtest.WithToken(cfg.token),
		vpsorgtest.WithCompletionDelay(cfg.completionDelay),
		vpsorgtest.WithRestoreDuration(cfg.restoreDuration),
		vpsorgtest.WithPageSize(cfg.pageSize),
		vpsorgtest.WithFaults(cfg.rules...),
		vpsorgtest.WithControlAPI(),
		vpsorgtest.WithAccessLog(accessLog),
	}
	if cfg.noSeed {
		opts = append(opts, vpsorgtest.WithoutSeed())
	}
	if cfg.noPageLinks {
		opts = append(opts, vpsorgtest.WithoutPageLinks())
	}
	if cfg.rateLimit > 0 {
		burst := int(min(math.Ceil(cfg.rateLimit), maxBurst))
		opts = append(opts, vpsorgtest.WithRateLimit(cfg.rateLimit, burst))
	}
	return opts
}
