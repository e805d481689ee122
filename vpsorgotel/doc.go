// Package vpsorgotel puts the calls of a [vpsorg.Client] into OpenTelemetry
// traces and metrics.
//
//	client, err := vpsorg.NewClient(token,
//		vpsorgotel.WithTracerProvider(tp), // spans
//		vpsorgotel.WithMeterProvider(mp),  // http.client.request.duration
//	)
//
// Each call of the SDK is a span named "vpsorg Service.Method" ("vpsorg
// Backups.Create", "vpsorg Backups.WaitAll"), and each HTTP try of the call
// a client span under it, named and attributed as OpenTelemetry's HTTP
// client conventions say: "DELETE /api/v1/backups/{id}/", with
// http.request.method, url.template, server.address, server.port,
// http.response.status_code, http.request.resend_count on a retry, and
// error.type on failure. The calls a call makes are its children: each
// poll of a wait is a "vpsorg Backups.List" span under "vpsorg
// Backups.Wait", and the look-up after a create's lost answer lists under
// "vpsorg Backups.Create". Each try is also recorded in the histogram
// http.client.request.duration, in seconds, with the same attributes but
// the resend count.
//
// No span or metric holds the token, a query, a body or the full URL, and
// no error message either: an API error's message is the server's text, so
// a failed span says only its error.type ("404", "timeout",
// "outcome_unknown").
//
// The package is a module of its own, so that the SDK's module never
// depends on OpenTelemetry; it uses the SDK's [vpsorg.Observer] hook, on
// which any other tracing or metrics library can be put the same way.
package vpsorgotel
