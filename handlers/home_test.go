package handlers_test

import (
	"testing"

	"donorbot/internal/bottest"
)

// TestConfirmationCountsSeatsLeft: the confirmation of a registration shows
// the drive's seats left once the donor's own is taken (two slots of five:
// nine), not a fixed zero. In both languages.
func TestConfirmationCountsSeatsLeft(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct{ lang, seats string }{
		{"vi", "💺 Còn 9 chỗ"},
		{"en", "💺 9 seats left"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			st := screeningLangs[langIndex(tc.lang)]
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Đếm chỗ "+tc.lang)
			answerEight(t, p, st)
			p.Expect(st.confirmed, tc.seats)
		})
	}
}
