package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// reminderAnswerTexts are what a donor reads and taps on a slot reminder,
// in one language.
type reminderAnswerTexts struct {
	lang                      string
	reminder                  string // the reminder's first line
	here, move, cant, yes     string // buttons
	directions                string // the map button
	thanks, choose, confirmed string
	cantAsk, cancelled        string
	staleMoved, staleGone     string // toasts on an old reminder's buttons
}

// TestReminderAnswers: a donor's 24 h reminder carries "I'll be there",
// "Change slot" and "I can't come". "I'll be there" is recorded and thanked
// with directions; "Change slot" moves them (the waitlisted donor of their
// old slot gets the seat) and sends the calendar file again, same event,
// next SEQUENCE; the old reminder's buttons then say it was for the old
// slot. The new slot's reminder comes, "I can't come" asks, then cancels:
// the seat goes to the waitlist, the calendar event is cancelled, and the
// reminder's buttons say the registration is gone.
func TestReminderAnswers(t *testing.T) {
	for _, tc := range []reminderAnswerTexts{{
		lang: "vi", reminder: "Nhắc lịch hiến máu",
		here: "✅ Tôi sẽ đến", move: "🔁 Đổi khung giờ", cant: "❌ Tôi không đến được", yes: "Hủy đăng ký",
		directions: "📍 Chỉ đường", thanks: "Cảm ơn bạn đã xác nhận", choose: "Chọn khung giờ mới",
		confirmed: "Đã xác nhận đăng ký", cantAsk: "Bạn muốn hủy đăng ký", cancelled: "Đã hủy đăng ký",
		staleMoved: "lời nhắc này là của khung giờ cũ", staleGone: "không còn hiệu lực",
	}, {
		lang: "en", reminder: "Blood donation reminder",
		here: "✅ I'll be there", move: "🔁 Change slot", cant: "❌ I can't come", yes: "Cancel my registration",
		directions: "📍 Directions", thanks: "Thank you for confirming", choose: "Choose the new time slot",
		confirmed: "Your registration is confirmed", cantAsk: "Cancel your registration", cancelled: "Registration cancelled",
		staleMoved: "this reminder was for your old slot", staleGone: "no longer active",
	}} {
		t.Run(tc.lang, func(t *testing.T) { reminderAnswersIn(t, tc) })
	}
}

