package drive

import "testing"

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
