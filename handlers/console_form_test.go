package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// formChoices is the answer of GET /drive-form.
type formChoices struct {
	Campaigns []struct {
		ID    int64
		Name  string
		Waves []int
	}
	Venues []struct {
		ID   int64
		Name string
		Line string
	}
	Hospitals []struct {
		ID   int64
		Name string
	}
	Units []struct {
		ID   int64
		Name string
	}
	Provinces []struct{ Code, Name string }
}

// formRefused is a form's 400/409 answer.
type formRefused struct {
	Error   string
	Message string
	Fields  map[string]string
}

// unitOrganizer is an organizer of a unit of their own.
func unitOrganizer(t *testing.T, b *bottest.Bot) (orgID int64, unit storage.Unit) {
	t.Helper()
	ctx := context.Background()
	orgID = testenv.TelegramID()
	unit, err := b.Store.CreateUnit(ctx, "unit", fmt.Sprintf("Công an tỉnh %d", orgID), fmt.Sprintf("ca%d", orgID))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, orgID, storage.RoleOrganizer, unit.ID, 0); err != nil {
		t.Fatal(err)
	}
	return orgID, unit
}

// unitWithMember is the cast of the form's announcement tests: an
// organizer of a new unit, an English-speaking member of it (Mary Nguyen)
// and a directory hospital for the form.
func unitWithMember(t *testing.T, b *bottest.Bot) (orgID int64, unit storage.Unit, member *bottest.Phone, hospitalID int64) {
	t.Helper()
	orgID, unit = unitOrganizer(t, b)
	member = b.NewPhone("en")
	seedDonorIn(t, b, member.User.ID, "en", "Mary Nguyen")
	if err := b.Store.JoinUnit(context.Background(), member.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	hospitals, err := b.Store.Hospitals(context.Background())
	if err != nil || len(hospitals) == 0 {
		t.Fatalf("hospitals: %v %v", hospitals, err)
	}
	return orgID, unit, member, hospitals[0].ID
}

// validFormBody is a whole form: a new venue typed in, the campaign's
// first wave, 07:30–11:30 every 30 minutes with 10 seats, ten days ahead.
func validFormBody(b *bottest.Bot, campaignID, hospitalID, unitID int64, title string) map[string]any {
	return map[string]any{
		"title": title, "campaign_id": campaignID, "wave": 1,
		"venue":       map[string]any{"name": "Hội trường " + title, "address": "12 Lê Lợi", "ward": "phường Hạc Thành", "province": "th"},
		"hospital_id": hospitalID, "unit_id": unitID,
		"date": b.Now().AddDate(0, 0, 10).Format(time.DateOnly), "from": "07:30", "to": "11:30",
		"every": 30, "seats": 10, "target": 120, "announce_at": "",
	}
}

// TestConsoleFormCreateEditCopy: an organizer creates a drive in the
// console's form (a new venue typed in, the campaign's wave and the
// partner hospital picked), sees every bad field explained beside it in
// their language, copies the drive, and edits it; once a donor booked a
// slot, changing the times is refused and the slot kept. Another unit's
// organizer can neither create for that unit nor edit its drive.
func TestConsoleFormCreateEditCopy(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	otherID, _ := unitOrganizer(t, b)
	camp, err := b.Store.CreateCampaign(ctx, "Hành trình đỏ "+t.Name()+itoa(orgID), orgID)
	if err != nil {
		t.Fatal(err)
	}
	org := b.Console(orgID, "vi")

	var choices formChoices
	res := org.Get("/drive-form")
	if res.Status != http.StatusOK {
		t.Fatalf("GET /drive-form: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &choices)
	i := slices.IndexFunc(choices.Campaigns, func(c struct {
		ID    int64
		Name  string
		Waves []int
	}) bool {
		return c.ID == camp.ID
	})
	if i < 0 || !slices.Equal(choices.Campaigns[i].Waves, []int{1}) {
		t.Fatalf("campaigns offered: %+v", choices.Campaigns)
	}
	if len(choices.Hospitals) == 0 || len(choices.Provinces) != 34 || len(choices.Units) != 1 || choices.Units[0].ID != unit.ID {
		t.Fatalf("hospitals %d, provinces %d, units %+v", len(choices.Hospitals), len(choices.Provinces), choices.Units)
	}
	hospital := choices.Hospitals[0]
	title := "Ngày hội Công an tỉnh " + itoa(orgID)

	// Every bad field at once, beside its input, in the user's language.
	bad := validFormBody(b, camp.ID, hospital.ID, unit.ID, " ")
	bad["to"], bad["wave"], bad["hospital_id"] = "11:15", 3, 0
	for _, tc := range []struct{ lang, title, partial, wave string }{
		{"vi", "Hãy nhập tên", "khung cuối sẽ bị lẻ", "Đợt này không thuộc"},
		{"en", "Enter the drive's title", "last slot would be cut short", "not one of the chosen campaign's"},
	} {
		var refused formRefused
		res = b.Console(orgID, tc.lang).Post("/drives", bad)
		res.Decode(t, &refused)
		if res.Status != http.StatusBadRequest || refused.Error != "invalid" || len(refused.Fields) != 4 ||
			!strings.Contains(refused.Fields["title"], tc.title) || !strings.Contains(refused.Fields["every"], tc.partial) ||
			!strings.Contains(refused.Fields["wave"], tc.wave) || refused.Fields["hospital"] == "" {
			t.Fatalf("%s: bad form: %d %s", tc.lang, res.Status, res.Body)
		}
	}

	// Another unit's organizer may not create a drive for this unit.
	var refused formRefused
	res = b.Console(otherID, "vi").Post("/drives", validFormBody(b, camp.ID, hospital.ID, unit.ID, title))
	res.Decode(t, &refused)
	if res.Status != http.StatusBadRequest || !strings.Contains(refused.Fields["unit"], "không phụ trách") {
		t.Fatalf("another unit's organizer: %d %s", res.Status, res.Body)
	}

	var saved struct{ ID int64 }
	res = org.Post("/drives", validFormBody(b, camp.ID, hospital.ID, unit.ID, title))
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &saved)
	d, err := b.Store.Drive(ctx, saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	slots, err := b.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != drive.StatusPublished || d.Title != title || d.Wave != "Đợt 1" || d.CampaignID != camp.ID ||
		d.Hospital != hospital.Name || d.AudienceUnitID != unit.ID || d.Organizer != unit.Name ||
		d.Venue != "Hội trường "+title+", 12 Lê Lợi, phường Hạc Thành, Thanh Hóa" || len(slots) != 8 || drive.Seats(slots) != 80 {
		t.Fatalf("created %+v with %d slots", d, len(slots))
	}

	// The venue is in the directory now, and the campaign offers wave 2.
	res = org.Get("/drive-form")
	res.Decode(t, &choices)
	if !slices.ContainsFunc(choices.Venues, func(v struct {
		ID   int64
		Name string
		Line string
	}) bool {
		return v.ID == d.VenueID && v.Line == d.Venue
	}) {
		t.Errorf("venue %d not in the directory: %+v", d.VenueID, choices.Venues)
	}
	i = slices.IndexFunc(choices.Campaigns, func(c struct {
		ID    int64
		Name  string
		Waves []int
	}) bool {
		return c.ID == camp.ID
	})
	if !slices.Equal(choices.Campaigns[i].Waves, []int{1, 2}) {
		t.Errorf("waves after wave 1's drive: %v", choices.Campaigns[i].Waves)
	}

	// The form prefilled, and the copy: every field but the date and the announcement.
	var form, dup drive.Form
	org.Get(fmt.Sprintf("/drives/%d/form", d.ID)).Decode(t, &form)
	org.Get(fmt.Sprintf("/drives/%d/form?copy=1", d.ID)).Decode(t, &dup)
	want := drive.Form{Title: title, CampaignID: camp.ID, Wave: 1, VenueID: d.VenueID, HospitalID: hospital.ID,
		UnitID: unit.ID, Date: b.Now().AddDate(0, 0, 10).Format(time.DateOnly), From: "07:30", To: "11:30",
		Every: 30, Seats: 10, Target: 120}
	if form != want {
		t.Errorf("form = %+v, want %+v", form, want)
	}
	want.Date = ""
	if dup != want {
		t.Errorf("copy = %+v, want %+v", dup, want)
	}
	dup.Title, dup.Date, dup.Wave = title+" (đợt 2)", b.Now().AddDate(0, 0, 40).Format(time.DateOnly), 2
	res = org.Post("/drives", dup)
	res.Decode(t, &saved)
	if copied, err := b.Store.Drive(ctx, saved.ID); res.Status != http.StatusOK || err != nil ||
		copied.ID == d.ID || copied.VenueID != d.VenueID || copied.Venue != d.Venue || copied.Wave != "Đợt 2" {
		t.Fatalf("copy saved: %d %s %+v %v", res.Status, res.Body, copied, err)
	}

	// Another unit's organizer learns nothing of the drive.
	for _, r := range []bottest.Response{
		b.Console(otherID, "vi").Get(fmt.Sprintf("/drives/%d/form", d.ID)),
		b.Console(otherID, "vi").Do(http.MethodPut, fmt.Sprintf("/drives/%d", d.ID), form),
	} {
		if r.Status != http.StatusNotFound {
			t.Errorf("another unit's organizer: %d %s", r.Status, r.Body)
		}
	}

	// A donor books the first slot: the title may change, the times may not.
	donorID := testenv.TelegramID()
	seedDonorIn(t, b, donorID, "vi", "Nguyễn Thị Lan")
	if _, err := b.Store.Register(ctx, donorID, slots[0].ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	moved := form
	moved.From, moved.To = "08:00", "12:00"
	res = org.Do(http.MethodPut, fmt.Sprintf("/drives/%d", d.ID), moved)
	refused = formRefused{}
	res.Decode(t, &refused)
	if res.Status != http.StatusConflict || !strings.Contains(refused.Fields["from"], "Đã có người đăng ký") ||
		refused.Fields["every"] != "" {
		t.Fatalf("moving a booked drive: %d %s", res.Status, res.Body)
	}
	renamed := form
	renamed.Title = title + " — đổi tên"
	if res = org.Do(http.MethodPut, fmt.Sprintf("/drives/%d", d.ID), renamed); res.Status != http.StatusOK {
		t.Fatalf("rename: %d %s", res.Status, res.Body)
	}
	after, err := b.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Store.Drive(ctx, d.ID); got.Title != renamed.Title || len(after) != 8 || after[0].ID != slots[0].ID ||
		after[0].Confirmed != 1 {
		t.Fatalf("after the edits: %q, slots %+v", got.Title, after)
	}
}

// TestConsoleScheduledAnnouncement: a drive saved with an announcement
// time waits as a draft; when the clock passes that time the scheduler
// publishes it and the unit's donors get the announcement once, however
// many schedulers run.
func TestConsoleScheduledAnnouncement(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	orgID, unit, donor, hospitalID := unitWithMember(t, b)
	title := "Scheduled drive " + itoa(orgID)
	body := validFormBody(b, 0, hospitalID, unit.ID, title)
	body["wave"] = 0
	body["announce_at"] = b.Now().Add(2 * time.Hour).In(loc(t)).Format("2006-01-02T15:04")
	var saved struct{ ID int64 }
	res := b.Console(orgID, "vi").Post("/drives", body)
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &saved)

	announcements := func() int {
		n := 0
		for _, m := range donor.Messages() {
			if strings.Contains(m.Text, title) {
				n++
			}
		}
		return n
	}
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(time.Hour)
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	b.Settle()
	if d, err := b.Store.Drive(ctx, saved.ID); err != nil || d.Status != drive.StatusDraft || announcements() != 0 {
		t.Fatalf("before its time: %s, %d announcements, %v", d.Status, announcements(), err)
	}

	b.Clock.Advance(time.Hour + time.Minute)
	// Two more schedulers besides the bot's own loop.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- b.Handlers().SendReminders(ctx) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ann := donor.Expect("A new voluntary blood donation drive", title)
	if !ann.HasButtonText("Register to donate") {
		t.Errorf("announcement buttons: %v", ann.Buttons())
	}
	for range 3 {
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatal(err)
		}
	}
	b.Settle()
	if n := announcements(); n != 1 {
		t.Fatalf("%d announcements, want 1", n)
	}
	if d, err := b.Store.Drive(ctx, saved.ID); err != nil || d.Status != drive.StatusPublished {
		t.Fatalf("after its time: %+v %v", d, err)
	}
}

// TestConsoleAutofillDriveInvitesInWaves: a drive saved with "invite in
// waves" ticked is published without the announcement to its whole
// audience; at its first checkpoint (10 days before) the scheduler's wave
// invites the unit's member, who can book a slot from the invitation.
func TestConsoleAutofillDriveInvitesInWaves(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	orgID, unit, donor, hospitalID := unitWithMember(t, b)
	title := "Auto-filled drive " + itoa(orgID)
	body := validFormBody(b, 0, hospitalID, unit.ID, title)
	body["wave"] = 0
	body["autofill"] = true
	var saved struct{ ID int64 }
	res := b.Console(orgID, "vi").Post("/drives", body)
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &saved)
	b.Settle()
	for _, m := range donor.Messages() {
		if strings.Contains(m.Text, title) {
			t.Fatalf("announced to the unit at once: %q", m.Text)
		}
	}
	d, err := b.Store.Drive(ctx, saved.ID)
	if err != nil || d.Status != drive.StatusPublished {
		t.Fatalf("saved drive: %+v %v", d, err)
	}
	if a, err := b.Store.AutofillOf(ctx, d.ID); err != nil || !a.On {
		t.Fatalf("auto-fill: %+v %v", a, err)
	}
	var form struct{ Autofill bool }
	b.Console(orgID, "vi").Get("/drives/"+itoa(d.ID)+"/form").Decode(t, &form)
	if !form.Autofill {
		t.Error("the form does not show auto-fill on")
	}

	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	inv := donor.Expect("needs more donors", title)
	if !inv.HasButtonText("🚫 No more invitations") {
		t.Errorf("invitation buttons: %v", inv.Buttons())
	}
	waves, err := b.Store.Waves(ctx, d.ID)
	if err != nil || len(waves) != 1 || waves[0].Checkpoint != 10 || waves[0].Invited < 1 {
		t.Fatalf("waves: %+v %v", waves, err)
	}
}
