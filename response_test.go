package vpsorg

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestCallRead: the last layer alone, given the answer the tries ended
// with. A 2xx's body, already read by the try, is decoded; any other
// status becomes an *APIError; the Response names the attempts and the
// request id, and its Request has no Authorization header and its Body
// is closed and empty.
func TestCallRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		read    string // the 2xx body the try read
		errBody string // the body of any other status
		out     bool   // the call decodes its answer
		wantID  int64
		wantErr error // matched with errors.Is; nil for none
		wantAPI bool  // the error is an *APIError
		badJSON bool  // the error is a *RequestError of the decode
	}{
		{name: "decoded", status: 200, read: `{"id":7}`, out: true, wantID: 7},
		{name: "created", status: 201, read: `{"id":8,"x":1}`, out: true, wantID: 8},
		{name: "nothing to decode", status: 204, out: true},
		{name: "not decoded", status: 200, read: `{"id":7}`},
		{name: "bad JSON", status: 200, read: `{"id":"seven"}`, out: true, badJSON: true},
		{name: "not found", status: 404, errBody: `{"detail":"Not found."}`, out: true, wantErr: ErrNotFound, wantAPI: true},
		{name: "server error", status: 502, errBody: `<html>bad gateway</html>`, wantErr: ErrServerError, wantAPI: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newTestClient(t)
			cl := c.newCall(request{method: http.MethodGet, path: "backups/"})
			cl.attempts = 3
			if tt.read != "" {
				cl.body = []byte(tt.read)
			}
			body := &closeRecorder{Reader: strings.NewReader(tt.errBody)}
			hresp := sentAnswer(t, tt.status, body) //nolint:bodyclose // read closes it, as the test checks
			out := &idOnly{}
			var into any // nil when the call does not decode
			if tt.out {
				into = out
			}
			resp, err := cl.read(context.Background(), hresp, into)
			checkReadErr(t, err, tt.wantErr, tt.wantAPI, tt.badJSON)
			if out.ID != tt.wantID {
				t.Errorf("decoded id %d; want %d", out.ID, tt.wantID)
			}
			checkReadResponse(t, resp, body)
			if cl.body != nil {
				t.Error("the call keeps the raw body after reading it")
			}
		})
	}
}

// checkReadResponse checks what read makes of TestCallRead's answer.
func checkReadResponse(t *testing.T, resp *Response, body *closeRecorder) {
	t.Helper()
	if resp.Attempts != 3 || resp.RequestID != "req-1" {
		t.Errorf("Attempts %d, RequestID %q; want 3, req-1", resp.Attempts, resp.RequestID)
	}
	if got := resp.Request.Header.Get("Authorization"); got != "" || resp.Request.Header.Get("Accept") == "" {
		t.Errorf("Response.Request headers %v; want them without Authorization", resp.Request.Header)
	}
	if resp.Body != http.NoBody || !body.closed {
		t.Errorf("Body %T, closed %v; want http.NoBody and the answer's closed", resp.Body, body.closed)
	}
}

// idOnly is an answer with an id, as the models are.
type idOnly struct {
	ID int64 `json:"id"`
}

func checkReadErr(t *testing.T, err, want error, wantAPI, badJSON bool) {
	t.Helper()
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case badJSON:
		if !errors.As(err, &reqErr) || reqErr.Attempts != 3 || !strings.Contains(err.Error(), "decode response") {
			t.Errorf("error %v; want a *RequestError of the decode, with 3 attempts", err)
		}
	case want == nil:
		if err != nil {
			t.Errorf("error %v; want none", err)
		}
	case !errors.Is(err, want) || errors.As(err, &apiErr) != wantAPI:
		t.Errorf("error %v; want %v (an *APIError: %v)", err, want, wantAPI)
	case wantAPI && (apiErr.Attempts != 3 || apiErr.Path != "/api/v1/backups/"):
		t.Errorf("APIError attempts %d, path %q; want 3, /api/v1/backups/", apiErr.Attempts, apiErr.Path)
	}
}

// sentAnswer is an answer of status with body to a request that carried
// the token, as the tries hand it on.
func sentAnswer(t *testing.T, status int, body io.ReadCloser) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, testBase+"backups/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "application/json")
	return &http.Response{StatusCode: status, Header: http.Header{"X-Request-Id": {"req-1"}}, Body: body, Request: req}
}

// TestCallReadErrorBodyCutByTheContext: an error body that the call's end
// cut short fails the call with the context's error, not the status's.
func TestCallReadErrorBodyCutByTheContext(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t)
	cl := c.newCall(request{method: http.MethodGet, path: "backups/"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	broken, _ := brokenAnswer(nil, http.StatusServiceUnavailable, `{"detail":"down for a while"}`, 4, syscall.ECONNRESET) //nolint:bodyclose // read closes it
	hresp := sentAnswer(t, broken.StatusCode, broken.Body)                                                                //nolint:bodyclose // read closes it
	_, err := cl.read(ctx, hresp, nil)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, context.Canceled) || errors.Is(err, ErrServerError) {
		t.Fatalf("error %v; want a *RequestError matching context.Canceled only", err)
	}
}
