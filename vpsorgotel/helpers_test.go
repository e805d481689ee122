package vpsorgotel_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgotel"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// observed is a fake with a Client traced into an in-memory exporter and
// metered into a manual reader.
type observed struct {
	srv    *vpsorgtest.Server
	client *vpsorg.Client
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
}

// newObserved starts a fake and a Client on it with both providers; retry
// pauses are a millisecond.
func newObserved(t *testing.T, opts ...vpsorg.Option) *observed {
	t.Helper()
	o := &observed{
		srv:    vpsorgtest.NewServer(),
		spans:  tracetest.NewInMemoryExporter(),
		reader: sdkmetric.NewManualReader(),
	}
	t.Cleanup(o.srv.Close)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(o.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
	all := []vpsorg.Option{
		vpsorgotel.WithTracerProvider(tp),
		vpsorgotel.WithMeterProvider(mp),
		vpsorg.WithRetryWait(time.Millisecond, time.Millisecond),
	}
	o.client = o.srv.Client(append(all, opts...)...)
	return o
}

// tree draws the exported spans as an indented tree, children in the
// order they started, one line each: the name, then for a try its status
// code and resend count, and "!" with error.type for a span whose status
// is Error.
func tree(spans tracetest.SpanStubs) []string {
	children := map[trace.SpanID][]tracetest.SpanStub{}
	for _, s := range spans {
		children[s.Parent.SpanID()] = append(children[s.Parent.SpanID()], s)
	}
	var lines []string
	var walk func(parent trace.SpanID, depth int)
	walk = func(parent trace.SpanID, depth int) {
		kids := children[parent]
		slices.SortStableFunc(kids, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
		for _, s := range kids {
			lines = append(lines, strings.Repeat("  ", depth)+line(s))
			walk(s.SpanContext.SpanID(), depth+1)
		}
	}
	walk(trace.SpanID{}, 0)
	return lines
}

func line(s tracetest.SpanStub) string {
	var b strings.Builder
	b.WriteString(s.Name)
	attrs := attribute.NewSet(s.Attributes...)
	if v, ok := attrs.Value("http.response.status_code"); ok {
		fmt.Fprintf(&b, " %d", v.AsInt64())
	}
	if v, ok := attrs.Value("http.request.resend_count"); ok {
		fmt.Fprintf(&b, " resend=%d", v.AsInt64())
	}
	if s.Status.Code == codes.Error {
		v, _ := attrs.Value("error.type")
		fmt.Fprintf(&b, " !%s", v.AsString())
	}
	return b.String()
}

// sortedAttrs renders attributes as "key=value", sorted.
func sortedAttrs(kvs []attribute.KeyValue) []string {
	out := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, string(kv.Key)+"="+kv.Value.String())
	}
	slices.SortFunc(out, cmp.Compare)
	return out
}
