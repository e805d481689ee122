package main

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // --tz works where the system has no zoneinfo: cron containers built FROM scratch

	"github.com/spf13/cobra"

	vpsorg "github.com/vpsorg/vpsorg-go"
)

// keepFlags are the retention flags of prune and rotate: restic forget's
// --keep-* rules, which vpsorg.RetentionPolicy applies.
type keepFlags struct {
	keep   int // --keep, the name --keep-last had before there were other rules
	counts [6]int
	within string // --keep-within as written: "7d12h"
	tz     string
}

// countFlags name the count rules in the order of keepFlags.counts and of
// the SDK's reasons: "daily" is --keep-daily.
var countFlags = [6]string{"last", "hourly", "daily", "weekly", "monthly", "yearly"}

func addKeepFlags(cmd *cobra.Command, k *keepFlags, kind string) {
	f := cmd.Flags()
	f.IntVar(&k.counts[0], "keep-last", 0, "keep the N newest "+kind+"s")
	f.IntVar(&k.counts[1], "keep-hourly", 0, "keep the newest "+kind+" of each of the N last hours that have one")
	f.IntVar(&k.counts[2], "keep-daily", 0, "keep the newest "+kind+" of each of the N last days that have one")
	f.IntVar(&k.counts[3], "keep-weekly", 0, "keep the newest "+kind+" of each of the N last ISO weeks that have one")
	f.IntVar(&k.counts[4], "keep-monthly", 0, "keep the newest "+kind+" of each of the N last months that have one")
	f.IntVar(&k.counts[5], "keep-yearly", 0, "keep the newest "+kind+" of each of the N last years that have one")
	f.IntVar(&k.keep, "keep", 0, "the same as --keep-last")
	f.StringVar(&k.within, "keep-within", "", "keep every "+kind+" made within this long before the newest: 36h, 7d, 7d12h")
	f.StringVar(&k.tz, "tz", "UTC", "the IANA zone days, weeks, months and years are counted in, such as Europe/Berlin")
}

// policy checks the flags and turns them into the SDK's policy. Every
// mistake is a usage error (exit 2), found before anything is sent.
func (k keepFlags) policy() (vpsorg.RetentionPolicy, error) {
	counts := k.counts
	if k.keep != 0 {
		if counts[0] != 0 {
			return vpsorg.RetentionPolicy{}, usageErrorf("--keep is the old name of --keep-last: give one of them", "--keep and --keep-last both given")
		}
		counts[0] = k.keep
	}
	for i, n := range counts {
		if n < -1 {
			return vpsorg.RetentionPolicy{}, usageErrorf("give a count of 0 or more, or -1 for no limit", "%s %d is below -1", k.flagOf(i), n)
		}
	}
	within, err := parseWithin(k.within)
	if err != nil {
		return vpsorg.RetentionPolicy{}, usageErrorf("give Go's units and d for days, such as 36h, 7d or 7d12h", "--keep-within %q: %w", k.within, err)
	}
	loc, err := time.LoadLocation(k.tz)
	if err != nil || k.tz == "" {
		return vpsorg.RetentionPolicy{}, usageErrorf("give an IANA zone such as UTC or Europe/Berlin", "--tz %q is not a time zone", k.tz)
	}
	p := vpsorg.RetentionPolicy{
		Last: counts[0], Hourly: counts[1], Daily: counts[2], Weekly: counts[3], Monthly: counts[4], Yearly: counts[5],
		Within: within, Location: loc,
	}
	if p == (vpsorg.RetentionPolicy{Location: loc}) {
		// Keeping nothing is refused rather than read as "delete every
		// one", as restic refuses a forget without a policy.
		return vpsorg.RetentionPolicy{}, usageErrorf("give at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly or --keep-within",
			"no keep rule: nothing says what to keep")
	}
	return p, nil
}

// flagOf names count rule i as the command line had it, so that an error
// about --keep names --keep.
func (k keepFlags) flagOf(i int) string {
	if i == 0 && k.keep != 0 {
		return "--keep"
	}
	return "--keep-" + countFlags[i]
}

// dayPrefix is the days part of --keep-within, which Go's durations lack.
var dayPrefix = regexp.MustCompile(`^(\d+)d`)

// parseWithin reads --keep-within: Go's duration units plus d for 24
// hours, days first ("7d12h"). "" is no rule.
func parseWithin(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	var days time.Duration
	rest := s
	if m := dayPrefix.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > math.MaxInt64/int64(24*time.Hour) {
			return 0, fmt.Errorf("%s days is too long", m[1])
		}
		days, rest = time.Duration(n)*24*time.Hour, s[len(m[0]):]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("not a duration: %w", err)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", s)
	}
	if d > math.MaxInt64-days {
		return 0, fmt.Errorf("%s is too long", s)
	}
	return days + d, nil
}

// warnLimit warns on w when the policy can keep more of a server's
// objects than the API lets a server have (limit), and says which flags to
// change: such a policy may never free room for a new one. kinds is
// "manual backups" or "snapshots". The bound is the sum of the counts, as
// each kept object is kept by at least one rule; -1 and --keep-within have
// none.
func (k keepFlags) warnLimit(w io.Writer, p vpsorg.RetentionPolicy, kinds string, limit int) {
	var fixes, given []string
	sum := 0
	for i, n := range policyCounts(p) {
		switch {
		case n == -1:
			fixes = append(fixes, "give "+k.flagOf(i)+" a count instead of -1")
		case n > 0:
			given = append(given, k.flagOf(i))
			sum += n
		}
	}
	if p.Within > 0 {
		fixes = append(fixes, "drop --keep-within")
	}
	bound := "any number of"
	if len(fixes) == 0 {
		bound = fmt.Sprintf("up to %d", sum)
	}
	if sum > limit {
		fixes = append(fixes, fmt.Sprintf("lower %s so that the counts add up to %d or less", orList(given), limit))
	}
	if len(fixes) == 0 {
		return
	}
	fmt.Fprintf(w, "vpsorg: warning: this policy can keep %s %s a server, but the API allows %d: %s\n",
		bound, kinds, limit, strings.Join(fixes, "; "))
}

func policyCounts(p vpsorg.RetentionPolicy) [6]int {
	return [6]int{p.Last, p.Hourly, p.Daily, p.Weekly, p.Monthly, p.Yearly}
}

// orList joins words as a sentence does: "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// describe says what the policy keeps, for messages and prompts: "the 7
// newest", "7 daily, 4 weekly, all within 7d".
func (k keepFlags) describe(p vpsorg.RetentionPolicy) string {
	var parts []string
	for i, n := range policyCounts(p) {
		switch {
		case n == 0:
		case i == 0 && n == -1:
			parts = append(parts, "all")
		case i == 0:
			parts = append(parts, fmt.Sprintf("the %d newest", n))
		case n == -1:
			parts = append(parts, "every "+countFlags[i])
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, countFlags[i]))
		}
	}
	if p.Within > 0 {
		parts = append(parts, "all within "+k.within)
	}
	s := strings.Join(parts, ", ")
	if p.Location != nil && p.Location.String() != "UTC" {
		s += " (periods in " + p.Location.String() + ")"
	}
	return s
}
