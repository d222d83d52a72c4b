package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// The tests below kill `donorbot serve` while the reply to an update is
// held by the Bot API (the call never reaches Telegram), start another
// process, and check that the user gets exactly the reply they would have
// got, once, and that their next answer works: the update's effect was
// committed with its replies, and the takeover sends them instead of
// running the update again against the state it had changed.

// outboxEnv is the environment of the processes under test: a short inbox
// lease, so that the takeover comes soon.
func outboxEnv(t *testing.T, api *telegramtest.Server) []string {
	_, prefix := testenv.Redis(t)
	return serveEnv(t, api, prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"INBOX_LEASE=2s",
		"LOG_LEVEL=warn")
}

// crashPhone is a user of the processes under test.
type crashPhone struct {
	t    *testing.T
	api  *telegramtest.Server
	user telegramtest.User
	seen int // newest bot message already expected
}

func newCrashPhone(t *testing.T, api *telegramtest.Server, id int64) *crashPhone {
	return &crashPhone{t: t, api: api, user: telegramtest.User{ID: id, FirstName: "Minh", LanguageCode: "vi"}}
}

func (p *crashPhone) send(text string) { p.api.SendText(p.user, text) }

// expect waits for a newer bot message containing substr.
func (p *crashPhone) expect(substr string) telegramtest.Message {
	p.t.Helper()
	seen := p.seen
	m := p.api.WaitMessage(p.t, p.user.ID, func(m telegramtest.Message) bool {
		return m.FromBot && m.ID > seen && strings.Contains(m.Text, substr)
	})
	p.seen = m.ID
	return m
}

// expectAny waits for a newer bot message that starts with one of prefixes.
func (p *crashPhone) expectAny(prefixes ...string) telegramtest.Message {
	p.t.Helper()
	seen := p.seen
	m := p.api.WaitMessage(p.t, p.user.ID, func(m telegramtest.Message) bool {
		return m.FromBot && m.ID > seen && slices.ContainsFunc(prefixes, func(s string) bool { return strings.HasPrefix(m.Text, s) })
	})
	p.seen = m.ID
	return m
}

// tap taps the first button of m whose label starts with prefix.
func (p *crashPhone) tap(m telegramtest.Message, prefix string) {
	p.t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.Text, prefix) {
				p.api.TapButton(p.user, m.ID, b.CallbackData)
				return
			}
		}
	}
	p.t.Fatalf("no button %q under %q", prefix, m.Text)
}

