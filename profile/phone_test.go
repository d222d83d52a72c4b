package profile

import (
	"errors"
	"testing"
)

func TestParsePhone(t *testing.T) {
	const want = "+84912345678"
	for _, in := range []string{
		"0912345678",
		"0912 345 678",
		"0912.345.678",
		"0912-345-678",
		" 0912 345 678 ",
		"0912\u00a0345\u00a0678",
		"+84 912 345 678",
		"+84912345678", // Telegram contact, some clients
		"84912345678",  // Telegram contact, most clients
		"(+84) 912-345-678",
		"+84 (0) 912 345 678",
		"+840912345678",
		"0084 912 345 678",
		"＋84912345678",
	} {
		if got, err := ParsePhone(in); got != want || err != nil {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}

	for in, want := range map[string]string{
		"0321234567":  "+84321234567", // Viettel 03x
		"0561234567":  "+84561234567", // 05x
		"0701234567":  "+84701234567", // 07x
		"0861234567":  "+84861234567", // 08x
		"0991234567":  "+84991234567", // 09x
		"84841234567": "+84841234567", // contact whose number itself starts 084
	} {
		if got, err := ParsePhone(in); got != want || err != nil {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}

	for in, wantErr := range map[string]error{
		"":                       ErrPhoneInvalid,
		"abc":                    ErrPhoneInvalid,
		"091234567":              ErrPhoneInvalid, // 9 digits
		"09123456789":            ErrPhoneInvalid, // 11 digits
		"912345678":              ErrPhoneInvalid, // missing leading 0: not guessed
		"8491234567":             ErrPhoneInvalid, // 84 + 8 digits
		"849123456789":           ErrPhoneInvalid, // 84 + 10 digits
		"+84 12345678":           ErrPhoneInvalid,
		"+84":                    ErrPhoneInvalid,
		"+":                      ErrPhoneInvalid,
		"0112345678":             ErrPhoneInvalid, // no 01x mobiles since 2018
		"01689123456":            ErrPhoneInvalid, // old 11-digit Viettel number
		"0412345678":             ErrPhoneInvalid,
		"0612345678":             ErrPhoneInvalid,
		"1900 1234":              ErrPhoneInvalid, // hotline
		"091234567a":             ErrPhoneInvalid,
		"0912+345678":            ErrPhoneInvalid,
		"++84912345678":          ErrPhoneInvalid,
		"0912345678 ext 1":       ErrPhoneInvalid,
		"０９１２３４５６７８":             ErrPhoneInvalid, // fullwidth digits
		"0912/345/678":           ErrPhoneInvalid,
		"+123":                   ErrPhoneInvalid,
		"0000000000000000000000": ErrPhoneInvalid,

		"024 3825 1234":      ErrPhoneNotMobile, // Hà Nội landline
		"028 3829 5555":      ErrPhoneNotMobile, // TP.HCM landline
		"+84 24 3825 1234":   ErrPhoneNotMobile,
		"+84 (0)24 38251234": ErrPhoneNotMobile,

		"+1 415 555 2671":    ErrPhoneNotVietnamese,
		"14155552671":        ErrPhoneNotVietnamese, // US contact from Telegram
		"+86 138 0013 8000":  ErrPhoneNotVietnamese,
		"0086 138 0013 8000": ErrPhoneNotVietnamese,
		"+44 20 7946 0958":   ErrPhoneNotVietnamese,
		"855 12 345 678":     ErrPhoneNotVietnamese, // Cambodia, bare
	} {
		got, err := ParsePhone(in)
		if got != "" || !errors.Is(err, wantErr) {
			t.Errorf("ParsePhone(%q) = %q, %v; want %v", in, got, err, wantErr)
		}
		if wantErr == ErrPhoneInvalid && errors.Is(err, ErrPhoneNotMobile) {
			t.Errorf("ParsePhone(%q) = %v; want plain ErrPhoneInvalid", in, err)
		}
	}
}

func TestErrPhoneNotMobileIsInvalid(t *testing.T) {
	if !errors.Is(ErrPhoneNotMobile, ErrPhoneInvalid) {
		t.Error("ErrPhoneNotMobile should wrap ErrPhoneInvalid")
	}
	if errors.Is(ErrPhoneNotVietnamese, ErrPhoneInvalid) {
		t.Error("ErrPhoneNotVietnamese should be distinct from ErrPhoneInvalid")
	}
}

func TestLocalPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+84901234567":  "0901 234 567",
		"+84912345678":  "0912 345 678",
		"+84321234567":  "0321 234 567",
		"+84861234567":  "0861 234 567",
		"+842438693731": "024 3869 3731", // Hà Nội landline
		"+842838295555": "028 3829 5555", // TP.HCM landline
		"+842363822222": "0236 382 2222", // Đà Nẵng landline
		"+14155552671":  "+14155552671",  // not Vietnamese: as stored
		"+8491234567":   "+8491234567",   // too short: as stored
		"+84 912345678": "+84 912345678", // not E.164: as stored
		"":              "",
	} {
		if got := LocalPhone(in); got != want {
			t.Errorf("LocalPhone(%q) = %q; want %q", in, got, want)
		}
	}
	// Whatever ParsePhone accepts comes back in the local form it parses from.
	for _, in := range []string{"0901 234 567", "+84 912 345 678", "84981234567"} {
		p, err := ParsePhone(in)
		if err != nil {
			t.Fatal(err)
		}
		if q, err := ParsePhone(LocalPhone(p)); q != p || err != nil {
			t.Errorf("ParsePhone(LocalPhone(%q)) = %q, %v", p, q, err)
		}
	}
}
