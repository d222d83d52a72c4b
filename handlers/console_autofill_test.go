package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// consoleAutofill is the GET and PUT /drives/{id}/autofill answer, the
// fields the tests read.
type consoleAutofill struct {
	On          bool
	Paused      bool
	Checkpoints []int
	Forecast    struct{ Expected, Gap int }
	DryRun      struct {
		Invitees, Expected, Candidates int
		SeatsLeft                      int `json:"seats_left"`
		Outcome, Line                  string
	} `json:"dry_run"`
	Waves []struct {
		Checkpoint, Invited int
		SkippedCap          int `json:"skipped_cap"`
		Line                string
	}
}

// TestConsoleAutofill: the console reads the drive's auto-fill with the
// dry run of autofillScene (24 candidates, 8 free seats: 12 invitees, +1
// donation) and the wave log, turns it on, pauses it and sets checkpoints;
// bad checkpoints are refused with the reason in the organizer's
// language and change nothing; another unit's organizer learns nothing.
func TestConsoleAutofill(t *testing.T) {
	sc := newAutofillScene(t)
	addWave(t, sc.b, sc.d.ID, 10, sc.b.Now().Add(-time.Hour), 40, 3, "")
	path := fmt.Sprintf("/drives/%d/autofill", sc.d.ID)
	vi := sc.b.Console(sc.orgs[0], "vi")
	res := vi.Get(path)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	var got consoleAutofill
	res.Decode(t, &got)
	if got.On || got.Paused || !slices.Equal(got.Checkpoints, []int{10, 5, 2}) {
		t.Errorf("setting %+v, want off with 10, 5, 2", got)
	}
	dr := got.DryRun
	if dr.Invitees != 12 || dr.Expected != 1 || dr.Candidates != 24 || dr.SeatsLeft != 8 || dr.Outcome != "" ||
		dr.Line != "🔎 Nếu mời bây giờ: 12 người, dự kiến thêm 1 đơn vị" {
		t.Errorf("dry run %+v, want 12 of 24 candidates, +1, 8 seats left", dr)
	}
	if got.Forecast.Expected != 2 || got.Forecast.Gap != 98 {
		t.Errorf("forecast %+v, want 2 expected, 98 short", got.Forecast)
	}
	if len(got.Waves) != 1 || got.Waves[0].Checkpoint != 10 || got.Waves[0].Invited != 40 || got.Waves[0].SkippedCap != 3 {
		t.Errorf("waves %+v, want the one of checkpoint 10", got.Waves)
	}

	res = vi.Do(http.MethodPut, path, map[string]any{"on": true})
	res.Decode(t, &got)
	if res.Status != http.StatusOK || !got.On || got.Paused {
		t.Errorf("PUT on: %d %+v", res.Status, got)
	}
	res = vi.Do(http.MethodPut, path, map[string]any{"paused": true, "checkpoints": []int{14, 7, 3}})
	res.Decode(t, &got)
	if res.Status != http.StatusOK || !got.On || !got.Paused || !slices.Equal(got.Checkpoints, []int{14, 7, 3}) {
		t.Errorf("PUT pause and checkpoints: %d %+v", res.Status, got)
	}
	if a := autofillOf(t, sc); !a.On || !a.Paused || !slices.Equal(a.Checkpoints, []int{14, 7, 3}) {
		t.Errorf("stored %+v after the PUTs", a)
	}

	en := sc.b.Console(sc.orgs[1], "en")
	for _, bad := range []any{
		map[string]any{"checkpoints": []int{}}, map[string]any{"checkpoints": []int{5, 5}},
		map[string]any{"checkpoints": []int{61}}, map[string]any{"checkpoints": []int{-1}},
		map[string]any{"checkpoints": []int{9, 8, 7, 6, 5, 4}},
	} {
		res := en.Do(http.MethodPut, path, bad)
		var e struct {
			Error  string
			Fields map[string]string
		}
		res.Decode(t, &e)
		if res.Status != http.StatusBadRequest || e.Error != "bad_checkpoints" ||
			e.Fields["checkpoints"] != "Checkpoints are 1 to 5 different numbers of days, each from 0 to 60." {
			t.Errorf("PUT %v: %d %s", bad, res.Status, res.Body)
		}
	}
	for _, bad := range []string{`{"on": "yes"}`, `{"colour": 1}`, `[]`} {
		if res := en.Do(http.MethodPut, path, json.RawMessage(bad)); res.Status != http.StatusBadRequest {
			t.Errorf("PUT %s: %d %s", bad, res.Status, res.Body)
		}
	}
	if a := autofillOf(t, sc); !a.On || !a.Paused || !slices.Equal(a.Checkpoints, []int{14, 7, 3}) {
		t.Errorf("bad input changed the setting: %+v", a)
	}

	other := sc.b.Console(sc.other, "vi")
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		if res := other.Do(method, path, map[string]any{"on": false}); res.Status != http.StatusNotFound {
			t.Errorf("%s by another unit's organizer: %d %s", method, res.Status, res.Body)
		}
	}
	if a := autofillOf(t, sc); !a.On {
		t.Errorf("another unit's organizer turned it off")
	}
}

