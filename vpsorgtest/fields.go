package vpsorgtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Django REST Framework's messages for field errors.
const (
	msgRequired   = "This field is required."
	msgNull       = "This field may not be null."
	msgBlank      = "This field may not be blank."
	msgInteger    = "A valid integer is required."
	msgString     = "Not a valid string."
	msgSlug       = `Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`
	msgQueryInt   = "Enter a number."
	msgBadChoice  = "Select a valid choice. %s is not one of the available choices."
	msgInvalidPK  = `Invalid pk "%d" - object does not exist.`
	msgParseError = "JSON parse error - %s"
)

// input is a request body being validated the way a DRF serializer does:
// every field is checked and all errors are reported together.
type input struct {
	fields map[string]any
	errs   map[string][]string
}

// parseInput reads a JSON object body. An empty body is an empty object, as
// DRF treats it; the reply is set when the body cannot be used at all.
func parseInput(body []byte) (*input, *reply) {
	in := &input{fields: map[string]any{}, errs: map[string][]string{}}
	if len(body) == 0 {
		return in, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		err = fmt.Errorf("extra data after the JSON value")
	}
	if err != nil {
		rep := detail(http.StatusBadRequest, fmt.Sprintf(msgParseError, err))
		return nil, &rep
	}
	obj, ok := v.(map[string]any)
	if !ok {
		rep := nonFieldError(fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonType(v)))
		return nil, &rep
	}
	in.fields = obj
	return in, nil
}

// pythonType names a JSON value's type as DRF's message does.
func pythonType(v any) string {
	switch v := v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "float"
		}
		return "int"
	}
	return "NoneType"
}

func (in *input) fail(field, msg string) {
	in.errs[field] = append(in.errs[field], msg)
}

// invalid is the 400 answer for the errors found, or nil when there are none.
func (in *input) invalid() *reply {
	if len(in.errs) == 0 {
		return nil
	}
	rep := fieldErrors(in.errs)
	return &rep
}

// integer reads a required integer field. Like DRF's IntegerField it takes
// numbers and numeric strings, and "12.0" but not "12.5".
func (in *input) integer(field string) int64 {
	v, ok := in.fields[field]
	if !ok {
		in.fail(field, msgRequired)
		return 0
	}
	var text string
	switch v := v.(type) {
	case nil:
		in.fail(field, msgNull)
		return 0
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		in.fail(field, msgInteger)
		return 0
	}
	if whole, frac, ok := strings.Cut(text, "."); ok && strings.Trim(frac, "0") == "" {
		text = whole
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		in.fail(field, msgInteger)
	}
	return n
}

// text reads a string field; a missing optional one is "".
func (in *input) text(field string, required bool) string {
	v, ok := in.fields[field]
	if !ok {
		if required {
			in.fail(field, msgRequired)
		}
		return ""
	}
	switch v := v.(type) {
	case nil:
		in.fail(field, msgNull)
	case string:
		if required && v == "" {
			in.fail(field, msgBlank)
		}
		return v
	default:
		in.fail(field, msgString)
	}
	return ""
}

// slug reads a required name made of letters, digits, hyphens and underscores.
func (in *input) slug(field string) string {
	s := in.text(field, true)
	if s != "" && !isSlug(s) {
		in.fail(field, msgSlug)
	}
	return s
}

// isSlug accepts ASCII letters and digits only, as DRF's SlugField does.
func isSlug(s string) bool {
	for _, c := range s {
		ok := c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
