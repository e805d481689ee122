package vpsorgotel

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/vpsorg/vpsorg-go"
)

// tracing is the observer WithTracerProvider gives the Client: a span per
// call, a client span per try.
type tracing struct {
	tracer trace.Tracer
}

// The kinds of the two spans, made once rather than at every span.
var (
	callKind = trace.WithSpanKind(trace.SpanKindInternal)
	tryKind  = trace.WithSpanKind(trace.SpanKindClient)
)

// StartCall starts the span of a call, "vpsorg Backups.Create". Its
// context is the call's, so the call's tries and the calls it makes are
// its children.
func (t *tracing) StartCall(ctx context.Context, op string) (context.Context, func(error)) {
	ctx, span := t.tracer.Start(ctx, "vpsorg "+op, callKind)
	return ctx, func(err error) {
		if err != nil {
			et := errorType(err)
			span.SetAttributes(semconv.ErrorTypeKey.String(et))
			span.SetStatus(codes.Error, et)
		}
		span.End()
	}
}

// StartTry starts the client span of one HTTP try, with the attributes a
// sampler may look at, and ends it with the answer's.
func (t *tracing) StartTry(ctx context.Context, info vpsorg.TryInfo) (context.Context, func(vpsorg.TryResult)) {
	attrs := tryAttributes(info)
	if info.ResendCount > 0 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(info.ResendCount))
	}
	ctx, span := t.tracer.Start(ctx, spanName(info), tryKind, trace.WithAttributes(attrs...))
	return ctx, func(r vpsorg.TryResult) {
		if span.IsRecording() { // not for a span sampled out, or a no-op tracer's
			span.SetAttributes(resultAttributes(r)...)
			if et := tryErrorType(r); et != "" {
				span.SetStatus(codes.Error, et)
			}
		}
		span.End()
	}
}