func reminderAnswersIn(t *testing.T, tc reminderAnswerTexts) {
	// The bot's own scheduler stays out of the way: the test runs the jobs.
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.ReminderInterval = time.Hour }))
	ctx := context.Background()
	title := "Ngày hội Nhắc " + tc.lang
	// One seat per slot, so that every freed seat goes to someone waiting.
	d, slots := publishedDrive(t, b, title, 26*time.Hour, 1)
	p := b.NewPhone(tc.lang)
	var regID int64
	if tc.lang == "vi" {
		// Through /drives: the confirmation brings the first calendar file.
		registered(t, b, p, "Trần Thị Nhắc", d)
		if err := b.Store.DB().Get(&regID, `SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
			WHERE dn.telegram_id = $1`, p.User.ID); err != nil {
			t.Fatal(err)
		}
	} else {
		seed(t, b, donorSpec{id: p.User.ID, group: profile.BloodOPos})
		if _, err := b.Store.DB().Exec(`UPDATE donors SET language = 'en' WHERE telegram_id = $1`, p.User.ID); err != nil {
			t.Fatal(err)
		}
		regID = confirmed(t, b, p.User.ID, slots[0])
	}
	ids := testenv.TelegramIDs(2)
	waiting0, waiting1 := b.Phone(ids[0], "vi"), b.Phone(ids[1], "vi")
	seed(t, b, donorSpec{id: ids[0], group: profile.BloodAPos}, donorSpec{id: ids[1], group: profile.BloodBPos})
	if r, err := b.Store.Register(ctx, ids[0], slots[0].ID, b.Now()); err != nil || r.Status != drive.RegWaitlisted {
		t.Fatalf("second donor of the first slot: %+v, %v; want waitlisted", r, err)
	}
	uid := drive.CalendarUID(d, regID)
	if tc.lang == "vi" {
		// The calendar file is a message of its own after the confirmation:
		// waited for, not read once.
		waitCalendar(t, p, b, uid, 0)
	}
	lastSeq := lastCalendarSequence(t, p, uid)
	if tc.lang == "vi" && lastSeq != 0 {
		t.Fatalf("the confirmation's calendar file has SEQUENCE %d, want 0 with UID %s", lastSeq, uid)
	}
	run := func() {
		t.Helper()
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatalf("SendReminders: %v", err)
		}
	}

	// 24 h before the slot.
	b.Clock.Advance(2*time.Hour + time.Minute)
	run()
	first := p.Expect(tc.reminder, title)
	for _, label := range []string{tc.here, tc.move, tc.cant} {
		if !first.HasButtonText(label) {
			t.Fatalf("the reminder lacks %q: %v", label, first.Buttons())
		}
	}

	// I'll be there.
	p.TapIn(first.ID, tc.here)
	thanks := p.Expect(tc.thanks, "25 Phan Đình Phùng")
	if u := buttonURL(thanks, tc.directions); !strings.HasPrefix(u, "https://www.google.com/maps/search/?api=1&query=25+Phan") {
		t.Errorf("directions button = %q", u)
	}
	var at sql.NullTime
	if err := b.Store.DB().Get(&at, `SELECT attendance_confirmed_at FROM registrations WHERE id = $1`, regID); err != nil {
		t.Fatal(err)
	}
	if !at.Valid || !at.Time.Equal(b.Now()) {
		t.Errorf("attendance confirmed at %v, want the bot's clock %v", at, b.Now())
	}

	// Change slot: the move journey of /mydrives.
	p.TapIn(first.ID, tc.move)
	p.Expect(tc.choose)
	p.TapPrefix(slots[1].Start.In(loc(t)).Format("15:04") + "–")
	p.Expect(tc.confirmed, title)
	waiting0.Expect("Đã có chỗ cho bạn", title)
	moved := waitCalendar(t, p, b, uid, lastSeq+1)
	if got := moved.GetProperty(ics.ComponentPropertyDtStart).Value; got != slots[1].Start.UTC().Format("20060102T150405Z") {
		t.Errorf("the updated event starts at %s, want the new slot's %s", got, slots[1].Start.UTC())
	}
	if s := moved.GetProperty(ics.ComponentPropertyStatus).Value; s != "CONFIRMED" || len(moved.Alarms()) != 1 {
		t.Errorf("the updated event is %s with %d alarms", s, len(moved.Alarms()))
	}
	// The old reminder was about the old slot.
	upd := p.TapIn(first.ID, tc.here)
	if a := callbackAnswer(t, b, upd); !strings.Contains(a, tc.staleMoved) {
		t.Errorf("old reminder's button answered %q, want %q", a, tc.staleMoved)
	}

	// The new slot's own reminder, 24 h before it; someone now waits for it.
	if r, err := b.Store.Register(ctx, ids[1], slots[1].ID, b.Now()); err != nil || r.Status != drive.RegWaitlisted {
		t.Fatalf("second donor of the second slot: %+v, %v; want waitlisted", r, err)
	}
	b.Clock.Advance(30 * time.Minute)
	run()
	second := p.Expect(tc.reminder, title, slots[1].Start.In(loc(t)).Format("15:04"))

	// I can't come: asked first, then cancelled as /mydrives does.
	p.TapIn(second.ID, tc.cant)
	p.Expect(tc.cantAsk, title)
	p.TapEdits(tc.yes, tc.cancelled)
	waiting1.Expect("Đã có chỗ cho bạn", title)
	cancelled := waitCalendar(t, p, b, uid, lastSeq+2)
	if s := cancelled.GetProperty(ics.ComponentPropertyStatus).Value; s != "CANCELLED" || len(cancelled.Alarms()) != 0 {
		t.Errorf("the cancelling event is %s with %d alarms", s, len(cancelled.Alarms()))
	}
	var status string
	if err := b.Store.DB().Get(&status, `SELECT status FROM registrations WHERE id = $1`, regID); err != nil {
		t.Fatal(err)
	}
	if status != "cancelled" {
		t.Errorf("registration is %s, want cancelled", status)
	}
	upd = p.TapIn(second.ID, tc.here)
	if a := callbackAnswer(t, b, upd); !strings.Contains(a, tc.staleGone) {
		t.Errorf("cancelled registration's reminder answered %q, want %q", a, tc.staleGone)
	}
}

// calendarEvents are the events of the .ics files in the chat with uid,
// oldest first.
func calendarEvents(t *testing.T, p *bottest.Phone, uid string) []*ics.VEvent {
	t.Helper()
	var out []*ics.VEvent
	for _, m := range p.Messages() {
		if m.Document == nil || !strings.HasSuffix(m.Document.Name, ".ics") {
			continue
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(m.Document.Data))
		if err != nil {
			t.Fatalf("calendar file %s: %v", m.Document.Name, err)
		}
		for _, e := range cal.Events() {
			if e.Id() == uid {
				out = append(out, e)
			}
		}
	}
	return out
}

