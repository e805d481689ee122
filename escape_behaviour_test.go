package vpsorg_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// TestDoAgainstTheFake: Client.Do on vpsorgtest, as a user would call an
// endpoint the SDK does not wrap.
func TestDoAgainstTheFake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    *vpsorgtest.Rule
		method   string
		path     string
		body     any
		wantErr  []error
		wantReqs []string // "METHOD path" the fake received, in order
	}{
		{
			name: "a create", method: "POST", path: "backups/", body: map[string]any{"server_id": 12345},
			wantReqs: []string{"POST /api/v1/backups/"},
		},
		{
			name: "a create answered 503 after acting: no look-up, outcome unknown", method: "POST", path: "backups/",
			body:     map[string]any{"server_id": 12345, "description": "by hand"},
			fault:    &vpsorgtest.Rule{Method: "POST", Path: "/api/v1/backups/", Nth: 1, Fault: vpsorgtest.Fault{Status: 503, AfterAction: true}},
			wantErr:  []error{vpsorg.ErrOutcomeUnknown, vpsorg.ErrServerError},
			wantReqs: []string{"POST /api/v1/backups/"},
		},
		{
			name: "a GET retried after a 503", method: "GET", path: "snapshots/?server_id=12345",
			fault:    &vpsorgtest.Rule{Method: "GET", Path: "/api/v1/snapshots/", Nth: 1, Fault: vpsorgtest.Fault{Status: 503}},
			wantReqs: []string{"GET /api/v1/snapshots/", "GET /api/v1/snapshots/"},
		},
		{
			name: "the fake's 400", method: "POST", path: "snapshots/", body: map[string]any{"server_id": 12345, "name": "no spaces allowed"},
			wantErr: []error{vpsorg.ErrBadRequest}, wantReqs: []string{"POST /api/v1/snapshots/"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := vpsorgtest.NewServer()
			t.Cleanup(srv.Close)
			if tc.fault != nil {
				srv.AddFault(*tc.fault)
			}
			client := srv.Client(vpsorg.WithRetryWait(time.Millisecond, time.Millisecond))
			req, err := client.NewRequest(context.Background(), tc.method, tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.Do(req, new(map[string]any))
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Do: %v; want it to match %v", err, want)
				}
			}
			if tc.wantErr == nil && err != nil {
				t.Fatalf("Do: %v", err)
			}
			var got []string
			for _, r := range srv.Requests() {
				got = append(got, r.Method+" "+r.Path)
			}
			if len(got) != len(tc.wantReqs) {
				t.Fatalf("the fake received %q; want %q", got, tc.wantReqs)
			}
			for i := range got {
				if got[i] != tc.wantReqs[i] {
					t.Errorf("request %d: %s; want %s", i+1, got[i], tc.wantReqs[i])
				}
			}
		})
	}
}

// TestDoWithHTTPMockOnOwnClient: Do goes through the user's own client, so
// an httpmock transport on it answers, as it does for the service methods.
// A transport of the test's own rather than ActivateNonDefault, whose
// responders are process-wide: the test runs in parallel.
func TestDoWithHTTPMockOnOwnClient(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mock}
	mock.RegisterResponder("GET", "https://admin.vps.org/api/v1/things/?kind=a", httpmock.NewStringResponder(200, `{"name":"thing"}`))
	client, err := vpsorg.NewClient("test-token", vpsorg.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	req, err := client.NewRequest(context.Background(), "GET", "things/?kind=a", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Name string `json:"name"`
	}
	if _, err := client.Do(req, &out); err != nil || out.Name != "thing" {
		t.Fatalf("Do = %+v, %v; want the mocked thing", out, err)
	}
}
