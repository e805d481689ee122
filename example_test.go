package vpsorg_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Getting started: back up a server, wait for the backup, then look at
// the server's snapshots.
//
// This example, like every example of the package, runs against
// vpsorgtest, the in-memory fake of the API, seeded with the
// documentation's server 12345, backups 501, 499, 495 and snapshots 801,
// 798, so that its output is the same at every run. To run it against
// VPS.org, replace the first three lines with
//
//	client, err := vpsorg.NewClientFromEnv() // reads VPSORG_API_TOKEN
//
// and keep the default WaitOptions: a real backup takes minutes.
func Example() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithCompletionDelay(0))
	defer srv.Close()
	client := srv.Client() // a *vpsorg.Client pointed at the fake, with its token
	ctx := context.Background()

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "Pre-deployment backup"})
	if err != nil {
		log.Fatal(err)
	}
	b, err = client.Backups.Wait(ctx, b, &vpsorg.WaitOptions{Interval: time.Millisecond})
	switch {
	case errors.Is(err, vpsorg.ErrOperationFailed):
		log.Fatalf("backup %d failed: %s", b.ID, b.Message)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("backup", b.ID, b.Status)

	for snap, err := range client.Snapshots.All(ctx, &vpsorg.SnapshotListOptions{ServerID: 12345}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("snapshot", snap.ID, snap.Name)
	}
	// Output:
	// backup 502 completed
	// snapshot 801 pre-migration-snapshot
	// snapshot 798 weekly-snapshot-2025-01-08
}

func ExampleNewClient() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()

	client, err := vpsorg.NewClient(srv.Token, // a real program reads its token from a secret store
		vpsorg.WithBaseURL(srv.URL+"/api/v1/"), // the default is https://admin.vps.org/api/v1/
		vpsorg.WithUserAgent("nightly-rotation/1.4"),
		vpsorg.WithRetryMax(2),
	)
	if err != nil {
		log.Fatal(err)
	}
	servers, _, err := client.Servers.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(servers[0].ID, servers[0].Name)

	// Bad configuration fails here, never later.
	_, err = vpsorg.NewClient("")
	fmt.Println(err)
	_, err = vpsorg.NewClient("token", vpsorg.WithBaseURL("http://api.example.com/api/v1/"))
	fmt.Println(err != nil)
	// Output:
	// 12345 web-server-01
	// vpsorg: NewClient: empty token
	// true
}

func ExampleNewClientFromEnv() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()

	os.Setenv("VPSORG_API_TOKEN", "")
	_, err := vpsorg.NewClientFromEnv()
	fmt.Println(err)

	// VPSORG_API_URL is optional: without it the client talks to VPS.org.
	os.Setenv("VPSORG_API_TOKEN", srv.Token)
	os.Setenv("VPSORG_API_URL", srv.URL+"/api/v1/")
	defer os.Unsetenv("VPSORG_API_TOKEN")
	defer os.Unsetenv("VPSORG_API_URL")
	client, err := vpsorg.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	_, resp, err := client.Snapshots.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Count, "snapshots")
	// Output:
	// vpsorg: NewClientFromEnv: VPSORG_API_TOKEN is not set
	// 2 snapshots
}

func ExampleAPIError() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// Server 12345 has 2 of its 5 snapshots; the sixth is refused.
	for i := 1; i <= 4; i++ {
		_, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: fmt.Sprintf("nightly-%d", i)})
		var apiErr *vpsorg.APIError
		switch {
		case err == nil:
			fmt.Println("snapshot", i, "started")
		case errors.Is(err, vpsorg.ErrBadRequest) && errors.As(err, &apiErr):
			fmt.Printf("snapshot %d refused: %d %s\n", i, apiErr.StatusCode, apiErr.Message)
			fmt.Println(apiErr.FieldErrors)
		default:
			log.Fatal(err)
		}
	}

	_, err := client.Backups.Delete(ctx, 9999)
	if errors.Is(err, vpsorg.ErrNotFound) {
		fmt.Println("backup 9999 does not exist")
	}
	fmt.Println(err)
	// Output:
	// snapshot 1 started
	// snapshot 2 started
	// snapshot 3 started
	// snapshot 4 refused: 400 Maximum number of snapshots (5) reached for this server.
	// map[non_field_errors:[Maximum number of snapshots (5) reached for this server.]]
	// backup 9999 does not exist
	// vpsorg: DELETE /api/v1/backups/9999/: 404 Not Found: Not found.
}

