package vpsorg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fastCases are bodies for the fast JSON path: fast says whether it must
// decode the body into a Snapshot itself (false: leave it to
// encoding/json), or into an envelope[Snapshot] for the cases marked list.
// Whatever the type, decodeBody must give what encoding/json gives.
var fastCases = []struct {
	name string
	body string
	fast bool
	list bool
}{
	{"documented item", `{"id":501,"server":{"id":1,"name":"web-01"},"name":"pre-upgrade","status":"completed","size_mb":15360,"created_at":"2025-01-24T10:00:00Z","description":"Before system update"}`, true, false},
	{"envelope with links", `{"count":3,"next":"https://admin.vps.org/api/v1/snapshots/?page=2","previous":null,"results":[{"id":1},{"id":2}]}`, true, true},
	{"last page", `{"count":2,"next":null,"results":[]}`, true, true},
	{"whitespace everywhere", " \t\r\n{ \"id\" : 1 , \"server\" : { \"id\" : 2 } , \"name\" : \"a\" }\n ", true, false},
	{"nulls", `{"id":null,"server":null,"name":null,"status":null,"size_mb":null,"created_at":null,"expires_at":null,"description":null,"plan":null,"os":null}`, true, false},
	{"escapes", `{"name":"a\"b\\c\/d\b\f\n\r\t\u00e9\u00C9\u20ac\u0000"}`, true, false},
	{"non-ASCII", `{"name":"sauvegarde d'été ✓ 🚀"}`, true, false},
	{"unknown values of every kind", `{"x":{"a":[1,-2.5e+3,true,false,null,"s\u0041",{}],"b":[]},"id":7,"y":-0.0,"z":"\ud83d\ude80"}`, true, false},
	{"time with offset", `{"created_at":"2025-01-24T10:00:00.123456+02:00","expires_at":"2025-02-24T10:00:00Z"}`, true, false},
	{"largest and smallest int64", `{"id":9223372036854775807,"size_mb":-9223372036854775808}`, true, false},
	{"negative zero", `{"id":-0}`, true, false},
	{"server with plan and os", `{"id":1,"name":"web","plan":{"id":2,"name":"S","vcpus":2,"memory":4096,"storage":80},"os":{"id":3,"name":"Debian"},"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-02T00:00:00Z"}`, true, false},

	{"key in another case", `{"ID":501}`, false, false},
	{"repeated key", `{"server":{"id":1,"name":"a"},"server":{"id":2}}`, false, false},
	{"repeated results", `{"results":[{"id":1,"name":"a"}],"results":[{"id":2}]}`, false, true},
	{"escaped key", `{"\u0069d":1}`, false, false},
	{"non-ASCII key", `{"ſtatus":"x","K":1}`, false, false},
	{"surrogate pair", `{"name":"\ud83d\ude80"}`, false, false},
	{"lone surrogate", `{"name":"\ud800"}`, false, false},
	{"invalid UTF-8", "{\"name\":\"a\xffb\"}", false, false},
	{"fraction in an int", `{"id":1.0}`, false, false},
	{"exponent in an int", `{"id":1e3}`, false, false},
	{"int64 overflow", `{"id":9223372036854775808}`, false, false},
	{"int64 underflow", `{"id":-9223372036854775809}`, false, false},
	{"long overflow", `{"id":92233720368547758079}`, false, false},
	{"string in an int", `{"id":"1"}`, false, false},
	{"number in a string", `{"name":1}`, false, false},
	{"bool in a struct", `{"server":true}`, false, false},
	{"results not an array", `{"results":{}}`, false, true},
	{"next a number", `{"next":5,"results":[]}`, false, true},
	{"bad time", `{"created_at":"yesterday"}`, false, false},
	{"escaped time", `{"created_at":"2025-01-24T10:00:00\u005a"}`, false, false},
	{"data after the value", `{"id":1} {"id":2}`, false, false},
	{"leading zero", `{"id":01}`, false, false},
	{"trailing comma", `{"id":1,}`, false, false},
	{"trailing comma in an array", `{"results":[{"id":1},]}`, false, true},
	{"missing colon", `{"id" 1}`, false, false},
	{"control character in a string", "{\"name\":\"a\tb\"}", false, false},
	{"bad escape", `{"name":"\x"}`, false, false},
	{"short unicode escape", `{"name":"\u12"}`, false, false},
	{"truncated", `{"count":3,"results":[{"id":501,"server":{"id":1`, false, false},
	{"empty", ``, false, false},
	{"not JSON", `<html></html>`, false, false},
	{"array at the top", `[]`, false, false},
	{"deep unknown value", `{"x":` + strings.Repeat("[", maxFastDepth+1) + strings.Repeat("]", maxFastDepth+1) + `}`, false, false},
	{"bare minus", `{"x":-}`, false, false},
	{"dot without digits", `{"x":1.}`, false, false},
	{"exponent without digits", `{"x":1e}`, false, false},
	{"misspelt literal", `{"x":nul}`, false, false},
}

// decodeTargets runs check for every type the fast path decodes.
func decodeTargets(t *testing.T, body []byte) {
	t.Helper()
	checkFastDecode[envelope[Snapshot]](t, body)
	checkFastDecode[envelope[Backup]](t, body)
	checkFastDecode[envelope[Server]](t, body)
	checkFastDecode[Snapshot](t, body)
	checkFastDecode[Backup](t, body)
	checkFastDecode[Server](t, body)
}

