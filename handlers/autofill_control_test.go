package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// autofillScene is a unit with no past drive nor invitation, and its drive
// in 20 days, before any checkpoint the screen offers (so the bot's own
// scheduler runs no wave while a test turns auto-fill on): target 100, two slots of 5 seats, 2 of its members
// registered. Of the unit's other members, 24 may donate on the drive's
// day and 3 gave blood 20 days ago (84 days must pass); 4 eligible donors
// belong to no unit. So, by the rules the dry run follows:
//   - expected donations: round(2 × 0.95) = 2 (the default show rate), gap 98
//     (the wave's, with its safety margin: 98 + ceil(1.2816 × sqrt(100 × 0.05)) = 101);
//   - free seats 8, so a wave closes at most 8 of the gap;
//   - at the default response rate of 10% that is 8 ÷ 0.10 = 80 invitees,
//     but a wave takes at most half of the 24 candidates: 12;
//   - 12 × 10% = 1.2, so 1 donation expected.
type autofillScene struct {
	b       *bottest.Bot
	d       drive.Drive
	slots   []drive.Slot
	unitID  int64
	orgs    []int64 // organizers of the unit
	other   int64   // an organizer of another unit
	members []int64 // the 24 eligible members not registered
	adminID int64
}

func newAutofillScene(t *testing.T) autofillScene {
	t.Helper()
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	sc := autofillScene{b: b, adminID: adminID, orgs: testenv.TelegramIDs(2), other: testenv.TelegramID()}
	key := strconv.FormatInt(testenv.TelegramID(), 36)
	unit, err := s.CreateUnit(ctx, "unit", "Khu công nghiệp Tự động "+key, "tudong"+key)
	if err != nil {
		t.Fatal(err)
	}
	otherUnit, err := s.CreateUnit(ctx, "unit", "Nhà máy Khác "+key, "khac"+key)
	if err != nil {
		t.Fatal(err)
	}
	sc.unitID = unit.ID
	for _, id := range sc.orgs {
		if err := s.GrantRole(ctx, id, storage.RoleOrganizer, unit.ID, adminID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.GrantRole(ctx, sc.other, storage.RoleOrganizer, otherUnit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	sc.d, sc.slots = publishedDrive(t, b, "Ngày hội Tự động mời "+key, 20*24*time.Hour, 5)
	if _, err := s.DB().Exec(`UPDATE drives SET audience_unit_id = $2 WHERE id = $1`, sc.d.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	sc.d.AudienceUnitID = unit.ID
	ids := testenv.TelegramIDs(24 + 2 + 3 + 4)
	for i, id := range ids {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến tự động %d", i), phone: fmt.Sprintf("+849140%05d", i)})
		if i < 29 {
			if err := s.JoinUnit(ctx, id, unit.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	sc.members = ids[:24]
	for _, id := range ids[24:26] {
		registerScreened(t, b, id, sc.slots[0].ID, `[]`, 350)
	}
	recent := b.Now().In(loc(t)).AddDate(0, 0, -20).Format("2006-01-02")
	if _, err := s.DB().Exec(`INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source)
		SELECT id, $2::date, 'whole_blood', 350, 'self_report' FROM donors WHERE telegram_id = ANY($1)`,
		int64s(ids[26:29]), recent); err != nil {
		t.Fatal(err)
	}
	return sc
}

// int64s is ids as a PostgreSQL bigint[] literal.
func int64s(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// addWave writes a row of the drive's wave log, as the scheduler's wave does.
func addWave(t *testing.T, b *bottest.Bot, driveID int64, checkpoint int, at time.Time, invited, skipped int, outcome string) {
	t.Helper()
	if _, err := b.Store.DB().Exec(`INSERT INTO invitation_waves (drive_id, checkpoint, started_at, target, registered,
			expected, gap, response_rate, candidates, planned, invited, skipped_cap, outcome)
		VALUES ($1, $2, $3, 100, 2, 2, 98, 0.1, 24, $4, $4, $5, $6)`,
		driveID, checkpoint, at, invited, skipped, outcome); err != nil {
		t.Fatal(err)
	}
}

// TestAutofillScreen: an organizer of the drive's unit opens auto-fill from
// /stats, reads the dry run (12 people, +1 donation: see autofillScene),
// turns it on, pauses it, picks other checkpoints and reads the wave log,
// in Vietnamese; the same screen in English.
func TestAutofillScreen(t *testing.T) {
	sc := newAutofillScene(t)
	waveAt := sc.b.Now().Add(-time.Hour)
	addWave(t, sc.b, sc.d.ID, 14, waveAt, 40, 3, "")
	addWave(t, sc.b, sc.d.ID, 10, waveAt.Add(time.Minute), 0, 0, "no_gap")
	day := datefmt.Day("vi", waveAt.In(loc(t)))

	vi := sc.b.Phone(sc.orgs[0], "vi")
	vi.Send("/stats " + sc.d.Code)
	vi.Expect("Dự kiến hiến")
	vi.TapEdits("🤖 Tự động mời thêm",
		"🤖 Tự động mời thêm — "+sc.d.Title, "Trạng thái: đang tắt", "Mốc mời: 10, 5, 2 ngày trước",
		"📈 Dự kiến hiến: 2 đơn vị (tỷ lệ mặc định 95%, chưa có ngày hội trước) — còn thiếu 98",
		"🔎 Nếu mời bây giờ: 12 người, dự kiến thêm 1 đơn vị",
		"• "+day+", mốc 14 ngày: mời 40 người, bỏ qua 3 người đã nhận đủ tin trong tháng",
		"• "+day+", mốc 10 ngày: không mời — đã đủ chỉ tiêu")
	vi.TapEdits("▶️ Bật tự động mời", "Trạng thái: đang bật")
	if a := autofillOf(t, sc); !a.On || a.Paused {
		t.Errorf("after turning it on: %+v", a)
	}
	vi.TapEdits("⏸ Tạm dừng", "Trạng thái: đang tạm dừng")
	if a := autofillOf(t, sc); !a.On || !a.Paused {
		t.Errorf("after pausing: %+v", a)
	}
	vi.TapEdits("📅 Đổi mốc mời", "Chọn các mốc gửi lời mời")
	vi.TapEdits("14·7·3", "Mốc mời: 14, 7, 3 ngày trước", "Trạng thái: đang tạm dừng")
	if a := autofillOf(t, sc); !slices.Equal(a.Checkpoints, []int{14, 7, 3}) {
		t.Errorf("checkpoints %v, want 14, 7, 3", a.Checkpoints)
	}
	vi.TapEdits("▶️ Tiếp tục", "Trạng thái: đang bật")

	// One more registration: the gap and the free seats shrink to 7, so
	// the wave wants 70, still capped at half of the 23 left: 12.
	registerScreened(t, sc.b, sc.members[0], sc.slots[1].ID, `[]`, 350)
	vi.TapEdits("🔄 Cập nhật", "còn thiếu 97", "🔎 Nếu mời bây giờ: 12 người, dự kiến thêm 1 đơn vị")

	en := sc.b.Phone(sc.orgs[1], "en")
	en.Send("/stats " + sc.d.Code)
	en.Expect("Expected donations")
	en.TapEdits("🤖 Auto-fill", "Status: on", "Checkpoints: 14, 7, 3 days before",
		"🔎 Would invite 12 people now, expected +1 donation",
		"• "+datefmt.Day("en", waveAt.In(loc(t)))+", 14 days before: invited 40 people, skipped 3 at the contact cap")
	en.TapEdits("⏹ Turn off", "Status: off")
	if a := autofillOf(t, sc); a.On {
		t.Errorf("after turning it off: %+v", a)
	}
}

// TestAutofillDryRunSaysWhyNobody: the dry run says why it would invite
// nobody: the target within reach, or nobody left.
func TestAutofillDryRunSaysWhyNobody(t *testing.T) {
	sc := newAutofillScene(t)
	if _, err := sc.b.Store.DB().Exec(`UPDATE donors SET invitations = false WHERE telegram_id = ANY($1)`,
		int64s(sc.members)); err != nil {
		t.Fatal(err)
	}
	en := sc.b.Phone(sc.orgs[1], "en")
	en.Send("/stats " + sc.d.Code)
	en.TapEdits("🤖 Auto-fill", "🔎 Would invite nobody now: nobody eligible is left to invite")
	// 2 donations expected meet a target of 1 and its margin of
	// ceil(1.2816 × sqrt(1 × 0.05)) = 1.
	if _, err := sc.b.Store.DB().Exec(`UPDATE drives SET target_units = 1 WHERE id = $1`, sc.d.ID); err != nil {
		t.Fatal(err)
	}
	en.TapEdits("🔄 Refresh", "🔎 Would invite nobody now: the target is within reach")
}

// TestAutofillScreenRefusesOthers: an organizer of another unit who forges
// the screen's buttons is refused and changes nothing; so is an organizer
// of the unit once their role is revoked.
func TestAutofillScreenRefusesOthers(t *testing.T) {
	sc := newAutofillScene(t)
	ctx := context.Background()
	other := sc.b.Phone(sc.other, "vi")
	for _, op := range []string{"show", "on", "cp:1", "cps", "ob:3"} {
		upd := other.TapStale(1, "afc:v1:"+strconv.FormatInt(sc.d.ID, 10)+":"+op)
		sc.b.Settle()
		if ans, ok := sc.b.API.CallbackAnswer(upd); !ok || ans.Text != "Bạn không phụ trách ngày hội này." {
			t.Errorf("afc %s by another unit's organizer: answer %+v", op, ans)
		}
	}
	if a := autofillOf(t, sc); a.On || !slices.Equal(a.Checkpoints, []int{10, 5, 2}) {
		t.Errorf("forged taps changed the setting: %+v", a)
	}
	if len(other.Messages()) != 0 {
		t.Errorf("another unit's organizer got %d messages", len(other.Messages()))
	}

	vi := sc.b.Phone(sc.orgs[0], "vi")
	vi.Send("/stats " + sc.d.Code)
	vi.TapEdits("🤖 Tự động mời thêm", "Trạng thái: đang tắt")
	if _, err := sc.b.Store.RevokeRole(ctx, sc.orgs[0], storage.RoleOrganizer); err != nil {
		t.Fatal(err)
	}
	upd := vi.Tap("▶️ Bật tự động mời")
	sc.b.Settle()
	if ans, ok := sc.b.API.CallbackAnswer(upd); !ok || ans.Text == "" {
		t.Errorf("tap after the role was revoked: answer %+v", ans)
	}
	if a := autofillOf(t, sc); a.On {
		t.Errorf("a revoked organizer turned auto-fill on: %+v", a)
	}
}

func autofillOf(t *testing.T, sc autofillScene) storage.Autofill {
	t.Helper()
	sc.b.Settle()
	a, err := sc.b.Store.AutofillOf(context.Background(), sc.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
