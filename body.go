package vpsorg

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Body limits: a success body is decoded up to maxBodySize and an error
// body kept up to maxErrorBodySize; nothing past them is read.
const (
	maxBodySize      = 32 << 20
	maxErrorBodySize = 64 << 10
)

// jsonOptions are the decoding rules for every answer, written down in
// SECURITY.md ("Decoding answers"):
//   - member names match exactly, as the API documents them: "ID" is not "id";
//   - a name repeated within one object is an error, since JSON parsers
//     disagree on which value wins and the SDK will not guess;
//   - invalid UTF-8 in a string becomes U+FFFD instead of failing the whole
//     answer, so that one bad description cannot break a list for good;
//   - unknown members are ignored, so that the API can grow.
//
// The library, github.com/go-json-experiment/json, is an alias of the
// standard library's encoding/json/v2 on Go 1.27 and later.
var jsonOptions = json.JoinOptions(
	json.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(true),
)

// unmarshalJSON decodes one JSON value under the SDK's rules.
func unmarshalJSON(b []byte, out any) error {
	return json.Unmarshal(b, out, jsonOptions)
}

// marshalJSON encodes a request body.
func marshalJSON(v any) ([]byte, error) {
	return json.Marshal(v)
}

// readAnswer reads the body of a 2xx answer whole, inside the try that got
// it (send.go: afterTry), and closes it: a body the call decodes is
// returned, any other is drained. An answer that breaks off in its body
// (unexpected EOF, a reset, fewer bytes than Content-Length) so becomes a
// failed try, a *bodyError, which the retry policy sees as a connection
// lost after the request was written: a GET or DELETE is tried again, a
// POST is not, since the server acted. The body of any other status is left
// for the answer's reading (response.go): the status arrived whole and
// decides the call, and the error body is only its message.
func readAnswer(resp *http.Response, want bool) ([]byte, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil
	}
	var (
		b   []byte
		err error
	)
	if want {
		b, err = readSuccessBody(resp)
	} else {
		err = discardBody(resp.Body)
	}
	_ = resp.Body.Close()
	// Nothing more to read: go-retryablehttp drains the body of a try it
	// repeats, and would log a read of a closed body as an error.
	resp.Body = http.NoBody
	if err != nil {
		return nil, &bodyError{err: err}
	}
	return b, nil
}

// bodyError is a 2xx answer whose body could not be read whole. The
// request reached the server, which answered: whatever it was asked to do,
// it may have done.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// readSuccessBody reads a whole 2xx body, refusing one over maxBodySize
// before reading past the limit.
func readSuccessBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > maxBodySize {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrResponseTooLarge, resp.ContentLength, maxBodySize)
	}
	b, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return nil, fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, maxBodySize)
		}
		return nil, fmt.Errorf("read response: %w", err)
	}
	return b, nil
}

// discardBody reads a 2xx body the call has no use for (a DELETE's), so
// that one that breaks off is seen, up to maxErrorBodySize: past that the
// connection is not worth keeping, and closing the body drops it.
func discardBody(body io.Reader) error {
	_, err := io.CopyN(io.Discard, body, maxErrorBodySize)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("read response: %w", err)
}

// decodeInto decodes a success body read whole into out.
func decodeInto(b []byte, out any) error {
	if l, ok := out.(lenient); ok {
		l.decodeLenient(b)
		return nil
	}
	if err := unmarshalJSON(b, out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// readBody reads a whole body of at most maxBodySize bytes. A declared
// length sizes the buffer (up to a bound, since the server chooses it).
func readBody(body io.Reader, length int64) ([]byte, error) {
	size := int64(4 << 10)
	if length >= 0 {
		size = min(length, 1<<20) + 1 // +1 to see EOF without growing
	}
	b := make([]byte, 0, size)
	lr := &limitReader{r: body, n: maxBodySize}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// lenient is an answer whose shape is not documented: it takes the body's
// bytes and keeps what it can read of them, never failing the call.
type lenient interface{ decodeLenient(b []byte) }

// limitReader reads at most n bytes and then fails with ErrResponseTooLarge
// if more are there, unlike io.LimitReader, which would end quietly and
// let a cut body decode as if whole.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
