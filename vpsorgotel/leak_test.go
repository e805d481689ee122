package vpsorgotel_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/vpsorg/vpsorg-go"
)

// TestNothingSecretInTelemetry: no span name, status, attribute or event,
// and no metric label, holds the token, a query, a request body, an error
// message from the server, or a full URL.
func TestNothingSecretInTelemetry(t *testing.T) {
	t.Parallel()
	o := newObserved(t, vpsorg.WithRetryMax(1))
	ctx := context.Background()
	_, _, _ = o.client.Backups.List(ctx, &vpsorg.BackupListOptions{ServerID: 12345, Type: vpsorg.BackupTypeManual})
	_, _, _ = o.client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "body-secret"})
	_, _, _ = o.client.Snapshots.Create(ctx, &vpsorg.SnapshotCreateRequest{ServerID: 99999, Name: "body-secret-2"}) // 404 with a detail
	_, _ = o.client.Backups.Delete(ctx, 9999)
	if req, err := o.client.NewRequest(ctx, "GET", "servers/?status=active&q=s3cr3t", nil); err == nil {
		_, _ = o.client.Do(req, nil)
	}

	forbidden := []string{o.srv.Token, "?", "s3cr3t", "status=active", "server_id", "backup_type", "body-secret", "Not found", "http://"}
	check := func(where, s string) {
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				t.Errorf("%s %q holds %q", where, s, f)
			}
		}
	}
	checkAttrs := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			check(where+" "+string(kv.Key), kv.Value.String())
		}
	}
	spans := o.spans.GetSpans()
	if len(spans) < 10 {
		t.Fatalf("only %d spans", len(spans))
	}
	for _, s := range spans {
		check("span name", s.Name)
		check(s.Name+" status", s.Status.Description)
		checkAttrs(s.Name, s.Attributes)
		for _, e := range s.Events {
			check(s.Name+" event", e.Name)
			checkAttrs(s.Name+" event", e.Attributes)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	for _, dp := range findHistogram(t, rm, "http.client.request.duration").DataPoints {
		checkAttrs("metric", dp.Attributes.ToSlice())
	}
}
