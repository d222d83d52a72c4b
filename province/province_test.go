package province

import "testing"

func TestAllAre34Distinct(t *testing.T) {
	if len(All) != 34 {
		t.Fatalf("%d provinces, want 34", len(All))
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, p := range All {
		if codes[p.Code] || names[p.Name] || p.Code == "" {
			t.Fatalf("duplicate or empty: %+v", p)
		}
		codes[p.Code], names[p.Name] = true, true
	}
}

func TestFind(t *testing.T) {
	for in, want := range map[string]string{
		"Hà Nội": "hn", "ha noi": "hn", "TP HCM": "hcm", "Sài Gòn": "hcm", "TP. Hồ Chí Minh": "hcm",
		"tỉnh Đắk Lắk": "dl", "Thừa Thiên Huế": "", "Huế": "hue", "Cần Thơ": "ct", "Bình Dương": "", "": "",
	} {
		if got := Find(in); got != want {
			t.Errorf("Find(%q) = %q, want %q", in, got, want)
		}
	}
	if Name("hue") != "Huế" || Name("xx") != "" || !Known("ag") || Known("bd") {
		t.Fatal("Name/Known")
	}
}

// FuzzFind: a typed province is one of the 34 or none.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"Hà Nội", "tp hcm", "TP. Hồ Chí Minh", "tỉnh", "", "..", "Huế Huế"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if code := Find(s); code != "" && !Known(code) {
			t.Fatalf("%q: unknown code %q", s, code)
		}
	})
}