// lastCalendarSequence is the SEQUENCE of the newest file for uid, -1 when
// none was sent.
func lastCalendarSequence(t *testing.T, p *bottest.Phone, uid string) int {
	t.Helper()
	events := calendarEvents(t, p, uid)
	if len(events) == 0 {
		return -1
	}
	seq, err := strconv.Atoi(events[len(events)-1].GetProperty(ics.ComponentPropertySequence).Value)
	if err != nil {
		t.Fatalf("calendar file's SEQUENCE: %v", err)
	}
	return seq
}

// waitCalendar waits for a calendar file with uid and SEQUENCE seq.
func waitCalendar(t *testing.T, p *bottest.Phone, b *bottest.Bot, uid string, seq int) *ics.VEvent {
	t.Helper()
	var found *ics.VEvent
	want := strconv.Itoa(seq)
	b.API.WaitUntil(t, "calendar file "+uid+" SEQUENCE "+want, func() bool {
		for _, e := range calendarEvents(t, p, uid) {
			if s := e.GetProperty(ics.ComponentPropertySequence); s != nil && s.Value == want {
				found = e
			}
		}
		return found != nil
	})
	return found
}

// buttonURL is the URL of the inline button labelled label, "" without one.
func buttonURL(m telegramtest.Message, label string) string {
	for _, row := range m.InlineKeyboard {
		for _, btn := range row {
			if btn.Text == label {
				return btn.URL
			}
		}
	}
	return ""
}

// callbackAnswer waits for the bot's answer to the tap of update id.
func callbackAnswer(t *testing.T, b *bottest.Bot, updateID int64) string {
	t.Helper()
	var a telegramtest.CallbackAnswer
	b.API.WaitUntil(t, "the answer to the tap", func() bool {
		var ok bool
		a, ok = b.API.CallbackAnswer(updateID)
		return ok
	})
	return a.Text
}

// TestReminderDueAtNightWaitsForMorning: with quiet hours 21:00-07:00 and
// reminders 24 h and 9 h before a slot, a donor who registers at 22:00 for
// 08:00 tomorrow is past the evening's last minute, so the 9 h reminder,
// due at 23:00, is not sent at 23:00 nor at 06:59: it comes at 07:00, as a
// plain reminder (no "early" line) with its answers, in the donor's language.
func TestReminderDueAtNightWaitsForMorning(t *testing.T) {
	clock := clockAtLocal(t, 22, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
		c.ReminderOffsets = []time.Duration{24 * time.Hour, 9 * time.Hour}
	}))
	ctx := context.Background()
	ids := testenv.TelegramIDs(2)
	vi, en := ids[0], ids[1]
	seed(t, b, donorSpec{id: vi, group: profile.BloodOPos}, donorSpec{id: en, group: profile.BloodAPos})
	if _, err := b.Store.DB().Exec(`UPDATE donors SET language = 'en' WHERE telegram_id = $1`, en); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	slots := publishHourDrive(t, b, "Ngày hội Sáng mai", clockAtLocal(t, 8, 0).Now().AddDate(0, 0, 1))
	for _, id := range ids {
		reg := confirmed(t, b, id, slots[0])
		// Registered now, at 22:00: the 24 h reminder fell due before.
		if _, err := b.Store.DB().Exec(`UPDATE registrations SET queued_at = $2 WHERE id = $1`, reg, b.Now()); err != nil {
			t.Fatal(err)
		}
	}
	run := func() {
		t.Helper()
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatalf("SendReminders at %s: %v", clock.Now().In(loc(t)).Format("02 15:04"), err)
		}
	}
	// 22:00, 23:00 (the 9 h reminder's moment), 06:59.
	for _, step := range []time.Duration{0, time.Hour, 7*time.Hour + 59*time.Minute} {
		clock.Advance(step)
		run()
		if n := deliveredTo(t, b, ids...); n != 0 {
			t.Fatalf("at %s, %d messages were sent, want none", clock.Now().In(loc(t)).Format("02 15:04"), n)
		}
	}
	clock.Advance(time.Minute)
	run()
	for _, tc := range []struct {
		id                      int64
		lang, head, here, early string
	}{
		{vi, "vi", "Nhắc lịch hiến máu", "✅ Tôi sẽ đến", "Nhắc trước"},
		{en, "en", "Blood donation reminder", "✅ I'll be there", "Early reminder"},
	} {
		m := b.Phone(tc.id, tc.lang).Expect(tc.head, "Ngày hội Sáng mai", "08:00")
		if strings.Contains(m.Text, tc.early) {
			t.Errorf("%s: the morning's reminder says it is early: %q", tc.lang, m.Text)
		}
		if !m.HasButtonText(tc.here) {
			t.Errorf("%s: the morning's reminder lacks its answers: %v", tc.lang, m.Buttons())
		}
	}
	if n := deliveredTo(t, b, ids...); n != 2 {
		t.Errorf("%d reminders in all, want one each", n)
	}
}
