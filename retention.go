package vpsorg

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// RetentionPolicy says which backups of a series to keep, with the rules of
// restic's "forget" command as it is since restic 0.17. [RetentionPolicy.Decide]
// applies it to the backups' times; it neither lists nor deletes anything.
//
// The pass goes from the newest time to the oldest. Each count rule keeps the
// newest time of each of its N most recent periods that hold a time: Hourly
// per hour, Daily per day, Weekly per ISO week (Monday to Sunday, so the last
// days of December may belong to week 1 of the next year, and the first days
// of January to week 52 or 53 of the last), Monthly per month, Yearly per
// year. Periods are wall-clock periods in Location: a day is a calendar day
// there, and the hour that repeats when summer time ends is one hour. Last
// keeps the N newest times. A time can be kept by several rules and counts
// for each of them. A count of -1 means every period, without limit; 0 turns
// the rule off.
//
// When the pass reaches the oldest time while a rule still has count left,
// that rule keeps the oldest time too, even if a newer time already stands
// for its period: a short history is stretched as far back as it goes.
//
// Within keeps every time strictly after newest − Within, measured from the
// newest time given, not from now: when backups stop, Within stops deleting.
//
// For example, with Daily: 3, Weekly: 2 and these times (all 12:00 UTC but
// one), from the newest:
//
//	Sun 2024-03-10        kept: daily, weekly  (1st day, ISO week 10)
//	Sat 2024-03-09        kept: daily          (2nd day; week 10 is had)
//	Sat 2024-03-09 08:00  dropped              (its day and week are had)
//	Fri 2024-03-08        kept: daily          (3rd day; Daily is used up)
//	Sun 2024-03-03        kept: weekly         (week 9; Weekly is used up)
//	Sun 2024-02-25        dropped              (every count is used up)
//
// With Daily: 7 instead, the Sundays of 3 March and 25 February are kept as
// daily too (days 4 and 5). Were the oldest time 3 March 08:00 rather than
// 25 February, it would be kept as daily although 3 March is had: it is the
// oldest time and Daily has count left.
//
// Where Decide differs from restic: restic counts periods in the zone each
// snapshot was recorded in, while Decide counts them all in Location;
// restic's --keep-within is given in calendar years, months, days and hours
// and measured from the newest snapshot not dated after the moment forget
// runs, while Within is an exact [time.Duration] and Decide has no clock; and
// among equal times restic's order depends on snapshot IDs, while Decide's is
// the order given.
// restic's reason for the stretched oldest time reads "oldest daily
// snapshot"; Decide's is "daily".
type RetentionPolicy struct {
	Last, Hourly, Daily, Weekly, Monthly, Yearly int // -1: every period

	Within   time.Duration  // keep all made within this long before the newest
	Location *time.Location // periods are counted in this zone; nil: UTC
}

// RetentionDecision is what [RetentionPolicy.Decide] decided for one time.
type RetentionDecision struct {
	Keep bool

	// Reasons names the rules that keep the time, of "last", "hourly",
	// "daily", "weekly", "monthly", "yearly", "within", in that order. It is
	// nil when Keep is false.
	Reasons []string
}

// retentionReasons are the rules' words in the order Reasons lists them; a
// bit of a decision's mask stands for the word of the same index.
var retentionReasons = [...]string{"last", "hourly", "daily", "weekly", "monthly", "yearly", "within"}

const withinBit = 6 // the index of "within" in retentionReasons

// Decide returns one decision per time, in the order the times are given,
// whatever that order. Times are compared as instants; among equal times the
// one given first counts as the newer, so equal times need not be decided
// alike (Last: 1 keeps one of them), but which decisions the equal times of
// one instant get, taken together, does not depend on the order given. At
// least one of the newest times is always kept.
//
// It returns a [*ValidationError] and no decisions when the policy sets no
// rule (every count 0 and Within 0), when a count is below -1, or when Within
// is negative. An empty or nil times gives an empty result.
func (p RetentionPolicy) Decide(times []time.Time) ([]RetentionDecision, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return []RetentionDecision{}, nil
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}

	order := newestFirst(times)
	newest := times[order[0]]
	rules := newRuleState(p)
	masks := make([]uint8, len(times))
	for pos, i := range order {
		mask := rules.keep(periodsOf(times[i].In(loc), pos), pos == len(order)-1)
		// newest − t < Within is "t strictly after newest − Within" without
		// computing newest − Within, which could overflow; Sub saturates.
		if p.Within > 0 && newest.Sub(times[i]) < p.Within {
			mask |= 1 << withinBit
		}
		masks[i] = mask
	}
	return decisionsOf(masks), nil
}

