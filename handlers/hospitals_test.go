package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// The clubs of these tests are named "To …" ("Tổ"), after the units that
// onboarding tests look for on the first page of the unit question.

// placeTexts are what a club admin and a donor see of the hospital
// directory and local-first needs in one language.
type placeTexts struct {
	lang, send                    string
	filing                        string // /urgent at the Blood Institute, by its short name
	alert, mapWord, bring, before string
	widen                         string
}

var placeLangs = []placeTexts{{
	lang: "vi", send: "🆘 Gửi", filing: `/urgent O- 2 "viện huyết học" 18h hôm nay 0912345678`,
	alert: "CẦN MÁU KHẨN CẤP", mapWord: "🗺 Bản đồ: https://www.google.com/maps/search/?api=1&query=",
	bring: "Mang theo CCCD hoặc VNeID", before: "ăn nhẹ (đừng để bụng đói), ngủ đủ giấc, không uống rượu bia",
	widen: "➕ Mở rộng: các tỉnh/thành khác",
}, {
	lang: "en", send: "🆘 Send", filing: `/urgent O- 2 units "NIHBT" 6pm today 0912345678`,
	alert: "URGENT", mapWord: "🗺 Map: https://www.google.com/maps/search/?api=1&query=",
	bring: "Bring your citizen ID card (CCCD) or VNeID", before: "eat a light meal (don't come hungry), sleep well, no alcohol",
	widen: "➕ Widen: other provinces",
}}

// TestUrgentAlertShowsDirectoryHospital: a need filed with a directory
// hospital's short name, without diacritics, is stored with the
// hospital's id and name, and the donor's alert shows its address with
// the province, a map link, where to go in it, and what to bring and do
// before donating, in the donor's language.
func TestUrgentAlertShowsDirectoryHospital(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range placeLangs {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			adminID, donorID := testenv.TelegramID(), testenv.TelegramID()
			club := newClub(t, b, "To danh ba "+itoa(adminID), adminID)
			seed(t, b, donorSpec{id: donorID, group: profile.BloodONeg, clubID: club.ID, onCall: true})
			if err := b.Store.SetDonorLanguage(ctx, donorID, tc.lang); err != nil {
				t.Fatal(err)
			}
			admin, donor := b.Phone(adminID, tc.lang), b.Phone(donorID, tc.lang)
			admin.Send(tc.filing)
			review := admin.Expect("Viện Huyết học - Truyền máu Trung ương")
			admin.TapIn(review.ID, tc.send)
			alert := donor.Expect(tc.alert, "Viện Huyết học - Truyền máu Trung ương", "📍 14 Trần Thái Tông, Hà Nội",
				tc.mapWord, tc.bring, tc.before)
			if strings.Contains(alert.Text, "912345678") {
				t.Errorf("the alert shows the contact's phone:\n%s", alert.Text)
			}
			var hospitalID int64
			var province string
			if err := b.Store.DB().QueryRow(`SELECT n.hospital_id, n.province FROM needs n
				JOIN hospitals h ON h.id = n.hospital_id WHERE n.club_id = $1 AND h.name = $2`,
				club.ID, "Viện Huyết học - Truyền máu Trung ương").Scan(&hospitalID, &province); err != nil {
				t.Fatalf("need not linked to the directory: %v", err)
			}
			if province != "hn" {
				t.Errorf("need in province %q, want Hà Nội's", province)
			}
		})
	}
}

