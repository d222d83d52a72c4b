package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"

	"donorbot/handlers"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestNewDriveAnnouncePublish: an organizer creates a drive step by step,
// every bad answer is explained and asked again, the preview is published,
// and donors receive the announcement with a working Register button.
func TestNewDriveAnnouncePublish(t *testing.T) {
	adminID, orgID := testenv.TelegramID(), testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	donor := b.NewPhone("vi")
	onboard(t, b, donor, "Lương Văn Can")
	donor.Expect("Cảm ơn")
	english := b.NewPhone("en")
	english.Send("/start")
	english.Tap("✅ I agree")
	english.Send("Mary Nguyen")
	english.Expect("Step 2/7")
	english.Send("0912333444")
	english.Tap("Female")
	english.Send("03/03/1993")
	english.Send("50")
	english.Tap("O-")
	b.API.WaitUntil(t, "english donor onboarded", func() bool {
		for _, m := range english.Messages() {
			if strings.Contains(m.Text, "Step 7/7") {
				english.Tap("Skip")
				return true
			}
			if strings.Contains(m.Text, "Thank you") {
				return true
			}
		}
		return false
	})
	english.Expect("Thank you")

	admin := b.Phone(adminID, "vi")
	admin.Send("/grant " + itoa(orgID) + " organizer")
	admin.Tap("✅ Có")
	admin.Expect("Đã giao quyền ban tổ chức cho id Telegram " + itoa(orgID))
	org := b.Phone(orgID, "vi")

	org.Send("/newdrive")
	org.Expect("Bước 1/12", "Tên ngày hội")
	org.Send("Ngày hội hiến máu KCN Thăng Long")
	org.Expect("Bước 2/12")
	org.Tap("Bỏ qua")
	org.Expect("Bước 4/12")
	org.Send("Công đoàn KCN Thăng Long")
	org.Expect("Bước 5/12")
	org.Send("32/13/2026")
	org.Expect("Ngày chưa đúng")
	day := b.Now().AddDate(0, 0, 10).Format("02/01/2006")
	org.Send(day)
	org.Expect("Bước 6/12")
	org.Send("sáng")
	org.Expect("Thời gian chưa đúng")
	org.Send("11:30-07:30")
	org.Expect("Bước 7/12")
	org.Send("30")
	org.Send("0")
	org.Expect("số nguyên dương")
	org.Send("20")
	org.Expect("Bước 9/12")
	org.Send("Nhà văn hóa KCN Thăng Long, Đông Anh, Hà Nội")
	org.Send("Bệnh viện 19-8")
	org.Send("120")
	org.Expect("Bước 12/12", "Thông báo cho ai")
	org.Send("mọi người") // text where a button is expected
	org.Expect("chọn bằng các nút")
	org.Tap("Tất cả người hiến máu")
	// The whole draft is checked at the preview: end before start goes back to step 5.
	org.Expect("Giờ kết thúc phải sau giờ bắt đầu")
	org.Expect("Bước 6/12")
	org.Send("07:30-11:30")
	org.Expect("Xem trước", "KCN Thăng Long", "8 khung giờ", "Chỉ tiêu 120")

	b.Restart() // a draft survives a restart
	org.Tap("📣 Đăng và thông báo")
	pub := org.Expect("Đã đăng ngày hội", "t.me/donorbot_test_bot?start=d_")
	code := strings.Fields(strings.SplitN(pub.Text, "Mã: ", 2)[1])[0]

	ann := donor.Expect("Ngày hội hiến máu tình nguyện mới", "KCN Thăng Long", "Bệnh viện 19-8")
	english.Expect("A new voluntary blood donation drive", "KCN Thăng Long")
	if !ann.HasButtonText("Đăng ký hiến máu") {
		t.Fatalf("announcement lacks the Register button: %v", ann.Buttons())
	}
	org.Expect("Đã gửi xong")
	donor.TapIn(ann.ID, "Đăng ký hiến máu")
	donor.Expect("Chọn khung giờ", "07:30")

	// The poster, from the button of the published drive and from /qr.
	posters := func() int {
		n := 0
		for _, m := range org.Messages() {
			if m.Document != nil && m.Document.Name == "ap-phich-"+code+".png" {
				if img, err := png.Decode(bytes.NewReader(m.Document.Data)); err == nil && img.Bounds().Dx() > 100 {
					n++
				}
			}
		}
		return n
	}
	org.TapIn(pub.ID, "🖼 Áp phích mã QR")
	b.API.WaitUntil(t, "QR poster", func() bool { return posters() == 1 })
	org.Send("/qr " + code)
	b.API.WaitUntil(t, "QR poster", func() bool { return posters() == 2 })
	org.Send("/qr")
	org.Expect("Chọn ngày hội cho /qr") // a picker of their drives, not the usage line
}

