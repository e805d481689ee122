package vpsorg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrServerError}
	tests := []struct {
		status int
		want   error // nil: matches none
	}{
		{400, ErrBadRequest},
		{401, ErrUnauthorized},
		{403, ErrForbidden},
		{404, ErrNotFound},
		{429, ErrRateLimited},
		{500, ErrServerError},
		{502, ErrServerError},
		{503, ErrServerError},
		{504, ErrServerError},
		{599, ErrServerError},
		{405, nil},
		{409, nil},
		{418, nil},
		{600, nil},
		{302, nil},
	}
	for _, tt := range tests {
		// Wrapped once more, as a caller's own code would.
		err := fmt.Errorf("sync: %w", &APIError{StatusCode: tt.status})
		for _, s := range sentinels {
			if got := errors.Is(err, s); got != (s == tt.want) { //nolint:errorlint // which table entry, not a returned error
				t.Errorf("status %d: errors.Is(err, %v) = %v", tt.status, s, got)
			}
		}
		for _, other := range []error{ErrResponseTooLarge, ErrOperationFailed, io.EOF} {
			if errors.Is(err, other) {
				t.Errorf("status %d matches %v", tt.status, other)
			}
		}
	}
}

func TestAPIErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{StatusCode: 404, Method: "GET", Path: "/api/v1/backups/", Message: "Not found."},
			"vpsorg: GET /api/v1/backups/: 404 Not Found: Not found."},
		{&APIError{StatusCode: 500, Method: "DELETE", Path: "/api/v1/snapshots/9/"},
			"vpsorg: DELETE /api/v1/snapshots/9/: 500 Internal Server Error"},
		{&APIError{StatusCode: 429, Method: "POST", Path: "/api/v1/backups/", Message: "Request was throttled.", RetryAfter: 90 * time.Second},
			"vpsorg: POST /api/v1/backups/: 429 Too Many Requests: Request was throttled. (retry after 1m30s)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestValidationErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *ValidationError
		want string
	}{
		{&ValidationError{Field: "server_id", Message: "must be a positive integer"}, "vpsorg: invalid server_id: must be a positive integer"},
		{&ValidationError{Message: "nil BackupCreateRequest"}, "vpsorg: invalid request: nil BackupCreateRequest"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestRequestErrorWrapsCause(t *testing.T) {
	t.Parallel()
	cause := fmt.Errorf("dial: %w", context.DeadlineExceeded)
	err := error(&RequestError{Method: "GET", Path: "/api/v1/backups/", Attempts: 2, Err: cause})
	if want := "vpsorg: GET /api/v1/backups/: dial: context deadline exceeded"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the cause is lost to errors.Is")
	}
	if errors.Unwrap(err) != cause { //nolint:errorlint // Unwrap must return the cause itself
		t.Error("Unwrap does not return the cause")
	}
}

func TestParseErrorBody(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 300) // 600 bytes of two-byte runes
	tests := []struct {
		name       string
		body       string
		wantMsg    string
		wantFields map[string][]string
	}{
		{"empty", "", "", nil},
		{"blank", " \n\t ", "", nil},
		{"detail", `{"detail": "Not found."}`, "Not found.", nil},
		{"detail and code", `{"detail": "Invalid token.", "code": "token_not_valid"}`, "Invalid token.",
			map[string][]string{"code": {"token_not_valid"}}},
		{"detail list", `{"detail": ["a", "b"]}`, "a; b", nil},
		{"field errors", `{"server_id": ["This field is required."], "name": ["Enter a valid name.", "Too long."]}`,
			"name: Enter a valid name. Too long.; server_id: This field is required.",
			map[string][]string{"server_id": {"This field is required."}, "name": {"Enter a valid name.", "Too long."}}},
		{"field error as string", `{"name": "Enter a valid name."}`, "name: Enter a valid name.",
			map[string][]string{"name": {"Enter a valid name."}}},
		{"non_field_errors", `{"non_field_errors": ["Snapshot limit reached."], "name": ["Bad."]}`, "Snapshot limit reached.",
			map[string][]string{"non_field_errors": {"Snapshot limit reached."}, "name": {"Bad."}}},
		{"nested serializer", `{"server": {"id": ["Invalid pk."], "name": ["Required."]}}`, "server: id: Invalid pk. name: Required.",
			map[string][]string{"server": {"id: Invalid pk.", "name: Required."}}},
		{"numbers and null", `{"limit": [5], "other": null, "flag": true}`, "flag: true; limit: 5; other: ",
			map[string][]string{"limit": {"5"}, "other": nil, "flag": {"true"}}},
		{"bare list", `["Server is not in a valid state for restoration."]`, "Server is not in a valid state for restoration.", nil},
		{"bare nested list", `[["a"], "b"]`, "a; b", nil},
		{"bare string", `"Server busy"`, "Server busy", nil},
		{"JSON number", `42`, "42", nil},
		{"plain text", "upstream connect error\n", "upstream connect error", nil},
		{"HTML with title", "<!DOCTYPE html>\n<html><head><title>\n  Server Error (500)\n</title></head><body><h1>Oops</h1></body></html>",
			"Server Error (500)", nil},
		{"HTML without title", "<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>", "502 Bad Gateway nginx", nil},
		{"HTML entities", "<html><title>Fish &amp; Chips &lt;3</title></html>", "Fish & Chips <3", nil},
		{"HTML empty title", "<html><title> </title><p>Gone</p></html>", "Gone", nil},
		{"invalid UTF-8", "bad \xff\xfe bytes", "bad \uFFFD bytes", nil},
		{"long text is cut on a rune", long, strings.Repeat("é", 128) + "…", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, fields := parseErrorBody([]byte(tt.body))
			if msg != tt.wantMsg {
				t.Errorf("message = %q, want %q", msg, tt.wantMsg)
			}
			if !reflect.DeepEqual(fields, tt.wantFields) {
				t.Errorf("fields = %#v, want %#v", fields, tt.wantFields)
			}
			if !utf8.ValidString(msg) {
				t.Errorf("message %q is not valid UTF-8", msg)
			}
		})
	}
}

