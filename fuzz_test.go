package vpsorg

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/jarcoal/httpmock"
)

// The seed corpora are in testdata/fuzz/<target>/; go test runs them as
// ordinary tests, and go test -fuzz grows them.

// FuzzErrorBody checks that parseErrorBody never panics, always gives a
// short, valid, printable message, keeps its field errors within budget,
// and reports the keys of a JSON object and nothing else as fields.
func FuzzErrorBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxErrorBodySize {
			body = body[:maxErrorBodySize] // newAPIError never reads more
		}
		msg, fields := parseErrorBody(body)

		if !utf8.ValidString(msg) {
			t.Errorf("message %q is not valid UTF-8", msg)
		}
		if strings.ContainsFunc(msg, unicode.IsControl) {
			t.Errorf("message %q has control characters", msg)
		}
		if n := len(msg); n > maxMessagesLen+len("…") {
			t.Errorf("message is %d bytes", n)
		}
		total := 0
		for k, msgs := range fields {
			if k == "detail" {
				t.Errorf("detail %q reported as a field", msgs)
			}
			for _, m := range msgs {
				total += len(m)
				if !utf8.ValidString(m) {
					t.Errorf("field %q message %q is not valid UTF-8", k, m)
				}
			}
		}
		if total > maxMessagesLen+len("…") {
			t.Errorf("field messages add up to %d bytes", total)
		}

		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 {
			if msg != "" || fields != nil {
				t.Errorf("blank body gave %q, %v", msg, fields)
			}
			return
		}
		var v any // under the SDK's rules: a repeated key makes it no object
		obj, isObject := map[string]any(nil), false
		if unmarshalJSON(trimmed, &v) == nil {
			obj, isObject = v.(map[string]any)
		}
		if !isObject {
			if fields != nil {
				t.Errorf("fields %v from a body that is not a JSON object", fields)
			}
			return
		}
		want := 0
		for k := range obj {
			if k == "detail" {
				continue
			}
			want++
			if _, ok := fields[k]; !ok {
				t.Errorf("key %q missing from fields %v", k, fields)
			}
		}
		if len(fields) != want {
			t.Errorf("%d fields for %d keys", len(fields), want)
		}
		// A plain, short detail is the message as it is.
		if d, ok := obj["detail"].(string); ok && d != "" && len(d) < 1000 && !strings.ContainsFunc(d, unicode.IsControl) && msg != d {
			t.Errorf("message %q, want the detail %q", msg, d)
		}
	})
}

// FuzzListEnvelope sends any body as a list page, to List and to All. A
// page that decodes must agree with an independent decode of the same
// bytes; All must stay on the API's origin and stop.
func FuzzListEnvelope(f *testing.F) {
	var (
		mu   sync.Mutex
		body []byte
		sent []*url.URL
	)
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, req.URL)
		return httpmock.NewBytesResponse(http.StatusOK, body), nil
	})
	c, err := NewClient("fuzz-token", WithHTTPClient(&http.Client{Transport: mock}), WithBaseURL(testBase), WithRetryMax(0))
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, page []byte) {
		mu.Lock()
		body, sent = page, nil
		mu.Unlock()

		items, resp, err := c.Backups.List(ctx, nil)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Path != "/api/v1/backups/" || len(err.Error()) > 1000 {
				t.Errorf("error %.300q is not a short *RequestError naming the call", err)
			}
		} else {
			checkPage(t, page, items, resp)
		}

		mu.Lock()
		sent = nil
		mu.Unlock()
		for _, err := range c.Backups.All(ctx, nil) {
			if err != nil {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(sent) > 2 {
			// The same page twice is a loop that All must notice.
			t.Errorf("All sent %d requests for one repeated page", len(sent))
		}
		api, _ := dialTarget(testBase)
		for _, u := range sent {
			// Compared as net/http dials them: "Api.test" is the API's origin.
			if o, ok := dialTarget(u.String()); !ok || o != api {
				t.Errorf("All sent a request to %s", u)
			}
		}
	})
}

