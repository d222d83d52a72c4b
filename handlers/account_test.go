package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestForgetDeletesEverything: /forget, after confirmation, leaves no donor
// row, no membership, no update payload and no Redis key of the user.
func TestForgetDeletesEverything(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	admin := b.Phone(adminID, "vi")
	admin.Send("/newunit unit Công an quận Ba Đình")
	admin.Expect("Đã tạo")

	p := b.NewPhone("vi")
	id := itoa(p.User.ID)
	onboard(t, b, p, "Bùi Quang Huy")
	p.Expect("Cảm ơn")
	p.Send("/profile")
	p.Expect("Hồ sơ của bạn")
	p.Tap("Đơn vị/CLB")
	p.Tap("Công an quận Ba Đình")
	b.Settle()
	db := b.Store.DB()
	var members int
	if err := db.Get(&members, `SELECT count(*) FROM unit_members m JOIN donors d ON d.id = m.donor_id WHERE d.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if members != 1 {
		t.Fatalf("got %d memberships before /forget, want 1", members)
	}
	if len(b.RedisKeys("user:"+id+":")) == 0 {
		t.Fatal("no Redis keys of the user before /forget: the test would prove nothing")
	}

	p.Send("/forget")
	p.Expect("Bạn có chắc")
	p.Tap("Không, giữ lại")
	p.Expect("vẫn được giữ nguyên")
	p.Send("/forget")
	p.Expect("Bạn có chắc")
	p.Tap("🗑 Xóa dữ liệu của tôi")
	p.Expect("Đã xóa toàn bộ dữ liệu")
	b.Settle()
	// The Redis keys go after the farewell went out (sending it takes a
	// reply-limit key of the chat); the erasure's row says when that ran.
	waitErased(t, b, p.User.ID)

	checks := map[string]string{
		"donor rows":      `SELECT count(*) FROM donors WHERE telegram_id = ` + id,
		"memberships":     `SELECT count(*) FROM unit_members WHERE donor_id NOT IN (SELECT id FROM donors)`,
		"linked updates":  `SELECT count(*) FROM updates WHERE user_id = ` + id + ` OR chat_id = ` + id,
		"update payloads": `SELECT count(*) FROM updates WHERE payload::text LIKE '%` + id + `%' OR payload::text LIKE '%Huy%'`,
	}
	for what, q := range checks {
		var n int
		if err := db.Get(&n, q); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("after /forget: %d %s remain", n, what)
		}
	}
	// Every key of the user, including the rate limiter's under "rate:".
	iter := b.Redis.Scan(context.Background(), 0, "*"+id+"*", 1000).Iterator()
	for iter.Next(context.Background()) {
		if strings.Contains(iter.Val(), b.Cfg.RedisPrefix) {
			t.Errorf("after /forget: Redis key %s remains", iter.Val())
		}
	}
	p.Send("/profile")
	p.Expect("chưa đồng ý")
}

func TestForgetWithoutData(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	p.Send("/forget")
	p.Expect("không lưu dữ liệu cá nhân nào")
}

func TestLanguageSwitch(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	p.Send("/lang")
	p.Expect("Choose your language")
	p.Tap("English")
	p.Expect("Switched to English")
	p.Send("/start") // before consent the choice lives in Redis
	p.Expect("Decree 13/2023")
	p.Tap("✅ I agree")
	p.Expect("Step 1/7")
	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Language != "en" {
		t.Errorf("got language %q, want en carried into the donor row", d.Language)
	}
	p.Send("/lang")
	p.Tap("Tiếng Việt")
	p.Expect("Đã chuyển sang tiếng Việt")
	p.Send("/help")
	p.Expect("Các lệnh")
}

func TestCancelPausesOnboardingAndStartResumes(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	p.Send("/cancel")
	p.Expect("Không có thao tác nào")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Send("Ngô Thanh Vân")
	p.Expect("Bước 2/7")
	p.Send("/cancel")
	p.Expect("Đã tạm dừng", "vẫn được lưu")
	if m := p.Expect("bấm nút"); !m.HasButtonText("▶️ Tiếp tục") {
		t.Fatalf("paused without a Continue button: %v", m.Buttons())
	}
	p.Send("0912 222 333") // no longer read as an answer
	p.Expect("chưa hiểu")
	p.Send("/start")
	p.Expect("Bước 2/7")
	p.Send("0912 222 333")
	p.Expect("0912 222 333")
}

func TestProfileEdit(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Trịnh Văn Sơn")
	p.Expect("Cảm ơn")
	p.Send("/profile")
	p.Expect("Cân nặng: 52.5 kg")
	p.Tap("Cân nặng")
	p.Expect("Cân nặng hiện tại")
	p.Send("0")
	p.Expect("từ 30 đến 200 kg")
	p.Send("58")
	p.Expect("Đã cập nhật")
	p.Expect("Cân nặng: 58 kg")
	p.Tap("Nhóm máu")
	p.Tap("AB-")
	p.Expect("Nhóm máu: AB-")
	p.Send("/cancel")
	p.Expect("Không có thao tác nào")
}

// TestAdminCommandsRefuseDonors walks every admin command as a plain donor.
func TestAdminCommandsRefuseDonors(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	p := b.NewPhone("vi")
	for _, cmd := range []string{"/donors", "/newunit club Hacker Club"} {
		p.Send(cmd)
		p.Expect("chỉ dành cho quản trị viên")
	}
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM units WHERE name = 'Hacker Club'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("a donor created a unit")
	}
	admin := b.Phone(adminID, "en")
	admin.Send("/donors")
	admin.Expect("Donors:")
	admin.Send("/newunit")
	admin.Expect("Usage: /newunit")
	admin.Send("/help")
	admin.Expect("Admin commands")
	p.Send("/help")
	m := p.Expect("Các lệnh")
	if strings.Contains(m.Text, "/donors") {
		t.Error("donor help lists admin commands")
	}
}

func TestBlockedAndBackAgain(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Đinh Công Lý")
	p.Expect("Cảm ơn")
	member := func(status string) map[string]any {
		user := map[string]any{"id": p.User.ID, "is_bot": false, "first_name": "L"}
		return map[string]any{"my_chat_member": map[string]any{
			"chat": map[string]any{"id": p.User.ID, "type": "private"}, "from": user, "date": 1,
			"old_chat_member": map[string]any{"status": "member", "user": map[string]any{"id": 1, "is_bot": true, "first_name": "bot"}},
			"new_chat_member": map[string]any{"status": status, "user": map[string]any{"id": 1, "is_bot": true, "first_name": "bot"}, "until_date": 0},
		}}
	}
	b.API.SendUpdate(member("kicked"))
	b.Settle()
	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.UnreachableAt.IsZero() {
		t.Fatal("blocking the bot did not mark the donor unreachable")
	}
	p.Send("/help") // writing again unblocks
	p.Expect("Các lệnh")
	if d, _ = b.Store.Donor(context.Background(), p.User.ID); !d.UnreachableAt.IsZero() {
		t.Error("donor still unreachable after writing to the bot")
	}
}

// waitErased waits until the user's pending erasure is cleared: Settle
// returns once the replies are marked sent, a moment before the erasure
// that follows them.
func waitErased(t *testing.T, b *bottest.Bot, telegramID int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := b.Store.DB().Get(&n, `SELECT count(*) FROM pending_erasures WHERE telegram_id = $1`, telegramID); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the erasure of the user's Redis keys did not run within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
