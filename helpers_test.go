package vpsorg

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// testToken is the token every unit test client carries.
const testToken = "test-token-5f3c9a"

// testBase is where unit test clients send their requests.
const testBase = "https://api.test/api/v1/"

// newTestClient returns a Client whose requests go to a fresh httpmock
// transport on its inner HTTP client. An unregistered request fails the
// test at once, and retry pauses are recorded instead of slept.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *waits) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(http.StatusTeapot, `{"detail":"unexpected request"}`), nil
	})
	w := &waits{}
	hc := &http.Client{Transport: mock}
	base := []Option{WithHTTPClient(hc), WithBaseURL(testBase), WithWaitHook(w.add)}
	c, err := NewClient(testToken, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mock, w
}

// waits records the pauses a Client asked for.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) add(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}
