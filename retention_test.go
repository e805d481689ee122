package vpsorg_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin on a machine without a zone database

	"github.com/vpsorg/vpsorg-go"
)

// retentionWords returns the reasons in the order Decide lists them.
func retentionWords() []string {
	return []string{"last", "hourly", "daily", "weekly", "monthly", "yearly", "within"}
}

func loadBerlin(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func parseTimes(tb testing.TB, ss []string) []time.Time {
	tb.Helper()
	times := make([]time.Time, len(ss))
	for i, s := range ss {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			tb.Fatal(err)
		}
		times[i] = t
	}
	return times
}

// verdicts writes decisions as one string each: the reasons joined by
// commas, "" for a time not kept, "!" for a Keep that disagrees with its
// Reasons.
func verdicts(ds []vpsorg.RetentionDecision) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = strings.Join(d.Reasons, ",")
		if d.Keep != (len(d.Reasons) > 0) {
			out[i] = "!" + out[i]
		}
	}
	return out
}

func TestRetentionDecide(t *testing.T) {
	t.Parallel()
	berlin := loadBerlin(t)

	tests := []struct {
		name   string
		policy vpsorg.RetentionPolicy
		times  []string
		want   []string // per time: its reasons, comma-joined; "" for dropped
	}{
		{
			name:   "the doc comment's example",
			policy: vpsorg.RetentionPolicy{Daily: 3, Weekly: 2},
			times: []string{"2024-03-10T12:00:00Z", "2024-03-09T12:00:00Z", "2024-03-09T08:00:00Z",
				"2024-03-08T12:00:00Z", "2024-03-03T12:00:00Z", "2024-02-25T12:00:00Z"},
			want: []string{"daily,weekly", "daily", "", "daily", "weekly", ""},
		},
		{
			name:   "the doc comment's example with Daily 7",
			policy: vpsorg.RetentionPolicy{Daily: 7, Weekly: 2},
			times: []string{"2024-03-10T12:00:00Z", "2024-03-09T12:00:00Z", "2024-03-09T08:00:00Z",
				"2024-03-08T12:00:00Z", "2024-03-03T12:00:00Z", "2024-02-25T12:00:00Z"},
			want: []string{"daily,weekly", "daily", "", "daily", "daily,weekly", "daily"},
		},
		{
			name:   "oldest kept while a count is left although its day is had",
			policy: vpsorg.RetentionPolicy{Daily: 7, Weekly: 2},
			times: []string{"2024-03-10T12:00:00Z", "2024-03-09T12:00:00Z", "2024-03-09T08:00:00Z",
				"2024-03-08T12:00:00Z", "2024-03-03T12:00:00Z", "2024-03-03T08:00:00Z"},
			want: []string{"daily,weekly", "daily", "", "daily", "daily,weekly", "daily"},
		},
		{
			// Daily 7 over three days: three day-newest times and the
			// oldest; the times between are dropped. Weekly keeps the
			// newest and, with count left, the oldest.
			name:   "oldest rule: Daily 7 over three days",
			policy: vpsorg.RetentionPolicy{Daily: 7, Weekly: 4},
			times: []string{"2024-05-01T08:00:00Z", "2024-05-01T14:00:00Z", "2024-05-02T08:00:00Z",
				"2024-05-02T14:00:00Z", "2024-05-03T08:00:00Z", "2024-05-03T14:00:00Z"},
			want: []string{"daily,weekly", "daily", "", "daily", "", "daily,weekly"},
		},
		{
			name:   "oldest not kept once the count is used up",
			policy: vpsorg.RetentionPolicy{Daily: 2},
			times:  []string{"2024-05-01T08:00:00Z", "2024-05-01T14:00:00Z", "2024-05-02T08:00:00Z"},
			want:   []string{"", "daily", "daily"},
		},
		{
			name:   "year end: Dec 31 and Jan 1 are other days, months and years",
			policy: vpsorg.RetentionPolicy{Daily: 2, Monthly: 2, Yearly: 2},
			times: []string{"2023-12-30T12:00:00Z", "2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z",
				"2024-01-01T12:00:00Z"},
			want: []string{"", "daily,monthly,yearly", "", "daily,monthly,yearly"},
		},
		{
			// 2020-W53 is Mon Dec 28 2020 to Sun Jan 3 2021.
			name:   "ISO week 53 of 2020 spans the year's end",
			policy: vpsorg.RetentionPolicy{Weekly: 2},
			times: []string{"2020-12-27T12:00:00Z", "2020-12-28T12:00:00Z", "2021-01-03T12:00:00Z",
				"2021-01-04T12:00:00Z"},
			want: []string{"", "", "weekly", "weekly"},
		},
		{
			name:   "ISO week 52 of 2020 is the third week",
			policy: vpsorg.RetentionPolicy{Weekly: 3},
			times: []string{"2020-12-26T12:00:00Z", "2020-12-27T12:00:00Z", "2020-12-28T12:00:00Z",
				"2021-01-03T12:00:00Z", "2021-01-04T12:00:00Z"},
			want: []string{"", "weekly", "", "weekly", "weekly"},
		},
		{
			// 2026-W53 is Mon Dec 28 2026 to Sun Jan 3 2027; years are
			// calendar years all the same.
			name:   "ISO week 53 of 2026 against calendar years",
			policy: vpsorg.RetentionPolicy{Weekly: 2, Yearly: 2},
			times: []string{"2026-12-27T12:00:00Z", "2026-12-28T12:00:00Z", "2026-12-31T12:00:00Z",
				"2027-01-03T12:00:00Z", "2027-01-04T12:00:00Z"},
			want: []string{"", "", "yearly", "weekly", "weekly,yearly"},
		},
		{
			// 25 Oct 2020 in Berlin: 02:00-03:00 CEST, then 02:00-03:00
			// CET again. Both are the wall-clock hour 2.
			name:   "Berlin October: the repeated hour is one hour",
			policy: vpsorg.RetentionPolicy{Hourly: 3, Location: berlin},
			times: []string{"2020-10-24T23:10:00Z", "2020-10-25T00:10:00Z", "2020-10-25T00:50:00Z",
				"2020-10-25T01:10:00Z", "2020-10-25T01:50:00Z", "2020-10-25T02:10:00Z"},
			want: []string{"hourly", "", "", "", "hourly", "hourly"},
		},
		{
			name:   "the same times by UTC hours",
			policy: vpsorg.RetentionPolicy{Hourly: 3},
			times: []string{"2020-10-24T23:10:00Z", "2020-10-25T00:10:00Z", "2020-10-25T00:50:00Z",
				"2020-10-25T01:10:00Z", "2020-10-25T01:50:00Z", "2020-10-25T02:10:00Z"},
			want: []string{"", "", "hourly", "", "hourly", "hourly"},
		},
		{
			// 28 Mar 2021 in Berlin: 01:59:59 CET is followed by 03:00
			// CEST. The missing hour holds nothing and counts for nothing.
			name:   "Berlin March: the missing hour",
			policy: vpsorg.RetentionPolicy{Hourly: 2, Location: berlin},
			times: []string{"2021-03-27T23:30:00Z", "2021-03-28T00:30:00Z", "2021-03-28T00:59:59Z",
				"2021-03-28T01:00:00Z", "2021-03-28T01:30:00Z"},
			want: []string{"", "", "hourly", "", "hourly"},
		},
		{
			// 22:30 and 23:30 UTC are 23:30 and 00:30 in Berlin in
			// winter: other days there, the same day in UTC.
			name:   "days by Berlin's calendar",
			policy: vpsorg.RetentionPolicy{Daily: 2, Location: berlin},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T22:30:00Z", "2024-01-10T23:30:00Z"},
			want:   []string{"", "daily", "daily"},
		},
		{
			// One day in UTC: the oldest is kept only as the oldest.
			name:   "the same times by UTC's calendar",
			policy: vpsorg.RetentionPolicy{Daily: 2},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T22:30:00Z", "2024-01-10T23:30:00Z"},
			want:   []string{"daily", "", "daily"},
		},
		{
			// The times' own zone does not matter: 00:30+01:00 on the
			// 11th is the 10th in UTC.
			name:   "periods in Location, not in the times' zone",
			policy: vpsorg.RetentionPolicy{Daily: 2},
			times:  []string{"2024-01-11T00:30:00+01:00", "2024-01-10T20:00:00Z", "2024-01-09T12:00:00Z"},
			want:   []string{"daily", "", "daily"},
		},
		{
			name:   "one time",
			policy: vpsorg.RetentionPolicy{Daily: 3},
			times:  []string{"2024-01-10T12:00:00Z"},
			want:   []string{"daily"},
		},
		{
			name:   "one time, every rule",
			policy: vpsorg.RetentionPolicy{Last: 1, Hourly: 1, Daily: 1, Weekly: 1, Monthly: 1, Yearly: 1, Within: time.Hour},
			times:  []string{"2024-01-10T12:00:00Z"},
			want:   []string{"last,hourly,daily,weekly,monthly,yearly,within"},
		},
		{
			name: "several reasons for one time",
			policy: vpsorg.RetentionPolicy{
				Last: 1, Hourly: 2, Daily: 2, Weekly: 2, Monthly: 2, Yearly: 2, Within: 90 * time.Minute,
			},
			times: []string{"2023-12-31T22:00:00Z", "2024-01-01T00:00:00Z", "2024-01-01T00:30:00Z"},
			want:  []string{"hourly,daily,weekly,monthly,yearly", "within", "last,hourly,daily,weekly,monthly,yearly,within"},
		},
		{
			name:   "unsorted input",
			policy: vpsorg.RetentionPolicy{Daily: 3, Weekly: 2},
			times: []string{"2024-03-03T12:00:00Z", "2024-03-09T08:00:00Z", "2024-03-10T12:00:00Z",
				"2024-02-25T12:00:00Z", "2024-03-08T12:00:00Z", "2024-03-09T12:00:00Z"},
			want: []string{"weekly", "", "daily,weekly", "", "daily", "daily"},
		},
		{
			// Among equal times the one given first is the newer.
			name:   "equal times: Last keeps the first given",
			policy: vpsorg.RetentionPolicy{Last: 1},
			times:  []string{"2024-01-10T11:00:00Z", "2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z"},
			want:   []string{"", "last", ""},
		},
		{
			// The second of two equal times is the oldest: Daily has
			// count left, so it is kept as well.
			name:   "equal times: the oldest rule",
			policy: vpsorg.RetentionPolicy{Daily: 2},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z"},
			want:   []string{"daily", "daily"},
		},
		{
			name:   "equal times: one period, Daily used up",
			policy: vpsorg.RetentionPolicy{Daily: 1},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z"},
			want:   []string{"daily", "", ""},
		},
		{
			name:   "equal times: Within keeps all alike",
			policy: vpsorg.RetentionPolicy{Within: time.Hour},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z", "2024-01-10T10:00:00Z"},
			want:   []string{"within", "within", ""},
		},
		{
			name:   "Last only",
			policy: vpsorg.RetentionPolicy{Last: 2},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T13:00:00Z", "2024-01-09T12:00:00Z", "2024-01-11T12:00:00Z"},
			want:   []string{"", "last", "", "last"},
		},
		{
			name:   "Last -1 keeps all",
			policy: vpsorg.RetentionPolicy{Last: -1},
			times:  []string{"2024-01-10T12:00:00Z", "2024-01-10T12:00:00Z", "2020-01-09T12:00:00Z"},
			want:   []string{"last", "last", "last"},
		},
		{
			// -1 is never used up, so the oldest is always kept too.
			name:   "Hourly -1",
			policy: vpsorg.RetentionPolicy{Hourly: -1},
			times:  []string{"2024-01-10T10:10:00Z", "2024-01-10T10:50:00Z", "2024-01-10T11:10:00Z", "2024-01-10T11:50:00Z"},
			want:   []string{"hourly", "hourly", "", "hourly"},
		},
		{
			name:   "Daily -1",
			policy: vpsorg.RetentionPolicy{Daily: -1},
			times:  []string{"2024-01-10T10:00:00Z", "2024-01-10T11:00:00Z", "2024-01-11T10:00:00Z", "2024-01-11T11:00:00Z"},
			want:   []string{"daily", "daily", "", "daily"},
		},
		{
			name:   "Weekly -1",
			policy: vpsorg.RetentionPolicy{Weekly: -1},
			times:  []string{"2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z", "2024-01-07T10:00:00Z", "2024-01-08T10:00:00Z"},
			want:   []string{"weekly", "", "weekly", "weekly"},
		},
		{
			name:   "Monthly -1",
			policy: vpsorg.RetentionPolicy{Monthly: -1},
			times:  []string{"2024-01-01T10:00:00Z", "2024-01-31T10:00:00Z", "2024-02-01T10:00:00Z", "2024-03-15T10:00:00Z"},
			want:   []string{"monthly", "monthly", "monthly", "monthly"},
		},
		{
			name:   "Yearly -1",
			policy: vpsorg.RetentionPolicy{Yearly: -1},
			times:  []string{"2021-06-01T10:00:00Z", "2022-01-01T10:00:00Z", "2022-12-31T10:00:00Z", "2024-03-15T10:00:00Z"},
			want:   []string{"yearly", "", "yearly", "yearly"},
		},
		{
			// Strictly after newest − Within: 36 hours before the newest
			// is out, a nanosecond later is in.
			name:   "Within only",
			policy: vpsorg.RetentionPolicy{Within: 36 * time.Hour},
			times: []string{"2024-06-08T00:00:00Z", "2024-06-09T00:00:00Z", "2024-06-09T00:00:00.000000001Z",
				"2024-06-10T12:00:00Z"},
			want: []string{"", "", "within", "within"},
		},
		{
			// Measured from the newest time, however long ago that was.
			name:   "Within after backups stopped",
			policy: vpsorg.RetentionPolicy{Within: 48 * time.Hour},
			times:  []string{"2001-01-01T00:00:00Z", "2001-01-02T00:00:00Z", "2001-01-03T00:00:00Z"},
			want:   []string{"", "within", "within"},
		},
		{
			name:   "Within as long as time.Duration goes",
			policy: vpsorg.RetentionPolicy{Within: time.Duration(1<<63 - 1)},
			times:  []string{"0001-01-01T00:00:00Z", "2024-06-10T12:00:00Z", "1900-01-01T00:00:00Z"},
			want:   []string{"", "within", "within"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.policy.Decide(parseTimes(t, tt.times))
			if err != nil {
				t.Fatal(err)
			}
			if v := verdicts(got); !slices.Equal(v, tt.want) {
				t.Errorf("got  %q\nwant %q", v, tt.want)
			}
		})
	}
}

