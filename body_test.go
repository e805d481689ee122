package vpsorg

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
)

// TestReadAnswer: the body read inside a try, alone. A 2xx body is read
// whole (or drained when the call has no use for it) and closed; one that
// breaks off or is too large is a *bodyError; any other status's body is
// left for the answer's reading.
func TestReadAnswer(t *testing.T) {
	t.Parallel()
	const whole = `{"id":1}`
	tests := []struct {
		name     string
		status   int
		broken   bool  // the body breaks off after 3 bytes
		length   int64 // Content-Length to claim; 0 for the body's own
		want     bool
		wantBody string
		wantErr  error // matched with errors.Is inside the *bodyError; nil for none
		wantLeft bool  // the body is left open and unread
	}{
		{name: "2xx read", status: 200, want: true, wantBody: whole},
		{name: "2xx drained", status: 200},
		{name: "201 read", status: 201, want: true, wantBody: whole},
		{name: "2xx broken", status: 200, broken: true, want: true, wantErr: io.ErrUnexpectedEOF},
		{name: "2xx broken, drained", status: 200, broken: true, wantErr: io.ErrUnexpectedEOF},
		{name: "2xx too large", status: 200, length: maxBodySize + 1, want: true, wantErr: ErrResponseTooLarge},
		{name: "4xx left", status: 404, want: true, wantLeft: true},
		{name: "5xx left", status: 503, broken: true, want: true, wantLeft: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := httpmock.NewStringResponse(tt.status, whole)
			var body *brokenBody
			if tt.broken {
				resp, body = brokenAnswer(nil, tt.status, whole, 3, io.ErrUnexpectedEOF) //nolint:bodyclose // readAnswer closes it, as the test checks
			}
			if tt.length != 0 {
				resp.ContentLength = tt.length
			}
			orig := resp.Body
			got, err := readAnswer(resp, tt.want)
			if string(got) != tt.wantBody {
				t.Errorf("body %q; want %q", got, tt.wantBody)
			}
			checkBodyErr(t, err, tt.wantErr)
			if left := resp.Body == orig; left != tt.wantLeft {
				t.Errorf("body left in place: %v; want %v", left, tt.wantLeft)
			}
			if body != nil && body.closed.Load() == tt.wantLeft {
				t.Errorf("body closed: %v; want %v", body.closed.Load(), !tt.wantLeft)
			}
		})
	}
}

// checkBodyErr checks that err is nil when want is, else a *bodyError
// matching want.
func checkBodyErr(t *testing.T, err, want error) {
	t.Helper()
	var be *bodyError
	switch {
	case want == nil && err != nil:
		t.Errorf("error %v; want none", err)
	case want != nil && (!errors.As(err, &be) || !errors.Is(err, want)):
		t.Errorf("error %v; want a *bodyError matching %v", err, want)
	}
}

// TestBodyErrorKeepsItsCause: a *bodyError says and matches what broke the
// body, which the retry policy reads as a lost connection.
func TestBodyErrorKeepsItsCause(t *testing.T) {
	t.Parallel()
	resp, _ := brokenAnswer(nil, http.StatusOK, `{"count":0}`, 4, syscall.ECONNRESET)
	_, err := readAnswer(resp, true)
	if !errors.Is(err, syscall.ECONNRESET) || err.Error() != "read response: "+syscall.ECONNRESET.Error() {
		t.Fatalf("error %q; want the reset, named as a read of the response", err)
	}
	if got := classifyTransportErr(err, false); got != errAmbiguous {
		t.Fatalf("a broken body classifies as %v; want errAmbiguous even unwritten", got)
	}
}
