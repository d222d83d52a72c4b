package handlers

import (
	"strings"
	"testing"
)

// FuzzPickerData: a tapped picker button's data is untrusted. What parses
// is a known command with a positive drive or a bounded page, and encodes
// back to the very same data, within Telegram's 64 bytes.
func FuzzPickerData(f *testing.F) {
	for _, s := range []string{
		"pick:v1:checkin:d42", "pick:v1:canceldrive:d9223372036854775807", "pick:v1:export:p0",
		"pick:v1:stats:p3", "pick:v1:qr:d0", "pick:v1:qr:d-1", "pick:v1:qr:d+1", "pick:v1:qr:d01",
		"pick:v1:editdrive:p10001", "pick:v1:newdrive:d1", "pick:v1:export:x1", "pick:v1:export:d",
		"pick:v1:export", "pick:v2:export:d1", "pick:v1:export:d1:d2", "exp:v1:1:0",
		"pick:v1:checkin:d99999999999999999999", "pick:v1:stats:p" + strings.Repeat("9", 60), "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		p, err := parsePickerData(data)
		if err != nil {
			return
		}
		if !isPickerCommand(p.Command) || p.DriveID < 0 || p.Page < 0 || p.Page > pickerMaxPage ||
			(p.DriveID == 0) == strings.Contains(data, ":d") {
			t.Fatalf("parsePickerData(%q) = %+v", data, p)
		}
		if back := p.data(); back != data || len(back) > maxCallbackBytes {
			t.Fatalf("parsePickerData(%q) = %+v, which encodes as %q", data, p, back)
		}
	})
}