func TestRetentionDecideEmpty(t *testing.T) {
	t.Parallel()
	for _, times := range [][]time.Time{nil, {}} {
		got, err := vpsorg.RetentionPolicy{Daily: 1}.Decide(times)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("Decide(%#v) = %#v, %v; want an empty result, nil", times, got, err)
		}
	}
}

// Each decision's Reasons is its own: appending to one does not change
// another's.
func TestRetentionReasonsAreSeparate(t *testing.T) {
	t.Parallel()
	got, err := vpsorg.RetentionPolicy{Last: 2}.Decide(parseTimes(t, []string{"2024-01-10T12:00:00Z", "2024-01-10T11:00:00Z"}))
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got[0].Reasons, "changed")
	if v := verdicts(got); !slices.Equal(v, []string{"last", "last"}) {
		t.Errorf("after an append to the first: %q", v)
	}
}

func TestRetentionPolicyInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy vpsorg.RetentionPolicy
		field  string
		text   string
	}{
		{"empty", vpsorg.RetentionPolicy{}, "RetentionPolicy",
			"vpsorg: invalid RetentionPolicy: no rule set (every count 0 and Within 0)"},
		{"empty with a Location", vpsorg.RetentionPolicy{Location: time.UTC}, "RetentionPolicy",
			"vpsorg: invalid RetentionPolicy: no rule set (every count 0 and Within 0)"},
		{"Last -2", vpsorg.RetentionPolicy{Last: -2}, "RetentionPolicy.Last",
			"vpsorg: invalid RetentionPolicy.Last: -2 is below -1 (-1 means every period)"},
		{"Daily -2 beside a valid rule", vpsorg.RetentionPolicy{Weekly: 4, Daily: -2}, "RetentionPolicy.Daily",
			"vpsorg: invalid RetentionPolicy.Daily: -2 is below -1 (-1 means every period)"},
		{"Yearly far below", vpsorg.RetentionPolicy{Yearly: -1000}, "RetentionPolicy.Yearly",
			"vpsorg: invalid RetentionPolicy.Yearly: -1000 is below -1 (-1 means every period)"},
		{"negative Within", vpsorg.RetentionPolicy{Daily: 7, Within: -time.Second}, "RetentionPolicy.Within",
			"vpsorg: invalid RetentionPolicy.Within: -1s is negative"},
	}
	times := parseTimes(t, []string{"2024-01-10T12:00:00Z"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.policy.Decide(times)
			if got != nil {
				t.Errorf("decisions %v beside the error", got)
			}
			var ve *vpsorg.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T) is no *ValidationError", err, err)
			}
			if ve.Field != tt.field || err.Error() != tt.text {
				t.Errorf("got field %q, %q\nwant field %q, %q", ve.Field, err, tt.field, tt.text)
			}
		})
	}
}

