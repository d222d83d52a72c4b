package drive

import (
	"regexp"
	"strconv"
	"strings"

	"donorbot/accent"
)

// numberedWave matches a wave named by its number, as organizers type it
// in either language once accents are folded: "Đợt 3", "đợt thứ 3",
// "Wave 3", "wave #3".
var numberedWave = regexp.MustCompile(`^(?:dot|wave)\s*(?:thu\s*)?(?:so\s*)?#?\s*(\d{1,3})$`)

// WaveNumber reads the number of a wave named "Đợt 3" or "Wave 3", so the
// label can be written in each reader's language; ok is false for any other
// name ("Đợt cao điểm Tết"), which is shown as typed.
func WaveNumber(wave string) (n int, ok bool) {
	m := numberedWave.FindStringSubmatch(strings.ToLower(accent.Fold(strings.TrimSpace(wave))))
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}
