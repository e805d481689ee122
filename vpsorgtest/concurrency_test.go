package vpsorgtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentUse creates backups and snapshots on one server from many
// goroutines while others read the log and add servers: the limits hold
// exactly, ids are unique, and -race finds nothing.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	h := start(t, WithoutSeed())
	srv := h.AddServer("busy")
	h.SetFaultFunc(func(*http.Request) *Fault { return nil })

	post := func(path, body string) (status int, id int64, err error) {
		req, err := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+h.Token)
		resp, err := h.client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		var created struct {
			ID int64 `json:"id"`
		}
		err = json.NewDecoder(resp.Body).Decode(&created)
		return resp.StatusCode, created.ID, err
	}

	const perKind = 12
	type outcome struct {
		kind   string
		status int
		id     int64
	}
	outcomes := make(chan outcome, 2*perKind)
	var wg sync.WaitGroup
	for i := range perKind {
		wg.Add(2)
		go func() {
			defer wg.Done()
			status, id, err := post("/api/v1/backups/", fmt.Sprintf(`{"server_id": %d}`, srv))
			if err != nil {
				t.Error(err)
			}
			outcomes <- outcome{"backup", status, id}
			h.Requests()
		}()
		go func() {
			defer wg.Done()
			status, id, err := post("/api/v1/snapshots/", fmt.Sprintf(`{"server_id": %d, "name": "s%d"}`, srv, i))
			if err != nil {
				t.Error(err)
			}
			outcomes <- outcome{"snapshot", status, id}
			h.AddServer(fmt.Sprint("extra-", i))
		}()
	}
	wg.Wait()
	close(outcomes)

	created := map[string]int{}
	refused := map[string]int{}
	ids := map[string]bool{}
	for o := range outcomes {
		switch o.status {
		case http.StatusCreated:
			created[o.kind]++
			key := fmt.Sprint(o.kind, o.id)
			if ids[key] {
				t.Errorf("%s id %d handed out twice", o.kind, o.id)
			}
			ids[key] = true
		case http.StatusBadRequest:
			refused[o.kind]++
		default:
			t.Errorf("%s: status %d", o.kind, o.status)
		}
	}
	if created["backup"] != 10 || refused["backup"] != perKind-10 {
		t.Errorf("backups: %d created, %d refused; want 10 and %d", created["backup"], refused["backup"], perKind-10)
	}
	if created["snapshot"] != 5 || refused["snapshot"] != perKind-5 {
		t.Errorf("snapshots: %d created, %d refused; want 5 and %d", created["snapshot"], refused["snapshot"], perKind-5)
	}
	if got := len(h.Requests()); got != 2*perKind {
		t.Errorf("%d requests logged, want %d", got, 2*perKind)
	}
}