// resticGolden is a file written by testdata/retention/gen-restic.sh.
type resticGolden struct {
	Name   string `json:"name"`
	Restic string `json:"restic"` // the version that wrote it
	Policy struct {
		Last     int    `json:"Last"`
		Hourly   int    `json:"Hourly"`
		Daily    int    `json:"Daily"`
		Weekly   int    `json:"Weekly"`
		Monthly  int    `json:"Monthly"`
		Yearly   int    `json:"Yearly"`
		Within   string `json:"Within"` // a Go duration, whole hours
		Location string `json:"Location"`
	} `json:"policy"`
	Times []string `json:"times"`
	Keep  []struct {
		Time    string   `json:"time"`
		Reasons []string `json:"reasons"` // as restic gives them
	} `json:"keep"`
}

// resticWord maps a reason restic gives to Decide's word for it: "daily
// snapshot" and "oldest daily snapshot" are "daily", "within 36h" is
// "within".
func resticWord(reason string) (string, bool) {
	if d, ok := strings.CutPrefix(reason, "within "); ok && d != "" {
		return "within", true
	}
	rule, ok := strings.CutSuffix(strings.TrimPrefix(reason, "oldest "), " snapshot")
	if !ok || !slices.Contains(retentionWords()[:6], rule) {
		return "", false
	}
	return rule, true
}

