package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// newDriveTexts are what an organizer reads and taps in /newdrive.
type newDriveTexts struct {
	lang, step, back, cancel, skip, numberErr, pastErr, review, publish, published,
	changeVenue, askVenue, changeTarget, noAudience, discarded, old string
}

var newDriveLangs = []newDriveTexts{
	{"vi", "Bước %d/12", "⬅️ Quay lại", "✖️ Hủy", "Bỏ qua", "số nguyên dương", "Ngày giờ này đã qua", "Xem trước", "📣 Đăng và thông báo",
		"Đã đăng ngày hội", "✏️ Địa điểm", "Địa điểm (địa chỉ)", "✏️ Chỉ tiêu", "Chưa có người hiến máu nào",
		"Đã hủy bản nháp", "Bot vừa được cập nhật"},
	{"en", "Step %d/12", "⬅️ Back", "✖️ Cancel", "Skip", "positive whole number", "have passed", "Preview", "📣 Publish and announce",
		"The drive is published", "✏️ Venue", "Venue (address)", "✏️ Target", "There are no donors",
		"Draft discarded", "The bot was updated"},
}

// TestNewDriveFlow walks /newdrive on the conversation engine in both
// languages: Back to the step before, Skip of the optional wave, a wrong
// answer explained and asked again, the review (the drive's card) with one
// answer changed and one change abandoned with Back, Publish; then Cancel,
// which stores nothing, and a draft left by a release before the engine,
// restarted with an explanation.
func TestNewDriveFlow(t *testing.T) {
	b := bottest.Start(t)
	now := b.Now
	ctx := context.Background()
	for _, tc := range newDriveLangs {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			unit, err := b.Store.CreateUnit(ctx, "unit", fmt.Sprintf("Trường THPT Luồng %d", id), fmt.Sprintf("luong%d", id))
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Store.GrantRole(ctx, id, storage.RoleOrganizer, unit.ID, 0); err != nil {
				t.Fatal(err)
			}
			step := func(n int) string { return fmt.Sprintf(tc.step, n) }
			org := b.Phone(id, tc.lang)
			title := fmt.Sprintf("Ngày hội luồng %d", id)

			org.Send("/newdrive")
			if first := org.Expect(step(1)); first.HasButtonText(tc.back) || !first.HasButtonText(tc.cancel) {
				t.Fatalf("step 1 buttons: %v", first.Buttons())
			}
			org.Send("Tên gõ nhầm")
			wave := org.Expect(step(2))
			for _, label := range []string{tc.back, tc.skip, tc.cancel} {
				if !wave.HasButtonText(label) {
					t.Fatalf("step 2 has no %q: %v", label, wave.Buttons())
				}
			}
			org.Tap(tc.back)
			org.Expect(step(1))
			org.Send(title)
			org.Expect(step(2))
			org.Tap(tc.skip)
			org.Expect(step(4))
			org.Send("Đoàn trường")
			org.Send(now().AddDate(0, 0, 10).Format("02/01/2006"))
			org.Expect(step(6))
			org.Send("07:30-09:30")
			org.Expect(step(7))
			org.Send("ba mươi")
			org.Expect(tc.numberErr)
			org.Expect(step(7))
			org.Send("30")
			org.Expect(step(8))
			org.Send("10")
			org.Send("Hội trường tầng 1")
			org.Send("Bệnh viện Bạch Mai")
			org.Send("40")
			org.Expect(step(12))
			org.Tap(unit.Name)
			review := org.Expect(tc.review, title, "Hội trường tầng 1", unit.Name)
			for _, label := range []string{tc.publish, tc.changeVenue, tc.changeTarget, tc.back, tc.cancel} {
				if !review.HasButtonText(label) {
					t.Fatalf("the review has no %q: %v", label, review.Buttons())
				}
			}
			if strings.Contains(review.Text, "• ") {
				t.Errorf("the review lists the answers under the card: %q", review.Text)
			}

			org.Tap(tc.changeVenue)
			org.Expect(step(9), tc.askVenue)
			org.Send("Nhà văn hóa phường")
			org.Expect(tc.review, "Nhà văn hóa phường")
			org.Tap(tc.changeTarget)
			org.Expect(step(11))
			org.Tap(tc.back) // keeps the target: back at the review
			org.Expect(tc.review, "Nhà văn hóa phường", "40")
			org.Tap(tc.back) // from the review, to the last question
			org.Expect(step(12))
			org.Tap(unit.Name)
			org.Expect(tc.review)
			// The review waited past the drive's day: Publish checks again
			// and asks for a new date, then comes back to the review.
			b.Clock.Advance(11 * 24 * time.Hour)
			org.Tap(tc.publish)
			org.Expect(tc.pastErr)
			org.Expect(step(5))
			org.Send(now().AddDate(0, 0, 3).Format("02/01/2006"))
			org.Expect(tc.review)
			org.Tap(tc.publish)
			org.Expect(tc.published)
			org.Expect(tc.noAudience)
			var got struct {
				Venue    string
				Wave     string
				Target   int   `db:"target_units"`
				Audience int64 `db:"audience_unit_id"`
			}
			if err := b.Store.DB().Get(&got, `SELECT venue, wave, target_units, audience_unit_id FROM drives WHERE created_by = $1`, id); err != nil {
				t.Fatal(err)
			}
			if got.Venue != "Nhà văn hóa phường" || got.Wave != "" || got.Target != 40 || got.Audience != unit.ID {
				t.Errorf("published %+v, want the changed venue, no wave, target 40, unit %d", got, unit.ID)
			}

			org.Send("/newdrive")
			org.Expect(step(1))
			org.Send("Bản nháp bỏ đi")
			org.Expect(step(2))
			org.Tap(tc.cancel)
			org.Expect(tc.discarded)
			var n int
			if err := b.Store.DB().Get(&n, `SELECT count(*) FROM drives WHERE created_by = $1`, id); err != nil || n != 1 {
				t.Errorf("%d drives after a cancelled draft (%v), want the one published", n, err)
			}

			// A draft as a release before the engine left it in Redis.
			raw, _ := json.Marshal(storage.Conversation{Flow: "newdrive", Step: "venue",
				Data: map[string]string{"title": "Cũ", "_edit": "1"}})
			key := b.Cfg.RedisPrefix + "user:" + itoa(id) + ":conv"
			if err := b.Redis.Set(ctx, key, raw, 0).Err(); err != nil {
				t.Fatal(err)
			}
			org.Send("Hội trường A")
			org.Expect(tc.old)
			org.Expect(step(1))
		})
	}
}

