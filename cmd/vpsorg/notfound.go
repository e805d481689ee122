package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// findPageSize is the page size of the walks that look ids up: the
// largest the API serves, since what a walk costs is its pages.
const findPageSize = 100

func listServers(ctx context.Context, c *vpsorg.Client) iter.Seq2[*vpsorg.Server, error] {
	return c.Servers.All(ctx, &vpsorg.ServerListOptions{ListOptions: vpsorg.ListOptions{PageSize: findPageSize}})
}

// findIDs walks seq until it has seen every id, and returns those found,
// in the order of ids, and the ids it lacks. It reads no page past the
// one with the last id it needs.
func findIDs[T any](seq iter.Seq2[T, error], ids []int64, idOf func(T) int64) (found []T, missing []int64, err error) {
	listed := make(map[int64]T, len(ids))
	for it, err := range seq {
		if err != nil {
			return nil, nil, err
		}
		if slices.Contains(ids, idOf(it)) {
			listed[idOf(it)] = it
		}
		if len(listed) == len(ids) {
			break
		}
	}
	for _, n := range ids {
		if it, ok := listed[n]; ok {
			found = append(found, it)
		} else {
			missing = append(missing, n)
		}
	}
	return found, missing, nil
}

// orUnknownServer is a list filtered by serverID (0: not filtered) that
// ends in a not-found error when it is empty because no server has that
// id: the API lists an unknown server's backups as it lists those of a
// server with none, as empty.
func orUnknownServer[T any](ctx context.Context, c *vpsorg.Client, serverID int64, seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		empty := true
		for it, err := range seq {
			empty = false
			if !yield(it, err) || err != nil {
				return
			}
		}
		if !empty || serverID == 0 {
			return
		}
		_, missing, err := findIDs(listServers(ctx, c), []int64{serverID}, serverView.id)
		var zero T
		switch {
		case err != nil:
			yield(zero, err)
		case len(missing) > 0:
			yield(zero, &notFoundError{"server", missing})
		}
	}
}

// restoreFromBackupFailure is the error of "servers restore": exit 7 with
// the command that shows whether the restore started when its outcome is
// unknown, and exit 3 naming the backup when the API refuses backup_id
// because no such backup exists. The API says so with a 400 and a
// message on backup_id, as it does for a backup of another server, so the
// backups list decides which it is.
func restoreFromBackupFailure(ctx context.Context, c *vpsorg.Client, op string, serverID, backupID int64, err error) error {
	look := fmt.Sprintf(`the restore may have started; before trying again, see whether server %d is "restoring": vpsorg servers get %d`, serverID, serverID)
	var apiErr *vpsorg.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || len(apiErr.FieldErrors["backup_id"]) == 0 {
		return writeFailure(op, err, "check the server id: vpsorg servers list", look)
	}
	_, missing, lookErr := findIDs(c.Backups.All(ctx, &vpsorg.BackupListOptions{ListOptions: vpsorg.ListOptions{PageSize: findPageSize}}), []int64{backupID}, backupView.id)
	if lookErr != nil || len(missing) == 0 {
		return apiFailure(op, err, "")
	}
	return &failure{op: op, err: &notFoundError{"backup", missing}, hint: "check --backup: " + backupsLater(serverID), code: exitNotFound}
}
