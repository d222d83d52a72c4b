package screening

import (
	"slices"
	"testing"
)

// TestDeskBags: the smaller of screening's limit and the weight's wins;
// with neither known every bag is offered, and an underweight donor none.
func TestDeskBags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		screened int
		female   bool
		kg       float64
		want     []int
	}{
		{"screened 350, weighs 60 kg", 350, false, 60, []int{250, 350}},
		{"screened 450, now weighs 48 kg", 450, false, 48, []int{250, 350}},
		{"not screened, 60 kg", 0, false, 60, []int{250, 350, 450}},
		{"screened 250, weight unknown", 250, true, 0, []int{250}},
		{"nothing known", 0, false, 0, []int{250, 350, 450}},
		{"woman of 43 kg", 0, true, 43, []int{250}},
		{"man of 43 kg", 450, false, 43, []int{}},
	} {
		if got := DeskBags(tc.screened, tc.female, tc.kg); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
