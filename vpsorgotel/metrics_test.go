package vpsorgotel_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/vpsorg/vpsorg-go/vpsorgotel"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestRequestDurationHistogram: every try is one measurement of
// http.client.request.duration, in seconds, in the conventions' buckets,
// labelled with its method, template, host, port, status and error type.
func TestRequestDurationHistogram(t *testing.T) {
	t.Parallel()
	o := newObserved(t)
	o.srv.AddFault(vpsorgtest.Rule{Method: "GET", Path: "/api/v1/snapshots/", Nth: 1, Fault: vpsorgtest.Fault{Status: 503}})
	if _, _, err := o.client.Snapshots.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	hist := findHistogram(t, rm, "http.client.request.duration")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(o.srv.URL, "http://"))
	common := []string{"http.request.method=GET", "server.address=127.0.0.1", "server.port=" + port, "url.template=/api/v1/snapshots/"}
	want := map[string]bool{
		strings.Join(slices.Sorted(slices.Values(append([]string{"error.type=503", "http.response.status_code=503"}, common...))), " "): true,
		strings.Join(slices.Sorted(slices.Values(append([]string{"http.response.status_code=200"}, common...))), " "):                   true,
	}
	if len(hist.DataPoints) != len(want) {
		t.Fatalf("%d data points; want %d", len(hist.DataPoints), len(want))
	}
	bounds := []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	for _, dp := range hist.DataPoints {
		attrs := strings.Join(sortedAttrs(dp.Attributes.ToSlice()), " ")
		if !want[attrs] {
			t.Errorf("unexpected data point %s", attrs)
		}
		if dp.Count != 1 || dp.Sum <= 0 {
			t.Errorf("%s: count %d, sum %g; want one try of some time", attrs, dp.Count, dp.Sum)
		}
		if !slices.Equal(dp.Bounds, bounds) {
			t.Errorf("bounds %v; want the conventions' %v", dp.Bounds, bounds)
		}
	}
}

// findHistogram returns the float histogram name in rm's vpsorgotel scope,
// checking its unit.
func findHistogram(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Histogram[float64] {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != vpsorgotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			if m.Unit != "s" {
				t.Errorf("%s unit %q; want s", name, m.Unit)
			}
			h, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				t.Fatalf("%s is a %T", name, m.Data)
			}
			return h
		}
	}
	t.Fatalf("no %s in scope %s", name, vpsorgotel.ScopeName)
	return metricdata.Histogram[float64]{}
}