func TestNewDriveRefusesBadNumbersAndDates(t *testing.T) {
	orgID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(orgID))
	org := b.Phone(orgID, "en")
	org.Send("/newdrive")
	org.Send("Drive")
	org.Tap("Skip")
	org.Send("Unit")
	// A date is bounded at once: not past, at most two years ahead.
	org.Expect("Step 5/12")
	org.Send(b.Now().AddDate(0, 0, -1).Format("02/01/2006"))
	org.Expect("That date and time have passed")
	org.Expect("Step 5/12")
	org.Send(b.Now().AddDate(2, 0, 2).Format("02/01/2006"))
	org.Expect("too far ahead")
	org.Expect("Step 5/12")
	org.Send("01/01/2226") // a typo of the year
	org.Expect("too far ahead")
	org.Expect("Step 5/12")
	org.Send(b.Now().AddDate(0, 0, 3).Format("02/01/2006"))
	org.Send("07:00-09:00")
	org.Send("5") // slot of 5 minutes
	org.Send("5000")
	org.Send("Venue")
	org.Send("Hospital")
	org.Send("10")
	org.Tap("All donors")
	org.Expect("at least 10 minutes")
	org.Expect("Step 7/12")
	org.Send("30")
	org.Expect("1 to 1000 donors")
	org.Send("25")
	org.Expect("Preview", "4 time slots")
	org.Tap("✖️ Cancel")
	org.Expect("Draft discarded")
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM drives WHERE title = 'Drive'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a discarded draft was stored")
	}
}

// donorActions are the button actions open to every donor; every other
// action in the routes must refuse a donor.
// urg answers only the tapper's own alert (see TestUrgentRights), cinv only
// the tapper's own invitation (see TestOwnershipMatrix); rnx runs a command
// offered under the news of a role, which checks the role itself.
var donorActions = []string{"consent", "edit", "forget", "lang", "drv", "drvpg", "remind", "rchk", "rmd", "avail", "urg", "cinv", "fl", "hist", "home", "rcl", "set", "rnx", "dinv"}