// TestUrgentProvinceFirst: a need at a Hà Nội hospital alerts the club's
// donors of Hà Nội first, then those who did not say where they live, and
// none in TP.HCM, until the admin widens it to other provinces; the
// button then goes.
func TestUrgentProvinceFirst(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range placeLangs {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			ids := testenv.TelegramIDs(4)
			adminID, hanoi, saigon, nowhere := ids[0], ids[1], ids[2], ids[3]
			club := newClub(t, b, "To tinh "+itoa(adminID), adminID)
			if err := b.Store.SetUnitProvince(ctx, club.ID, "hcm"); err != nil {
				t.Fatal(err)
			}
			seed(t, b, donorSpec{id: nowhere, group: profile.BloodONeg, clubID: club.ID, onCall: true},
				donorSpec{id: saigon, group: profile.BloodONeg, clubID: club.ID, onCall: true},
				donorSpec{id: hanoi, group: profile.BloodONeg, clubID: club.ID, onCall: true})
			for id, p := range map[int64]string{hanoi: "hn", saigon: "hcm"} {
				if err := b.Store.SetDonorProvince(ctx, id, p); err != nil {
					t.Fatal(err)
				}
			}
			admin := b.Phone(adminID, tc.lang)
			// The hospital's province (Hà Nội), not the club's, places the need.
			admin.Send(tc.filing)
			review := admin.Expect("Viện Huyết học - Truyền máu Trung ương")
			admin.TapIn(review.ID, tc.send)
			status := expectShown(t, admin, tc.widen)
			needID := needIDOf(t, status)
			drained(t, b)
			if got, want := alertOrder(t, b, needID), []int64{hanoi, nowhere}; !slices.Equal(got, want) {
				t.Fatalf("alerted %v, want %v: Hà Nội first, then who did not say", got, want)
			}
			if n := len(alerts(b, saigon)); n != 0 {
				t.Fatalf("a donor in TP.HCM got %d alerts before the need was widened", n)
			}
			admin.TapIn(status.ID, tc.widen)
			b.API.WaitUntil(t, "the need widened", func() bool { return len(alertOrder(t, b, needID)) == 3 })
			drained(t, b)
			if got, want := alertOrder(t, b, needID), []int64{hanoi, nowhere, saigon}; !slices.Equal(got, want) {
				t.Fatalf("widened to %v, want %v", got, want)
			}
			b.API.WaitUntil(t, "the status without "+tc.widen, func() bool {
				m, _ := b.API.Message(adminID, status.ID)
				return !m.HasButtonText(tc.widen) && m.HasButtonText(status.Buttons()[len(status.Buttons())-1][0])
			})
		})
	}
}

// TestUrgentEligibleOnDeadlineDay: eligibility is judged for the need's
// deadline day. A donor who gave whole blood 83 days ago may give again
// tomorrow (84 days, TT26 Điều 6): a need due today does not alert them,
// one due tomorrow does; one who gave 82 days ago is alerted for neither.
func TestUrgentEligibleOnDeadlineDay(t *testing.T) {
	clock := clockAtLocal(t, 10, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now))
	for _, tc := range []struct{ lang, send, today, tomorrow string }{
		{"vi", "🆘 Gửi", `/urgent AB- 1 "Bệnh viện Bạch Mai" 18h hôm nay 0912345678`, `/urgent AB- 1 "Bệnh viện Bạch Mai" 18h ngày mai 0912345678`},
		{"en", "🆘 Send", `/urgent AB- 1 unit "Bach Mai" 6pm today 0912345678`, `/urgent AB- 1 unit "Bach Mai" 6pm tomorrow 0912345678`},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ids := testenv.TelegramIDs(3)
			adminID, tomorrow, later := ids[0], ids[1], ids[2]
			club := newClub(t, b, "To han "+itoa(adminID), adminID)
			today := calendarDay(t, clock.Now())
			seed(t, b, donorSpec{id: tomorrow, group: profile.BloodABNeg, clubID: club.ID, onCall: true, donated: today.AddDate(0, 0, -83)},
				donorSpec{id: later, group: profile.BloodABNeg, clubID: club.ID, onCall: true, donated: today.AddDate(0, 0, -82)})
			admin := b.Phone(adminID, tc.lang)
			file := func(cmd string) int64 {
				t.Helper()
				admin.Send(cmd)
				review := admin.Expect("Bệnh viện Bạch Mai")
				admin.TapIn(review.ID, tc.send)
				status := admin.ExpectMatch(func(m telegramtest.Message) bool { return needIDPattern.MatchString(m.Text) && m.ID > review.ID })
				drained(t, b)
				return needIDOf(t, status)
			}
			dueToday := file(tc.today)
			if got := alertOrder(t, b, dueToday); len(got) != 0 {
				t.Fatalf("a need due today alerted %v, who may not give before tomorrow", got)
			}
			dueTomorrow := file(tc.tomorrow)
			if got, want := alertOrder(t, b, dueTomorrow), []int64{tomorrow}; !slices.Equal(got, want) {
				t.Fatalf("a need due tomorrow alerted %v, want %v", got, want)
			}
		})
	}
}

