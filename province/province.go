// Package province lists Vietnam's 34 provincial-level units since 1 July
// 2025 (Resolution 202/2025/QH15: 6 centrally-run cities and 28
// provinces), under which the communes and wards are the only lower level.
// A province is stored by its code; its name is shown as is in both
// languages, as Vietnamese addresses are.
package province

import (
	"slices"
	"strings"

	"donorbot/accent"
)

// Province is one provincial-level unit.
type Province struct {
	Code string // stored; short, lower case, no ':' (callback data)
	Name string
}

// All are the 34 units, the six cities first, then the provinces north to
// south as the resolution lists them.
var All = []Province{
	{"hn", "Hà Nội"}, {"hue", "Huế"}, {"hp", "Hải Phòng"}, {"dn", "Đà Nẵng"}, {"hcm", "TP. Hồ Chí Minh"}, {"ct", "Cần Thơ"},
	{"tq", "Tuyên Quang"}, {"cb", "Cao Bằng"}, {"lc", "Lai Châu"}, {"lca", "Lào Cai"}, {"tn", "Thái Nguyên"},
	{"db", "Điện Biên"}, {"ls", "Lạng Sơn"}, {"sl", "Sơn La"}, {"pt", "Phú Thọ"}, {"bn", "Bắc Ninh"},
	{"qn", "Quảng Ninh"}, {"hy", "Hưng Yên"}, {"nb", "Ninh Bình"}, {"th", "Thanh Hóa"}, {"na", "Nghệ An"},
	{"ht", "Hà Tĩnh"}, {"qt", "Quảng Trị"}, {"qng", "Quảng Ngãi"}, {"gl", "Gia Lai"}, {"kh", "Khánh Hòa"},
	{"ld", "Lâm Đồng"}, {"dl", "Đắk Lắk"}, {"dna", "Đồng Nai"}, {"tni", "Tây Ninh"}, {"vl", "Vĩnh Long"},
	{"dt", "Đồng Tháp"}, {"cm", "Cà Mau"}, {"ag", "An Giang"},
}

// Known reports whether code is one of All.
func Known(code string) bool {
	return slices.ContainsFunc(All, func(p Province) bool { return p.Code == code })
}

// Name is the name of the province of code, or "" for an unknown code.
func Name(code string) string {
	if i := slices.IndexFunc(All, func(p Province) bool { return p.Code == code }); i >= 0 {
		return All[i].Name
	}
	return ""
}

// Find reads a typed province name, with or without diacritics, "TP." or
// "tỉnh": "ha noi", "TP HCM", "Sài Gòn". It returns the code, or "".
func Find(s string) string {
	f := strings.Join(strings.Fields(strings.ToLower(accent.Fold(strings.NewReplacer(".", " ", ",", " ").Replace(s)))), " ")
	for _, prefix := range []string{"thanh pho ", "tinh ", "tp "} {
		f = strings.TrimPrefix(f, prefix)
	}
	switch f {
	case "hcm", "ho chi minh", "sai gon", "hcmc", "ho chi minh city":
		return "hcm"
	case "hanoi":
		return "hn"
	}
	for _, p := range All {
		name := strings.ToLower(accent.Fold(p.Name))
		name = strings.TrimPrefix(name, "tp. ")
		if f == name {
			return p.Code
		}
	}
	return ""
}
