package vpsorg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxMessageLen caps a Message taken from a raw body, so that an HTML error
// page does not become a screen-long error string.
const maxMessageLen = 256

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
	if json.Unmarshal(trimmed, &v) == nil {
		switch t := v.(type) {
		case map[string]any:
			return messageFromObject(t)
		case []any, string:
			return strings.Join(flatten(t), "; "), nil
		}
	}
	return rawMessage(trimmed), nil
}

func messageFromObject(obj map[string]any) (string, map[string][]string) {
	var (
		detail string
		fields map[string][]string
	)
	if d, ok := obj["detail"]; ok {
		detail = strings.Join(flatten(d), "; ")
	}
	for k, v := range obj {
		if k == "detail" {
			continue
		}
		if fields == nil {
			fields = make(map[string][]string, len(obj))
		}
		fields[k] = flatten(v)
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
// and objects for nested serializers.
func flatten(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, flatten(e)...)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			for _, m := range flatten(t[k]) {
				out = append(out, k+": "+m)
			}
		}
		return out
	default:
		return []string{fmt.Sprint(t)}
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
	s = strings.Join(strings.Fields(html.UnescapeString(s)), " ")
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