func ExampleBackupsService_List() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	backups, resp, err := client.Backups.List(context.Background(), &vpsorg.BackupListOptions{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	// The API promises no order: sort by creation time when it matters.
	slices.SortFunc(backups, func(a, b *vpsorg.Backup) int { return a.CreatedAt.Compare(b.CreatedAt) })
	fmt.Println(resp.Count, "backups, next page:", resp.NextPage)
	for _, b := range backups {
		fmt.Println(b.ID, b.Type, b.Status, *b.SizeMB, b.CreatedAt.Format(time.RFC3339), b.ExpiresAt != nil)
	}
	// Output:
	// 3 backups, next page: 0
	// 499 manual completed 4456 2025-01-14T10:30:00Z false
	// 495 automatic completed 4389 2025-01-15T03:00:00Z true
	// 501 automatic completed 4523 2025-01-16T03:00:00Z true
}

func ExampleBackupsService_All() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// All fetches the pages as the loop needs them, here two at a time.
	opts := &vpsorg.BackupListOptions{Type: vpsorg.BackupTypeAutomatic, ListOptions: vpsorg.ListOptions{PageSize: 2}}
	for b, err := range client.Backups.All(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.ID, b.Description, "expires", b.ExpiresAt.Format(time.DateOnly))
	}
	// Output:
	// 501 Automatic daily backup expires 2025-02-16
	// 495 Automatic daily backup expires 2025-02-15
}

func ExampleBackupsService_Create() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(func() time.Time { return time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC) }))
	defer srv.Close()
	client := srv.Client()

	b, resp, err := client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{
		ServerID:    12345,
		Description: "Pre-deployment backup",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The backup has only started: wait for it with Backups.Wait.
	fmt.Println(resp.StatusCode, b.ID, b.Type, b.Status, b.SizeMB == nil, b.CreatedAt)
	fmt.Println(b.Message)
	// Output:
	// 201 502 manual in_progress true 2025-01-16 15:45:00 +0000 UTC
	// Backup is being created. This may take several minutes depending on server size.
}

func ExampleBackupsService_Delete() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	resp, err := client.Backups.Delete(ctx, 499)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode)

	// Deleting it again finds nothing: for a clean-up job, gone is fine.
	_, err = client.Backups.Delete(ctx, 499)
	fmt.Println(errors.Is(err, vpsorg.ErrNotFound))
	// Output:
	// 204
	// true
}

func ExampleBackupsService_Wait() {
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithClock(func() time.Time { return time.Date(2025, 1, 16, 15, 45, 0, 0, time.UTC) }),
		vpsorgtest.WithCompletionDelay(0), // VPS.org takes minutes
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	b, err = client.Backups.Wait(ctx, b, &vpsorg.WaitOptions{
		Interval:   10 * time.Millisecond, // the default, 5s, suits VPS.org
		OnProgress: func(s vpsorg.Status, _ time.Duration) { fmt.Println("poll:", s) },
	})
	switch {
	case errors.Is(err, vpsorg.ErrOperationFailed):
		log.Fatalf("backup %d failed", b.ID)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(b.ID, b.Status, *b.SizeMB, "MB")
	// Output:
	// poll: completed
	// 502 completed 4322 MB
}

func ExampleSnapshotsService_List() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	snapshots, resp, err := client.Snapshots.List(context.Background(), &vpsorg.SnapshotListOptions{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Count, "snapshots")
	for _, s := range snapshots {
		fmt.Println(s.ID, s.Name, s.Status, *s.SizeMB, s.CreatedAt.Format(time.RFC3339))
	}
	// Output:
	// 2 snapshots
	// 801 pre-migration-snapshot completed 5120 2025-01-15T18:30:00Z
	// 798 weekly-snapshot-2025-01-08 completed 4856 2025-01-08T12:00:00Z
}

func ExampleSnapshotsService_All() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	total := int64(0)
	for s, err := range client.Snapshots.All(context.Background(), &vpsorg.SnapshotListOptions{ServerID: 12345}) {
		if err != nil {
			log.Fatal(err)
		}
		if s.SizeMB != nil {
			total += *s.SizeMB
		}
	}
	fmt.Println(total, "MB of snapshots")
	// Output:
	// 9976 MB of snapshots
}

