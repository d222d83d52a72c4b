package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestRegistrationAcrossLocalMidnight: a donor who registers for a 08:00
// drive at 23:30 the evening before and one who registers at 00:05 on the
// day get the same answers. The drive lies in the past by the wall clock:
// only the bot's clock (and so every rule, SQL included) says it is open.
func TestRegistrationAcrossLocalMidnight(t *testing.T) {
	l := loc(t)
	start := time.Date(2026, time.March, 10, 8, 0, 0, 0, l)
	var transcripts [][]string
	for _, at := range []time.Time{
		time.Date(2026, time.March, 9, 23, 30, 0, 0, l),
		time.Date(2026, time.March, 10, 0, 5, 0, 0, l),
	} {
		t.Run(at.Format("15:04"), func(t *testing.T) {
			transcripts = append(transcripts, registerAt(t, at, start))
		})
	}
	if len(transcripts) == 2 && !slices.Equal(transcripts[0], transcripts[1]) {
		t.Errorf("answers at 23:30 and at 00:05 differ:\n%q\n%q", transcripts[0], transcripts[1])
	}
}

// registerAt plays a donor who onboards and registers, screened eligible,
// for the first slot of a drive starting at start, on a clock standing at
// at; it returns what the bot answered from /drives on, drive code masked.
func registerAt(t *testing.T, at, start time.Time) []string {
	clock := clockAt(at)
	b := bottest.Start(t, bottest.Clock(clock.Now),
		bottest.Config(func(c *bot.Config) { c.ReminderInterval = time.Hour }))
	ctx := context.Background()
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	const title = "Ngày hội Nửa đêm"
	d, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: title, Wave: "Đợt 1", Organizer: "Đoàn phường Bến Thành", Hospital: "Bệnh viện Chợ Rẫy",
		Venue: "201B Nguyễn Chí Thanh, quận 5", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 10,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	p := b.Phone(testenv.TelegramID(), "vi")
	onboard(t, b, p, "Lý Thị Hoa")
	p.Expect("Cảm ơn")
	from := len(p.Messages())
	p.Send("/drives")
	p.Expect(title, "Còn 10 chỗ")
	p.Tap("Đăng ký: " + title)
	p.Expect("Chọn khung giờ")
	p.TapPrefix("08:00–")
	answerScreening(t, b, p, "")
	p.Expect("Đã xác nhận")
	p.Send("/mydrives")
	m := p.Expect(title)
	if len(m.InlineKeyboard) == 0 {
		t.Errorf("/mydrives shows the coming drive without buttons: %q", m.Text)
	}
	p.Settle()
	var texts []string
	for _, m := range p.Messages()[from:] {
		texts = append(texts, strings.ReplaceAll(m.Text, d.Code, "<code>"))
	}
	return texts
}
