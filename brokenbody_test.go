package vpsorg

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
)

// brokenBody is a body that breaks off: it gives head, then fails with err,
// as net/http's body does when the connection dies before Content-Length
// bytes came (io.ErrUnexpectedEOF) or is reset.
type brokenBody struct {
	r      *strings.Reader
	err    error
	closed atomic.Bool
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.r.Len() == 0 {
		return 0, b.err
	}
	return b.r.Read(p)
}

func (b *brokenBody) Close() error { b.closed.Store(true); return nil }

// brokenAnswer answers status with a Content-Length of the whole of full
// but only its first cut bytes, then err.
func brokenAnswer(req *http.Request, status int, full string, cut int, err error) (*http.Response, *brokenBody) {
	body := &brokenBody{r: strings.NewReader(full[:cut]), err: err}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(full)), Body: body, Request: req}, body
}

// TestBrokenBodyIsAFailedTry: a 2xx whose body breaks off is retried like
// a lost connection by GET and DELETE, and never re-sent by a POST.
func TestBrokenBodyIsAFailedTry(t *testing.T) {
	t.Parallel()
	breaks := []struct {
		name string
		err  error
	}{
		{"unexpected EOF", io.ErrUnexpectedEOF},
		{"reset", reset()},
	}
	for _, br := range breaks {
		for _, method := range []string{http.MethodGet, http.MethodDelete, http.MethodPost} {
			t.Run(br.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				c, mock, _ := newTestClient(t, WithoutRecovery())
				var calls atomic.Int32
				var first *brokenBody
				mock.RegisterResponder(method, urlFor(method), func(req *http.Request) (*http.Response, error) {
					if calls.Add(1) == 1 {
						resp, body := brokenAnswer(req, 200, `{"count":3,"results":[{"id":501},{"id":499},{"id":495}]}`, 20, br.err)
						first = body
						return resp, nil
					}
					ok := okFor(method)
					return httpmock.NewStringResponse(ok.status, ok.body), nil
				})

				resp, err := callFor(c, method)

				if !first.closed.Load() {
					t.Error("the broken body was not closed")
				}
				if method == http.MethodPost {
					var reqErr *RequestError
					if !errors.As(err, &reqErr) || !errors.Is(err, br.err) || !errors.Is(err, ErrOutcomeUnknown) {
						t.Fatalf("want a *RequestError matching %v and ErrOutcomeUnknown, got %T %v", br.err, err, err)
					}
					if calls.Load() != 1 || reqErr.Attempts != 1 {
						t.Fatalf("POST sent %d times (Attempts %d); want once", calls.Load(), reqErr.Attempts)
					}
					if !strings.Contains(err.Error(), "read response") {
						t.Errorf("error %q does not say the answer broke off", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("want success after a retry, got %v", err)
				}
				if calls.Load() != 2 || resp.Attempts != 2 {
					t.Fatalf("calls = %d, Attempts = %d; want 2, 2", calls.Load(), resp.Attempts)
				}
			})
		}
	}
}

// TestBrokenBodyDeleteThenGone: a DELETE whose 2xx broke off did delete,
// so the retry's 404 is success.
func TestBrokenBodyDeleteThenGone(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	var calls atomic.Int32
	mock.RegisterResponder(http.MethodDelete, testBase+"backups/501/", func(req *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			resp, _ := brokenAnswer(req, 200, `{"detail":"Deleted."}`, 4, io.ErrUnexpectedEOF)
			return resp, nil
		}
		return httpmock.NewStringResponse(404, `{"detail":"Not found."}`), nil
	})
	resp, err := c.Backups.Delete(context.Background(), 501)
	if err != nil {
		t.Fatalf("Delete = %v; want success: the first try deleted", err)
	}
	if resp.Attempts != 2 || calls.Load() != 2 {
		t.Fatalf("Attempts = %d, calls = %d; want 2, 2", resp.Attempts, calls.Load())
	}
}

// TestBrokenBodyRetriesRunOut: when every answer breaks off, the caller
// gets the last one's error with the tries counted.
func TestBrokenBodyRetriesRunOut(t *testing.T) {
	t.Parallel()
	c, mock, w := newTestClient(t, WithRetryMax(2))
	var calls atomic.Int32
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		resp, _ := brokenAnswer(req, 200, `{"count":0,"results":[]}`, 10, io.ErrUnexpectedEOF)
		return resp, nil
	})
	_, _, err := c.Backups.List(context.Background(), nil)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Attempts != 3 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want a *RequestError after 3 attempts matching io.ErrUnexpectedEOF, got %#v", err)
	}
	if want := "vpsorg: GET /api/v1/backups/: read response: unexpected EOF"; err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	if calls.Load() != 3 || len(w.all()) != 2 {
		t.Errorf("%d calls, waits %v; want 3 calls with a backoff before each retry", calls.Load(), w.all())
	}
}

// TestBrokenErrorBodyKeepsItsStatus: a 4xx whose body breaks off is still
// its status's error, with what came of the body; a POST's 400 says the
// server did not act, so no look-up follows.
func TestBrokenErrorBodyKeepsItsStatus(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	mock.RegisterResponder(http.MethodPost, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		resp, _ := brokenAnswer(req, 400, `{"detail":"Backup limit reached."}`, 12, io.ErrUnexpectedEOF)
		return resp, nil
	})
	_, _, err := c.Backups.Create(context.Background(), &BackupCreateRequest{ServerID: 12345})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Attempts != 1 || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("want the 400 *APIError after 1 attempt, not an unknown outcome; got %v", err)
	}
	if string(apiErr.Body) != `{"detail":"B` {
		t.Errorf("Body = %q; want what came before the break", apiErr.Body)
	}
}

// TestTooLargeBodyIsNotRetried: ErrResponseTooLarge stays final; the retry
// of a read failure does not reach it.
func TestTooLargeBodyIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	var calls atomic.Int32
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		body := &countingBody{head: `{"count":1,"results":[`, filler: ' ', size: -1}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: -1, Body: body, Request: req}, nil
	})
	_, _, err := c.Backups.List(context.Background(), nil)
	if !errors.Is(err, ErrResponseTooLarge) || calls.Load() != 1 {
		t.Fatalf("error %v after %d calls; want ErrResponseTooLarge after 1", err, calls.Load())
	}
}

// TestBrokenBodyRetryLogsNoReadError: the retry of a broken answer does
// not make go-retryablehttp log a failed read of a body already closed.
func TestBrokenBodyRetryLogsNoReadError(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, mock, _ := newTestClient(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	var calls atomic.Int32
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			resp, _ := brokenAnswer(req, 200, `{"count":0,"results":[]}`, 5, syscall.ECONNRESET)
			return resp, nil
		}
		return httpmock.NewStringResponse(200, `{"count":0,"results":[]}`), nil
	})
	if _, _, err := c.Backups.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "error reading response body") {
		t.Errorf("log has a read of a closed body:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "retrying request") {
		t.Errorf("log does not show the retry:\n%s", buf.String())
	}
}
