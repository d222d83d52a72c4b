package handlers

import (
	"errors"
	"testing"
)

// TestConsoleGateTextsExist: every status a desk card shows and every
// refusal the gate answers has its text in both languages; the ids are
// computed, so the check of ids in code cannot see them.
func TestConsoleGateTextsExist(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range []string{"registered", "waitlisted", "arrived", "donated", "deferred", "no_show", "cancelled"} {
		ids = append(ids, "console_gate_status_"+s)
	}
	for _, e := range []error{errConsoleCheckinClosed, errConsoleNotLive, errConsoleNotCheckedIn, errConsoleNoResult} {
		var refusal *consoleErr
		if !errors.As(e, &refusal) {
			t.Fatalf("%v is not a refusal", e)
		}
		ids = append(ids, "console_err_"+refusal.Code)
	}
	for _, code := range []string{"bad_code", "wrong_drive", "volume_not_allowed", "bad_reason", "bad_until"} {
		ids = append(ids, "console_err_"+code)
	}
	for _, id := range ids {
		for _, lang := range languages {
			if got := tx.text(lang, id, nil); got == id {
				t.Errorf("message %q missing in %s", id, lang)
			}
		}
	}
}
