package handlers_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestFlowEngine walks the engine's promises through the smallest flow,
// "on call until a day" of /available, in both languages: Cancel on the
// step, a wrong answer explained and asked again, free text after the flow
// ended, a button of a finished step called stale, and a record left by an
// earlier release restarted with an explanation instead of a crash.
func TestFlowEngine(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		lang                                         string
		shown, until, cancel, asked, bad, saved, old string
	}{
		{"vi", "Bạn đang tạm nghỉ", "📅 Sẵn sàng đến ngày…", "✖️ Hủy", "đến hết ngày nào", "Ngày chưa đúng", "Đã lưu", "Bot vừa được cập nhật"},
		{"en", "You are off call", "📅 On call until…", "✖️ Cancel", "Until which day", "That date is not right", "Saved.", "The bot was updated"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(context.Background(), id, tc.lang); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/available")
			p.Expect(tc.shown)
			p.Tap(tc.until)
			// Its example date is ahead of the clock, never a fixed one.
			asked := p.Expect(tc.asked, calendarDay(t, b.Now()).AddDate(0, 0, 14).Format("02/01/2006"))
			if !asked.HasButtonText(tc.cancel) {
				t.Fatalf("the question has no %q button: %v", tc.cancel, asked.Buttons())
			}
			p.Tap(tc.cancel)
			p.Expect(tc.shown) // back at /available, nothing saved
			if a, err := b.Store.Availability(context.Background(), id); err != nil || !a.Until.IsZero() {
				t.Fatalf("after cancel: %+v, %v", a, err)
			}
			kb := asked.InlineKeyboard
			p.TapStale(asked.ID, kb[len(kb)-1][len(kb[len(kb)-1])-1].CallbackData)

			p.Tap(tc.until)
			p.Expect(tc.asked)
			p.Send("31/02/2026")
			p.Expect(tc.bad)
			if again := p.Expect(tc.asked); !again.HasButtonText(tc.cancel) { // asked again, with its buttons
				t.Fatalf("asked again without %q: %v", tc.cancel, again.Buttons())
			}
			until := b.Now().AddDate(0, 0, 7)
			p.Send(until.Format("2/1/2006"))
			p.Expect(tc.saved, shownDate(t, tc.lang, until))
			a, err := b.Store.Availability(context.Background(), id)
			if err != nil || !a.OnCall || a.Until.Format("2006-01-02") != until.Format("2006-01-02") {
				t.Fatalf("availability = %+v, %v; want on call until %s", a, err, until.Format("2006-01-02"))
			}

			// A record of the layout before the engine, as a release before
			// it left in Redis: restarted, not misread.
			raw, _ := json.Marshal(storage.Conversation{Flow: "available", Step: "", Data: map[string]string{"_edit": "1"}})
			key := b.Cfg.RedisPrefix + "user:" + itoa(id) + ":conv"
			if err := b.Redis.Set(context.Background(), key, raw, 0).Err(); err != nil {
				t.Fatal(err)
			}
			p.Send("31/12/2026")
			p.Expect(tc.old)
			if inConversation(t, b, id) {
				t.Errorf("old record still there")
			}
		})
	}
}

// inConversation reports whether the user has a conversation, as the bot
// reads it (an ended one leaves a marker in Redis, which is not one).
func inConversation(t *testing.T, b *bottest.Bot, userID int64) bool {
	t.Helper()
	_, ok, err := storage.NewState(b.Redis, b.Cfg.RedisPrefix, time.Hour).Conversation(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
