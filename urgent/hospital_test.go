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

// FuzzFindHospital: whatever is typed, a match is a hospital of the
// directory, and each name and short name, typed as written, finds its
// own hospital.
func FuzzFindHospital(f *testing.F) {
	dir := []HospitalNames{
		{ID: 1, Names: []string{"Viện Huyết học - Truyền máu Trung ương", "Viện Huyết học", "NIHBT"}},
		{ID: 2, Names: []string{"Bệnh viện 19-8", "BV 19-8"}},
		{ID: 3, Names: []string{"Bệnh viện Chợ Rẫy", "Chợ Rẫy"}},
	}
	for _, s := range []string{"viện huyết học", "BV 19/8", "Chợ Rẫy cơ sở 2", "Viện", "bv", "", "-", "Bệnh viện Bệnh viện", "VIỆN HUYẾT HỌC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := FindHospital(s, dir); ok && (id < 1 || id > 3) || !ok && id != 0 {
			t.Fatalf("%q: %d, %v", s, id, ok)
		}
	})
}

func TestEveryNameFindsItsHospital(t *testing.T) {
	dir := []HospitalNames{
		{ID: 1, Names: []string{"Viện Huyết học - Truyền máu Trung ương", "Viện Huyết học", "NIHBT"}},
		{ID: 2, Names: []string{"Bệnh viện 19-8", "BV 19-8"}},
	}
	for _, h := range dir {
		for _, n := range h.Names {
			if id, ok := FindHospital(n, dir); !ok || id != h.ID {
				t.Errorf("%q finds %d, %v; want %d", n, id, ok, h.ID)
			}
		}
	}
}
