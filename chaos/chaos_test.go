package chaos

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// The client's settings: a short timeout for each try, retries enough to
// get past a toxic that takes 30% of connections, and short backoff, so a
// run stays within its budget.
const (
	tryTimeout     = 400 * time.Millisecond
	retryMax       = 8
	backoffFloor   = 5 * time.Millisecond
	backoffCeiling = 50 * time.Millisecond
	// callBudget is each call's context timeout: above what the retries
	// can take (9 tries of 400 ms, the waits, and a create's look-up).
	callBudget = 12 * time.Second
	// overrunGrace is how late past its budget a call may return before
	// it counts as outliving it: the time to notice the context ended.
	overrunGrace = time.Second
	// idleConns is the pool of the pooled scenarios (net/http's default),
	// fewer than the 8 calls in flight, so connections come and go a little.
	idleConns = 2
)

// TestMain silences toxiproxy's toxics, some of which (bandwidth) log
// through zerolog's global logger rather than the proxy's.
func TestMain(m *testing.M) {
	zerolog.SetGlobalLevel(zerolog.Disabled)
	os.Exit(m.Run())
}

// scenario is a toxic and how the client meets it.
type scenario struct {
	Toxic
	conns connUse
}

// connUse is how the client's transport keeps its connections. A toxic
// with a Toxicity takes a share of connections, each drawing once when it
// is made, so it meets a share of the tries only if connections come and
// go; limit_data needs the opposite, bytes adding up on one connection.
type connUse int

const (
	pooled connUse = iota // keep-alive, a pool of idleConns
	// perTry keeps no idle connection, so every try dials its own. The
	// client closes it after the answer; the server is not asked to (as
	// Connection: close would), so a connection the timeout toxic holds
	// stays open and the try waits out its timeout. A negative
	// MaxIdleConnsPerHost does it: net/http then refuses every idle
	// connection. runScenario checks that it still does.
	perTry
)

func (sc scenario) transport() *http.Transport {
	if sc.conns == perTry {
		return &http.Transport{MaxIdleConnsPerHost: -1}
	}
	return &http.Transport{MaxIdleConnsPerHost: idleConns}
}

// scenarios are the faults the workload runs under. The toxics that break
// every connection they take (timeout, reset_peer) take 30% of them, so
// that a retry, on another connection, can succeed.
var scenarios = []scenario{
	{Toxic: Toxic{Name: "latency", Type: "latency", Attributes: map[string]int64{"latency": 40, "jitter": 20}}}, // ms
	{Toxic: Toxic{Name: "bandwidth", Type: "bandwidth", Attributes: map[string]int64{"rate": 200}}},             // KB/s
	{Toxic: Toxic{Name: "slow_close", Type: "slow_close", Attributes: map[string]int64{"delay": 200}}, conns: perTry},
	{Toxic: Toxic{Name: "timeout 30%", Type: "timeout", Toxicity: 0.3, Attributes: map[string]int64{"timeout": 0}}, conns: perTry},
	{Toxic: Toxic{Name: "reset_peer down", Type: "reset_peer", Toxicity: 0.3, Attributes: map[string]int64{"timeout": 10}}, conns: perTry},
	{Toxic: Toxic{Name: "reset_peer up", Type: "reset_peer", Stream: "upstream", Toxicity: 0.3, Attributes: map[string]int64{"timeout": 10}}, conns: perTry},
	{Toxic: Toxic{Name: "limit_data", Type: "limit_data", Attributes: map[string]int64{"bytes": 20000}}, conns: pooled},
	{Toxic: Toxic{Name: "slicer", Type: "slicer", Attributes: map[string]int64{"average_size": 64, "size_variation": 32, "delay": 200}}}, // µs
}