// count is how many bot messages contain substr.
func (p *crashPhone) count(substr string) int {
	n := 0
	for _, m := range p.api.Messages(p.user.ID) {
		if m.FromBot && strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

// killDuringReply holds the nth sendMessage to the phone's chat that act
// causes, kills the process once it is held, and starts another.
func killDuringReply(t *testing.T, api *telegramtest.Server, p *crashPhone, proc *child, env []string, nth int, act func()) *child {
	t.Helper()
	hold := api.HoldNth("sendMessage", p.user.ID, nth)
	act()
	hold.Wait(t, 30*time.Second)
	// Not released: its client is gone, and the server drops it once it
	// notices. A release racing that would deliver the call after all.
	proc.kill(t)
	return startChild(t, env)
}

// expectOnce waits for the message and checks, after a while for a
// duplicate to show, that it came once.
func expectOnce(t *testing.T, p *crashPhone, substr string) telegramtest.Message {
	t.Helper()
	m := p.expect(substr)
	time.Sleep(300 * time.Millisecond)
	if n := p.count(substr); n != 1 {
		t.Errorf("%q arrived %d times, want once", substr, n)
	}
	return m
}

func TestSIGKILLMidReplyOnboarding(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(60*time.Second))
	env := outboxEnv(t, api)
	proc := startChild(t, env)
	p := newCrashPhone(t, api, testenv.TelegramIDs(1)[0])

	p.send("/start")
	p.tap(p.expect("Nghị định 13/2023"), "✅ Tôi đồng ý")
	p.expect("Bước 1/7")

	// A typed answer: re-run against the stored name, it was taken for the
	// phone number.
	proc = killDuringReply(t, api, p, proc, env, 1, func() { p.send("Lê Văn Minh") })
	expectOnce(t, p, "Bước 2/7")
	if n := p.count("Số điện thoại chưa đúng"); n != 0 {
		t.Errorf("the name was taken for another answer %d times", n)
	}
	api.SendContact(p.user, "84912345678", p.user.ID)
	sex := p.expect("Bước 3/7")

	// A tap: re-run against the stored sex, it was a stale button.
	proc = killDuringReply(t, api, p, proc, env, 1, func() { p.tap(sex, "Nam") })
	expectOnce(t, p, "Bước 4/7")
	if n := p.count("không còn hiệu lực"); n != 0 {
		t.Errorf("the tap was answered as a stale button %d times", n)
	}
	p.send("25/03/1995")
	p.expect("Bước 5/7")
	proc.kill(t)

	d, err := storage.New(testenv.DB(t)).Donor(context.Background(), p.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.FullName != "Lê Văn Minh" || d.Sex != profile.SexMale || d.BirthDate.Format("02/01/2006") != "25/03/1995" {
		t.Errorf("stored name %q, sex %q, birth %v", d.FullName, d.Sex, d.BirthDate)
	}
}

func TestSIGKILLMidReplyScreeningAndRegistration(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(60*time.Second))
	env := outboxEnv(t, api)
	ctx := context.Background()
	store := storage.New(testenv.DB(t))
	id := testenv.TelegramIDs(1)[0]
	if _, err := store.CreateDonor(ctx, id, id, "vi", "test"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		store.SetDonorName(ctx, id, "Lê Văn Minh"), store.SetDonorPhone(ctx, id, "+84912000777"),
		store.SetDonorSex(ctx, id, profile.SexMale), store.SetDonorBirthDate(ctx, id, time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)),
		store.SetDonorWeight(ctx, id, 60), store.SetDonorBloodGroup(ctx, id, profile.BloodOPos), store.CompleteOnboarding(ctx, id),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// The processes run on the wall clock: so does what this test writes.
	if _, err := store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	d, _, err := store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Sau sự cố", Wave: "Đợt 1", Organizer: "Đoàn phường Bến Nghé", Hospital: "Bệnh viện Chợ Rẫy",
		Venue: "201B Nguyễn Chí Thanh, quận 5", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 10, TargetUnits: 50,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishDrive(ctx, d.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	proc := startChild(t, env)
	p := newCrashPhone(t, api, id)
	p.send("/drives")
	p.tap(p.expect("Ngày hội Sau sự cố"), "Đăng ký: Ngày hội Sau sự cố")
	p.tap(p.expect("Chọn khung giờ"), start.In(saigon(t)).Format("15:04")+"–")
	q1 := p.expect("Câu 1/")

	// A question's answer: re-run against the stored next step, it was a
	// stale button and the next question never came.
	proc = killDuringReply(t, api, p, proc, env, 1, func() { p.tap(q1, "Không") })
	q := expectOnce(t, p, "Câu 2–") // questions 2 to 8, asked together
	if n := p.count("không còn hiệu lực"); n != 0 {
		t.Errorf("the answer was taken for a stale button %d times", n)
	}
	p.tap(q, "✅ Không có điều nào")
	q = p.expect("Bạn xem lại")

	// Confirming the answers at the review registers: the result, then the
	// confirmation, which is held.
	proc = killDuringReply(t, api, p, proc, env, 2, func() { p.tap(q, "✅ Xác nhận") })
	expectOnce(t, p, "Đã xác nhận")
	if n := p.count("có thể hiến máu vào ngày"); n != 1 {
		t.Errorf("the screening result arrived %d times, want once", n)
	}
	api.WaitUntil(t, "calendar file", func() bool {
		for _, m := range api.Messages(id) {
			if m.Document != nil && strings.HasSuffix(m.Document.Name, ".ics") {
				return true
			}
		}
		return false
	})
	var regs int
	if err := store.DB().Get(&regs, `SELECT count(*) FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1 AND r.drive_id = $2 AND r.status = 'confirmed'`, id, d.ID); err != nil {
		t.Fatal(err)
	}
	if regs != 1 {
		t.Errorf("%d confirmed registrations, want 1", regs)
	}
	p.send("/mydrives")
	p.expect("Ngày hội Sau sự cố")
	proc.kill(t)
	docs := 0
	for _, m := range api.Messages(id) {
		if m.Document != nil {
			docs++
		}
	}
	if docs != 1 {
		t.Errorf("%d calendar files, want 1", docs)
	}
}

func saigon(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