// Decide agrees with restic 0.18.1's forget, as recorded by gen-restic.sh,
// on every time: kept or not, and why.
func TestRetentionAgreesWithRestic(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "retention", "restic_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files in testdata/retention")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var g resticGolden
			if err := json.Unmarshal(data, &g); err != nil {
				t.Fatal(err)
			}
			policy := vpsorg.RetentionPolicy{
				Last: g.Policy.Last, Hourly: g.Policy.Hourly, Daily: g.Policy.Daily,
				Weekly: g.Policy.Weekly, Monthly: g.Policy.Monthly, Yearly: g.Policy.Yearly,
			}
			if g.Policy.Within != "" {
				if policy.Within, err = time.ParseDuration(g.Policy.Within); err != nil {
					t.Fatal(err)
				}
			}
			if policy.Location, err = time.LoadLocation(g.Policy.Location); err != nil {
				t.Fatal(err)
			}
			times := parseTimes(t, g.Times)

			// restic's reasons per instant, in Decide's words and order.
			words := retentionWords()
			want := make(map[int64]string)
			for _, k := range g.Keep {
				var reasons []string
				for _, r := range k.Reasons {
					w, ok := resticWord(r)
					if !ok {
						t.Fatalf("restic's reason %q has no word", r)
					}
					reasons = append(reasons, w)
				}
				slices.SortFunc(reasons, func(a, b string) int {
					return slices.Index(words, a) - slices.Index(words, b)
				})
				want[parseTimes(t, []string{k.Time})[0].UnixNano()] = strings.Join(reasons, ",")
			}

			// The input in the order recorded and reversed: the same answer.
			for _, reversed := range []bool{false, true} {
				in := slices.Clone(times)
				if reversed {
					slices.Reverse(in)
				}
				got, err := policy.Decide(in)
				if err != nil {
					t.Fatal(err)
				}
				kept := 0
				for i, v := range verdicts(got) {
					if v != "" {
						kept++
					}
					if w := want[in[i].UnixNano()]; v != w {
						t.Errorf("reversed %t: %s: got %q, restic %q", reversed, in[i].Format(time.RFC3339), v, w)
					}
				}
				if kept != len(g.Keep) {
					t.Errorf("reversed %t: kept %d, restic %d", reversed, kept, len(g.Keep))
				}
			}
		})
	}
}