// TestToxics runs 300 lists, 60 creates and 30 deletes, 8 at a time, under
// each toxic, and checks that every GET and DELETE succeeds, that the fake
// holds exactly one backup per create that succeeded (answered or
// recovered) and orphans only of creates told their outcome is unknown,
// that no create reached the fake twice, that no call outlived its budget,
// and that the goroutines the run started are gone after it.
func TestToxics(t *testing.T) { //nolint:paralleltest // it counts every goroutine in the process
	var table []string
	for _, sc := range scenarios { //nolint:paralleltest // one toxic at a time, for the goroutine count and the table's order
		t.Run(strings.ReplaceAll(sc.Name, " ", "_"), func(t *testing.T) {
			before, proxyBefore := goroutines()
			res := runScenario(t, sc)
			res.stuck = checkGoroutines(t, before) - proxyBefore
			table = append(table, res.row(sc.Name))
			if res.Overrun > 0 {
				t.Errorf("%d calls outlived their %s budget (longest %s)", res.Overrun, callBudget, res.Longest)
			}
		})
	}
	t.Log("results per toxic (calls: lists/creates/deletes; attempts: tries the SDK counted; requests: what reached the fake;\n" +
		"proxy stuck: goroutines toxiproxy left blocked):\n" +
		header + "\n" + strings.Join(table, "\n"))
}

// runScenario runs the workload under sc on a fresh fake, proxy and
// client, and checks the fake's state.
func runScenario(t *testing.T, sc scenario) run {
	env, err := NewEnv(vpsorgtest.WithCompletionDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	// The state the workload needs, made directly on the fake.
	direct := env.Fake.Client()
	defer direct.CloseIdleConnections()
	ctx := context.Background()
	createOn := make([]int64, 20) // 3 creates each: within the limit of 10
	for i := range createOn {
		createOn[i] = env.Fake.AddServer(fmt.Sprintf("create-%02d", i))
	}
	var doomed []int64
	for i := range 30 {
		server := env.Fake.AddServer(fmt.Sprintf("doomed-%02d", i))
		b, _, err := direct.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: server, Description: "doomed"})
		if err != nil {
			t.Fatal(err)
		}
		doomed = append(doomed, b.ID)
	}
	seeded, seededConns := len(env.Fake.Requests()), env.Fake.ConnectionsOpened()

	if err := env.AddToxic(sc.Toxic); err != nil {
		t.Fatal(err)
	}
	client, err := vpsorg.NewClient(env.Fake.Token,
		vpsorg.WithBaseURL(env.BaseURL),
		vpsorg.WithHTTPClient(&http.Client{Timeout: tryTimeout, Transport: sc.transport()}),
		vpsorg.WithRetryMax(retryMax),
		vpsorg.WithRetryWait(backoffFloor, backoffCeiling),
	)
	if err != nil {
		t.Fatal(err)
	}
	res := run{}
	res.Result = Run(client, Workload{
		Lists: 300, Creates: 60, Deletes: 30, Concurrency: 8, Budget: callBudget, Grace: overrunGrace,
		CreateOn: createOn, Doomed: doomed, Seed: 11,
	})
	client.CloseIdleConnections()
	env.RemoveToxics()

	for kind, n := range res.Failures {
		if strings.HasPrefix(kind, "list:") || strings.HasPrefix(kind, "delete:") {
			t.Errorf("%d calls failed with %s", n, kind)
		}
		if strings.HasPrefix(kind, "create:") && !strings.Contains(kind, "unknown outcome") {
			t.Errorf("%d creates failed with %s, not with an unknown outcome", n, kind)
		}
	}
	res.requests = len(env.Fake.Requests()) - seeded
	res.conns = env.Fake.ConnectionsOpened() - seededConns
	if sc.conns == perTry && res.conns < res.requests {
		t.Errorf("%d requests came on %d connections; the client was to dial for every try", res.requests, res.conns)
	}
	res.orphans = checkFake(t, direct, env.Fake.Requests()[seeded:], res.Result, doomed)
	return res
}