// checkPage compares what List decoded with a plain decode of body under
// the same JSON rules (unmarshalJSON) into raw values.
func checkPage(t *testing.T, body []byte, items []*Backup, resp *Response) {
	t.Helper()
	var plain struct {
		Count   int              `json:"count"`
		Next    jsontext.Value   `json:"next"`
		Results []jsontext.Value `json:"results"`
	}
	if err := unmarshalJSON(body, &plain); err != nil {
		t.Fatalf("List decoded a page that a plain decode refuses: %v", err)
	}
	if items == nil || plain.Results == nil || len(items) != len(plain.Results) {
		t.Errorf("List gave %d items (nil: %v), the page has %d", len(items), items == nil, len(plain.Results))
	}
	if resp.Count != plain.Count || resp.Count < 0 {
		t.Errorf("Count = %d, the page says %d", resp.Count, plain.Count)
	}
	if resp.NextPage < 0 {
		t.Errorf("NextPage = %d", resp.NextPage)
	}
	var next *string
	switch err := unmarshalJSON(plain.Next, &next); {
	case len(plain.Next) == 0:
		if len(items) == 0 && resp.NextPage != 0 {
			t.Errorf("NextPage = %d after an empty page", resp.NextPage)
		}
	case err != nil:
		t.Errorf("List accepted next %s", plain.Next)
	case next == nil && resp.NextPage != 0:
		t.Errorf("NextPage = %d with next null", resp.NextPage)
	case next != nil && *next != "":
		u, err := url.Parse(*next)
		if err != nil {
			break
		}
		if p, err := strconv.Atoi(u.Query().Get("page")); err == nil && p > 0 && resp.NextPage != p {
			t.Errorf("NextPage = %d, next says page %d", resp.NextPage, p)
		}
	}
}

// FuzzNextLinkOrigin checks checkNextLink against an oracle that asks
// net/http's transport where it would connect for the link: a link is
// accepted only when that is the base URL's scheme, host and port.
func FuzzNextLinkOrigin(f *testing.F) {
	bases := []string{"https://api.test/api/v1/", "http://127.0.0.1:8080/api/v1/", "https://[::1]:8443/v1/", "http://localhost/api/"}
	clients := make([]*Client, len(bases))
	for i, b := range bases {
		c, err := NewClient("fuzz-token", WithBaseURL(b))
		if err != nil {
			f.Fatal(err)
		}
		clients[i] = c
	}
	f.Fuzz(func(t *testing.T, raw string, which uint8) {
		i := int(which) % len(clients)
		err := clients[i].checkNextLink(raw, map[string]bool{})
		want, ok := dialTarget(bases[i])
		if !ok {
			t.Fatalf("no dial target for base %s", bases[i])
		}
		got, ok := dialTarget(raw)
		same := ok && got == want
		if err == nil && !same {
			t.Fatalf("base %s: accepted next link %q, which goes to %q", bases[i], raw, got)
		}
		// The other way round only where the SDK and the transport read
		// the same host: the transport maps some non-ASCII letters to
		// ASCII (IDNA) and drops an empty port before it reads the host
		// ("https://api.test::" goes to api.test). Refusing those is safe.
		if err != nil && same && isASCII(raw) && !emptyPort(raw) {
			t.Errorf("base %s: refused next link %q to the same origin: %v", bases[i], raw, err)
		}
		// The link is cut at 200 bytes, which %q may spell four times longer.
		if err != nil && len(err.Error()) > 1000 {
			t.Errorf("error is %d bytes long", len(err.Error()))
		}
	})
}

// dialTarget returns the scheme of a GET to raw and the address net/http's
// transport dials for it, learnt from a transport whose dialer only takes
// note. ok is false when the transport would not dial at all.
func dialTarget(raw string) (target [2]string, ok bool) {
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return target, false
	}
	var addr string
	tr := &http.Transport{
		DialContext: func(_ context.Context, _, a string) (net.Conn, error) {
			addr = a
			return nil, errors.New("fuzz: no dialing")
		},
	}
	if resp, err := tr.RoundTrip(req); err == nil { // never: dialing always fails
		_ = resp.Body.Close()
	}
	// Host names and address literals are the same in any case.
	return [2]string{req.URL.Scheme, strings.ToLower(addr)}, addr != ""
}

// emptyPort reports whether raw's authority ends in ":", a port left empty.
func emptyPort(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.HasSuffix(u.Host, ":")
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}