// TestAdminAddsHospital: an admin adds a hospital through /hospital's
// questions (Back and Skip on the way), reviews and saves it; /hospitals
// lists it; a club admin then files a need by its short name without
// diacritics, and the donor's alert shows its address, reception point,
// hours and map link. In both languages.
func TestAdminAddsHospital(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	for _, tc := range []struct {
		lang, askName, askAliases, askProvince, askWard, askAddress, askReception, askHours string
		skip, back, confirm, review, saved, list, send, alert, change                       string
	}{
		{"vi", "Tên đầy đủ của bệnh viện?", "Các tên gọi tắt", "Bệnh viện ở tỉnh/thành phố nào?", "Phường/xã của bệnh viện",
			"Địa chỉ (số nhà, đường)?", "Người hiến máu đến chỗ nào", "Giờ tiếp nhận hiến máu?",
			"Bỏ qua", "⬅️ Quay lại", "✅ Xác nhận", "Kiểm tra lại thông tin bệnh viện", "✅ Đã lưu bệnh viện #", "🏥 Danh bạ bệnh viện", "🆘 Gửi", "CẦN MÁU KHẨN CẤP", "✏️ Nơi tiếp nhận"},
		{"en", "The hospital's full name?", "Short names people type", "Which province or city is the hospital in?", "Its ward or commune",
			"Street address?", "Where in the hospital do donors go?", "Donation hours?",
			"Skip", "⬅️ Back", "✅ Confirm", "Check the hospital's details", "✅ Hospital #", "🏥 Hospital directory", "🆘 Send", "URGENT", "✏️ Where to go"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			n := itoa(testenv.TelegramID() % 100000)
			name, short := "Bệnh viện Đa khoa Thử nghiệm "+n, "BVĐK Thử "+n
			admin := b.Phone(adminID, tc.lang)
			admin.Send("/hospital")
			admin.Expect(tc.askName)
			admin.Send(name)
			admin.Expect(tc.askAliases)
			admin.Send(short + ", Đa khoa Thử " + n)
			admin.Expect(tc.askProvince)
			admin.Tap(tc.back)
			admin.Expect(tc.askAliases)
			admin.Send(short)
			q := admin.Expect(tc.askProvince)
			if len(q.Buttons()) < 12 || !q.HasButtonText("Phú Thọ") || !q.HasButtonText("TP. Hồ Chí Minh") {
				t.Fatalf("province buttons: %v", q.Buttons())
			}
			admin.Tap("Phú Thọ")
			admin.Expect(tc.askWard)
			admin.Send("phường Việt Trì")
			admin.Expect(tc.askAddress)
			admin.Send("1 Nguyễn Tất Thành")
			admin.Expect(tc.askReception)
			admin.Tap(tc.skip)
			admin.Expect(tc.askHours)
			admin.Send("7:00–17:00")
			review := expectShown(t, admin, tc.review, name, short, "Phú Thọ", "phường Việt Trì", "1 Nguyễn Tất Thành", "7:00–17:00")
			admin.TapIn(review.ID, tc.confirm)
			admin.Expect(tc.saved, name, "📍 1 Nguyễn Tất Thành, phường Việt Trì, Phú Thọ", "https://www.google.com/maps/search/")
			var hid int64
			var aliases, province, reception string
			if err := b.Store.DB().QueryRow(`SELECT id, array_to_string(aliases, '|'), province, reception FROM hospitals WHERE name = $1`,
				name).Scan(&hid, &aliases, &province, &reception); err != nil {
				t.Fatal(err)
			}
			if aliases != short || province != "pt" || reception != "" {
				t.Fatalf("stored %q %q %q", aliases, province, reception)
			}
			admin.Send("/hospitals")
			admin.Expect(tc.list, "#"+itoa(hid)+" "+name, "Viện Huyết học - Truyền máu Trung ương")

			// An admin may change it: /hospital <id> opens at the review.
			admin.Send("/hospital " + itoa(hid))
			review = admin.Expect(tc.review, name)
			admin.TapIn(review.ID, tc.change)
			admin.Expect(tc.askReception)
			admin.Send("Khoa Truyền máu, tầng 1")
			review = admin.Expect(tc.review, "Khoa Truyền máu, tầng 1")
			admin.TapIn(review.ID, tc.confirm)
			admin.Expect(tc.saved, "Khoa Truyền máu, tầng 1")

			// A need filed by the short name, typed without diacritics.
			donorID, clubAdminID := testenv.TelegramID(), testenv.TelegramID()
			club := newClub(t, b, "To them "+n, clubAdminID)
			clubAdmin := b.Phone(clubAdminID, tc.lang)
			seed(t, b, donorSpec{id: donorID, group: profile.BloodBNeg, clubID: club.ID, onCall: true})
			if err := b.Store.SetDonorLanguage(ctx, donorID, tc.lang); err != nil {
				t.Fatal(err)
			}
			clubAdmin.Send("/urgent B- 1 \"bvdk thu " + n + "\" 18h 0912345678")
			review = clubAdmin.Expect(name)
			clubAdmin.TapIn(review.ID, tc.send)
			b.Phone(donorID, tc.lang).Expect(tc.alert, name, "1 Nguyễn Tất Thành, phường Việt Trì, Phú Thọ",
				"Khoa Truyền máu, tầng 1", "7:00–17:00", "https://www.google.com/maps/search/?api=1&query=")
		})
	}
}