// run is a Result with what the test learnt from the fake and the process.
type run struct {
	*Result
	requests int // requests that reached the fake
	conns    int // connections the proxy opened to the fake, one per client connection
	orphans  int // backups of creates that ended with an unknown outcome
	stuck    int // goroutines toxiproxy left blocked
}

const header = "toxic            calls       attempts  requests  conns  ok creates  recovered  unknown  orphans  longest  wall   proxy stuck  failures"

// row formats a run for the results table.
func (r run) row(name string) string {
	failures := slices.Sorted(maps.Keys(r.Failures))
	for i, k := range failures {
		failures[i] = fmt.Sprintf("%s ×%d", k, r.Failures[k])
	}
	return fmt.Sprintf("%-16s %3d/%2d/%2d  %8d  %8d  %5d  %10d  %9d  %7d  %7d  %7s  %-5s  %11d  %s",
		name, r.Calls["list"], r.Calls["create"], r.Calls["delete"], r.Attempts, r.requests, r.conns,
		len(r.Created), r.Recovered, len(r.Unknown), r.orphans,
		r.Longest.Round(time.Millisecond), r.Wall.Round(100*time.Millisecond), r.stuck, strings.Join(failures, ", "))
}

// checkFake compares the fake's state and request log with what the
// workload was told, and returns the orphans: backups of creates that
// ended with an unknown outcome.
func checkFake(t *testing.T, direct *vpsorg.Client, log []vpsorgtest.Request, res *Result, doomed []int64) int {
	t.Helper()
	byDescription := map[string][]int64{}
	left := map[int64]bool{}
	for b, err := range direct.Backups.All(context.Background(), &vpsorg.BackupListOptions{ListOptions: vpsorg.ListOptions{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		byDescription[b.Description] = append(byDescription[b.Description], b.ID)
		left[b.ID] = true
	}
	for desc, id := range res.Created {
		if got := byDescription[desc]; len(got) != 1 || got[0] != id {
			t.Errorf("create %s returned backup %d; the fake holds %v for it", desc, id, got)
		}
	}
	orphans := 0
	for desc, ids := range byDescription {
		if !strings.HasPrefix(desc, "chaos-") {
			continue
		}
		if _, ok := res.Created[desc]; ok {
			continue
		}
		if !res.Unknown[desc] {
			t.Errorf("the fake holds %v for create %s, which was neither answered nor told its outcome is unknown", ids, desc)
		}
		orphans += len(ids)
	}
	posts := map[string]int{}
	for _, r := range log {
		if r.Method == http.MethodPost {
			posts[string(r.Body)]++
		}
	}
	for body, n := range posts {
		if n > 1 {
			t.Errorf("a create reached the fake %d times: %s", n, body)
		}
	}
	for _, id := range doomed {
		if left[id] {
			t.Errorf("backup %d survived its delete", id)
		}
	}
	return orphans
}

// goroutines counts the process's goroutines: those toxiproxy started
// apart from all others. toxiproxy leaks a few of its own: after a
// reset_peer toxic closes its stage of a link, the stage before it blocks
// for good sending the next chunk (toxics/noop.go sends without a select).
// That is the proxy's, not the SDK's, so it is counted, not held against
// the run.
func goroutines() (others, proxy int) {
	buf := make([]byte, 8<<20)
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "github.com/Shopify/toxiproxy/") {
			proxy++
		} else {
			others++
		}
	}
	return others, proxy
}

// checkGoroutines waits, a bounded while, for the count of goroutines not
// toxiproxy's to come back to before: connections and handlers end on their
// own goroutines after Close. It returns toxiproxy's count then.
func checkGoroutines(t *testing.T, before int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	others, proxy := goroutines()
	for others > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		others, proxy = goroutines()
	}
	if others > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines (not toxiproxy's) before the run, %d after:\n%s", before, others, buf[:runtime.Stack(buf, true)])
	}
	return proxy
}
