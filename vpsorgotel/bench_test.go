package vpsorgotel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgotel"
)

// What tracing costs a call, without the network: Backups.List of one
// item, answered from memory as bench/'s Overhead benchmarks answer it
// (BENCHMARKS.md, "Tracing overhead"). It lives in this module, not in
// bench/, so that bench/'s module graph, which compares clients, does not
// take in OpenTelemetry's SDK for one table.

// listBody is a one-item page of GET /api/v1/backups/.
const listBody = `{"count":1,"next":null,"previous":null,"results":[{"id":501,` +
	`"server":{"id":12345,"name":"web-server-01"},"backup_type":"automatic","status":"completed",` +
	`"size_mb":4523,"created_at":"2025-01-15T02:00:00Z","expires_at":"2025-02-14T02:00:00Z",` +
	`"description":"Automatic daily backup"}]}`

// memTransport answers every request with listBody, without a network.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(listBody))}},
		Body:          io.NopCloser(bytes.NewReader([]byte(listBody))),
		ContentLength: int64(len(listBody)),
		Request:       r,
	}, nil
}

func BenchmarkTracingOverhead(b *testing.B) {
	sdkTracer := func() vpsorg.Option {
		// Every span sampled and exported, to an exporter that drops it:
		// the SDK's whole cost, without an exporter's.
		return vpsorgotel.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter())))
	}
	sdkMeter := func() vpsorg.Option {
		return vpsorgotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())))
	}
	cases := []struct {
		name string
		opts func() []vpsorg.Option
	}{
		{"none", func() []vpsorg.Option { return nil }},
		{"tracer=noop", func() []vpsorg.Option {
			return []vpsorg.Option{vpsorgotel.WithTracerProvider(tracenoop.NewTracerProvider())}
		}},
		{"tracer=noop+meter=noop", func() []vpsorg.Option {
			return []vpsorg.Option{
				vpsorgotel.WithTracerProvider(tracenoop.NewTracerProvider()),
				vpsorgotel.WithMeterProvider(metricnoop.NewMeterProvider()),
			}
		}},
		{"tracer=sdk", func() []vpsorg.Option { return []vpsorg.Option{sdkTracer()} }},
		{"meter=sdk", func() []vpsorg.Option { return []vpsorg.Option{sdkMeter()} }},
		{"tracer=sdk+meter=sdk", func() []vpsorg.Option { return []vpsorg.Option{sdkTracer(), sdkMeter()} }},
	}
	for _, tc := range cases {
		b.Run("List/items=1/"+tc.name, func(b *testing.B) {
			opts := append([]vpsorg.Option{
				vpsorg.WithBaseURL("http://127.0.0.1:1/api/v1/"),
				vpsorg.WithHTTPClient(&http.Client{Transport: memTransport{}}),
			}, tc.opts()...)
			c, err := vpsorg.NewClient("bench-token", opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.Backups.List(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
