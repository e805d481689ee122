package vpsorg

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMessageLen caps a Message taken from a raw body, so that an HTML error
// page does not become a screen-long error string.
const maxMessageLen = 256

// maxMessagesLen caps the messages taken from a JSON error body, all of
// them together, and the Message made of them: nested keys are repeated
// before each message, so a long key over many short messages could
// otherwise turn a 64 KiB body into gigabytes.
const maxMessagesLen = 4 << 10

// newAPIError reads at most maxErrorBodySize of an error answer. It
// returns the error that cut the body short, if any, with what was read.
func (c *Client) newAPIError(method, path string, resp *http.Response, attempts int) (*APIError, error) {
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodySize))
	body = c.maskToken(body)
	msg, fields := parseErrorBody(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := &APIError{
		StatusCode:  resp.StatusCode,
		Method:      method,
		Path:        path,
		Message:     msg,
		FieldErrors: fields,
		RequestID:   requestID(resp.Header),
		Attempts:    attempts,
		Body:        body,
	}
	if d, ok := retryAfter(resp.Header, c.now()); ok {
		e.RetryAfter = d
	}
	return e, readErr
}

// maskToken hides the token in an error body, where a proxy's error page
// that echoes the request's headers would show it. The body keeps its length.
func (c *Client) maskToken(body []byte) []byte {
	tok := []byte(strings.TrimPrefix(*c.auth, "Bearer "))
	return bytes.ReplaceAll(body, tok, bytes.Repeat([]byte("*"), len(tok)))
}

// parseErrorBody turns an error body into a human message and DRF's field
// errors. It accepts every shape DRF produces ({"detail": ...}, field -> list,
// "non_field_errors", a bare list or string) and falls back to the trimmed
// raw text for anything else, HTML pages and garbage included.
func parseErrorBody(body []byte) (message string, fields map[string][]string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", nil
	}
	var v any
	if unmarshalJSON(trimmed, &v) == nil {
		left := maxMessagesLen
		switch t := v.(type) {
		case map[string]any:
			msg, fields := messageFromObject(t, &left)
			return shorten(printable(msg), maxMessagesLen), fields
		case []any, string:
			return shorten(printable(strings.Join(flatten(t, &left), "; ")), maxMessagesLen), nil
		}
	}
	return rawMessage(trimmed), nil
}

func messageFromObject(obj map[string]any, left *int) (string, map[string][]string) {
	var (
		detail string
		fields map[string][]string
	)
	if d, ok := obj["detail"]; ok {
		detail = strings.Join(flatten(d, left), "; ")
	}
	// In key order, so that when the budget runs out the same fields keep
	// their messages every time.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if k == "detail" {
			continue
		}
		if fields == nil {
			fields = make(map[string][]string, len(obj))
		}
		fields[k] = flatten(obj[k], left)
	}
	switch {
	case detail != "":
		return detail, fields
	case len(fields["non_field_errors"]) > 0:
		return strings.Join(fields["non_field_errors"], "; "), fields
	}
	return summarize(fields), fields
}

// summarize lists field errors as "field: msg; other: msg", sorted by field
// so the text is stable.
func summarize(fields map[string][]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strings.Join(fields[k], " "))
	}
	return strings.Join(parts, "; ")
}

// flatten turns any decoded JSON value into its messages: DRF nests lists
// and objects for nested serializers, whose keys go before each message.
// The messages use up at most *left bytes, shared by the whole body; the
// one that reaches the limit is cut and the rest dropped.
func flatten(v any, left *int) []string {
	return appendMessages(nil, nil, v, left)
}

// appendMessages appends v's messages to out, each after the keys in path.
// The prefix is built only for a message that is kept, and no longer than
// what is left, so that many keys under a long path cost nothing.
func appendMessages(out, path []string, v any, left *int) []string {
	if *left <= 0 {
		return out
	}
	add := func(m string) []string {
		var b strings.Builder
		for _, k := range path {
			if b.Len() > *left {
				break
			}
			b.WriteString(k)
			b.WriteString(": ")
		}
		if b.Len() <= *left {
			b.WriteString(m)
		}
		msg := shorten(b.String(), *left)
		*left -= len(msg)
		return append(out, msg)
	}
	switch t := v.(type) {
	case nil:
		return out
	case string:
		return add(t)
	case []any:
		for _, e := range t {
			out = appendMessages(out, path, e, left)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = appendMessages(out, append(path, k), t[k], left)
		}
		return out
	default:
		return add(fmt.Sprint(t))
	}
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// rawMessage makes a one-line message out of a non-JSON body: an HTML page's
// title when it has one, else its text with tags and runs of space removed.
func rawMessage(body []byte) string {
	s := string(body)
	if m := htmlTitle.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
		s = m[1]
	} else if strings.HasPrefix(s, "<") {
		s = htmlTag.ReplaceAllString(s, " ")
	}
	s = printable(strings.ToValidUTF8(html.UnescapeString(s), "\uFFFD"))
	s = strings.Join(strings.Fields(s), " ")
	return shorten(s, maxMessageLen)
}

// printable replaces control characters, with which a hostile server could
// forge log lines or drive a terminal through an error string, by spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// shorten cuts valid UTF-8 s to at most n bytes on a rune boundary and
// marks the cut with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
