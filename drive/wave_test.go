package drive

import (
	"strconv"
	"testing"
)

func TestWaveNumber(t *testing.T) {
	for in, want := range map[string]int{
		"Đợt 1": 1, "đợt 3": 3, "Đợt thứ 2": 2, "Dot 4": 4, "ĐỢT 12": 12, " Đợt  5 ": 5,
		"Wave 3": 3, "wave #7": 7, "Đợt số 6": 6,
		"": 0, "Đợt": 0, "Đợt 0": 0, "Đợt cao điểm Tết": 0, "Chủ nhật Đỏ": 0, "Đợt 1 (bổ sung)": 0, "3": 0, "Đợt 1234": 0,
	} {
		n, ok := WaveNumber(in)
		if n != want || ok != (want > 0) {
			t.Errorf("WaveNumber(%q) = %d, %t; want %d", in, n, ok, want)
		}
	}
}

// FuzzWaveNumber: whatever an organizer types, a number read is 1..999 and
// the label the reader sees ("Đợt 3", "Wave 3") reads back as the same.
func FuzzWaveNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := WaveNumber(s)
		if !ok {
			if n != 0 {
				t.Fatalf("WaveNumber(%q) = %d, false", s, n)
			}
			return
		}
		if n < 1 || n > 999 {
			t.Fatalf("WaveNumber(%q) = %d", s, n)
		}
		for _, label := range []string{"Đợt " + strconv.Itoa(n), "Wave " + strconv.Itoa(n)} {
			if m, ok := WaveNumber(label); !ok || m != n {
				t.Fatalf("WaveNumber(%q) = %d, %t; want %d (from %q)", label, m, ok, n, s)
			}
		}
	})
}
