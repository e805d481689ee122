package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
)

// errDeclined is the answer "no" to a prompt: nothing was done.
var errDeclined = errors.New("not confirmed; nothing was done")

// mayAsk is the check every destructive command makes before it sends
// anything: with --yes it goes ahead, on a terminal it will ask, and
// anywhere else it refuses (exit 2), so a script that forgot --yes never
// deletes or restores by accident.
func (a *app) mayAsk(yes bool, action string) error {
	if yes || a.interactive {
		return nil
	}
	return usageErrorf("give --yes to "+action+" without a prompt",
		"refusing to %s: no terminal to ask on, and no --yes", action)
}

// confirm asks question on the terminal. Only "y" or "yes" goes ahead;
// anything else, end of input or Ctrl-C is a no.
func (a *app) confirm(ctx context.Context, question string) error {
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		// Left blocked on the terminal if ctx ends first; vpsorg exits then.
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(a.stderr)
		return &failure{err: errDeclined, code: exitInterrupted}
	case line := <-answer:
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return nil
		}
		return &failure{err: errDeclined, code: exitOther}
	}
}