// TestOrganizerCommandsRefuseDonors walks the whole routed surface as a
// plain donor: every command outside the donor menu and every button action
// outside donorActions must be refused with the role's message, so a new
// organizer or admin route cannot slip through unguarded.
func TestOrganizerCommandsRefuseDonors(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	commands, callbacks := b.Handlers().Surface()
	refusals := []string{"Lệnh này chỉ dành cho quản trị viên.", "Lệnh này chỉ dành cho ban tổ chức.",
		"Lệnh này chỉ dành cho quản lý câu lạc bộ Ngân hàng máu sống."}
	walked := 0
	for _, name := range commands {
		if slices.Contains(handlers.DonorCommands(), name) {
			continue
		}
		walked++
		p.Send("/" + name + " " + itoa(p.User.ID) + " admin")
		m := p.Expect("chỉ dành cho")
		if !slices.Contains(refusals, m.Text) {
			t.Errorf("/%s as a donor: got %q", name, m.Text)
		}
	}
	for _, action := range callbacks {
		if slices.Contains(donorActions, action) {
			continue
		}
		walked++
		data := action + ":v1:1:1:1"
		id := p.TapStale(1, data)
		b.API.WaitUntil(t, "callback answered", func() bool { _, ok := b.API.CallbackAnswer(id); return ok })
		if ans, _ := b.API.CallbackAnswer(id); !slices.Contains(refusals, ans.Text) {
			t.Errorf("tap %s as a donor: got %q", data, ans.Text)
		}
	}
	if walked < 15 {
		t.Errorf("only %d organizer and admin routes walked", walked)
	}
	b.Settle()
	var roles int
	if err := b.Store.DB().Get(&roles, `SELECT count(*) FROM roles WHERE telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if roles != 0 {
		t.Error("a donor granted themselves a role")
	}
}

func TestGrantAndRevoke(t *testing.T) {
	adminID, orgID := testenv.TelegramID(), testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	admin := b.Phone(adminID, "vi")
	org := b.Phone(orgID, "vi")
	admin.Send("/grant abc organizer")
	admin.Expect("Chưa nhận ra người này.")
	admin.Send("/grant " + itoa(orgID) + " wizard")
	admin.Expect("Chưa nhận ra người này.")
	admin.Send("/grant " + itoa(orgID) + " organizer")
	admin.Tap("✅ Có")
	admin.Expect("Đã giao quyền ban tổ chức cho id Telegram " + itoa(orgID))
	org.Send("/newdrive")
	org.Expect("Bước 1/12")
	org.Send("/cancel")
	org.Expect("Đã hủy")
	admin.Send("/revoke " + itoa(orgID) + " organizer")
	admin.Tap("✅ Có")
	admin.Expect("Đã thu hồi quyền ban tổ chức của id Telegram " + itoa(orgID))
	admin.Send("/revoke " + itoa(orgID) + " organizer")
	admin.Expect("id Telegram " + itoa(orgID) + " (chưa đăng ký với bot) không giữ quyền nào để thu hồi.")
	org.Send("/newdrive")
	org.Expect("chỉ dành cho ban tổ chức")
}

// TestUnitOrganizerDrivesStayInUnit: an organizer of one unit is offered
// only their unit as a drive's audience, and a forged tap naming another
// unit is refused: their drive cannot reach, nor belong to, another unit.
func TestUnitOrganizerDrivesStayInUnit(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	mine, err := b.Store.CreateUnit(ctx, "unit", "Trường THPT Khán giả 6950", "khangia6950")
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Store.CreateUnit(ctx, "unit", "Trường THPT Người khác 6951", "nguoikhac6951")
	if err != nil {
		t.Fatal(err)
	}
	org := b.NewPhone("vi")
	if err := b.Store.GrantRole(ctx, org.User.ID, storage.RoleOrganizer, mine.ID, 0); err != nil {
		t.Fatal(err)
	}
	org.Send("/newdrive")
	org.Expect("Bước 1/12")
	org.Send("Ngày hội trường 6950")
	org.Tap("Bỏ qua") // no campaign, so no wave
	for _, answer := range []string{"Đoàn trường",
		b.Now().AddDate(0, 0, 10).Format("02/01/2006"), "07:30-09:30", "30", "10",
		"Hội trường tầng 1", "Bệnh viện Bạch Mai", "40"} {
		org.Send(answer)
	}
	ask := org.Expect("Bước 12/12", "Thông báo cho ai")
	if !ask.HasButtonText("Trường THPT Khán giả 6950") || ask.HasButtonText("Trường THPT Người khác 6951") {
		t.Errorf("audience offered to a unit's organizer: %v", ask.Buttons())
	}
	org.TapStale(ask.ID, fmt.Sprintf("fl:v1:newdrive:audience:a:%d", other.ID))
	org.Expect("Bạn không phụ trách đơn vị này")
	org.Expect("Bước 12/12", "Thông báo cho ai")
	org.Tap("Trường THPT Khán giả 6950")
	org.Expect("Xem trước", "Ngày hội trường 6950")
	org.Tap("📣 Đăng và thông báo")
	org.Expect("Đã đăng ngày hội")
	var audiences []int64
	if err := b.Store.DB().Select(&audiences, `SELECT audience_unit_id FROM drives WHERE created_by = $1`, org.User.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(audiences, []int64{mine.ID}) {
		t.Errorf("drives of the unit's organizer are for units %v, want [%d]", audiences, mine.ID)
	}
}
