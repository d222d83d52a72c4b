package drive

import "testing"

// The counts of the issue ("5, 10, 15, 20, 30, 50..."): every fifth up to
// 20, every tenth after.
func TestMilestone(t *testing.T) {
	want := map[int]bool{5: true, 10: true, 15: true, 20: true, 30: true, 40: true, 50: true, 60: true, 70: true, 80: true, 90: true, 100: true}
	for n := -1; n <= 101; n++ {
		if got := Milestone(n); got != want[n] {
			t.Errorf("Milestone(%d) = %v, want %v", n, got, want[n])
		}
	}
}

func TestNextMilestone(t *testing.T) {
	for _, c := range []struct{ count, want int }{{-3, 5}, {0, 5}, {4, 5}, {5, 10}, {19, 20}, {20, 30}, {31, 40}, {100, 110}} {
		if got := NextMilestone(c.count); got != c.want {
			t.Errorf("NextMilestone(%d) = %d, want %d", c.count, got, c.want)
		}
	}
}
