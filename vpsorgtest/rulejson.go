package vpsorgtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// ruleJSON and faultJSON are the JSON form. Fault is a pointer so that a
// rule without one is told from one with an empty fault.
type ruleJSON struct {
	Method      string     `json:"method,omitempty"`
	Path        string     `json:"path,omitempty"`
	Nth         int        `json:"nth,omitempty"`
	Count       int        `json:"count,omitempty"`
	Probability float64    `json:"probability,omitempty"`
	Fault       *faultJSON `json:"fault"`
}

type faultJSON struct {
	Status       int    `json:"status,omitempty"`
	RetryAfter   string `json:"retry_after,omitempty"`
	Body         string `json:"body,omitempty"`
	Drop         bool   `json:"drop,omitempty"`
	Delay        string `json:"delay,omitempty"`
	AfterAction  bool   `json:"after_action,omitempty"`
	TruncateBody int    `json:"truncate_body,omitempty"`
}

// ParseRules decodes a JSON list of rules, as the vpsorg-fake program's
// -faults file holds it. An error names the rule by its place in the list,
// from 1. The JSON form of a [Rule], shared by ParseRules, [Rule.MarshalJSON],
// [Rule.UnmarshalJSON] and the control API's POST /_fake/faults, is
//
//	{"method": "POST", "path": "/api/v1/backups/", "nth": 1, "count": 2,
//	 "probability": 0.2,
//	 "fault": {"status": 503, "retry_after": "2", "body": "...", "drop": false,
//	           "delay": "250ms", "after_action": true, "truncate_body": 20}}
//
// Every key but "fault" may be left out, and so may every key of the fault but
// one that makes it do something. "delay" is a Go duration ("250ms", "1.5s").
// Decoding is strict: an unknown key, a value of the wrong type, data after the
// value, or a value that makes no sense (a negative nth, a probability above
// 1, a status outside 200..599, "drop" with "status", a fault that does
// nothing) is an error that says which key and why.
func ParseRules(data []byte) ([]Rule, error) {
	var raw []json.RawMessage
	if err := decodeStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("vpsorgtest: rules: %w", err)
	}
	if raw == nil {
		return nil, errors.New("vpsorgtest: rules: want a JSON list of rules, not null")
	}
	rules := make([]Rule, len(raw))
	for i, r := range raw {
		if err := rules[i].parse(r); err != nil {
			return nil, fmt.Errorf("vpsorgtest: rule %d: %w", i+1, err)
		}
	}
	return rules, nil
}

// MarshalJSON writes the rule in the shape ParseRules reads, leaving out the
// keys at their zero value.
func (r Rule) MarshalJSON() ([]byte, error) {
	f := r.Fault.toJSON()
	return json.Marshal(ruleJSON{
		Method: r.Method, Path: r.Path, Nth: r.Nth, Count: r.Count,
		Probability: r.Probability, Fault: &f,
	})
}

// UnmarshalJSON reads one rule in the shape ParseRules reads, as strictly.
func (r *Rule) UnmarshalJSON(data []byte) error {
	if err := r.parse(data); err != nil {
		return fmt.Errorf("vpsorgtest: rule: %w", err)
	}
	return nil
}

// MarshalJSON writes the fault as the "fault" object of a rule's JSON form.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(f.toJSON())
}

// UnmarshalJSON reads the "fault" object of a rule's JSON form, as strictly
// as ParseRules.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var fj faultJSON
	if err := decodeStrict(data, &fj); err != nil {
		return fmt.Errorf("vpsorgtest: fault: %w", err)
	}
	parsed, err := fj.fault()
	if err != nil {
		return fmt.Errorf("vpsorgtest: fault: %w", err)
	}
	*f = parsed
	return nil
}

