package vpsorgotel_test

import (
	"context"
	"fmt"
	"log"
	"slices"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgotel"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// A create whose answer is lost, traced: the create's span holds its POST,
// answered 503 after the backup was made, and the look-up that found the
// backup, a list call with its own GET.
//
// A program gives its own TracerProvider, exporting with stdouttrace, OTLP
// or any exporter (README, "Tracing and metrics"). This example reads the
// spans back from an in-memory exporter, so that its output is the same
// at every run; it leaves out server.port, which the fake picks.
func Example() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	srv.AddFault(vpsorgtest.Rule{Method: "POST", Path: "/api/v1/backups/", Nth: 1,
		Fault: vpsorgtest.Fault{Status: 503, AfterAction: true}})

	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	client := srv.Client(vpsorgotel.WithTracerProvider(tp))

	b, resp, err := client.Backups.Create(context.Background(), &vpsorg.BackupCreateRequest{ServerID: 12345, Description: "nightly"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("backup", b.ID, "recovered:", resp.Recovered)

	spans := exporter.GetSpans()
	names := map[trace.SpanID]string{}
	for _, s := range spans {
		names[s.SpanContext.SpanID()] = s.Name
	}
	slices.SortFunc(spans, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
	for _, s := range spans {
		fmt.Printf("%q under %q\n", s.Name, names[s.Parent.SpanID()])
		for _, kv := range s.Attributes {
			if kv.Key != "server.port" {
				fmt.Printf("    %s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// backup 502 recovered: true
	// "vpsorg Backups.Create" under ""
	// "POST /api/v1/backups/" under "vpsorg Backups.Create"
	//     http.request.method=POST
	//     url.template=/api/v1/backups/
	//     server.address=127.0.0.1
	//     http.response.status_code=503
	//     error.type=503
	// "vpsorg Backups.List" under "vpsorg Backups.Create"
	// "GET /api/v1/backups/" under "vpsorg Backups.List"
	//     http.request.method=GET
	//     url.template=/api/v1/backups/
	//     server.address=127.0.0.1
	//     http.response.status_code=200
}