// endpointCall is one SDK call, with the method and path it must use.
type endpointCall struct {
	name   string
	method string
	path   string
	body   string
	call   func(context.Context, *Client) (any, *Response, error)
}

// endpointCalls lists every endpoint of the SDK with a valid input.
func endpointCalls() []endpointCall {
	return []endpointCall{
		{"Backups.List", http.MethodGet, "/api/v1/backups/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Backups.List(ctx, nil)
			return v, r, err
		}},
		{"Backups.Create", http.MethodPost, "/api/v1/backups/", `{"server_id":12345}`, func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: 12345})
			return v, r, err
		}},
		{"Backups.Delete", http.MethodDelete, "/api/v1/backups/501/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			r, err := c.Backups.Delete(ctx, 501)
			return nil, r, err
		}},
		{"Snapshots.List", http.MethodGet, "/api/v1/snapshots/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Snapshots.List(ctx, nil)
			return v, r, err
		}},
		{"Snapshots.Create", http.MethodPost, "/api/v1/snapshots/", `{"server_id":12345,"name":"s1"}`, func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Snapshots.Create(ctx, &SnapshotCreateRequest{ServerID: 12345, Name: "s1"})
			return v, r, err
		}},
		{"Snapshots.Restore", http.MethodPost, "/api/v1/snapshots/801/restore/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Snapshots.Restore(ctx, 801)
			return v, r, err
		}},
		{"Snapshots.Delete", http.MethodDelete, "/api/v1/snapshots/801/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			r, err := c.Snapshots.Delete(ctx, 801)
			return nil, r, err
		}},
		{"Servers.List", http.MethodGet, "/api/v1/servers/", "", func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Servers.List(ctx, nil)
			return v, r, err
		}},
		{"Servers.Restore", http.MethodPost, "/api/v1/servers/12345/restore/", `{"backup_id":501}`, func(ctx context.Context, c *Client) (any, *Response, error) {
			v, r, err := c.Servers.Restore(ctx, 12345, &ServerRestoreRequest{BackupID: 501})
			return v, r, err
		}},
	}
}

