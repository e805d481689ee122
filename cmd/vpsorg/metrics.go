package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// writeMetrics writes --metrics-file, when given, for node_exporter's
// textfile collector. The last success comes from the API, not from this
// run, so that a failed night still shows the last good backup and an
// alert on its age fires only when backups really stop.
func (r *rotation) writeMetrics(ctx context.Context, rows []*rotated) error {
	if r.in.metricsFile == "" {
		return nil
	}
	each(rows, func(row *rotated) {
		at, err := newestCompleted(ctx, r.c, row.ServerID)
		if err != nil {
			// Left out rather than guessed: the series goes missing, which
			// an absent() alert catches, instead of showing a wrong time.
			report(r.a.stderr, apiFailure(fmt.Sprintf("metrics: list the backups of server %d", row.ServerID), err, ""))
			return
		}
		row.lastGood = &at
	})
	reg, err := rotateMetrics(rows)
	if err == nil {
		err = writeFileAtomic(r.in.metricsFile, func(w io.Writer) error { return writeGathered(w, reg) })
	}
	if err != nil {
		return &failure{op: "write --metrics-file " + r.in.metricsFile, err: err}
	}
	return nil
}

// newestCompleted is the time of the server's newest completed backup,
// manual or automatic; zero when it has none.
func newestCompleted(ctx context.Context, c *vpsorg.Client, serverID int64) (time.Time, error) {
	var newest time.Time
	for b, err := range c.Backups.All(ctx, &vpsorg.BackupListOptions{ServerID: serverID, ListOptions: vpsorg.ListOptions{PageSize: 100}}) {
		if err != nil {
			return time.Time{}, err
		}
		if b.Server.ID == serverID && b.Status == vpsorg.StatusCompleted && b.CreatedAt.After(newest) {
			newest = b.CreatedAt
		}
	}
	return newest, nil
}

// rotateMetrics puts the rows in a registry of their own: nothing of the
// process (Go's runtime, the default registry's collectors) belongs in a
// file about backups.
func rotateMetrics(rows []*rotated) (*prometheus.Registry, error) {
	last := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vpsorg_backup_last_success_timestamp_seconds",
		Help: "When the server's newest completed backup the API shows was made, in Unix seconds; 0 when it has none.",
	}, []string{"server_id"})
	success := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vpsorg_backup_rotate_success",
		Help: "1 when the last vpsorg backups rotate backed the server up and pruned it, else 0.",
	}, []string{"server_id"})
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{last, success} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	for _, row := range rows {
		id := formatID(row.ServerID)
		if row.lastGood != nil {
			seconds := 0.0
			if !row.lastGood.IsZero() {
				seconds = float64(row.lastGood.UnixMilli()) / 1000
			}
			last.WithLabelValues(id).Set(seconds)
		}
		ok := 0.0
		if row.Status == rotateOK {
			ok = 1
		}
		success.WithLabelValues(id).Set(ok)
	}
	return reg, nil
}

// writeGathered writes what reg holds in Prometheus's text format.
func writeGathered(w io.Writer, reg prometheus.Gatherer) error {
	families, err := reg.Gather()
	if err != nil {
		return fmt.Errorf("gather metrics: %w", err)
	}
	for _, mf := range families {
		if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
			return fmt.Errorf("format metrics: %w", err)
		}
	}
	return nil
}

// writeFileAtomic replaces path with what write writes, so that a reader
// (node_exporter scrapes at any moment) sees the old file or the new one,
// never half of one, and a failed write leaves the old file as it was. It
// writes a temporary file in the same directory (a rename is atomic only
// within a file system), syncs it so the rename cannot reach the disk
// before the data, renames it over path, and syncs the directory so the
// rename survives a crash. prometheus.WriteToTextfile does the same but
// without the syncs. The temporary name starts with a dot and does not end
// in .prom, so the textfile collector never reads it.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create a temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()           // already closed on some paths; its error says nothing new
			_ = os.Remove(f.Name()) // nothing of a failed write is left behind
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	// node_exporter usually runs as another user than the cron job.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename %s: %w", f.Name(), err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // G304: the directory of --metrics-file, which the user names
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