// retentionPeriod names t's period for rule r ("hourly" to "yearly") the
// way restic does, with time.Format, apart from the implementation's own.
func retentionPeriod(r string, t time.Time) string {
	switch r {
	case "hourly":
		return t.Format("2006-01-02-15")
	case "daily":
		return t.Format("2006-01-02")
	case "weekly":
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case "monthly":
		return t.Format("2006-01")
	default:
		return t.Format("2006")
	}
}

// checkRetentionRule checks what rule r (index into retentionWords, not
// "within") kept of times, visited in order (newest first, equal times as
// given) with count n: the newest time of each of the n most recent periods
// that hold a time, and the oldest time while count is left. It holds where
// periods only go back as time does, as they do in UTC and Europe/Berlin.
func checkRetentionRule(t *testing.T, r int, n int, times []time.Time, order []int, ds []vpsorg.RetentionDecision, loc *time.Location) {
	t.Helper()
	word := retentionWords()[r]
	periods := 0
	prev := ""
	for pos, i := range order {
		p := strconv.Itoa(pos) // Last: each time a period of its own
		if word != "last" {
			p = retentionPeriod(word, times[i].In(loc))
		}
		first := pos == 0 || p != prev
		prev = p
		if first {
			periods++
		}
		want := first && (n == -1 || periods <= n)
		if pos == len(order)-1 && !want {
			// The oldest: kept if count is left after the newer ones.
			used := periods
			if first {
				used--
			}
			want = n == -1 || used < n
		}
		if got := slices.Contains(ds[i].Reasons, word); got != want {
			t.Fatalf("%s (count %d): time %d (%s, place %d of %d, period %s) kept %t, want %t",
				word, n, i, times[i].In(loc).Format(time.RFC3339), pos, len(order), p, got, want)
		}
	}
}

