package drive

import (
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
