package handlers

import (
	"slices"
	"strings"
	"testing"
)

func TestDecodeCallback(t *testing.T) {
	tests := []struct {
		data   string
		action string
		args   []string
		ok     bool
	}{
		{"consent:v1:yes", "consent", []string{"yes"}, true},
		{"step:v1:blood:AB-", "step", []string{"blood", "AB-"}, true},
		{"unitpg:v1:8", "unitpg", []string{"8"}, true},
		{"lang:v1", "lang", nil, true},
		{"consent:v2:yes", "", nil, false}, // a future version is refused, not misread
		{"consent", "", nil, false},
		{"Consent:v1:yes", "", nil, false},
		{"step:v1::x", "", nil, false},
		{"", "", nil, false},
		{strings.Repeat("a", 65), "", nil, false},
		{":v1:x", "", nil, false},
	}
	for _, tt := range tests {
		got, err := decodeCallback(tt.data)
		if (err == nil) != tt.ok {
			t.Errorf("decodeCallback(%q): got err %v, want ok=%t", tt.data, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if got.Action != tt.action || strings.Join(got.Args, ",") != strings.Join(tt.args, ",") {
			t.Errorf("decodeCallback(%q) = %+v, want %s %v", tt.data, got, tt.action, tt.args)
		}
	}
}

func TestEncodeCallbackRoundTrip(t *testing.T) {
	data := encodeCallback("step", "unit", "9223372036854775807")
	got, err := decodeCallback(data)
	if err != nil || got.Action != "step" || got.arg(1) != "9223372036854775807" || got.arg(5) != "" {
		t.Fatalf("round trip of %q: got %+v, %v", data, got, err)
	}
}

// FuzzDecodeCallback: callback data comes from the user's client and may be
// anything up to 64 bytes; decoding must never panic and what it accepts
// must re-encode to the same bytes.
func FuzzDecodeCallback(f *testing.F) {
	for _, s := range []string{"consent:v1:yes", "step:v1:blood:O+", "unitpg:v1:16", "x:v1", "::", "a:v1:b:c:d",
		// Forged taps on other owners' objects (sequential ids are easy to guess).
		"bcx:v1:1", "bcx:v1:99999999999999999999", "cdrv:v1:2", "fl:v1:newdrive:audience:a:2", "urgadm:v1:3:don:88436",
		"resk:v1:4:350:whole_blood", "cinv:v1:5:y", "cinv:v1:5:maybe",
		// The profile's unit list: a page, a unit, the end of an edit.
		"fl:v1:edit:unit:a:p8", "fl:v1:edit:unit:a:p-8", "fl:v1:onboarding:unit:a:9223372036854775807", "fl:v1:edit:unit:a:done",
		// Answering a deferred registration's screening again (another
		// donor's id), the reuse offer and the grouped questions.
		"drv:v1:reanswer:7", "drv:v1:reanswer:-1", "fl:v1:screening:reuse:a:keep", "fl:v1:screening:reuse:a:again",
		"fl:v1:screening:group:a:n", "fl:v1:screening:group:a:y", "fl:v1:screening:group:a:x",
		// A slot reminder's answers: another donor's registration, a slot
		// left since, an unknown answer.
		"rmd:v1:7:3:here", "rmd:v1:7:3:cancel", "rmd:v1:7:-3:move", "rmd:v1:7:3:maybe", "rmd:v1:99999999999999999999:1:keep",
		// Cancel asks first; the next steps of journey ends; a poster.
		"drv:v1:cancelok:7", "drv:v1:keep:7", "home:v1:mydrives", "home:v1:grant", "qrb:v1:2",
		// A recall's register and stop buttons, and forged settings.
		"drv:v1:slot:12:345", "rcl:v1:off", "rcl:v1:on", "set:v1:setlang:fr", "set:v1:recall:maybe", "set:v1:units:9",
		// Undoing a result: another drive's registration, none recorded.
		"resundo:v1:4", "resundo:v1:-4", "resundo:v1:4:fix",
		// No more invitations, a forged "on", and the settings toggle.
		"dinv:v1:off", "dinv:v1:on", "set:v1:invite:off", "set:v1:invite:maybe",
		// The auto-fill screen: another unit's drive, a preset that does not
		// exist, forged seats.
		"afc:v1:7:on", "afc:v1:7:cp:9", "afc:v1:7:ob:99999", "afc:v1:7:pause:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cb, err := decodeCallback(data)
		if err != nil {
			return
		}
		if !isWord(cb.Action) || len(data) > maxCallbackBytes {
			t.Fatalf("accepted %q as action %q", data, cb.Action)
		}
		if again := encodeCallback(cb.Action, cb.Args...); again != data {
			t.Fatalf("decode(%q) re-encodes to %q", data, again)
		}
	})
}

func TestParseCommand(t *testing.T) {
	tests := []struct{ text, name, args string }{
		{"/start", "start", ""},
		{"/START abc", "start", "abc"},
		{"/start@donorbot_test_bot payload", "start", "payload"},
		{"/start@other_bot", "", ""},
		{"/newunit club  Ngân hàng máu sống ", "newunit", "club  Ngân hàng máu sống"},
		{"/", "", ""},
	}
	for _, tt := range tests {
		name, args := parseCommand(tt.text, "donorbot_test_bot")
		if name != tt.name || args != tt.args {
			t.Errorf("parseCommand(%q) = %q, %q; want %q, %q", tt.text, name, args, tt.name, tt.args)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start", "/start@bot x", "/@", "/ ", "/a@b@c d e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !strings.HasPrefix(text, "/") {
			return
		}
		name, _ := parseCommand(text, "donorbot_test_bot")
		if strings.ContainsAny(name, " @") {
			t.Fatalf("command name %q from %q holds a separator", name, text)
		}
	})
}

// TestMenusMatchRoutes: every command offered in a menu is routed, and every
// routed command is in some menu.
func TestMenusMatchRoutes(t *testing.T) {
	h, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	menus := slices.Concat(donorCommands, organizerCommands, adminCommands, clubAdminCommands)
	for _, item := range menuItems {
		if !slices.Contains(donorCommands, item.command) {
			t.Errorf("home menu button %s runs /%s, which is not a donor command", item.label, item.command)
		}
	}
	for _, c := range menus {
		if _, ok := h.commands[c]; !ok {
			t.Errorf("menu command /%s has no route", c)
		}
	}
	for c := range h.commands {
		found := false
		for _, m := range menus {
			found = found || m == c
		}
		if !found {
			t.Errorf("routed command /%s is in no menu", c)
		}
	}
}