// TestProfilePlace: a donor gives their province with a button and their
// ward typed, from /profile; the profile shows them, and they are stored.
func TestProfilePlace(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct{ lang, button, ask, askWard, updated, shown string }{
		{"vi", "Nơi ở", "Bạn đang sống ở tỉnh/thành phố nào?", "Bạn ở phường/xã nào?", "Đã cập nhật", "Nơi ở: phường Hoàn Kiếm, Hà Nội"},
		{"en", "Where you live", "Which province or city do you live in?", "Which ward or commune?", "Profile updated", "Where you live: phường Hoàn Kiếm, Hà Nội"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(ctx, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/profile")
			p.Tap(tc.button)
			p.Expect(tc.ask)
			p.Send("Atlantis")
			p.Expect(tc.ask)
			p.Tap("Hà Nội")
			p.Expect(tc.askWard)
			p.Send("phường Hoàn Kiếm")
			p.Expect(tc.updated)
			p.Expect(tc.shown)
			prov, ward, err := b.Store.DonorPlace(ctx, id)
			if err != nil || prov != "hn" || ward != "phường Hoàn Kiếm" {
				t.Fatalf("stored %q %q, %v", prov, ward, err)
			}
		})
	}
}

// TestUnitProvincePlacesNeeds: an admin sets where a club acts; its need
// at a hospital outside the directory is placed there, so it alerts the
// club's donor of that province and not the one of another.
func TestUnitProvincePlacesNeeds(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	for _, tc := range []struct{ lang, usage, set, send string }{
		{"vi", "Cách dùng: /unitprovince", "hoạt động ở Cần Thơ", "🆘 Gửi"},
		{"en", "Usage: /unitprovince", "acts in Cần Thơ", "🆘 Send"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			ids := testenv.TelegramIDs(3)
			clubAdminID, local, far := ids[0], ids[1], ids[2]
			club := newClub(t, b, "To tinh thanh "+itoa(clubAdminID), clubAdminID)
			seed(t, b, donorSpec{id: local, group: profile.BloodAPos, clubID: club.ID, onCall: true},
				donorSpec{id: far, group: profile.BloodAPos, clubID: club.ID, onCall: true})
			for id, p := range map[int64]string{local: "ct", far: "hn"} {
				if err := b.Store.SetDonorProvince(ctx, id, p); err != nil {
					t.Fatal(err)
				}
			}
			admin := b.Phone(adminID, tc.lang)
			admin.Send("/unitprovince " + club.InviteCode + " Atlantis")
			admin.Expect(tc.usage)
			admin.Send("/unitprovince " + club.InviteCode + " can tho")
			admin.Expect(tc.set, club.Name)

			clubAdmin := b.Phone(clubAdminID, tc.lang)
			clubAdmin.Send(`/urgent A+ 1 "Bệnh viện Đa khoa Ngoài danh bạ" 18h 0912345678`)
			review := clubAdmin.Expect("Bệnh viện Đa khoa Ngoài danh bạ")
			clubAdmin.TapIn(review.ID, tc.send)
			status := clubAdmin.ExpectMatch(func(m telegramtest.Message) bool {
				return needIDPattern.MatchString(m.Text) && m.ID > review.ID
			})
			drained(t, b)
			if got, want := alertOrder(t, b, needIDOf(t, status)), []int64{local}; !slices.Equal(got, want) {
				t.Fatalf("alerted %v, want only Cần Thơ's %v", got, want)
			}
		})
	}
}