// isNilValue reports whether v, an endpoint's first result, is nil.
func isNilValue(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice) && rv.IsNil()
}

func TestStatusMapsToSentinel(t *testing.T) {
	t.Parallel()
	statuses := []struct {
		status int
		body   string
		want   error
	}{
		{400, `{"server_id": ["Invalid pk \"99\" - object does not exist."]}`, ErrBadRequest},
		{401, `{"detail": "Authentication credentials were not provided."}`, ErrUnauthorized},
		{403, `{"detail": "You do not have permission to perform this action."}`, ErrForbidden},
		{404, `{"detail": "Not found."}`, ErrNotFound},
		{429, `{"detail": "Request was throttled."}`, ErrRateLimited},
		{500, `{"detail": "Internal error."}`, ErrServerError},
		{502, `{"detail": "Bad gateway."}`, ErrServerError},
		{503, `{"detail": "Unavailable."}`, ErrServerError},
		{504, `{"detail": "Timeout."}`, ErrServerError},
	}
	for _, ep := range endpointCalls() {
		for _, st := range statuses {
			t.Run(fmt.Sprintf("%s/%d", ep.name, st.status), func(t *testing.T) {
				t.Parallel()
				c, mock, _ := newTestClient(t, WithRetryMax(0))
				expectCall(t, mock, wantCall{method: ep.method, path: ep.path, body: ep.body}, st.status, st.body,
					"X-Request-Id", "req-abc")
				v, resp, err := ep.call(context.Background(), c)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (%T), want an *APIError", err, err)
				}
				if !errors.Is(err, st.want) {
					t.Errorf("errors.Is(err, %v) = false for %d", st.want, st.status)
				}
				if apiErr.StatusCode != st.status || apiErr.Method != ep.method || apiErr.Path != ep.path {
					t.Errorf("APIError = %d %s %s, want %d %s %s", apiErr.StatusCode, apiErr.Method, apiErr.Path, st.status, ep.method, ep.path)
				}
				if apiErr.RequestID != "req-abc" || apiErr.Attempts != 1 || string(apiErr.Body) != st.body || apiErr.Message == "" {
					t.Errorf("APIError = %+v, want RequestID req-abc, Attempts 1, the body and a message", apiErr)
				}
				if !isNilValue(v) {
					t.Errorf("value %#v returned with the error", v)
				}
				if resp == nil || resp.StatusCode != st.status || resp.RequestID != "req-abc" || resp.Attempts != 1 {
					t.Errorf("Response = %+v, want status %d, request id and 1 attempt", resp, st.status)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error %q carries the token", err)
				}
			})
		}
	}
}

func TestSuccessStatuses(t *testing.T) {
	t.Parallel()
	for _, ep := range endpointCalls() {
		statuses := []int{200, 201, 202}
		// An empty 204 fits only calls whose answer needs no body: a
		// delete, and the undocumented server restore.
		if strings.HasSuffix(ep.name, "Delete") || ep.name == "Servers.Restore" {
			statuses = append(statuses, 204)
		}
		for _, status := range statuses {
			t.Run(fmt.Sprintf("%s/%d", ep.name, status), func(t *testing.T) {
				t.Parallel()
				body := successBody(ep.name)
				if status == http.StatusNoContent {
					body = ""
				}
				c, mock, _ := newTestClient(t, WithRetryMax(0))
				expectCall(t, mock, wantCall{method: ep.method, path: ep.path, body: ep.body}, status, body, "X-Request-Id", "ok-1")
				_, resp, err := ep.call(context.Background(), c)
				if err != nil {
					t.Fatalf("status %d: %v", status, err)
				}
				if resp.StatusCode != status || resp.RequestID != "ok-1" || resp.Attempts != 1 || resp.Body != http.NoBody {
					t.Errorf("Response = %+v", resp)
				}
			})
		}
	}
}

