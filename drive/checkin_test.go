package drive

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckinCode(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	code := CheckinCode(secret, 7201, now.Add(CheckinValidity))
	tests := []struct {
		name string
		code string
		at   time.Time
		want int64
	}{
		{"OK", code, now, 7201},
		{"OKLowerCaseAndSpaces", "  " + strings.ToLower(code) + " ", now, 7201},
		{"ErrExpired", code, now.Add(CheckinValidity), 0},
		{"ErrOtherSecret", CheckinCode([]byte("other"), 7201, now.Add(time.Hour)), now, 0},
		{"ErrTamperedID", "5JT" + code[strings.Index(code, "-"):], now, 0},
		{"ErrGarbage", "hello", now, 0},
		{"ErrEmpty", "", now, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCheckinCode(secret, tt.code, tt.at)
			if got != tt.want || (tt.want == 0) != (err != nil) {
				t.Errorf("ParseCheckinCode(%q) = %d, %v; want %d", tt.code, got, err, tt.want)
			}
		})
	}
}

func FuzzParseCheckinCode(f *testing.F) {
	secret := []byte("s3cret")
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	f.Add(CheckinCode(secret, 7201, now.Add(time.Hour)))
	f.Add("a-b-c")
	f.Add("--")
	// What the console's camera may read from any QR at a gate: a link, a
	// code with a line break, a code with its MAC altered.
	f.Add("https://t.me/donorbot?start=d_aw6jsndg64")
	valid := CheckinCode(secret, 7201, now.Add(time.Hour))
	f.Add("\n" + valid + "\r\n")
	f.Add(valid[:len(valid)-10] + "AAAAAAAAAA")
	f.Fuzz(func(t *testing.T, code string) {
		id, err := ParseCheckinCode(secret, code, now)
		if err == nil && CheckinCode(secret, id, now.Add(time.Hour)) == "" {
			t.Fatal("valid code without id")
		}
		if err == nil && id <= 0 {
			t.Fatalf("accepted id %d", id)
		}
	})
}

func TestCheckinOpen(t *testing.T) {
	start, end := at(7, 0), at(11, 30)
	tests := []struct {
		name        string
		start, end  time.Time
		now         time.Time
		opensBefore time.Duration
		want        error
	}{
		{"OKAnHourBefore", start, end, at(6, 0), time.Hour, nil},
		{"OKDuringTheDrive", start, end, at(9, 0), time.Hour, nil},
		{"OKAfterTheLastSlotSameDay", start, end, at(23, 59), time.Hour, nil},
		{"ErrJustBeforeOpening", start, end, at(5, 59), time.Hour, ErrCheckinNotOpen},
		{"ErrDaysBefore", start, end, start.AddDate(0, 0, -2), time.Hour, ErrCheckinNotOpen},
		{"ErrNextDay", start, end, at(0, 0).AddDate(0, 0, 1), time.Hour, ErrCheckinOver},
		{"ErrDaysAfter", start, end, start.AddDate(0, 0, 3), time.Hour, ErrCheckinOver},
		// Never the day before, however early the desk opens.
		{"OKMidnightOfAnEarlyDrive", at(0, 30), at(4, 0), at(0, 0), 3 * time.Hour, nil},
		{"ErrEveningBeforeAnEarlyDrive", at(0, 30), at(4, 0), at(0, 0).Add(-time.Minute), 3 * time.Hour, ErrCheckinNotOpen},
		{"OKZeroOpensAtFirstSlot", start, end, start, 0, nil},
		{"ErrZeroBeforeFirstSlot", start, end, start.Add(-time.Minute), 0, ErrCheckinNotOpen},
		// A drive ending after midnight keeps its desk until that day ends.
		{"OKPastMidnight", at(18, 0), at(18, 0).Add(8 * time.Hour), at(18, 0).Add(7 * time.Hour), time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckinOpen(tt.start, tt.end, tt.now, hcm, tt.opensBefore)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Fatalf("CheckinOpen = %v, want %v", err, tt.want)
			}
		})
	}
}
