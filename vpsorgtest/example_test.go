package vpsorgtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

func ExampleNewServer() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/snapshots/", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page struct {
		Count   int `json:"count"`
		Results []struct {
			ID int64 `json:"id"`
		} `json:"results"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	fmt.Println(resp.Status, page.Count, page.Results[0].ID)
	// Output: 200 OK 2 801
}

func ExampleServer_AddFault() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	// The first create is carried out but answered 502, as a proxy timing out
	// would; the client cannot tell whether the backup exists.
	srv.AddFault(vpsorgtest.Rule{
		Method: "POST",
		Path:   "/api/v1/backups/",
		Nth:    1,
		Fault:  vpsorgtest.Fault{Status: http.StatusBadGateway, AfterAction: true},
	})

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/backups/", strings.NewReader(`{"server_id": 12345}`))
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	last := srv.Requests()[0]
	fmt.Println(resp.StatusCode, last.Acted)
	// Output: 502 true
}

func ExampleServer_Client() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	// A vpsorg.Client pointed at the fake, with its token; options may be added.
	client := srv.Client(vpsorg.WithRetryMax(0))

	backups, _, err := client.Backups.List(context.Background(), &vpsorg.BackupListOptions{Type: vpsorg.BackupTypeManual})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(backups[0].ID, backups[0].Description)
	// Output: 499 Pre-update backup
}

func ExampleWithClock() {
	// A clock the example moves by hand: the fake reads it from its own
	// goroutines, hence the lock.
	var mu sync.Mutex
	now := time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock), vpsorgtest.WithCompletionDelay(5*time.Minute))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	status := func() {
		backups, _, err := client.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: 12345, Type: vpsorg.BackupTypeManual})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(backups[0].ID, backups[0].Status, backups[0].SizeMB != nil)
	}
	status()
	advance(4 * time.Minute)
	status()
	advance(time.Minute)
	status()
	fmt.Println(b.CreatedAt)
	// Output:
	// 502 in_progress false
	// 502 in_progress false
	// 502 completed true
	// 2025-01-16 15:45:00 +0000 UTC
}

func ExampleServer_SetBackupStatus() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	// Test how your code handles a backup that fails.
	if err := srv.SetBackupStatus(b.ID, "failed"); err != nil {
		log.Fatal(err)
	}
	b, err = client.Backups.Wait(ctx, b, &vpsorg.WaitOptions{Interval: time.Millisecond})
	fmt.Println(b.ID, b.Status, errors.Is(err, vpsorg.ErrOperationFailed))
	// Output: 502 failed true
}

func ExampleServer_AddAutomaticBackup() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(func() time.Time { return time.Date(2025, 1, 17, 3, 0, 0, 0, time.UTC) }))
	defer srv.Close()

	// What the nightly job would make; it does not count toward the limit of
	// 10 manual backups.
	id, err := srv.AddAutomaticBackup(12345)
	if err != nil {
		log.Fatal(err)
	}
	backups, _, err := srv.Client().Backups.List(context.Background(), &vpsorg.BackupListOptions{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range backups {
		if b.ID == id {
			fmt.Println(b.ID, b.Type, b.Status, b.CreatedAt.Format(time.DateOnly), "expires", b.ExpiresAt.Format(time.DateOnly))
		}
	}
	// Output: 502 automatic completed 2025-01-17 expires 2025-02-16
}

func ExampleServer_AddBackup() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed())
	defer srv.Close()
	server := srv.AddServer("db-01")

	// Two weeks of manual backups, one a day: past the API's limit of 10,
	// as history made before the limit would be.
	first := time.Date(2024, 6, 1, 3, 0, 0, 0, time.UTC)
	for day := range 14 {
		_, err := srv.AddBackup(vpsorg.Backup{
			Server:      vpsorg.ServerRef{ID: server},
			CreatedAt:   first.AddDate(0, 0, day),
			Description: "nightly",
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	client := srv.Client()
	ctx := context.Background()
	n := 0
	for b, err := range client.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: server}) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			fmt.Println("newest", b.ID, b.CreatedAt.Format(time.DateOnly), b.Status)
		}
		n++
	}
	// The API's own creates still meet the limit.
	_, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: server})
	fmt.Println(n, "backups; create:", errors.Is(err, vpsorg.ErrBadRequest))
	// Output:
	// newest 14 2024-06-14 completed
	// 14 backups; create: true
}

func ExampleServer_AddServer() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed())
	defer srv.Close()
	id := srv.AddServer("db-01")

	servers, _, err := srv.Client().Servers.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id, len(servers), servers[0].Name, servers[0].Status)
	// Output: 1 1 db-01 active
}

func ExampleServer_Requests() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	_, _ = client.Backups.Delete(ctx, 499)
	_, _ = client.Backups.Delete(ctx, 499)

	// What your code sent, and what the fake answered.
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status, r.Acted, r.RequestID)
	}
	// Output:
	// DELETE /api/v1/backups/499/ 204 true req-000001
	// DELETE /api/v1/backups/499/ 404 false req-000002
}

func ExampleParseRules() {
	rules, err := vpsorgtest.ParseRules([]byte(`[
		{"method": "GET", "path": "/api/v1/backups/", "nth": 1, "fault": {"status": 503}},
		{"method": "POST", "fault": {"truncate_body": 20}}
	]`))
	if err != nil {
		panic(err)
	}
	srv := vpsorgtest.NewServer(vpsorgtest.WithFaults(rules...))
	defer srv.Close()
	// The client retries the 503, here after a millisecond.
	client := srv.Client(vpsorg.WithRetryWait(time.Millisecond, time.Millisecond))
	_, resp, err := client.Backups.List(context.Background(), nil)
	fmt.Println(resp.Attempts, err)

	_, err = vpsorgtest.ParseRules([]byte(`[{"fault": {"delay": "soon"}}]`))
	fmt.Println(err)
	// Output:
	// 2 <nil>
	// vpsorgtest: rule 1: fault.delay "soon": want a duration such as 250ms or 2s
}
