package vpsorg_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/jarcoal/httpmock"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// A test of your own code can mock the API with httpmock as it mocks any
// other: the global httpmock.Activate, then NewClient with nothing but a
// token. Serve the documented bodies (this repository keeps them in
// testdata/) and assert on the typed errors they map to: a 404 matches
// [vpsorg.ErrNotFound], a 400 is an [*vpsorg.APIError] with DRF's field
// errors. In a test, httpmock.Activate(t) deactivates itself when t ends.
func Example_testingWithHTTPMock() {
	httpmock.Activate()
	defer httpmock.DeactivateAndReset()

	respond := func(method, path string, status int, file string) {
		body, err := os.ReadFile("testdata/" + file)
		if err != nil {
			log.Fatal(err)
		}
		httpmock.RegisterResponder(method, vpsorg.DefaultBaseURL+path, httpmock.NewBytesResponder(status, body))
	}
	respond(http.MethodGet, "backups/", http.StatusOK, "backups_list.json")
	respond(http.MethodDelete, "backups/9999/", http.StatusNotFound, "error_not_found.json")
	respond(http.MethodPost, "snapshots/", http.StatusBadRequest, "error_field_errors.json")

	client, err := vpsorg.NewClient("test-token")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	backups, _, err := client.Backups.List(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range backups {
		fmt.Println(b.ID, b.Type, b.Status)
	}

	_, err = client.Backups.Delete(ctx, 9999)
	fmt.Println("not found:", errors.Is(err, vpsorg.ErrNotFound))

	_, _, err = client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "pre-deploy"})
	var apiErr *vpsorg.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, errors.Is(err, vpsorg.ErrBadRequest), apiErr.FieldErrors["name"])
	}
	fmt.Println("requests:", httpmock.GetTotalCallCount())
	// Output:
	// 501 automatic completed
	// 499 manual completed
	// 495 automatic completed
	// not found: true
	// 400 true [Enter a valid name. Ensure this field has no more than 50 characters.]
	// requests: 3
}

// A create-wait-prune flow tested on vpsorgtest, with the fake's clock in
// the test's hands: five nights of backups, each waited for, then all but
// the two newest deleted. What List returns goes to WaitAll and Delete as
// it is. The waits take no real time: a Client from [vpsorgtest.Server.Client]
// pauses only a moment between polls, and the clock has already moved past
// the completion delay.
func Example_testingWithFakeClock() {
	clock := vpsorgtest.NewClock(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC))
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(clock.Now), vpsorgtest.WithoutSeed())
	defer srv.Close()
	client := srv.Client()
	serverID := srv.AddServer("web-01")
	ctx := context.Background()

	for night := range 5 {
		b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: serverID, Description: fmt.Sprintf("night %d", night+1)})
		if err != nil {
			log.Fatal(err)
		}
		clock.Advance(vpsorgtest.DefaultCompletionDelay) // the fake finishes it
		if _, err := client.Backups.Wait(ctx, b, nil); err != nil {
			log.Fatal(err)
		}
		clock.Advance(24*time.Hour - vpsorgtest.DefaultCompletionDelay)
	}

	manual := &vpsorg.BackupListOptions{ServerID: serverID, Type: vpsorg.BackupTypeManual}
	backups, _, err := client.Backups.List(ctx, manual)
	if err != nil {
		log.Fatal(err)
	}
	done, err := client.Backups.WaitAll(ctx, backups, nil) // all completed already: no request
	if err != nil {
		log.Fatal(err)
	}
	slices.SortFunc(done, func(a, b *vpsorg.Backup) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, b := range done[2:] {
		if _, err := client.Backups.Delete(ctx, b.ID); err != nil {
			log.Fatal(err)
		}
	}

	for b, err := range client.Backups.All(ctx, manual) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Description, b.Status, b.CreatedAt.Format(time.DateOnly))
	}
	// Output:
	// night 5 completed 2026-12-05
	// night 4 completed 2026-12-04
}
