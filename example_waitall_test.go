package vpsorg_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Back up several servers and wait for all the backups with polls they
// share. One backup is made to fail on the fake, to show the error.
func ExampleBackupsService_WaitAll() {
	srv := vpsorgtest.NewServer(vpsorgtest.WithoutSeed(), vpsorgtest.WithCompletionDelay(0))
	defer srv.Close()
	client := srv.Client(vpsorg.WithRateLimit(50, 10)) // every request, polls included, within 50 a second
	ctx := context.Background()

	var backups []*vpsorg.Backup
	for _, name := range []string{"web-1", "web-2", "db-1"} {
		b, _, err := client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: srv.AddServer(name)})
		if err != nil {
			fmt.Println(err)
			return
		}
		backups = append(backups, b)
	}
	if err := srv.SetBackupStatus(backups[2].ID, vpsorg.StatusFailed); err != nil {
		fmt.Println(err)
		return
	}

	done, err := client.Backups.WaitAll(ctx, backups, &vpsorg.WaitOptions{
		Interval: time.Millisecond,
		OnUpdate: func(id int64, s vpsorg.Status, _ time.Duration) { fmt.Println("backup", id, s) },
	})
	for _, b := range done {
		fmt.Println(b.Server.Name, b.Status)
	}
	if errors.Is(err, vpsorg.ErrOperationFailed) {
		fmt.Println(err)
	}
	// Output:
	// backup 3 failed
	// backup 2 completed
	// backup 1 completed
	// web-1 completed
	// web-2 completed
	// db-1 failed
	// vpsorg: wait for backup 3: vpsorg: operation failed
}