// successBody returns a well-formed answer for an endpoint.
func successBody(name string) string {
	switch {
	case strings.HasSuffix(name, "List"):
		return `{"count":0,"results":[]}`
	case strings.HasSuffix(name, "Delete"):
		return ""
	}
	return `{"id": 1, "status": "in_progress"}`
}

func TestErrorBodiesThroughClient(t *testing.T) {
	t.Parallel()
	html := "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server Error (500)</title></head>" +
		"<body><h1>Server Error (500)</h1><p>Sorry.</p></body></html>\n"
	tests := []struct {
		name       string
		status     int
		body       string
		wantMsg    string
		wantFields map[string][]string
		sentinel   error
	}{
		{"DRF field errors", 400, loadTestdata(t, "error_field_errors.json"),
			"name: Enter a valid name. Ensure this field has no more than 50 characters.; server_id: This field is required.",
			map[string][]string{"server_id": {"This field is required."}, "name": {"Enter a valid name.", "Ensure this field has no more than 50 characters."}},
			ErrBadRequest},
		{"non_field_errors", 400, loadTestdata(t, "error_non_field_errors.json"),
			"Snapshot limit reached: at most 5 snapshots per server.",
			map[string][]string{"non_field_errors": {"Snapshot limit reached: at most 5 snapshots per server."}},
			ErrBadRequest},
		{"bare list", 400, `["Server is not in a valid state for restoration."]`,
			"Server is not in a valid state for restoration.", nil, ErrBadRequest},
		{"detail 401", 401, loadTestdata(t, "error_detail.json"), "Authentication credentials were not provided.", nil, ErrUnauthorized},
		{"detail 403", 403, loadTestdata(t, "error_permission.json"), "You do not have permission to perform this action.", nil, ErrForbidden},
		{"detail 404", 404, loadTestdata(t, "error_not_found.json"), "Not found.", nil, ErrNotFound},
		{"detail 429", 429, loadTestdata(t, "error_throttled.json"), "Request was throttled. Expected available in 30 seconds.", nil, ErrRateLimited},
		{"HTML 500", 500, html, "Server Error (500)", nil, ErrServerError},
		{"empty 404", 404, "", "Not Found", nil, ErrNotFound},
		{"empty 502", 502, "", "Bad Gateway", nil, ErrServerError},
		{"plain text 503", 503, "upstream connect error or disconnect/reset before headers", "upstream connect error or disconnect/reset before headers", nil, ErrServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(0))
			expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/snapshots/", body: `{"server_id":12345,"name":"nightly"}`},
				tt.status, tt.body)
			snap, _, err := c.Snapshots.Create(context.Background(), &SnapshotCreateRequest{ServerID: 12345, Name: "nightly"})
			if snap != nil {
				t.Errorf("snapshot %+v returned with an error", snap)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want an *APIError", err, err)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(err, %v) = false", tt.sentinel)
			}
			if apiErr.Message != tt.wantMsg {
				t.Errorf("Message = %q, want %q", apiErr.Message, tt.wantMsg)
			}
			if !reflect.DeepEqual(apiErr.FieldErrors, tt.wantFields) {
				t.Errorf("FieldErrors = %#v, want %#v", apiErr.FieldErrors, tt.wantFields)
			}
			if string(apiErr.Body) != tt.body {
				t.Errorf("Body = %q, want the body as sent", apiErr.Body)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Error() = %q lacks the message", err)
			}
		})
	}
}

