// Package vpsorgtest runs an in-memory, stateful fake of the VPS.org backups and
// snapshots API on loopback, in the manner of net/http/httptest, so code that
// uses package vpsorg can be tested without the network or a real account.
//
// The fake behaves as the API documentation says: it checks the bearer token,
// answers Django REST Framework style bodies for errors and pages, enforces the
// per-server limits (10 manual backups, 5 snapshots), lets new backups and
// snapshots finish after a delay and keeps a restored server "restoring" for a
// while. Time is read from a clock that tests may replace (WithClock), and every
// status is worked out from that clock when it is read, so a test controls the
// whole life cycle without sleeping.
//
// Faults (status codes, Retry-After, dropped connections, delays, failures after
// the request was carried out, answers cut off in the body) can be injected with AddFault and SetFaultFunc,
// and every request received is kept for inspection with Requests.
// WithRateLimit throttles the API as Django REST Framework does, on the same
// clock.
//
// NewServerAt serves on an address of the caller's choosing, Reset puts a
// server back as it started, ParseRules reads fault rules written as JSON, and
// ControlHandler (or WithControlAPI) offers all that over HTTP under /_fake/,
// as the vpsorg-fake program (cmd/vpsorg-fake) does for tests in any language.
//
// AddBackup and AddSnapshot put history on the fake: backups and snapshots
// as if made earlier, with the dates, statuses and sizes a test gives, even
// past the per-server limits, which the API's creates still meet. The
// control API takes them, one or a list at a time, as POST /_fake/backups
// and POST /_fake/snapshots.
//
// Unless WithoutSeed is given, the fake starts with the documented server 12345
// "web-server-01", its backups 501, 499 and 495 and its snapshots 801 and 798.
package vpsorgtest
