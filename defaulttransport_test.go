package vpsorg_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"

	vpsorg "github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// These tests are written as a user's own tests are: a Client made with
// NewClient and no WithHTTPClient sends through http.DefaultTransport,
// whatever the program put there. Most of them replace
// http.DefaultTransport for the whole process, so they cannot run in
// parallel; Go runs a test that does not call t.Parallel while no parallel
// test of the package is running.

// fixture returns the documented JSON body testdata/name.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkTypedAnswers makes three calls through client, whose transport
// serves the documented list, a 404 and a 400 with field errors, and checks
// that each is decoded or mapped as a real answer would be.
func checkTypedAnswers(t *testing.T, client *vpsorg.Client) {
	t.Helper()
	ctx := context.Background()
	backups, resp, err := client.Backups.List(ctx, nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(backups) != 3 || resp.Count != 3 || backups[0].ID != 501 || backups[0].Server.Name != "web-server-01" {
		t.Errorf("List decoded %d backups (count %d), first %+v", len(backups), resp.Count, backups[0])
	}
	_, err = client.Backups.Delete(ctx, 9999)
	if !errors.Is(err, vpsorg.ErrNotFound) {
		t.Errorf("Delete of a missing backup: %v, want ErrNotFound", err)
	}
	_, _, err = client.Backups.Create(ctx, &vpsorg.BackupCreateRequest{ServerID: 12345})
	var apiErr *vpsorg.APIError
	if !errors.Is(err, vpsorg.ErrBadRequest) || !errors.As(err, &apiErr) || len(apiErr.FieldErrors["name"]) != 2 {
		t.Errorf("Create refused with field errors: %v, want ErrBadRequest with the fields", err)
	}
}

// registerDocumented registers the answers checkTypedAnswers expects on
// register, httpmock's package function or a MockTransport's method.
func registerDocumented(t *testing.T, register func(method, url string, r httpmock.Responder)) {
	t.Helper()
	base := vpsorg.DefaultBaseURL
	register(http.MethodGet, base+"backups/", httpmock.NewBytesResponder(http.StatusOK, fixture(t, "backups_list.json")))
	register(http.MethodDelete, base+"backups/9999/", httpmock.NewBytesResponder(http.StatusNotFound, fixture(t, "error_not_found.json")))
	register(http.MethodPost, base+"backups/", httpmock.NewBytesResponder(http.StatusBadRequest, fixture(t, "error_field_errors.json")))
}

// TestHTTPMockActivate is the test a new user writes first: the global
// httpmock.Activate, then NewClient with nothing but a token.
func TestHTTPMockActivate(t *testing.T) { //nolint:paralleltest // httpmock.Activate replaces http.DefaultTransport for the whole process
	httpmock.Activate(t)
	registerDocumented(t, httpmock.RegisterResponder)

	client, err := vpsorg.NewClient("tok")
	if err != nil {
		t.Fatal(err)
	}
	checkTypedAnswers(t, client)
	if n := httpmock.GetTotalCallCount(); n != 3 {
		t.Errorf("httpmock saw %d requests, want 3", n)
	}
}

// TestHTTPMockActivateAfterNewClient: the SDK reads http.DefaultTransport
// at every request, so a mock activated after NewClient is seen too.
func TestHTTPMockActivateAfterNewClient(t *testing.T) { //nolint:paralleltest // httpmock.Activate replaces http.DefaultTransport for the whole process
	client, err := vpsorg.NewClient("tok")
	if err != nil {
		t.Fatal(err)
	}
	httpmock.Activate(t)
	registerDocumented(t, httpmock.RegisterResponder)
	checkTypedAnswers(t, client)
}

// TestHTTPMockActivateNonDefault: the user's own *http.Client, mocked with
// httpmock's shared mock transport, given with WithHTTPClient.
func TestHTTPMockActivateNonDefault(t *testing.T) { //nolint:paralleltest // httpmock's package functions share one mock transport
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	registerDocumented(t, httpmock.RegisterResponder)

	client, err := vpsorg.NewClient("tok", vpsorg.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	checkTypedAnswers(t, client)
}

// TestDefaultTransportOfAnyType: a DefaultTransport that is not an
// *http.Transport, as gock installs, and of a type that cannot even be
// compared, never makes NewClient panic, and carries every request.
func TestDefaultTransportOfAnyType(t *testing.T) { //nolint:paralleltest // replaces http.DefaultTransport for the whole process
	mock := httpmock.NewMockTransport()
	registerDocumented(t, mock.RegisterResponder)
	var seen atomic.Int64
	setDefaultTransport(t, roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		seen.Add(1)
		return mock.RoundTrip(r)
	}))

	client, err := vpsorg.NewClient("tok")
	if err != nil {
		t.Fatal(err)
	}
	checkTypedAnswers(t, client)
	if n := seen.Load(); n != 3 {
		t.Errorf("the installed transport saw %d requests, want 3", n)
	}
}

// TestDefaultTransportWrapped: a tracing wrapper around net/http's own
// transport, put in http.DefaultTransport as otelhttp users do, sees every
// request of a real exchange with the fake, and the connection is reused.
func TestDefaultTransportWrapped(t *testing.T) { //nolint:paralleltest // replaces http.DefaultTransport for the whole process
	srv := vpsorgtest.NewServer()
	t.Cleanup(srv.Close)
	wrapped := &countingTransport{next: http.DefaultTransport}
	setDefaultTransport(t, wrapped)

	client, err := vpsorg.NewClient(srv.Token, vpsorg.WithBaseURL(srv.URL+"/api/v1/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const calls = 20
	for range calls {
		if _, _, err := client.Backups.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Backups.Delete(ctx, 9999); !errors.Is(err, vpsorg.ErrNotFound) {
		t.Errorf("Delete of a missing backup: %v, want ErrNotFound", err)
	}
	if n := wrapped.n.Load(); n != calls+1 {
		t.Errorf("the wrapper saw %d requests, want %d", n, calls+1)
	}
	if n := srv.ConnectionsOpened(); n != 1 {
		t.Errorf("%d sequential calls opened %d connections, want 1", calls+1, n)
	}
}

// setDefaultTransport puts rt in http.DefaultTransport until the test ends.
func setDefaultTransport(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	old := http.DefaultTransport
	http.DefaultTransport = rt
	t.Cleanup(func() { http.DefaultTransport = old })
}

// roundTripperFunc is a RoundTripper made of a function, a type that
// cannot be compared.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingTransport counts the requests it passes on, as a tracing wrapper
// records them.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}
