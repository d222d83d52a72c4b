package datefmt

import (
	"testing"
	"time"
)

func TestDay(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	for _, c := range []struct {
		lang string
		d    time.Time
		want string
	}{
		{"vi", time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), "Chủ Nhật, 20/12/2026"},
		{"vi", time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC), "Thứ Bảy, 19/12/2026"},
		{"vi", time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), "Thứ Hai, 14/12/2026"},
		{"vi", time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), "Thứ Ba, 15/12/2026"},
		{"vi", time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC), "Thứ Tư, 16/12/2026"},
		{"vi", time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC), "Thứ Năm, 17/12/2026"},
		{"vi", time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), "Thứ Sáu, 06/03/2026"},
		{"en", time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC), "Sat 19 Dec 2026"},
		{"en", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "Thu 5 Mar 2026"},
		{"fr", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "Thu 5 Mar 2026"},
		// An instant is read in its own location: 23:30 in Vietnam is
		// already Sunday there, still Saturday in UTC.
		{"vi", time.Date(2026, 12, 20, 0, 30, 0, 0, ict), "Chủ Nhật, 20/12/2026"},
		{"en", time.Date(2026, 12, 20, 0, 30, 0, 0, ict).UTC(), "Sat 19 Dec 2026"},
	} {
		if got := Day(c.lang, c.d); got != c.want {
			t.Errorf("Day(%q, %s) = %q; want %q", c.lang, c.d, got, c.want)
		}
	}
}

func TestMonth(t *testing.T) {
	d := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	if got := Month("vi", d); got != "03/2026" {
		t.Errorf("Month(vi) = %q", got)
	}
	if got := Month("en", d); got != "Mar 2026" {
		t.Errorf("Month(en) = %q", got)
	}
}

func TestShort(t *testing.T) {
	d := time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC)
	if got := Short("vi", d); got != "Thứ Bảy 19/12" {
		t.Errorf("Short(vi) = %q", got)
	}
	if got := Short("en", d); got != "Sat 19 Dec" {
		t.Errorf("Short(en) = %q", got)
	}
}