func ExampleSnapshotsService_Create() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithClock(func() time.Time { return time.Date(2025, 1, 16, 16, 15, 0, 0, time.UTC) }))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	s, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{
		ServerID:    12345,
		Name:        "before-update-snapshot", // letters, digits, '-' and '_'
		Description: "Snapshot before system update",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ID, s.Name, s.Status, s.CreatedAt.Format(time.RFC3339))

	// A bad name is refused before anything is sent.
	_, _, err = client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "before update"})
	var invalid *vpsorg.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println(invalid.Field, "refused:", invalid.Message)
	}
	// Output:
	// 802 before-update-snapshot in_progress 2025-01-16T16:15:00Z
	// name refused: must be non-empty letters, digits, '-' and '_'
}

func ExampleSnapshotsService_Restore() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// This overwrites all the server's data; wait for the end with Servers.Wait.
	r, _, err := client.Snapshots.Restore(ctx, 801)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Status, r.Snapshot.Name, r.Server.Name, r.Server.Status)

	// One restore at a time.
	_, _, err = client.Snapshots.Restore(ctx, 798)
	var apiErr *vpsorg.APIError
	if errors.Is(err, vpsorg.ErrBadRequest) && errors.As(err, &apiErr) {
		fmt.Println(apiErr.Message)
	}
	// Output:
	// success pre-migration-snapshot web-server-01 restoring
	// Server is not in a valid state for restoration.
}

func ExampleSnapshotsService_Delete() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	if _, err := client.Snapshots.Delete(ctx, 798); err != nil {
		log.Fatal(err)
	}
	_, resp, err := client.Snapshots.List(ctx, &vpsorg.SnapshotListOptions{ServerID: 12345})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Count, "snapshot left")
	// Output:
	// 1 snapshot left
}

func ExampleSnapshotsService_Wait() {
	srv := vpsorgtest.NewServer(
		vpsorgtest.WithClock(func() time.Time { return time.Date(2025, 1, 16, 16, 15, 0, 0, time.UTC) }),
		vpsorgtest.WithCompletionDelay(0), // VPS.org takes 3 to 10 minutes
	)
	defer srv.Close()
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	s, _, err := client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 12345, Name: "before-update-snapshot"})
	if err != nil {
		log.Fatal(err)
	}
	s, err = client.Snapshots.Wait(ctx, s, &vpsorg.WaitOptions{Interval: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ID, s.Status, *s.SizeMB, "MB")
	// Output:
	// 802 completed 4710 MB
}

func ExampleServersService_List() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	servers, resp, err := client.Servers.List(context.Background(), &vpsorg.ServerListOptions{Status: vpsorg.ServerStatusActive})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Count, "active")
	for _, s := range servers {
		fmt.Println(s.ID, s.Name, s.Hostname, s.IPAddress, s.Location, s.Plan.Name, s.OS.Name)
	}
	// Output:
	// 1 active
	// 12345 web-server-01 web-server-01.example.com 192.0.2.45 us-east-1 Standard 4GB Ubuntu 22.04 LTS
}

func ExampleServersService_All() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	srv.AddServer("db-01")
	srv.AddServer("cache-01")
	client := srv.Client()

	for s, err := range client.Servers.All(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.ID, s.Name, s.Status)
	}
	// Output:
	// 12347 cache-01 active
	// 12346 db-01 active
	// 12345 web-server-01 active
}

func ExampleServersService_Restore() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()

	// Backup 499 is a completed backup of server 12345. This overwrites all
	// the server's data; wait for the end with Servers.Wait.
	r, _, err := client.Servers.Restore(context.Background(), 12345, &vpsorg.ServerRestoreRequest{BackupID: 499})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Status, r.Server.ID, r.Server.Status)
	// Output:
	// success 12345 restoring
}

func ExampleServersService_Wait() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithRestoreDuration(0)) // VPS.org takes 5 to 15 minutes
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	if _, _, err := client.Snapshots.Restore(ctx, 801); err != nil {
		log.Fatal(err)
	}
	s, err := client.Servers.Wait(ctx, 12345, &vpsorg.WaitOptions{Interval: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, s.Status)
	// Output:
	// web-server-01 active
}
