package vpsorg

import (
	"slices"
	"testing"
)

// TestPlanRound pins the choice between the whole list and the servers'
// own lists, before a round and after each page of the whole list.
func TestPlanRound(t *testing.T) {
	t.Parallel()
	one := []serverPages{{id: 7}}
	two := []serverPages{{id: 3, pages: 1}, {id: 9, pages: 2}} // own lists: 3 pages
	whole := roundPlan{readWhole: true}
	tests := []struct {
		name string
		st   roundState
		want roundPlan
	}{
		// Before the round.
		{name: "nothing pending unseen", st: roundState{}, want: roundPlan{}},
		{name: "unknown servers: only the whole list shows them",
			st: roundState{unknownUnseen: true, servers: one, wholePages: 50, wholeNeed: 50}, want: whole},
		{name: "one server, whole list never read", st: roundState{servers: one}, want: roundPlan{servers: []int64{7}}},
		{name: "two servers, whole list never read: its first page tells", st: roundState{servers: two}, want: whole},
		{name: "last walk needed fewer pages than the servers' lists",
			st: roundState{servers: two, wholePages: 10, wholeNeed: 2}, want: whole},
		{name: "last walk needed as many", st: roundState{servers: two, wholePages: 10, wholeNeed: 3}, want: whole},
		{name: "last walk needed more", st: roundState{servers: two, wholePages: 10, wholeNeed: 4},
			want: roundPlan{servers: []int64{3, 9}}},
		{name: "a server never read counts one page",
			st:   roundState{servers: []serverPages{{id: 3}, {id: 4}}, wholePages: 5, wholeNeed: 3},
			want: roundPlan{servers: []int64{3, 4}}},

		// Walking the whole list.
		{name: "every pending object seen", st: roundState{wholePages: 10, wholeNeed: 10, wholeRead: 1}, want: roundPlan{}},
		{name: "pages left cost no more than the servers' lists",
			st: roundState{servers: two, wholePages: 4, wholeNeed: 4, wholeRead: 1}, want: whole},
		{name: "pages left cost more: the servers alone",
			st: roundState{servers: two, wholePages: 10, wholeNeed: 10, wholeRead: 1}, want: roundPlan{servers: []int64{3, 9}}},
		{name: "only unknown servers unseen: on to the end",
			st: roundState{unknownUnseen: true, wholePages: 10, wholeNeed: 10, wholeRead: 1}, want: whole},
		{name: "unknown servers unseen: on to the end",
			st: roundState{unknownUnseen: true, servers: two, wholePages: 10, wholeNeed: 10, wholeRead: 1}, want: whole},

		// After a complete walk.
		{name: "servers unseen confirm on their own lists",
			st:   roundState{servers: two, wholePages: 2, wholeNeed: 2, wholeRead: 2, wholeEnded: true},
			want: roundPlan{servers: []int64{3, 9}}},
		{name: "all seen", st: roundState{wholePages: 2, wholeNeed: 2, wholeRead: 2, wholeEnded: true}, want: roundPlan{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := planRound(tt.st)
			if got.readWhole != tt.want.readWhole || !slices.Equal(got.servers, tt.want.servers) {
				t.Errorf("planRound(%+v) = %+v; want %+v", tt.st, got, tt.want)
			}
		})
	}
}