// checkFastDecode decodes body into a T with encoding/json, with the fast
// path alone, and with decodeBody, and fails unless they agree. It reports
// whether the fast path decoded it.
func checkFastDecode[T any](t *testing.T, body []byte) bool {
	t.Helper()
	var want T
	wantErr := json.NewDecoder(bytes.NewReader(body)).Decode(&want)

	var fast T
	ok := decodeFast(body, any(&fast).(jsonDecodable))
	if ok && wantErr != nil {
		t.Fatalf("%T: fast path took %q, which encoding/json refuses: %v", fast, body, wantErr)
	}
	if ok && !reflect.DeepEqual(fast, want) {
		t.Fatalf("%T: fast path decoded %q as\n%+v\nencoding/json as\n%+v", fast, body, fast, want)
	}

	var got T
	resp := &http.Response{Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	err := decodeBody(resp, &got)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%T: decodeBody(%q) error %v, encoding/json %v", got, body, err, wantErr)
	case err != nil && !strings.Contains(err.Error(), strings.TrimPrefix(wantErr.Error(), "EOF")):
		t.Fatalf("%T: decodeBody(%q) error %q, want encoding/json's %q", got, body, err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("%T: decodeBody decoded %q as\n%+v\nencoding/json as\n%+v", got, body, got, want)
	}
	return ok
}

func TestFastDecode(t *testing.T) {
	t.Parallel()
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := []byte(tc.body)
			decodeTargets(t, body)
			check := checkFastDecode[Snapshot]
			if tc.list {
				check = checkFastDecode[envelope[Snapshot]]
			}
			if took := check(t, body); took != tc.fast {
				t.Errorf("fast path took it: %v, want %v", took, tc.fast)
			}
		})
	}
}

// TestFastDecodeTestdata checks that every documented answer the fast path
// can read goes through it and decodes as encoding/json decodes it.
func TestFastDecodeTestdata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		check func(*testing.T, []byte) bool
	}{
		{"backups_list.json", checkFastDecode[envelope[Backup]]},
		{"snapshots_list.json", checkFastDecode[envelope[Snapshot]]},
		{"servers_list.json", checkFastDecode[envelope[Server]]},
		{"backup_create.json", checkFastDecode[Backup]},
		{"snapshot_create.json", checkFastDecode[Snapshot]},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(t, body) {
				t.Errorf("fast path left %s to encoding/json", tc.file)
			}
		})
	}
}

// TestFastDecodeEveryField gives every field of each model a value and
// checks that the fast path decodes all of them: a field missing from a
// table would be skipped as unknown and stay zero.
func TestFastDecodeEveryField(t *testing.T) {
	t.Parallel()
	// readObject keeps one bit a field to notice a repeated key.
	for name, n := range map[string]int{"backup": len(backupFields), "snapshot": len(snapshotFields),
		"server": len(serverFields), "serverRef": len(serverRefFields), "plan": len(planFields), "os": len(osFields)} {
		if n > 64 {
			t.Errorf("%s table has %d fields; readObject handles at most 64", name, n)
		}
	}
	for _, v := range []jsonDecodable{new(Snapshot), new(Backup), new(Server)} {
		typ := reflect.TypeOf(v).Elem()
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			n := 0
			body := []byte(fullJSON(typ, &n))
			if !decodeFast(body, v) {
				t.Fatalf("fast path refused %s", body)
			}
			want := reflect.New(typ)
			if err := json.Unmarshal(body, want.Interface()); err != nil {
				t.Fatal(err)
			}
			if got := reflect.ValueOf(v).Elem().Interface(); !reflect.DeepEqual(got, want.Elem().Interface()) {
				t.Fatalf("fast path decoded %s as\n%+v\nencoding/json as\n%+v", body, got, want.Elem())
			}
			checkNoZeroField(t, typ.Name(), reflect.ValueOf(v).Elem())
		})
	}
}

// fullJSON writes an object of type t with a distinct non-zero value in
// every field, counting values in n.
func fullJSON(t reflect.Type, n *int) string {
	if t == reflect.TypeOf(time.Time{}) {
		*n++
		return fmt.Sprintf(`"2025-01-%02dT10:00:00Z"`, *n)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return fullJSON(t.Elem(), n)
	case reflect.Int, reflect.Int64:
		*n++
		return fmt.Sprint(*n)
	case reflect.String:
		*n++
		return fmt.Sprintf(`"s%d"`, *n)
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("{")
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", name, fullJSON(t.Field(i).Type, n))
		}
		b.WriteString("}")
		return b.String()
	}
	panic("fullJSON: no value for " + t.String())
}

func checkNoZeroField(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s was not decoded", path)
		return
	}
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}) {
		for i := range v.NumField() {
			checkNoZeroField(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	}
}

// FuzzFastDecode holds the fast path to encoding/json: whatever it
// decodes, it decodes as encoding/json does, and decodeBody's result and
// error are encoding/json's for every body.
func FuzzFastDecode(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.body))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Fuzz(decodeTargets)
}
