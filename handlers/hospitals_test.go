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
			club := newClub(t, b, "CLB Danh ba "+itoa(adminID), adminID)
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
			club := newClub(t, b, "CLB Tinh "+itoa(adminID), adminID)
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
			club := newClub(t, b, "CLB Han "+itoa(adminID), adminID)
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
