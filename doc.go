// Package vpsorg is a Go client for the VPS.org backups and snapshots API
// (https://admin.vps.org/api/v1/).
//
// Create a [Client] with [NewClient] (or [NewClientFromEnv], which reads
// VPSORG_API_TOKEN and VPSORG_API_URL) and use its services:
// [BackupsService], [SnapshotsService] and [ServersService]. Every call takes
// a context, and list calls come in two forms: List returns one page, All
// walks every page lazily as a range-over-func iterator.
//
// # Errors
//
// An answer outside 2xx is an [*APIError], which matches [ErrBadRequest],
// [ErrUnauthorized], [ErrForbidden], [ErrNotFound], [ErrRateLimited] or
// [ErrServerError] with [errors.Is] and carries DRF's message and field
// errors. Input refused before anything is sent is a [*ValidationError]. A
// call with no usable answer (connection, context, decoding) is a
// [*RequestError] that keeps its cause. The token never appears in any of
// them.
//
// Besides the errors its documentation names, every call can fail with
// [ErrRateLimited] or [ErrServerError] once retries are spent, and with a
// [*RequestError] when no usable answer came (a connection, the context, or
// a body that does not decode; [errors.Is] with [context.DeadlineExceeded]
// holds through it).
//
// # Retries
//
// Calls are retried (4 times by default, exponential backoff with full
// jitter between 500ms and 30s) by method, because a repeated create makes a
// second backup and a repeated restore restores twice:
//
//   - GET and DELETE are retried on 429, 500, 502, 503, 504, and on any
//     connection failure other than TLS errors and refused redirects.
//   - POST (create, restore) is retried only when the server certainly did
//     not act: a 429, or a connection that failed before the request was
//     written (refused, DNS). Never on 5xx or a connection lost after
//     sending.
//
// Retry-After (seconds or HTTP date) is honoured on 429 and 503; when it asks
// for longer than the maximum wait ([WithRetryWait]) the call returns at once
// with the [*APIError], RetryAfter set. When retries run out the caller gets
// the last answer's typed error with Attempts set. A DELETE whose earlier try
// failed ambiguously and whose retry answers 404 succeeds: the object is gone.
// A 2xx answer whose body breaks off is a failed try, like a lost connection.
//
// A create or restore whose answer was lost after it may have acted looks
// for its result before it answers, and succeeds with Response.Recovered
// set when it finds it; otherwise its error also matches [ErrOutcomeUnknown].
// RELIABILITY.md in the repository has the rules; [WithoutRecovery] turns
// the look-up off.
//
// A 429's Retry-After holds every other request of the Client too, until
// then; [WithRateLimit] keeps the Client under a budget of its own.
//
// # Waiting
//
// Creates and restores return as soon as the work has started. The Wait
// methods poll until it is done, backing off between polls; see [WaitOptions].
// For many objects at once, [BackupsService.WaitAll] and
// [SnapshotsService.WaitAll] share their polls.
//
// # Other endpoints, tracing and metrics
//
// [Client.NewRequest] and [Client.Do] call an endpoint the SDK does not wrap
// yet, with the token, retries, rate limit and errors of every call.
// [WithObserver] tells an [Observer] about every call and each of its HTTP
// tries; the module github.com/vpsorg/vpsorg-go/vpsorgotel makes
// OpenTelemetry spans and metrics with it.
//
// # Testing
//
// Package vpsorgtest is an in-memory fake of the API to test code that uses
// this package against. The examples below run on it, so their output is
// the same at every run; to point one at VPS.org, create the client with
// [NewClientFromEnv] and set VPSORG_API_TOKEN.
package vpsorg
