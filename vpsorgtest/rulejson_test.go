package vpsorgtest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Rule
	}{
		{"empty list", `[]`, []Rule{}},
		{"every key", `[{"method": "POST", "path": "/api/v1/backups/", "nth": 2, "count": 3, "probability": 0.25,
			"fault": {"status": 503, "retry_after": "2", "body": "<html></html>", "delay": "1.5s",
			"after_action": true, "truncate_body": 20}}]`,
			[]Rule{{Method: "POST", Path: "/api/v1/backups/", Nth: 2, Count: 3, Probability: 0.25,
				Fault: Fault{Status: 503, RetryAfter: "2", Body: "<html></html>", Delay: 1500 * time.Millisecond,
					AfterAction: true, TruncateBody: 20}}}},
		{"several, few keys", `[{"fault": {"drop": true}}, {"method": "GET", "fault": {"delay": "250ms"}},
			{"fault": {"truncate_body": 1}}]`,
			[]Rule{{Fault: Fault{Drop: true}}, {Method: "GET", Fault: Fault{Delay: 250 * time.Millisecond}},
				{Fault: Fault{TruncateBody: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRules([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("rules\n%+v\nwant\n%+v", got, tt.want)
			}
			// What MarshalJSON writes, ParseRules reads back the same.
			data, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseRules(data)
			if err != nil || !reflect.DeepEqual(again, tt.want) {
				t.Fatalf("round trip through %s: %+v, %v", data, again, err)
			}
		})
	}
}

func TestParseRulesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"nothing", ``, "rules: no JSON value"},
		{"not JSON", `[{"fault": {"status": 500}},]`, "invalid character ']'"},
		{"cut short", `[{"fault": {"status": 500}}`, "unexpected EOF"},
		{"not a list", `{"fault": {"status": 500}}`, "want a list, not a JSON object"},
		{"null", `null`, "want a JSON list of rules, not null"},
		{"trailing data", `[] []`, "data after the JSON value"},
		{"not an object", `[{"fault": {"status": 500}}, 7]`, "rule 2: want an object, not a JSON number"},
		{"unknown key", `[{"fault": {"status": 500}, "nht": 1}]`, `rule 1: unknown field "nht"`},
		{"unknown fault key", `[{"fault": {"status": 500, "retry": "1"}}]`, `rule 1: unknown field "retry"`},
		{"wrong type", `[{"nth": "1", "fault": {"status": 500}}]`, "rule 1: nth: want a whole number, not a JSON string"},
		{"wrong fault type", `[{"fault": {"drop": 1}}]`, "rule 1: fault.drop: want true or false, not a JSON number"},
		{"fraction", `[{"count": 1.5, "nth": 1, "fault": {"status": 500}}]`, "count: want a whole number"},
		{"lower-case method", `[{"method": "get", "fault": {"status": 500}}]`, `method "get": want an upper-case HTTP method`},
		{"relative path", `[{"path": "api/v1/", "fault": {"status": 500}}]`, `path "api/v1/": want a URL path`},
		{"negative nth", `[{"nth": -1, "fault": {"status": 500}}]`, "nth -1: want 1 or more"},
		{"negative count", `[{"nth": 1, "count": -2, "fault": {"status": 500}}]`, "count -2: want 1 or more"},
		{"count without nth", `[{"count": 2, "fault": {"status": 500}}]`, "count: needs nth"},
		{"probability above 1", `[{"probability": 1.5, "fault": {"status": 500}}]`, "probability 1.5: want a number from 0 to 1"},
		{"negative probability", `[{"probability": -0.1, "fault": {"status": 500}}]`, "probability -0.1"},
		{"no fault", `[{"method": "GET"}]`, "fault: missing"},
		{"null fault", `[{"fault": null}]`, "fault: missing"},
		{"fault does nothing", `[{"fault": {}}]`, "fault.status: missing; a fault needs status, drop, delay or truncate_body"},
		{"only after_action", `[{"fault": {"after_action": true}}]`, "fault.status: missing"},
		{"status too low", `[{"fault": {"status": 100}}]`, "fault.status 100: want an HTTP status from 200 to 599"},
		{"status too high", `[{"fault": {"status": 600}}]`, "fault.status 600"},
		{"bad delay", `[{"fault": {"delay": "soon"}}]`, `fault.delay "soon": want a duration such as 250ms`},
		{"delay without unit", `[{"fault": {"delay": "250"}}]`, `fault.delay "250"`},
		{"negative delay", `[{"fault": {"delay": "-1s"}}]`, `fault.delay "-1s": want zero or more`},
		{"negative truncate", `[{"fault": {"truncate_body": -1}}]`, "fault.truncate_body -1: want 1 or more"},
		{"drop with status", `[{"fault": {"drop": true, "status": 500}}]`, "fault.drop: sends no answer"},
		{"drop with truncate", `[{"fault": {"drop": true, "truncate_body": 5}}]`, "fault.drop: sends no answer"},
		{"body without status", `[{"fault": {"delay": "1s", "body": "x"}}]`, "fault.status: needed with body or retry_after"},
		{"retry_after without status", `[{"fault": {"drop": true, "retry_after": "1"}}]`, "fault.status: needed with body or retry_after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rules, err := ParseRules([]byte(tt.in))
			if err == nil {
				t.Fatalf("parsed %+v", rules)
			}
			if !strings.HasPrefix(err.Error(), "vpsorgtest: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRuleAndFaultJSON(t *testing.T) {
	t.Parallel()
	rule := Rule{Method: "GET", Nth: 1, Fault: Fault{Status: 429, RetryAfter: "3", Delay: time.Second}}
	data, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"method":"GET","nth":1,"fault":{"status":429,"retry_after":"3","delay":"1s"}}`; string(data) != want {
		t.Fatalf("rule JSON %s, want %s", data, want)
	}
	var back Rule
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, rule) {
		t.Fatalf("unmarshalled %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"fault": {"status": 500}, "extra": 1}`), &back); err == nil {
		t.Fatal("Rule.UnmarshalJSON took an unknown key")
	}
	var f Fault
	if err := json.Unmarshal([]byte(`{"truncate_body": 10, "status": 502}`), &f); err != nil || f != (Fault{TruncateBody: 10, Status: 502}) {
		t.Fatalf("fault %+v, %v", f, err)
	}
	if err := json.Unmarshal([]byte(`{"delay": "1s", "drop": true, "status": 500}`), &f); err == nil ||
		!strings.Contains(err.Error(), "drop") {
		t.Fatalf("Fault.UnmarshalJSON of drop with status: %v", err)
	}
}

// TestParsedRulesFault checks that rules read from JSON fault as the Go
// ones do, the new faults included.
func TestParsedRulesFault(t *testing.T) {
	t.Parallel()
	rules, err := ParseRules([]byte(`[
		{"method": "GET", "path": "/api/v1/backups/", "nth": 2, "fault": {"status": 503, "retry_after": "1"}},
		{"method": "GET", "path": "/api/v1/snapshots/", "probability": 0.5, "fault": {"status": 500}}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	h := start(t)
	for _, r := range rules {
		h.AddFault(r)
	}
	if got := h.statuses(t, 3); !reflect.DeepEqual(got, []int{200, 503, 200}) {
		t.Fatalf("backups answered %v", got)
	}
	faulted := 0
	for range 100 {
		if h.do(t, "GET", "/api/v1/snapshots/", "").status == 500 {
			faulted++
		}
	}
	if faulted < 30 || faulted > 70 {
		t.Fatalf("%d of 100 faulted at 50%%", faulted)
	}
}
