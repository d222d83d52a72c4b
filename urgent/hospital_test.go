package urgent

import "testing"

func TestFindHospital(t *testing.T) {
	dir := []HospitalNames{
		{ID: 1, Names: []string{"Viện Huyết học - Truyền máu Trung ương", "Viện Huyết học", "NIHBT"}},
		{ID: 2, Names: []string{"Bệnh viện 19-8", "BV 19-8"}},
		{ID: 3, Names: []string{"Bệnh viện Chợ Rẫy", "Chợ Rẫy"}},
		{ID: 4, Names: []string{"Bệnh viện Truyền máu Huyết học TP.HCM", "Truyền máu Huyết học"}},
		{ID: 5, Names: []string{"Bệnh viện Bạch Mai"}},
	}
	for typed, want := range map[string]int64{
		"Viện Huyết học": 1, "vien huyet hoc": 1, "nihbt": 1, "Viện Huyết học – Truyền máu Trung Ương": 1,
		"Bệnh viện 19-8": 2, "BV 19/8": 2, "19-8": 2, "benh vien cho ray": 3, "Chợ Rẫy cơ sở 2": 3,
		"Bạch Mai": 5, "truyen mau huyet hoc tp hcm": 4,
		"Bệnh viện Nhi Đồng 1": 0, "Viện": 0, "": 0, "Bệnh viện": 0,
	} {
		got, ok := FindHospital(typed, dir)
		if got != want || ok != (want != 0) {
			t.Errorf("FindHospital(%q) = %d, %v; want %d", typed, got, ok, want)
		}
	}
}