func TestLargeErrorBodyIsCapped(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"detail": "` + strings.Repeat("x", 200<<10) + `"}`, // JSON cut mid-string
		"<html><body>" + strings.Repeat("<p>error</p>", 20<<10) + "</body></html>",
	} {
		c, mock, _ := newTestClient(t, WithRetryMax(0))
		expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/"}, http.StatusInternalServerError, body)
		_, _, err := c.Backups.List(context.Background(), nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %v (%T), want an *APIError", err, err)
		}
		if len(apiErr.Body) != 64<<10 || string(apiErr.Body) != body[:64<<10] {
			t.Errorf("len(Body) = %d, want the first 64 KiB", len(apiErr.Body))
		}
		if !errors.Is(err, ErrServerError) {
			t.Error("not ErrServerError")
		}
		if n := utf8.RuneCountInString(apiErr.Message); n == 0 || n > maxMessageLen+1 {
			t.Errorf("Message has %d runes, want 1..%d", n, maxMessageLen+1)
		}
	}
}

func TestRequestIDHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header []string
		want   string
	}{
		{[]string{"X-Request-Id", "a1"}, "a1"},
		{[]string{"Request-Id", "b2"}, "b2"},
		{[]string{"X-Correlation-Id", "c3"}, "c3"},
		{[]string{"X-Request-Id", "a1", "Request-Id", "b2"}, "a1"},
		{nil, ""},
	}
	for _, tt := range tests {
		c, mock, _ := newTestClient(t)
		expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/servers/"}, http.StatusOK, `{"count":0,"results":[]}`, tt.header...)
		_, resp, err := c.Servers.List(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.RequestID != tt.want {
			t.Errorf("headers %q: RequestID = %q, want %q", tt.header, resp.RequestID, tt.want)
		}
	}
}

func TestAttemptsCountRetries(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t, WithRetryMax(2))
	expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/"}, http.StatusBadGateway, `{"detail":"Bad gateway."}`)
	_, resp, err := c.Backups.List(context.Background(), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if apiErr.Attempts != 3 || resp.Attempts != 3 || mock.GetTotalCallCount() != 3 {
		t.Errorf("Attempts = %d (Response %d), requests %d; want 3", apiErr.Attempts, resp.Attempts, mock.GetTotalCallCount())
	}
}

func TestTransportErrorIsRequestError(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset by peer")
	for _, ep := range endpointCalls() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, WithRetryMax(0))
			mock.RegisterResponder(ep.method, "https://api.test"+ep.path, func(*http.Request) (*http.Response, error) {
				return nil, cause
			})
			v, resp, err := ep.call(context.Background(), c)
			var reqErr *RequestError
			if !errors.As(err, &reqErr) {
				t.Fatalf("err = %v (%T), want a *RequestError", err, err)
			}
			if !errors.Is(err, cause) {
				t.Errorf("the cause is lost: %v", err)
			}
			prefix := "vpsorg: " + ep.method + " " + ep.path + ": "
			if !strings.HasPrefix(err.Error(), prefix) || reqErr.Method != ep.method || reqErr.Path != ep.path {
				t.Errorf("err = %q, want it to start %q", err, prefix)
			}
			if reqErr.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", reqErr.Attempts)
			}
			if !isNilValue(v) || resp != nil {
				t.Errorf("value %v, response %v returned with a transport error", v, resp)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q carries the token", err)
			}
		})
	}
}

func TestContextErrors(t *testing.T) {
	t.Parallel()
	expired := func() (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	}
	canceled := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	}
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline passed", expired, context.DeadlineExceeded},
		{"canceled", canceled, context.Canceled},
	}
	for _, tt := range tests {
		for _, ep := range endpointCalls() {
			t.Run(tt.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				// Default retries on: an ended context must not be retried.
				c, mock, w := newTestClient(t)
				mock.RegisterResponder(ep.method, "https://api.test"+ep.path, func(req *http.Request) (*http.Response, error) {
					<-req.Context().Done()
					return nil, req.Context().Err()
				})
				ctx, cancel := tt.ctx()
				defer cancel()
				_, _, err := ep.call(ctx, c)
				var reqErr *RequestError
				if !errors.As(err, &reqErr) {
					t.Fatalf("err = %v (%T), want a *RequestError", err, err)
				}
				if !errors.Is(err, tt.want) {
					t.Errorf("errors.Is(err, %v) = false: %v", tt.want, err)
				}
				if prefix := "vpsorg: " + ep.method + " " + ep.path + ": "; !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("err = %q, want it to start %q", err, prefix)
				}
				if n := mock.GetTotalCallCount(); n > 1 {
					t.Errorf("%d requests after the context ended, want at most 1", n)
				}
				if got := w.all(); len(got) != 0 {
					t.Errorf("waited %v after the context ended", got)
				}
			})
		}
	}
}

func TestContextCanceledInFlight(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	started := make(chan struct{})
	mock.RegisterResponder(http.MethodGet, testBase+"backups/", func(req *http.Request) (*http.Response, error) {
		close(started)
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-started
		cancel()
	}()
	_, _, err := c.Backups.List(ctx, &BackupListOptions{ServerID: 12345})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !strings.HasPrefix(err.Error(), "vpsorg: GET /api/v1/backups/: ") {
		t.Errorf("err = %q (%T), want a *RequestError naming GET /api/v1/backups/", err, err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	_, _, err := c.Backups.List(nil, nil) //nolint:staticcheck // a nil context is what is being tested
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		t.Fatalf("err = %v, want a *RequestError", err)
	}
	wantNoRequest(t, mock)
}

func TestBadSuccessBodyIsRequestError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ep     string // endpointCalls name
		status int
		body   string
		cause  error // nil: any decode error
	}{
		{"list not JSON", "Backups.List", 200, "<html><body>Maintenance</body></html>", nil},
		{"list truncated", "Backups.List", 200, `{"count": 3, "results": [{"id": 501, "server": {"id": 1`, io.ErrUnexpectedEOF},
		{"list empty body", "Snapshots.List", 200, "", io.ErrUnexpectedEOF},
		{"list without results", "Servers.List", 200, `{"count": 3}`, nil},
		{"list null results", "Servers.List", 200, `{"count": 0, "results": null}`, nil},
		{"list of wrong type", "Backups.List", 200, `{"count": "three", "results": []}`, nil},
		{"list is an array", "Backups.List", 200, `[{"id": 1}]`, nil},
		{"create not JSON", "Backups.Create", 201, "Created", nil},
		{"create truncated", "Snapshots.Create", 201, `{"id": 802, "name": "bef`, io.ErrUnexpectedEOF},
		{"create empty body", "Backups.Create", 201, "", io.ErrUnexpectedEOF},
		{"create bad time", "Backups.Create", 201, `{"id": 502, "created_at": "yesterday"}`, nil},
		{"restore not JSON", "Snapshots.Restore", 200, "OK", nil},
		{"restore truncated", "Snapshots.Restore", 200, `{"status": "success", "snapshot": {`, io.ErrUnexpectedEOF},
	}
	calls := map[string]endpointCall{}
	for _, ep := range endpointCalls() {
		calls[ep.name] = ep
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := calls[tt.ep]
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: ep.method, path: ep.path, body: ep.body}, tt.status, tt.body)
			v, resp, err := ep.call(context.Background(), c)
			var reqErr *RequestError
			if !errors.As(err, &reqErr) {
				t.Fatalf("err = %v (%T), want a *RequestError", err, err)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("errors.Is(err, %v) = false: %v", tt.cause, err)
			}
			if prefix := "vpsorg: " + ep.method + " " + ep.path + ": decode response"; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("err = %q, want it to start %q", err, prefix)
			}
			if !isNilValue(v) {
				t.Errorf("value %#v returned with the error", v)
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Errorf("Response = %v, want the %d answer", resp, tt.status)
			}
			if n := mock.GetTotalCallCount(); n != 1 {
				t.Errorf("%d requests, want 1 (a bad body is not retried)", n)
			}
		})
	}
}
