package vpsorgtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewServerAt(t *testing.T) {
	t.Parallel()
	srv, err := NewServerAt("127.0.0.1:0", WithoutSeed())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, ":0") {
		t.Fatalf("URL %q", srv.URL)
	}
	servers, _, err := srv.Client().Servers.List(context.Background(), nil)
	if err != nil || len(servers) != 0 {
		t.Fatalf("servers %v, %v", servers, err)
	}

	// The address in use is an error, not a panic.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if again, err := NewServerAt("127.0.0.1:" + port); err == nil {
		again.Close()
		t.Fatal("a second server on the same address started")
	} else if !strings.HasPrefix(err.Error(), "vpsorgtest: ") || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("error %q", err)
	}
	if _, err := NewServerAt("no port"); err == nil {
		t.Fatal("no error for an address without a port")
	}
}

func TestNewServerAtEveryInterface(t *testing.T) {
	t.Parallel()
	srv, err := NewServerAt("0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on every interface here: %v", err)
	}
	defer srv.Close()
	// Go listens on both families here and reports "[::]".
	if !strings.HasPrefix(srv.URL, "http://0.0.0.0:") && !strings.HasPrefix(srv.URL, "http://[::]:") {
		t.Fatalf("URL %q, want the bound address", srv.URL)
	}
	// The Client reaches it over loopback, which NewClient allows.
	if _, _, err := srv.Client().Backups.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	h := start(t, WithRateLimit(1, 4))
	startServers := h.do(t, "GET", "/api/v1/servers/", "")
	h.AddFault(Rule{Method: "DELETE", Probability: 0.5, Fault: Fault{Status: 500}})
	h.SetFaultFunc(func(r *http.Request) *Fault {
		if r.Method == http.MethodPut {
			return &Fault{Status: 418}
		}
		return nil
	})
	srvID := h.AddServer("extra")
	h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`).wantStatus(t, http.StatusCreated)
	h.do(t, "POST", "/api/v1/snapshots/", `{"server_id": 12345, "name": "a"}`).wantStatus(t, http.StatusCreated)
	h.do(t, "POST", "/api/v1/snapshots/801/restore/", "").wantStatus(t, http.StatusOK)
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusTooManyRequests)

	h.Reset()

	if n := len(h.Requests()); n != 0 {
		t.Fatalf("%d requests logged after Reset", n)
	}
	// The bucket is full again: four requests go through. The restore
	// and the added server are gone.
	h.do(t, "GET", "/api/v1/servers/", "").wantJSON(t, string(startServers.body))
	if got := h.do(t, "GET", "/api/v1/backups/", "").ids(t); !slices.Equal(got, []int64{501, 499, 495}) {
		t.Fatalf("backups %v", got)
	}
	res := h.do(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`)
	res.wantStatus(t, http.StatusCreated)
	if id := res.json(t)["id"]; id != 502.0 {
		t.Fatalf("first backup after Reset has id %v, want 502", id)
	}
	if got := h.Requests()[0].RequestID; got != "req-000001" {
		t.Fatalf("first request id after Reset %q", got)
	}
	h.do(t, "PUT", "/api/v1/backups/", "").wantStatus(t, http.StatusMethodNotAllowed) // the fault func is gone
	h.do(t, "GET", "/api/v1/backups/", "").wantStatus(t, http.StatusTooManyRequests)  // the limit is kept
	if again := h.AddServer("extra"); again != srvID {
		t.Fatalf("server id %d after Reset, want %d again", again, srvID)
	}
}

func TestResetReseedsFaults(t *testing.T) {
	t.Parallel()
	h := start(t)
	rule := Rule{Method: "GET", Probability: 0.4, Fault: Fault{Status: 503}}
	h.AddFault(rule)
	first := h.statuses(t, 50)
	h.Reset()
	h.AddFault(rule)
	if again := h.statuses(t, 50); !slices.Equal(first, again) {
		t.Fatalf("after Reset the draws changed:\n%v\n%v", first, again)
	}
}

func TestShutdownLetsRequestsFinish(t *testing.T) {
	t.Parallel()
	h := start(t)
	arrived, release := make(chan struct{}), make(chan struct{})
	h.SetFaultFunc(func(*http.Request) *Fault {
		close(arrived)
		<-release
		return nil
	})
	answered := make(chan int, 1)
	go func() {
		resp, err := h.client.Do(h.newRequest(t, "POST", "/api/v1/backups/", `{"server_id": 12345}`))
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-arrived
	shut := make(chan error, 1)
	go func() { shut <- h.Shutdown(context.Background()) }()
	// Once the listener is closed Shutdown is under way; it must then
	// wait for the request.
	addr := strings.TrimPrefix(h.URL, "http://")
	for i := 0; ; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if i == 100000 {
			t.Fatal("the listener stayed open")
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	default:
	}
	close(release)
	if status := <-answered; status != http.StatusCreated {
		t.Fatalf("in-flight create answered %d", status)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if r := h.Requests()[0]; !r.Acted || r.Status != http.StatusCreated {
		t.Fatalf("log %+v", r)
	}
}

func TestShutdownCutsWhenContextEnds(t *testing.T) {
	t.Parallel()
	h := start(t)
	arrived := make(chan struct{})
	h.SetFaultFunc(func(*http.Request) *Fault {
		close(arrived)
		return &Fault{Delay: time.Hour}
	})
	errc := make(chan error, 1)
	go func() {
		resp, err := h.client.Do(h.newRequest(t, "GET", "/api/v1/backups/", ""))
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-errc; err == nil {
		t.Fatal("a request cut by Shutdown succeeded")
	}
}
