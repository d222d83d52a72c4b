package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"donorbot/datefmt"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// uniquePhone is a mobile number no other test's donor has: the test
// database is shared, and onboarding types the same number for everyone.
func uniquePhone(id int64) string { return fmt.Sprintf("+849%08d", id%100_000_000) }

// localOf writes uniquePhone as people read it ("0901 234 567").
func localOf(e164 string) string {
	n := "0" + strings.TrimPrefix(e164, "+84")
	return n[:4] + " " + n[4:7] + " " + n[7:]
}

// grantee onboards a donor through the chat, with a username their updates
// carry and a phone of their own.
func grantee(t *testing.T, b *bottest.Bot, lang, name string) *bottest.Phone {
	t.Helper()
	p := b.NewPhone(lang)
	p.User.Username = fmt.Sprintf("u%d", p.User.ID)
	onboardIn(t, b, p, name)
	if err := b.Store.SetDonorPhone(context.Background(), p.User.ID, uniquePhone(p.User.ID)); err != nil {
		t.Fatal(err)
	}
	return p
}

func holds(t *testing.T, b *bottest.Bot, id int64, role string) bool {
	t.Helper()
	b.Settle()
	ok, err := b.Store.HasRole(context.Background(), id, role)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestGrantByForwardUsernamePhone: an admin names the person by forwarding
// their message, by @username or by phone, sees their name, phone and
// units, confirms with Yes, and is answered with the person's name; the
// person is told in their language with a button to their first step.
// Revoking asks the same and tells them too.
func TestGrantByForwardUsernamePhone(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	admin := b.Phone(adminID, "vi")
	lan := grantee(t, b, "vi", "Nguyễn Thị Lan")
	club, err := b.Store.CreateUnit(ctx, "club", fmt.Sprintf("CLB Giọt hồng %d", lan.User.ID%100000), fmt.Sprintf("gh%d", lan.User.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.JoinUnit(ctx, lan.User.ID, club.ID); err != nil {
		t.Fatal(err)
	}

	// A forwarded message names Lan, even one without text.
	admin.Send("/grant")
	admin.Expect("Bạn muốn giao quyền cho ai?", "chuyển tiếp", "@", "0901 234 567")
	admin.ForwardVoice(lan)
	admin.Expect("Giao quyền gì cho Nguyễn Thị Lan?")
	admin.Tap("⬅️ Quay lại")
	admin.Expect("Bạn muốn giao quyền cho ai?")
	admin.Forward(lan, "Em gửi anh số điện thoại nhé")
	admin.Expect("Giao quyền gì cho Nguyễn Thị Lan?")
	admin.Tap("Ban tổ chức")
	admin.Expect("Giao quyền ban tổ chức cho người này?", "👤 Nguyễn Thị Lan", "📞 "+localOf(uniquePhone(lan.User.ID)), "🏢 "+club.Name)
	admin.Tap("✅ Có")
	admin.Expect("✅ Đã giao quyền ban tổ chức cho Nguyễn Thị Lan.")
	lan.Expect("Bạn vừa được giao quyền ban tổ chức")
	lan.Tap("➕ Tạo ngày hội hiến máu")
	lan.Expect("Bước 1/12")
	lan.Send("/cancel")
	lan.Expect("Đã hủy")

	// By @username (any case), a role already held is said so.
	admin.Send("/grant @" + strings.ToUpper(lan.User.Username) + " organizer")
	admin.Expect("Nguyễn Thị Lan đã có quyền ban tổ chức rồi.")
	admin.Expect("Giao quyền gì cho Nguyễn Thị Lan?")
	admin.Tap("✖️ Hủy")
	admin.Expect("Đã hủy")

	// By phone, in the way people write it, as a club admin; No changes nothing.
	admin.Send("/grant " + localOf(uniquePhone(lan.User.ID)) + " club_admin " + club.InviteCode)
	admin.Expect("Giao quyền quản trị câu lạc bộ "+club.Name+" cho người này?", "👤 Nguyễn Thị Lan")
	admin.Tap("Không")
	admin.Expect("Không thay đổi gì: quyền của Nguyễn Thị Lan vẫn như cũ.")
	if holds(t, b, lan.User.ID, storage.RoleClubAdmin) {
		t.Error("No granted the role")
	}
	admin.Send("/grant " + uniquePhone(lan.User.ID))
	admin.Tap("Quản trị câu lạc bộ")
	admin.Expect("Giao quản trị câu lạc bộ nào?")
	admin.Send(club.InviteCode)
	admin.Tap("✅ Có")
	admin.Expect("✅ Đã giao quyền quản trị câu lạc bộ " + club.Name + " cho Nguyễn Thị Lan.")
	lan.Expect("Bạn vừa được giao quyền quản trị câu lạc bộ " + club.Name)

	// /revoke: the same lookup, only the roles held, and Lan is told.
	admin.Send("/revoke @" + lan.User.Username)
	admin.Expect("Thu hồi quyền nào của Nguyễn Thị Lan?")
	admin.Tap("Ban tổ chức")
	admin.Expect("Thu hồi quyền ban tổ chức của người này?", "👤 Nguyễn Thị Lan")
	admin.Tap("✅ Có")
	admin.Expect("✅ Đã thu hồi quyền ban tổ chức của Nguyễn Thị Lan.")
	lan.Expect("Quyền ban tổ chức của bạn đã được thu hồi.")
	if holds(t, b, lan.User.ID, storage.RoleOrganizer) || !holds(t, b, lan.User.ID, storage.RoleClubAdmin) {
		t.Error("revoke took the wrong role")
	}
	lan.Send("/newdrive")
	lan.Expect("chỉ dành cho ban tổ chức")
}

// TestGrantRefusals: a hidden forward, an unknown username or phone, a
// phone two donors share, oneself, and a person with no role to revoke
// each get their own answer, and the question is asked again.
func TestGrantRefusals(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	admin := b.Phone(adminID, "vi")
	an := grantee(t, b, "vi", "Trần Văn An")
	binh := grantee(t, b, "vi", "Lê Thị Bình")
	if err := b.Store.SetDonorPhone(context.Background(), binh.User.ID, uniquePhone(an.User.ID)); err != nil {
		t.Fatal(err)
	}

	admin.Send("/grant")
	admin.Expect("Bạn muốn giao quyền cho ai?")
	admin.ForwardHidden("Chị Hoa", "chào anh")
	admin.Expect("ẩn tài khoản", "tên người dùng (@...)")
	admin.Expect("Bạn muốn giao quyền cho ai?")
	admin.Send("@khongai" + itoa(an.User.ID))
	admin.Expect("Chưa có ai đã đăng ký với bot mang tên người dùng @khongai" + itoa(an.User.ID))
	admin.Send("0399 999 999")
	admin.Expect("Chưa có người hiến máu nào đăng ký với số 0399 999 999.")
	admin.Send(uniquePhone(an.User.ID))
	admin.Expect("Có hơn một người đăng ký với số " + localOf(uniquePhone(an.User.ID)))
	admin.Send("Trần Văn An")
	admin.Expect("Chưa nhận ra người này.")
	admin.Send("024 3869 3731")
	admin.Expect("Số điện thoại chưa đúng")
	admin.Send(itoa(adminID))
	admin.Expect("Bạn không thể tự giao hay thu hồi quyền của chính mình.")
	admin.Tap("✖️ Hủy")
	admin.Expect("Đã hủy")

	admin.Send("/grant " + itoa(adminID) + " admin")
	admin.Expect("Bạn không thể tự giao hay thu hồi quyền của chính mình.")
	admin.Tap("✖️ Hủy")
	admin.Send("/revoke @" + an.User.Username)
	admin.Expect("Trần Văn An không giữ quyền nào để thu hồi.")
	admin.Tap("✖️ Hủy")
	admin.Send("/grant " + itoa(an.User.ID) + " organizer extra")
	admin.Expect("Cách dùng: /grant")

	// Someone who never started the bot is named by id, and said so.
	stranger := testenv.TelegramID()
	admin.Send("/grant " + itoa(stranger) + " organizer")
	admin.Expect("id Telegram " + itoa(stranger) + " (chưa đăng ký với bot)")
	admin.Tap("✅ Có")
	admin.Expect("✅ Đã giao quyền ban tổ chức cho id Telegram " + itoa(stranger) + " (chưa đăng ký với bot).")
	if !holds(t, b, stranger, storage.RoleOrganizer) || holds(t, b, an.User.ID, storage.RoleOrganizer) {
		t.Error("roles after the refusals")
	}
}

// TestGrantInEachLanguage: an English admin reads the person's card and
// the role in English, the Vietnamese grantee is told in Vietnamese, and an
// English grantee in English with English buttons.
func TestGrantInEachLanguage(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	admin := b.Phone(adminID, "en")
	admin.Send("/lang")
	admin.Tap("English")
	minh := grantee(t, b, "vi", "Phạm Văn Minh")
	mary := grantee(t, b, "en", "Mary Nguyen")

	admin.Send("/grant")
	admin.Expect("Who do you want to give a role to?", "forward here a message")
	admin.Forward(minh, "xin chào")
	admin.Expect("Which role for Phạm Văn Minh?")
	admin.Tap("Admin")
	admin.Expect("Make this person an admin?", "👤 Phạm Văn Minh", "📞 "+localOf(uniquePhone(minh.User.ID)))
	admin.Tap("✅ Yes")
	admin.Expect("✅ Phạm Văn Minh is now an admin.")
	minh.Expect("Bạn vừa được giao quyền quản trị viên.")
	minh.Tap("👥 Giao quyền cho người khác")
	minh.Expect("Bạn muốn giao quyền cho ai?")

	admin.Send("/grant @" + mary.User.Username + " organizer")
	admin.Expect("Make this person an organizer?", "👤 Mary Nguyen")
	admin.Tap("✅ Yes")
	admin.Expect("✅ Mary Nguyen is now an organizer.")
	mary.Expect("You are now an organizer.")
	mary.Tap("➕ Create a blood drive")
	mary.Expect("Step 1/12")

	admin.Send("/revoke " + localOf(uniquePhone(mary.User.ID)) + " organizer")
	admin.Expect("This person will no longer be an organizer. Confirm?", "👤 Mary Nguyen")
	admin.Tap("✅ Yes")
	admin.Expect("✅ Mary Nguyen is no longer an organizer.")
	mary.Expect("You are no longer an organizer.")
}

// TestAuditShowsNames: /audit names who exported a list by name and local
// phone, with the weekday of the date, in the admin's language; an
// exporter who never onboarded is shown by id, said so.
func TestAuditShowsNames(t *testing.T) {
	ids := testenv.TelegramIDs(4)
	adminID, englishAdminID, strangerID, donorID := ids[0], ids[1], ids[2], ids[3]
	b := bottest.Start(t, bottest.Admins(adminID, englishAdminID))
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Ngày hội Nhật ký tên", 72*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: donorID, name: "Đỗ Văn Hải", phone: uniquePhone(donorID)})
	registerScreened(t, b, donorID, slots[0].ID, "", 0)
	org := grantee(t, b, "vi", "Hoàng Thị Tổ")
	stranger := b.Phone(strangerID, "vi")
	for _, p := range []*bottest.Phone{org, stranger} {
		if err := b.Store.GrantRole(ctx, p.User.ID, storage.RoleOrganizer, 0, adminID); err != nil {
			t.Fatal(err)
		}
		before := lastID(p)
		p.Send("/export " + d.Code)
		p.Tap("Tất cả khung giờ")
		documents(t, b, p, 2, before)
	}
	b.Settle()
	// The date the audit recorded, as the admin reads it, with its weekday.
	var at time.Time
	if err := b.Store.DB().Get(&at, `SELECT max(created_at) FROM export_audit WHERE drive_id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	day := at.In(loc(t))

	admin := b.Phone(adminID, "vi")
	admin.Send("/audit")
	admin.Expect(datefmt.Day("vi", day),
		"Hoàng Thị Tổ ("+localOf(uniquePhone(org.User.ID))+") xuất «"+d.Code+"»: 1 dòng",
		"id Telegram "+itoa(strangerID)+" (chưa đăng ký với bot) xuất «"+d.Code+"»")

	english := b.Phone(englishAdminID, "en")
	english.Send("/lang")
	english.Tap("English")
	english.Send("/audit")
	english.Expect(datefmt.Day("en", day),
		"Hoàng Thị Tổ ("+localOf(uniquePhone(org.User.ID))+") exported “"+d.Code+"”: 1 row",
		"Telegram id "+itoa(strangerID)+" (not registered with the bot) exported")
}
