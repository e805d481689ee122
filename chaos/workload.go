package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/vpsorg/vpsorg-go"
)

// Workload is a bounded mix of calls, run Concurrency at a time, each
// under a context that ends after Budget.
type Workload struct {
	Lists       int           // Backups.List and Servers.List, alternately
	Creates     int           // Backups.Create, round robin over CreateOn
	Deletes     int           // Backups.Delete of the ids in Doomed
	Concurrency int           // calls in flight at once
	Budget      time.Duration // each call's context timeout
	Grace       time.Duration // how long past Budget a call may take to return
	CreateOn    []int64       // servers the creates go to
	Doomed      []int64       // backups the deletes delete, at least Deletes of them
	Seed        uint64        // orders the calls
}

// Result is what a run of a Workload did.
type Result struct {
	Calls     map[string]int // by operation: "list", "create", "delete"
	Attempts  int            // tries over all calls, as Response and errors count them
	Failures  map[string]int // "operation: kind", such as "list: deadline"
	Recovered int            // creates answered from a look-up
	// Created maps the description of each create that succeeded (answered
	// or recovered) to the backup id it returned.
	Created map[string]int64
	// Unknown holds the descriptions of the creates that ended in
	// vpsorg.ErrOutcomeUnknown: the only ones that may leave an orphan.
	Unknown map[string]bool
	Longest time.Duration // the longest call
	Overrun int           // calls that returned later than Budget + Grace
	Wall    time.Duration
}

// Description is the description of create number i of a run.
func Description(i int) string { return fmt.Sprintf("chaos-%03d", i) }

type call struct {
	op string
	n  int // the operation's index: which list, create or delete
}

// Run runs w with client and reports what happened. It returns when every
// call has.
func Run(client *vpsorg.Client, w Workload) *Result {
	calls := make([]call, 0, w.Lists+w.Creates+w.Deletes)
	for i := range w.Lists {
		calls = append(calls, call{"list", i})
	}
	for i := range w.Creates {
		calls = append(calls, call{"create", i})
	}
	for i := range w.Deletes {
		calls = append(calls, call{"delete", i})
	}
	rng := rand.New(rand.NewPCG(w.Seed, 1)) //nolint:gosec // orders the calls; nothing secret

	rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })

	res := &Result{Calls: map[string]int{}, Failures: map[string]int{}, Created: map[string]int64{}, Unknown: map[string]bool{}}
	var mu sync.Mutex
	todo := make(chan call)
	var wg sync.WaitGroup
	start := time.Now()
	for range max(w.Concurrency, 1) {
		wg.Go(func() {
			for c := range todo {
				ctx, cancel := context.WithTimeout(context.Background(), w.Budget)
				began := time.Now()
				resp, id, err := do(ctx, client, w, c)
				took := time.Since(began)
				cancel()

				mu.Lock()
				res.record(w, c, resp, id, err, took)
				mu.Unlock()
			}
		})
	}
	for _, c := range calls {
		todo <- c
	}
	close(todo)
	wg.Wait()
	res.Wall = time.Since(start)
	return res
}

// do makes one call; id is the backup a create returned.
func do(ctx context.Context, client *vpsorg.Client, w Workload, c call) (*vpsorg.Response, int64, error) {
	switch c.op {
	case "list":
		if c.n%2 == 0 {
			_, resp, err := client.Backups.List(ctx, nil)
			return resp, 0, err
		}
		_, resp, err := client.Servers.List(ctx, nil)
		return resp, 0, err
	case "create":
		req := &vpsorg.BackupCreateRequest{ServerID: w.CreateOn[c.n%len(w.CreateOn)], Description: Description(c.n)}
		b, resp, err := client.Backups.Create(ctx, req)
		if err != nil {
			return resp, 0, err
		}
		return resp, b.ID, nil
	default:
		resp, err := client.Backups.Delete(ctx, w.Doomed[c.n])
		return resp, 0, err
	}
}

func (r *Result) record(w Workload, c call, resp *vpsorg.Response, id int64, err error, took time.Duration) {
	r.Calls[c.op]++
	r.Attempts += attempts(resp, err)
	r.Longest = max(r.Longest, took)
	if took > w.Budget+w.Grace {
		r.Overrun++
	}
	if c.op == "create" {
		switch {
		case err == nil:
			r.Created[Description(c.n)] = id
			if resp.Recovered {
				r.Recovered++
			}
		case errors.Is(err, vpsorg.ErrOutcomeUnknown):
			r.Unknown[Description(c.n)] = true
		}
	}
	if err != nil {
		r.Failures[c.op+": "+Kind(err)]++
	}
}

// attempts reads the tries a call took from its answer or its error.
func attempts(resp *vpsorg.Response, err error) int {
	var apiErr *vpsorg.APIError
	var reqErr *vpsorg.RequestError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Attempts
	case errors.As(err, &reqErr):
		return reqErr.Attempts
	case resp != nil:
		return resp.Attempts
	}
	return 0
}

// Kind names an error's kind for the results table.
func Kind(err error) string {
	var apiErr *vpsorg.APIError
	var netErr net.Error
	kind := "other"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		kind = "deadline"
	case errors.As(err, &apiErr):
		kind = fmt.Sprint(apiErr.StatusCode)
	case errors.Is(err, syscall.ECONNRESET):
		kind = "reset"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		kind = "eof"
	case errors.As(err, &netErr) && netErr.Timeout():
		kind = "timeout"
	}
	if errors.Is(err, vpsorg.ErrOutcomeUnknown) {
		kind = "unknown outcome (" + kind + ")"
	}
	return kind
}