// newestFirst returns the indexes of times, newest first, equal times in
// the order given: the decisions along this order then depend on nothing
// but the times. The index breaks ties rather than a stable sort, which is
// slower on the oldest-first lists that are common.
func newestFirst(times []time.Time) []int {
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(times[b].Compare(times[a]), cmp.Compare(a, b))
	})
	return order
}

// ruleState is the count rules' progress along the newest-first pass: what
// each has left to keep, and the period of the last time it kept, so that a
// time in another period is the newest of a period not yet had.
type ruleState struct {
	left [6]int
	last [6]period
	had  [6]bool
}

func newRuleState(p RetentionPolicy) *ruleState {
	return &ruleState{left: [...]int{p.Last, p.Hourly, p.Daily, p.Weekly, p.Monthly, p.Yearly}}
}

// keep returns the bits of the count rules that keep the time of periods,
// the oldest time when oldest is set, and counts it against them.
func (st *ruleState) keep(periods [6]period, oldest bool) uint8 {
	var mask uint8
	for r, left := range st.left {
		if left == 0 {
			continue // off, or used up
		}
		if st.had[r] && periods[r] == st.last[r] && !oldest {
			continue // its period already has a newer time
		}
		st.last[r], st.had[r] = periods[r], true
		if left > 0 {
			st.left[r]--
		}
		mask |= 1 << r
	}
	return mask
}

// decisionsOf turns each time's reason bits into its decision. One array
// holds every decision's reasons; each decision's slice is capped so that
// appending to it cannot overwrite its neighbour's.
func decisionsOf(masks []uint8) []RetentionDecision {
	n := 0
	for _, mask := range masks {
		n += bits.OnesCount8(mask)
	}
	decisions := make([]RetentionDecision, len(masks))
	words := make([]string, 0, n)
	for i, mask := range masks {
		if mask == 0 {
			continue
		}
		start := len(words)
		for bit, word := range retentionReasons {
			if mask&(1<<bit) != 0 {
				words = append(words, word)
			}
		}
		decisions[i] = RetentionDecision{Keep: true, Reasons: words[start:len(words):len(words)]}
	}
	return decisions
}

// validate refuses a policy Decide cannot apply. An empty policy is refused
// rather than read as "delete everything", as restic refuses it.
func (p RetentionPolicy) validate() error {
	fields := [...]struct {
		name  string
		count int
	}{
		{"Last", p.Last}, {"Hourly", p.Hourly}, {"Daily", p.Daily},
		{"Weekly", p.Weekly}, {"Monthly", p.Monthly}, {"Yearly", p.Yearly},
	}
	set := p.Within != 0
	for _, f := range fields {
		if f.count < -1 {
			return &ValidationError{
				Field:   "RetentionPolicy." + f.name,
				Message: fmt.Sprintf("%d is below -1 (-1 means every period)", f.count),
			}
		}
		set = set || f.count != 0
	}
	if p.Within < 0 {
		return &ValidationError{Field: "RetentionPolicy.Within", Message: fmt.Sprintf("%v is negative", p.Within)}
	}
	if !set {
		return &ValidationError{Field: "RetentionPolicy", Message: "no rule set (every count 0 and Within 0)"}
	}
	return nil
}

// period names the period a time falls in for one rule: the wall-clock
// fields that rule looks at, the rest zero. A struct rather than restic's
// packed integers, so that no value can collide with "none yet".
type period struct{ year, n1, n2, n3 int }

// periodsOf returns the periods of t, already in the policy's zone, for the
// count rules in the order of retentionReasons. pos is t's place in the
// newest-first order, Last's "period": every time is one of its own.
func periodsOf(t time.Time, pos int) [6]period {
	y, m, d := t.Date()
	wy, w := t.ISOWeek() // the ISO year, which is not always y
	return [6]period{
		{n1: pos},
		{y, int(m), d, t.Hour()},
		{y, int(m), d, 0},
		{wy, w, 0, 0},
		{y, int(m), 0, 0},
		{y, 0, 0, 0},
	}
}