func (r *Rule) parse(data []byte) error {
	var rj ruleJSON
	if err := decodeStrict(data, &rj); err != nil {
		return err
	}
	switch {
	case rj.Method != "" && strings.Trim(rj.Method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return fmt.Errorf("method %q: want an upper-case HTTP method such as GET, or none for any", rj.Method)
	case rj.Path != "" && !strings.HasPrefix(rj.Path, "/"):
		return fmt.Errorf("path %q: want a URL path such as /api/v1/backups/, or none for any", rj.Path)
	case rj.Nth < 0:
		return fmt.Errorf("nth %d: want 1 or more, or none for every match", rj.Nth)
	case rj.Count < 0:
		return fmt.Errorf("count %d: want 1 or more", rj.Count)
	case rj.Count > 0 && rj.Nth == 0:
		return errors.New("count: needs nth, the first match to fault")
	case rj.Probability < 0 || rj.Probability > 1:
		return fmt.Errorf("probability %v: want a number from 0 to 1", rj.Probability)
	case rj.Fault == nil:
		return errors.New(`fault: missing; a rule needs {"fault": {...}}`)
	}
	f, err := rj.Fault.fault()
	if err != nil {
		return fmt.Errorf("fault.%w", err)
	}
	*r = Rule{Method: rj.Method, Path: rj.Path, Nth: rj.Nth, Count: rj.Count, Probability: rj.Probability, Fault: f}
	return nil
}

// fault checks the JSON form and turns it into a Fault. Its errors start
// with the key at fault, so a rule can put "fault." in front.
func (fj *faultJSON) fault() (Fault, error) {
	delay, err := parseDelay(fj.Delay)
	if err != nil {
		return Fault{}, err
	}
	if err := fj.checkValues(); err != nil {
		return Fault{}, err
	}
	if err := fj.checkCombination(delay); err != nil {
		return Fault{}, err
	}
	return Fault{
		Status: fj.Status, RetryAfter: fj.RetryAfter, Body: fj.Body, Drop: fj.Drop,
		Delay: delay, AfterAction: fj.AfterAction, TruncateBody: fj.TruncateBody,
	}, nil
}

// parseDelay reads a fault's "delay", zero when absent.
func parseDelay(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("delay %q: want a duration such as 250ms or 2s", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("delay %q: want zero or more", s)
	}
	return d, nil
}

// checkValues refuses a status or truncate_body out of range.
func (fj *faultJSON) checkValues() error {
	switch {
	case fj.Status != 0 && (fj.Status < 200 || fj.Status > 599):
		return fmt.Errorf("status %d: want an HTTP status from 200 to 599", fj.Status)
	case fj.TruncateBody < 0:
		return fmt.Errorf("truncate_body %d: want 1 or more", fj.TruncateBody)
	}
	return nil
}

// checkCombination refuses keys that contradict each other, and a fault
// that would do nothing.
func (fj *faultJSON) checkCombination(delay time.Duration) error {
	switch {
	case fj.Drop && (fj.Status != 0 || fj.TruncateBody != 0):
		return errors.New("drop: sends no answer, so it cannot go with status or truncate_body")
	case fj.Status == 0 && (fj.Body != "" || fj.RetryAfter != ""):
		return errors.New("status: needed with body or retry_after, which are part of the fault's answer")
	case fj.Status == 0 && !fj.Drop && delay == 0 && fj.TruncateBody == 0:
		return errors.New("status: missing; a fault needs status, drop, delay or truncate_body to do something")
	}
	return nil
}

func (f Fault) toJSON() faultJSON {
	fj := faultJSON{
		Status: f.Status, RetryAfter: f.RetryAfter, Body: f.Body, Drop: f.Drop,
		AfterAction: f.AfterAction, TruncateBody: f.TruncateBody,
	}
	if f.Delay != 0 {
		fj.Delay = f.Delay.String()
	}
	return fj
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown keys
// and anything after the value, and says in plain words what was wrong.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return plainJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// plainJSONError rewords encoding/json's errors, which name Go types, in
// terms of the JSON form.
func plainJSONError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("%s (at byte %d)", strings.TrimPrefix(err.Error(), "json: "), syntaxErr.Offset)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Errorf("%s: want %s, not a JSON %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Errorf("want %s, not a JSON %s", jsonKind(typeErr.Type), typeErr.Value)
	case errors.Is(err, io.EOF):
		return errors.New("no JSON value")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	default:
		return "a " + t.String()
	}
}
