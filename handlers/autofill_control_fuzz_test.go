package handlers

import (
	"slices"
	"strings"
	"testing"
)

// FuzzAutofillData: the auto-fill screen's button data is untrusted. What
// parses names a positive drive and a known op, a preset that exists or a
// bounded number of seats, and encodes back to the very same data.
func FuzzAutofillData(f *testing.F) {
	for _, s := range []string{
		"afc:v1:42:show", "afc:v1:42:on", "afc:v1:42:off", "afc:v1:42:pause", "afc:v1:42:resume",
		"afc:v1:42:cps", "afc:v1:42:stats", "afc:v1:42:slot", "afc:v1:42:slot:1", "afc:v1:42:cp:0", "afc:v1:42:cp:3", "afc:v1:42:cp:4",
		"afc:v1:42:cp:-1", "afc:v1:42:cp:01", "afc:v1:42:ob:18", "afc:v1:42:ob:0", "afc:v1:42:ob:10001",
		"afc:v1:42:ob:+5", "afc:v1:0:on", "afc:v1:-3:on", "afc:v1:042:on", "afc:v1:42:delete",
		"afc:v1:42:on:1", "afc:v1:42", "afc:v2:42:on", "afc:v1:9223372036854775807:cp:2",
		"afc:v1:99999999999999999999:on", "afc:v1:42:ob:" + strings.Repeat("9", 40), "pick:v1:stats:d42", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cb, err := decodeCallback(data)
		if err != nil {
			return
		}
		a, err := parseAutofillTap(cb)
		if err != nil {
			return
		}
		ok := a.DriveID > 0 && (slices.Contains(autofillOps, a.Op) ||
			(a.Op == "cp" && a.Preset >= 0 && a.Preset < len(checkpointPresets)) ||
			(a.Op == "ob" && a.Seats > 0 && a.Seats <= maxOverbookSeats))
		if !ok {
			t.Fatalf("parseAutofillTap(%q) = %+v", data, a)
		}
		if back := a.data(); back != data {
			t.Fatalf("parseAutofillTap(%q) = %+v, which encodes as %q", data, a, back)
		}
	})
}