// fuzzRetentionTimes makes up to 200 times from data, three bytes each: a
// number of units after 2020-10-20 00:00 UTC, near Berlin's October change.
// unit picks a unit of a second, a minute, 20 minutes, an hour or a day, so
// that equal times, shared hours and long spans all come up.
func fuzzRetentionTimes(data []byte, unit uint8) []time.Time {
	units := [...]int64{1, 60, 1200, 3600, 86400}
	step := units[int(unit)%len(units)]
	base := time.Date(2020, 10, 20, 0, 0, 0, 0, time.UTC).Unix()
	var times []time.Time
	for len(data) >= 3 && len(times) < 200 {
		v := int64(data[0])<<16 | int64(data[1])<<8 | int64(data[2])
		data = data[3:]
		times = append(times, time.Unix(base+v*step, 0).UTC())
	}
	return times
}

// FuzzRetentionDecide checks invariants of Decide: it never panics; it
// refuses exactly the invalid policies; a valid one decides every time,
// keeps one of the newest, lists reasons in order and only with Keep, keeps
// per rule what the rule says (see checkRetentionRule), keeps no more than
// the counts allow, keeps by Within exactly what is strictly after newest −
// Within, and decides alike whatever the input order (per time value, as a
// multiset, for equal times).
func FuzzRetentionDecide(f *testing.F) {
	f.Add(int8(0), int8(0), int8(3), int8(2), int8(0), int8(0), int32(0), false, uint8(4), []byte("\x00\x00\x01\x00\x00\x02\x00\x00\x05\x00\x00\x06"))
	f.Add(int8(3), int8(24), int8(7), int8(4), int8(12), int8(-1), int32(0), true, uint8(3), []byte("\x00\x00\x00\x00\x00\x01\x00\x00\x02\x00\x00\x7f\x00\x01\x00"))
	f.Add(int8(0), int8(5), int8(-1), int8(0), int8(0), int8(0), int32(0), true, uint8(2), []byte("\x00\x01\x00\x00\x01\x01\x00\x01\x02\x00\x01\x03\x00\x01\x04\x00\x01\x05\x00\x01\x06"))
	f.Add(int8(1), int8(0), int8(0), int8(0), int8(0), int8(0), int32(90), false, uint8(1), []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x5a\x00\x00\x5b\x00\x00\x5a"))
	f.Add(int8(0), int8(0), int8(7), int8(0), int8(0), int8(0), int32(0), false, uint8(0), []byte("\x00\x00\x01\x00\x00\x01\x00\x00\x01"))
	f.Add(int8(0), int8(0), int8(0), int8(0), int8(0), int8(0), int32(0), false, uint8(0), []byte("\x00\x00\x01"))
	f.Add(int8(-2), int8(0), int8(1), int8(0), int8(0), int8(0), int32(0), false, uint8(0), []byte("\x00\x00\x01"))
	f.Add(int8(0), int8(0), int8(1), int8(0), int8(0), int8(0), int32(-5), false, uint8(0), []byte(nil))
	f.Add(int8(-1), int8(-1), int8(-1), int8(-1), int8(-1), int8(-1), int32(1), true, uint8(4), []byte("\xff\xff\xff\x00\x00\x00\x80\x00\x00"))

	berlin := loadBerlin(f)
	f.Fuzz(func(t *testing.T, last, hourly, daily, weekly, monthly, yearly int8, withinMinutes int32, inBerlin bool, unit uint8, data []byte) {
		counts := []int{int(last), int(hourly), int(daily), int(weekly), int(monthly), int(yearly)}
		policy := vpsorg.RetentionPolicy{
			Last: counts[0], Hourly: counts[1], Daily: counts[2], Weekly: counts[3], Monthly: counts[4], Yearly: counts[5],
			Within: time.Duration(withinMinutes) * time.Minute,
		}
		loc := time.UTC // a nil Location is UTC
		if inBerlin {
			policy.Location, loc = berlin, berlin
		}
		times := fuzzRetentionTimes(data, unit)

		valid := policy.Within >= 0 && (policy.Within > 0 || slices.ContainsFunc(counts, func(n int) bool { return n != 0 }))
		for _, n := range counts {
			valid = valid && n >= -1
		}
		got, err := policy.Decide(times)
		if !valid {
			var ve *vpsorg.ValidationError
			if !errors.As(err, &ve) || got != nil {
				t.Fatalf("invalid %+v: got %v, %v; want nil, a *ValidationError", policy, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid %+v: %v", policy, err)
		}
		if len(got) != len(times) {
			t.Fatalf("%d decisions for %d times", len(got), len(times))
		}
		if len(times) == 0 {
			return
		}

		// Newest first, equal times in the order given: the order the doc
		// comment speaks of.
		order := make([]int, len(times))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return times[b].Compare(times[a]) })
		newest := times[order[0]]

		words := retentionWords()
		keptNewest, kept := false, 0
		perRule := make([]int, len(words))
		for i, d := range got {
			if d.Keep != (len(d.Reasons) > 0) {
				t.Fatalf("time %d: Keep %t with reasons %q", i, d.Keep, d.Reasons)
			}
			if d.Keep {
				kept++
			}
			last := -1
			for _, w := range d.Reasons {
				at := slices.Index(words, w)
				if at <= last {
					t.Fatalf("time %d: reasons %q unknown, repeated or out of order", i, d.Reasons)
				}
				last = at
				perRule[at]++
			}
			if d.Keep && times[i].Equal(newest) {
				keptNewest = true
			}
			inWithin := policy.Within > 0 && times[i].After(newest.Add(-policy.Within))
			if slices.Contains(d.Reasons, "within") != inWithin {
				t.Fatalf("time %s, newest %s, Within %v: reasons %q", times[i], newest, policy.Within, d.Reasons)
			}
		}
		if !keptNewest {
			t.Fatalf("none of the newest times (%s) kept", newest)
		}

		unlimited := slices.Contains(counts, -1)
		sum := 0
		for r, n := range counts {
			sum += max(n, 0)
			if n > 0 && perRule[r] > n {
				t.Fatalf("%s kept %d with count %d", words[r], perRule[r], n)
			}
			if n != 0 {
				checkRetentionRule(t, r, n, times, order, got, loc)
			} else if perRule[r] != 0 {
				t.Fatalf("%s kept %d with count 0", words[r], perRule[r])
			}
		}
		if !unlimited && policy.Within == 0 && kept > sum {
			t.Fatalf("kept %d, more than the counts' sum %d", kept, sum)
		}

		// Reversed and shuffled input: per time value, the same decisions.
		want := decisionsByTime(times, got)
		rng := rand.New(rand.NewPCG(uint64(len(data)), uint64(unit)))
		for _, shuffle := range []bool{false, true} {
			perm := make([]int, len(times)) // perm[j]: the index in times of in[j]
			for j := range perm {
				perm[j] = len(times) - 1 - j
			}
			if shuffle {
				rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
			}
			in := make([]time.Time, len(times))
			for j, i := range perm {
				in[j] = times[i]
			}
			again, err := policy.Decide(in)
			if err != nil {
				t.Fatal(err)
			}
			if g := decisionsByTime(in, again); !mapsOfSlicesEqual(g, want) {
				t.Fatalf("shuffled %t: decisions per time\n%v\nwant\n%v", shuffle, g, want)
			}
		}
	})
}

// decisionsByTime gathers the decisions of each time value, sorted: a
// multiset per instant.
func decisionsByTime(times []time.Time, ds []vpsorg.RetentionDecision) map[int64][]string {
	m := make(map[int64][]string)
	for i, v := range verdicts(ds) {
		k := times[i].UnixNano()
		m[k] = append(m[k], v)
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}

func mapsOfSlicesEqual(a, b map[int64][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// BenchmarkRetentionDecide decides 10,000 hourly times (about 14 months,
// oldest first) under a typical policy.
func BenchmarkRetentionDecide(b *testing.B) {
	policy := vpsorg.RetentionPolicy{Last: 3, Hourly: 24, Daily: 7, Weekly: 4, Monthly: 12, Yearly: -1, Location: loadBerlin(b)}
	times := make([]time.Time, 10000)
	start := time.Date(2024, 1, 1, 0, 17, 0, 0, time.UTC)
	for i := range times {
		times[i] = start.Add(time.Duration(i) * time.Hour)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Decide(times); err != nil {
			b.Fatal(err)
		}
	}
}

// Which of six backups Daily: 3, Weekly: 2 keeps, and why.
func ExampleRetentionPolicy_Decide() {
	var times []time.Time
	for _, s := range []string{
		"2024-03-10 12:00", "2024-03-09 12:00", "2024-03-09 08:00",
		"2024-03-08 12:00", "2024-03-03 12:00", "2024-02-25 12:00",
	} {
		t, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			fmt.Println(err)
			return
		}
		times = append(times, t)
	}
	decisions, err := vpsorg.RetentionPolicy{Daily: 3, Weekly: 2}.Decide(times)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, d := range decisions {
		fmt.Println(times[i].Format("Mon 2006-01-02 15:04"), d.Keep, d.Reasons)
	}
	// Output:
	// Sun 2024-03-10 12:00 true [daily weekly]
	// Sat 2024-03-09 12:00 true [daily]
	// Sat 2024-03-09 08:00 false []
	// Fri 2024-03-08 12:00 true [daily]
	// Sun 2024-03-03 12:00 true [weekly]
	// Sun 2024-02-25 12:00 false []
}
