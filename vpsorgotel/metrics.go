package vpsorgotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/vpsorg/vpsorg-go"
)

// metrics is the observer WithMeterProvider gives the Client: the duration
// of each try in http.client.request.duration.
type metrics struct {
	duration metric.Float64Histogram
}

// StartCall has nothing to record: the histogram is per try.
func (*metrics) StartCall(ctx context.Context, _ string) (context.Context, func(error)) {
	return ctx, func(error) {}
}

// StartTry times one try, from its start to its answer read or its
// failure, and records it with the try's attributes, in the try's context
// (a span there, such as WithTracerProvider's given first, can become an
// exemplar).
func (m *metrics) StartTry(ctx context.Context, info vpsorg.TryInfo) (context.Context, func(vpsorg.TryResult)) {
	if !m.duration.Enabled(ctx) {
		return ctx, func(vpsorg.TryResult) {}
	}
	start := time.Now()
	return ctx, func(r vpsorg.TryResult) {
		elapsed := time.Since(start).Seconds()
		attrs := append(tryAttributes(info), resultAttributes(r)...)
		m.duration.Record(ctx, elapsed, metric.WithAttributes(attrs...))
	}
}
