package handlers

import "testing"

func TestGroupDigits(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"vi", 120, "120"}, {"vi", 1000, "1.000"}, {"en", 1000, "1,000"}, {"en", 999, "999"}, {"vi", 1234567, "1.234.567"}, {"en", 0, "0"}} {
		if got := groupDigits(c.lang, c.n); got != c.want {
			t.Errorf("groupDigits(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
