package handlers_test

import (
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestCheckinFindsNamesWithoutAccents: at the desk an organizer types a
// donor's name as a phone keyboard without Vietnamese gives it, in any
// case and order, or the phone as people say it, and finds them.
func TestCheckinFindsNamesWithoutAccents(t *testing.T) {
	ids := testenv.TelegramIDs(4)
	orgID, lanID, ducID, hongID := ids[0], ids[1], ids[2], ids[3]
	b := bottest.Start(t, bottest.Admins(orgID))
	d, slots := publishedDrive(t, b, "Ngày hội Tìm tên", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: lanID, name: "Nguyễn Thị Lan", phone: "+84901234567"})
	seedDonor(t, b, seededDonor{id: ducID, name: "Trần Văn Đức", phone: "+84912000555"})
	seedDonor(t, b, seededDonor{id: hongID, name: "Lê Thị Hồng", phone: "+84387000111"})
	for _, id := range []int64{lanID, ducID, hongID} {
		registerScreened(t, b, id, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 350)
	}
	b.Clock.Advance(48*time.Hour + 5*time.Minute) // the desk is open
	org := b.Phone(orgID, "vi")
	org.Send("/checkin " + d.Code)
	org.Expect("Điểm danh «Ngày hội Tìm tên»")
	org.Send("nguyen thi lan")
	org.Expect("Đã điểm danh: Nguyễn Thị Lan (0901 234 567)")
	org.Send("DUC tran")
	org.Expect("Đã điểm danh: Trần Văn Đức (0912 000 555)")
	org.Send("387 000 111")
	org.Expect("Đã điểm danh: Lê Thị Hồng (0387 000 111)")
	org.Send("nguyen thi hong")
	org.Expect("Không tìm thấy người đăng ký nào khớp với «nguyen thi hong»")
}