// TestFlowGuardStopsRevokedOrganizer: the organizer role is checked at
// every answer of /newdrive, not only at the command. An organizer whose
// role is revoked mid-draft is refused at their next answer, which is not
// taken, and a Publish tapped after the revocation creates nothing.
func TestFlowGuardStopsRevokedOrganizer(t *testing.T) {
	b := bottest.Start(t)
	now := b.Now()
	ctx := context.Background()
	id := testenv.TelegramID()
	grant := func() {
		t.Helper()
		if err := b.Store.GrantRole(ctx, id, storage.RoleOrganizer, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	revoke := func() {
		t.Helper()
		if held, err := b.Store.RevokeRole(ctx, id, storage.RoleOrganizer); err != nil || !held {
			t.Fatalf("revoke: %v, %v", held, err)
		}
	}
	grant()
	org := b.Phone(id, "vi")
	org.Send("/newdrive")
	org.Expect("Bước 1/12")
	org.Send("Ngày hội bị thu hồi")
	org.Expect("Bước 2/12")
	revoke()
	org.Send("Hành trình đỏ")
	org.Expect("Lệnh này chỉ dành cho ban tổ chức.")
	grant()
	org.Tap("Bỏ qua") // the refused answer was not taken: still the campaign
	org.Expect("Bước 4/12")
	for _, answer := range []string{"Công đoàn", now.AddDate(0, 0, 5).Format("02/01/2006"), "08:00-10:00",
		"30", "5", "Hội trường", "Bệnh viện 108", "20"} {
		org.Send(answer)
	}
	org.Expect("Bước 12/12")
	org.Tap("Tất cả người hiến máu")
	org.Expect("Xem trước", "Ngày hội bị thu hồi")
	revoke()
	tap := org.Tap("📣 Đăng và thông báo")
	org.Settle()
	if ans, ok := b.API.CallbackAnswer(tap); !ok || ans.Text != "Lệnh này chỉ dành cho ban tổ chức." {
		t.Errorf("Publish after the revocation answered %+v, want the organizer-only refusal", ans)
	}
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM drives WHERE created_by = $1`, id); err != nil || n != 0 {
		t.Errorf("%d drives created after the role was revoked (%v)", n, err)
	}
}
