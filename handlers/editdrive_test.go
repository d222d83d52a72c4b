package handlers_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestEditDriveFlow walks /editdrive on the conversation engine in both
// languages: a field chosen, Back to the choice, a wrong value and a value
// the drive's rules refuse, each explained and asked again, the change
// applied; then Cancel, which changes nothing, and a record left by a
// release before the engine, restarted with an explanation.
func TestEditDriveFlow(t *testing.T) {
	b := bottest.Start(t)
	now := b.Now()
	ctx := context.Background()
	for _, tc := range []struct {
		lang, choose, venue, askVenue, target, askTarget, numberErr, targetErr, done,
		window, back, cancel, cancelled, old string
	}{
		{"vi", "Sửa mục nào?", "Địa điểm", "Địa điểm (địa chỉ)", "Chỉ tiêu", "Chỉ tiêu bao nhiêu",
			"số nguyên dương", "Chỉ tiêu phải từ 1 đến 10000", "Đã cập nhật ngày hội", "Giờ",
			"⬅️ Quay lại", "✖️ Hủy", "Đã hủy, chưa có gì được lưu", "Bot vừa được cập nhật"},
		{"en", "What do you want to change?", "Venue", "Venue (address)", "Target", "Target in blood units",
			"positive whole number", "The target must be 1 to 10000", "The drive is updated", "Time",
			"⬅️ Back", "✖️ Cancel", "Cancelled; nothing was saved", "The bot was updated"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			if err := b.Store.GrantRole(ctx, id, storage.RoleOrganizer, 0, 0); err != nil {
				t.Fatal(err)
			}
			start := now.Add(72 * time.Hour)
			d, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{
				Title: "Ngày hội sửa " + itoa(id), Organizer: "Công đoàn", Hospital: "Bệnh viện 108",
				Venue: "Hội trường cũ", Start: start, End: start.Add(time.Hour),
				SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 20,
			}, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
				t.Fatal(err)
			}
			org := b.Phone(id, tc.lang)

			org.Send("/editdrive " + d.Code)
			choose := org.Expect(tc.choose, d.Title)
			if !choose.HasButtonText(tc.venue) || !choose.HasButtonText(tc.cancel) || choose.HasButtonText(tc.back) {
				t.Fatalf("the field choice shows %v", choose.Buttons())
			}
			org.Tap(tc.venue)
			if ask := org.Expect(tc.askVenue); !ask.HasButtonText(tc.back) || !ask.HasButtonText(tc.cancel) {
				t.Fatalf("the venue question shows %v", ask.Buttons())
			}
			org.Tap(tc.back)
			org.Expect(tc.choose)
			org.Tap(tc.target)
			org.Expect(tc.askTarget)
			org.Send("nhiều")
			org.Expect(tc.numberErr)
			org.Expect(tc.askTarget)
			org.Send("20000")
			org.Expect(tc.targetErr)
			org.Expect(tc.askTarget)
			org.Send("60")
			org.Expect(tc.done)
			got, err := b.Store.Drive(ctx, d.ID)
			if err != nil || got.TargetUnits != 60 || got.Venue != "Hội trường cũ" {
				t.Fatalf("after the edit: target %d, venue %q, %v; want 60 and the venue kept", got.TargetUnits, got.Venue, err)
			}

			org.Send("/editdrive " + d.Code)
			org.Expect(tc.choose)
			org.Tap(tc.window)
			org.Expect("07:30-11:30")
			org.Tap(tc.cancel)
			org.Expect(tc.cancelled)
			org.Send("09:00-10:00") // no longer an answer to anything
			org.Settle()
			if got, err := b.Store.Drive(ctx, d.ID); err != nil || !got.Start.Equal(start) {
				t.Fatalf("a cancelled edit moved the drive to %s (%v)", got.Start, err)
			}

			// An edit as a release before the engine left it in Redis.
			raw, _ := json.Marshal(storage.Conversation{Flow: "editdrive", Step: "venue",
				Data: map[string]string{"drive": itoa(d.ID)}})
			key := b.Cfg.RedisPrefix + "user:" + itoa(id) + ":conv"
			if err := b.Redis.Set(ctx, key, raw, 0).Err(); err != nil {
				t.Fatal(err)
			}
			org.Send("Hội trường mới")
			org.Expect(tc.old)
			org.Settle()
			if got, err := b.Store.Drive(ctx, d.ID); err != nil || got.Venue != "Hội trường cũ" {
				t.Errorf("an old record changed the venue to %q (%v)", got.Venue, err)
			}
		})
	}
}
