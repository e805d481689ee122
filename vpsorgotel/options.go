package vpsorgotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/vpsorg/vpsorg-go"
)

// ScopeName is the instrumentation scope of the spans and metrics this
// package makes: its import path.
const ScopeName = "github.com/vpsorg/vpsorg-go/vpsorgotel"

// WithTracerProvider makes the Client trace its calls with tp: a span per
// call, and a client span per HTTP try under it (see the package
// documentation). A nil tp is the global one, [otel.GetTracerProvider],
// as it is when the Client is made. It may be given with
// [WithMeterProvider]; each is an observer of its own ([vpsorg.WithObserver]).
func WithTracerProvider(tp trace.TracerProvider) vpsorg.Option {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer(ScopeName,
		trace.WithInstrumentationVersion(vpsorg.Version),
		trace.WithSchemaURL(semconv.SchemaURL))
	return vpsorg.WithObserver(&tracing{tracer: tracer})
}

// WithMeterProvider makes the Client record the duration of each HTTP try
// with mp, in the histogram http.client.request.duration (seconds, the
// conventions' bucket boundaries), with http.request.method, url.template,
// server.address, server.port, http.response.status_code when an answer
// came and error.type on failure. A nil mp is the global one,
// [otel.GetMeterProvider].
//
// Should mp fail to make the histogram, the error goes to OpenTelemetry's
// error handler ([otel.Handle]) and nothing is recorded: as with every
// OpenTelemetry instrumentation, telemetry never fails the program.
func WithMeterProvider(mp metric.MeterProvider) vpsorg.Option {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName,
		metric.WithInstrumentationVersion(vpsorg.Version),
		metric.WithSchemaURL(semconv.SchemaURL))
	duration, err := httpconv.NewClientRequestDuration(meter)
	if err != nil {
		otel.Handle(err)
	}
	return vpsorg.WithObserver(&metrics{duration: duration.Inst()})
}