// TestConsoleAutofillPage: the drive's home screen leads to its auto-fill,
// which shows the dry run; a preset's button sets the checkpoints.
func TestConsoleAutofillPage(t *testing.T) {
	sc := newAutofillScene(t)
	browser := consoleBrowser(t, sc.b, sc.orgs[1], "en", fmt.Sprintf("/drive/%d", sc.d.ID))
	var line string
	if err := chromedp.Run(browser,
		chromedp.Click(`[data-nav="autofill"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#dry-run[data-invitees="12"]`, chromedp.ByQuery),
		chromedp.Text(`#dry-run`, &line, chromedp.ByQuery),
		chromedp.Click(`[data-preset="7,3,1"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#autofill[data-checkpoints="7,3,1"]`, chromedp.ByQuery),
		chromedp.Click(`#autofill-on`, chromedp.ByQuery),
		chromedp.WaitVisible(`#autofill[data-on="true"]`, chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	if want := "🔎 Would invite 12 people now, expected +1 donation"; line != want {
		t.Errorf("dry run %q, want %q", line, want)
	}
	if a := autofillOf(t, sc); !a.On || !slices.Equal(a.Checkpoints, []int{7, 3, 1}) {
		t.Errorf("stored %+v, want on with 7, 3, 1", a)
	}
}

// TestConsoleOverbook: the console's auto-fill of a full drive with 3
// donors waiting (overbookScene: a 20% no-show rate over 10 booked seats)
// offers 2 seats and a slot; a stale figure is refused and changes
// nothing; the offered 2 seat the first two waiting, who are told; a slot
// is added after the last; another unit's organizer learns nothing.
func TestConsoleOverbook(t *testing.T) {
	sc := newOverbookScene(t)
	path := fmt.Sprintf("/drives/%d/autofill", sc.next.ID)
	en := sc.b.Console(sc.orgID, "en")
	var got struct {
		Full       string
		Waitlisted int
		Overbook   struct {
			Seats       int
			RatePercent int `json:"rate_percent"`
			Label       string
		}
		NextSlot string `json:"next_slot"`
		Notice   string
	}
	res := en.Get(path)
	res.Decode(t, &got)
	last := sc.slots[len(sc.slots)-1]
	from, to := last.End.In(loc(t)).Format("15:04"), last.End.Add(30*time.Minute).In(loc(t)).Format("15:04")
	if res.Status != http.StatusOK || got.Waitlisted != 3 || got.Full != "🈵 The drive is full, with 3 people on the waitlist." ||
		got.Overbook.Seats != 2 || got.Overbook.RatePercent != 20 || got.Overbook.Label != "➕ Add 2 seats (20% no-shows)" ||
		got.NextSlot != "🕐 Add a slot "+from+"–"+to {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}

	if res := en.Post(path+"/overbook", map[string]any{"seats": 5}); res.Status != http.StatusConflict {
		t.Errorf("a stale overbook: %d %s", res.Status, res.Body)
	}
	other := sc.b.Console(sc.other, "en")
	for _, sub := range []string{"/overbook", "/slot"} {
		if res := other.Post(path+sub, map[string]any{"seats": 2}); res.Status != http.StatusNotFound {
			t.Errorf("POST %s by another unit's organizer: %d %s", sub, res.Status, res.Body)
		}
	}
	slots, err := sc.b.Store.DriveSlots(context.Background(), sc.next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 2 || slots[0].Capacity != 5 || slots[0].Waitlisted != 3 {
		t.Fatalf("refused requests changed the slots: %+v", slots)
	}

	res = en.Post(path+"/overbook", map[string]any{"seats": 2})
	got.Notice = ""
	res.Decode(t, &got)
	if res.Status != http.StatusOK || got.Waitlisted != 1 || got.Notice != "Added 2 seats; waitlisted donors seated: 2." {
		t.Errorf("POST overbook: %d %s", res.Status, res.Body)
	}
	sc.b.Phone(sc.donors[10], "vi").Expect("🎉 Đã có chỗ cho bạn!", sc.next.Title)
	sc.b.Phone(sc.donors[11], "en").Expect("🎉 A seat freed up for you!", sc.next.Title)

	res = en.Post(path+"/slot", map[string]any{})
	res.Decode(t, &got)
	if res.Status != http.StatusOK || got.Notice != "Added the slot "+from+"–"+to+" with 5 seats." {
		t.Errorf("POST slot: %d %s", res.Status, res.Body)
	}
	if slots, err = sc.b.Store.DriveSlots(context.Background(), sc.next.ID); err != nil || len(slots) != 3 {
		t.Errorf("slots after adding one: %+v %v", slots, err)
	}
}
