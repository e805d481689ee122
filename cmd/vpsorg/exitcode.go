package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// Exit codes, documented in "vpsorg --help" and the README. Scripts branch
// on them, so they never change meaning.
const (
	exitOK           = 0
	exitOther        = 1
	exitUsage        = 2
	exitNotFound     = 3
	exitUnauthorized = 4
	exitFailed       = 5
	exitTimeout      = 6
	// exitOutcomeUnknown is a create or restore whose answer was lost and
	// whose result the SDK could not find: it may have acted. A script
	// must look before it tries again, or it may make a second backup.
	exitOutcomeUnknown = 7
	// exitInterrupted is what a shell reports for a program killed by
	// SIGINT (128+2), so a script sees the same code whether or not
	// vpsorg caught the Ctrl-C to say what it left running.
	exitInterrupted = 130
)

// exitCodesHelp is the table "vpsorg --help" ends with.
const exitCodesHelp = `Exit codes:
  0    ok
  1    other error (network, server error, a declined prompt)
  2    usage: bad flag or argument, or a destructive command without
       --yes and no terminal to ask on (nothing is sent then)
  3    not found: no such backup, snapshot or server, whether an id, --server
       or --backup names it, and whichever request finds it missing
  4    unauthorized (401, 403, or VPSORG_API_TOKEN not set)
  5    the operation failed: a waited-for backup or snapshot ended "failed"
  6    timed out: a wait ran past --timeout (the operation goes on; "wait ID"
       waits again)
  7    outcome unknown: a create or restore got no answer and may have acted;
       the message names the command that shows whether it did: run it
       before trying again
  130  interrupted by Ctrl-C (the operation goes on on the server)`

// errInterrupted is the cause of the context when SIGINT or SIGTERM arrives.
var errInterrupted = errors.New("interrupted")

// failure is every error a command returns: what was being done, why it
// failed, a hint for the user, and the exit code when it is not the one
// the cause implies.
type failure struct {
	op   string // "create a backup of server 999"; "" when err says it all
	err  error
	hint string
	code int // 0: derived from err by exitCode
}

func (f *failure) Error() string {
	if f.op == "" {
		return f.err.Error()
	}
	return f.op + ": " + f.err.Error()
}

func (f *failure) Unwrap() error { return f.err }

// usageErrorf is a mistake on the command line: exit 2, nothing sent.
func usageErrorf(hint, format string, args ...any) error {
	return &failure{err: fmt.Errorf(format, args...), hint: hint, code: exitUsage}
}

// apiFailure names the operation that failed and picks a hint from the
// kind of error: notFound is the hint for a 404 ("check --server").
func apiFailure(op string, err error, notFound string) error {
	f := &failure{op: op, err: err}
	var apiErr *vpsorg.APIError
	switch {
	case errors.Is(err, vpsorg.ErrUnauthorized):
		f.hint = "the API token was refused: set " + vpsorg.EnvToken + " to a valid one, or give the context a new one (vpsorg context delete NAME, then vpsorg context create NAME)"
	case errors.Is(err, vpsorg.ErrForbidden):
		f.hint = "the API token in use (" + vpsorg.EnvToken + ", or the context's) is not allowed to do this"
	case errors.Is(err, vpsorg.ErrNotFound):
		f.hint = notFound
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests && apiErr.RetryAfter > 0:
		f.hint = "rate limited: try again in " + apiErr.RetryAfter.Round(time.Second).String()
	case isConnectionError(err):
		f.hint = "check --api-url or " + vpsorg.EnvBaseURL
	}
	return f
}

// isConnectionError reports an error that got no answer at all.
func isConnectionError(err error) bool {
	var reqErr *vpsorg.RequestError
	return errors.As(err, &reqErr) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) &&
		strings.Contains(reqErr.Err.Error(), "connect")
}

// exitCode maps an error to the documented exit codes.
func exitCode(err error) int {
	var f *failure
	if errors.As(err, &f) && f.code != 0 {
		return f.code
	}
	var invalid *vpsorg.ValidationError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.Is(err, vpsorg.ErrOutcomeUnknown):
		return exitOutcomeUnknown // before the timeout or 5xx it may also match
	case errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, vpsorg.ErrOperationFailed):
		return exitFailed
	case errors.Is(err, vpsorg.ErrNotFound):
		return exitNotFound
	case errors.Is(err, vpsorg.ErrUnauthorized), errors.Is(err, vpsorg.ErrForbidden):
		return exitUnauthorized
	case errors.As(err, &invalid):
		return exitUsage // the SDK refused the input before sending it
	}
	return exitOther
}

// writeFailure is the error of a create or restore: exit 7 with look as
// the hint when its outcome is unknown (look names the command that shows
// whether it acted), else as apiFailure.
func writeFailure(op string, err error, notFound, look string) error {
	if errors.Is(err, vpsorg.ErrOutcomeUnknown) {
		return &failure{op: op, err: err, hint: "the outcome is unknown: " + look, code: exitOutcomeUnknown}
	}
	return apiFailure(op, err, notFound)
}

// notFoundError is an id that a listing lacks: the API has no endpoint for
// one object, so "not found" is often found out by a walk of a list, and
// then matches vpsorg.ErrNotFound as a 404 does.
type notFoundError struct {
	kind string // "backup"
	ids  []int64
}

func (e *notFoundError) Error() string { return idList(e.kind, e.ids) + " not found" }

func (e *notFoundError) Is(target error) bool { return target == vpsorg.ErrNotFound }

// flagValueError says what a flag takes when its value cannot be read,
// naming the flag, instead of pflag's text with Go's parser errors in it
// ("strconv.ParseInt: parsing ..."). nil for other errors.
func flagValueError(cmd *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if !errors.As(err, &invalid) {
		return nil
	}
	f := invalid.GetFlag()
	return usageErrorf("see '"+cmd.CommandPath()+" --help'", "--%s %q is not %s", f.Name, invalid.GetValue(), valueWanted(f))
}

// valueWanted says what a flag takes, in the command line's words rather
// than its parser's.
func valueWanted(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int", "int64":
		return "a whole number"
	case "duration":
		return "a duration such as 90s, 30m or 2h"
	case "bool":
		return "true or false"
	}
	return "a valid value"
}

// report writes err as one line: what failed, the API's message with the
// status and request id, and the hint.
func report(w io.Writer, err error) {
	var b strings.Builder
	b.WriteString("vpsorg: ")
	var f *failure
	if errors.As(err, &f) {
		if f.op != "" {
			b.WriteString(f.op)
			b.WriteString(": ")
		}
		b.WriteString(describe(f.err))
		if f.hint != "" {
			b.WriteString("; ")
			b.WriteString(f.hint)
		}
	} else {
		b.WriteString(describe(err))
	}
	line := strings.Join(strings.Fields(b.String()), " ") // one line, whatever the server sent
	fmt.Fprintln(w, line)
}

// describe says what went wrong without repeating the SDK's request line:
// for an answer from the API, its message, status and request id.
func describe(err error) string {
	var apiErr *vpsorg.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		detail := fmt.Sprintf("HTTP %d", apiErr.StatusCode)
		if apiErr.RequestID != "" {
			detail += ", request " + apiErr.RequestID
		}
		return msg + " (" + detail + ")"
	}
	return strings.TrimPrefix(err.Error(), "vpsorg: ")
}

// describedAs names a backup by its description for exit 7's message.
func describedAs(description string) string {
	if description == "" {
		return "with no description, made just now,"
	}
	return fmt.Sprintf("with description %q", description)
}
