package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// forecastScene is a unit with one finished drive (4 registered, 3
// donated) and an upcoming drive of target 100 with 5 registered, its
// organizers orgs. The unit's rate is (3 + 0.95 × 30) ÷ (4 + 30) ≈ 93%, so
// the upcoming drive expects round(5 × 0.9265) = 5 units, 95 short.
type forecastScene struct {
	b     *bottest.Bot
	next  drive.Drive
	slot  int64
	spare int64 // a donor not yet registered for next
	orgs  []int64
}

func newForecastScene(t *testing.T, orgs int) forecastScene {
	t.Helper()
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	sc := forecastScene{b: b, orgs: testenv.TelegramIDs(orgs)}
	key := strconv.FormatInt(testenv.TelegramID(), 36)
	unit, err := s.CreateUnit(ctx, "unit", "Công ty Dự báo "+key, "dubao"+key)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sc.orgs {
		if err := s.GrantRole(ctx, id, storage.RoleOrganizer, unit.ID, adminID); err != nil {
			t.Fatal(err)
		}
	}
	forUnit := func(d drive.Drive) {
		if _, err := s.DB().Exec(`UPDATE drives SET audience_unit_id = $2 WHERE id = $1`, d.ID, unit.ID); err != nil {
			t.Fatal(err)
		}
	}
	donors := testenv.TelegramIDs(6)
	for i, id := range donors {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến dự báo %d", i), phone: fmt.Sprintf("+849130005%02d", i)})
	}
	past, pastSlots := publishedDrive(t, b, "Ngày hội Dự báo đã qua", 24*time.Hour, 5)
	forUnit(past)
	for i, id := range donors[:4] {
		reg := registerScreened(t, b, id, pastSlots[0].ID, `[]`, 350)
		if i < 3 {
			checkInAndDonate(t, b, reg, sc.orgs[0], 350)
		}
	}
	b.Clock.Advance(3 * 24 * time.Hour)
	next, nextSlots := publishedDrive(t, b, "Ngày hội Dự báo sắp tới", 48*time.Hour, 5)
	forUnit(next)
	for _, id := range donors[:5] {
		registerScreened(t, b, id, nextSlots[0].ID, `[]`, 350)
	}
	sc.next, sc.slot, sc.spare = next, nextSlots[1].ID, donors[5]
	return sc
}

// TestStatsForecast: the organizer's /stats of an upcoming drive tells the
// donations its registrations should give at the rate of the unit's past
// drive and the gap to the target, in Vietnamese and in English, and the
// forecast follows a new registration.
func TestStatsForecast(t *testing.T) {
	sc := newForecastScene(t, 2)
	vi, en := sc.b.Phone(sc.orgs[0], "vi"), sc.b.Phone(sc.orgs[1], "en")
	vi.Send("/stats " + sc.next.Code)
	vi.Expect("📈 Dự kiến hiến: 5 đơn vị (tỷ lệ 93% từ 1 ngày hội trước) — còn thiếu 95")
	en.Send("/stats " + sc.next.Code)
	en.Expect("📈 Expected donations: 5 units (a 93% rate from 1 past drive) — 95 short of the target")

	registerScreened(t, sc.b, sc.spare, sc.slot, `[]`, 350)
	vi.Send("/stats " + sc.next.Code)
	vi.Expect("📈 Dự kiến hiến: 6 đơn vị (tỷ lệ 93% từ 1 ngày hội trước) — còn thiếu 94")
}

// TestConsoleDriveForecast: the console's progress of a drive carries the
// same forecast as /stats.
func TestConsoleDriveForecast(t *testing.T) {
	sc := newForecastScene(t, 1)
	path := fmt.Sprintf("/drives/%d/progress", sc.next.ID)
	res := sc.b.Console(sc.orgs[0], "vi").Get(path)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	var got struct {
		Forecast *struct {
			Target, Registered, Expected, Gap int
			Rate                              float64
			RatePercent                       int `json:"rate_percent"`
			BasedOnDrives                     int `json:"based_on_drives"`
		}
	}
	res.Decode(t, &got)
	f := got.Forecast
	if f == nil {
		t.Fatalf("GET %s has no forecast: %s", path, res.Body)
	}
	if f.Target != 100 || f.Registered != 5 || f.Expected != 5 || f.Gap != 95 || f.RatePercent != 93 ||
		f.BasedOnDrives != 1 || f.Rate < 0.926 || f.Rate > 0.927 {
		t.Errorf("forecast %+v, want target 100, registered 5, expected 5, gap 95 at 93%% from 1 drive", *f)
	}
}

// TestConsoleForecastPage: the progress screen of the drive says the
// forecast under the funnel, in the organizer's language.
func TestConsoleForecastPage(t *testing.T) {
	sc := newForecastScene(t, 1)
	browser := consoleBrowser(t, sc.b, sc.orgs[0], "en", fmt.Sprintf("/drive/%d/progress", sc.next.ID))
	var line string
	if err := chromedp.Run(browser,
		chromedp.WaitVisible(`#forecast[data-expected="5"][data-gap="95"]`, chromedp.ByQuery),
		chromedp.Text(`#forecast`, &line, chromedp.ByQuery),
	); err != nil {
		t.Fatal(err)
	}
	if want := "Expected donations: 5 units (a 93% rate from 1 past drive) — 95 short of the target"; line != want {
		t.Errorf("forecast line %q, want %q", line, want)
	}
}

// TestExportForecastSheet: the organizer's export of the drive carries the
// forecast on a sheet of its own after the registrations, in the
// organizer's language; the CSV is the registrations alone.
func TestExportForecastSheet(t *testing.T) {
	sc := newForecastScene(t, 1)
	org := sc.b.Phone(sc.orgs[0], "vi")
	before := lastID(org)
	org.Send("/export " + sc.next.Code)
	org.Tap("Tất cả khung giờ")
	docs := documents(t, sc.b, org, 2, before)
	if records := readCSV(t, docs["dang-ky-"+sc.next.Code+".csv"]); len(records) != 1+5 {
		t.Errorf("CSV has %d rows, want the header and 5 registrations", len(records))
	}
	book, err := excelize.OpenReader(bytes.NewReader(docs["dang-ky-"+sc.next.Code+".xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	names := book.GetSheetList()
	if len(names) != 3 || names[1] != "Dự báo" || names[2] != "Phễu" {
		t.Fatalf("XLSX sheets %q, want the registrations, Dự báo then Phễu", names)
	}
	rows, err := book.GetRows("Dự báo")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Chỉ tiêu (đơn vị)", "100"}, {"Đã đăng ký", "5"}, {"Tỷ lệ đến hiến (%)", "93"},
		{"Dự kiến hiến (đơn vị)", "5"}, {"Còn thiếu (đơn vị)", "95"}, {"Số ngày hội trước làm căn cứ", "1"}}
	if len(rows) != len(want)+1 {
		t.Fatalf("forecast sheet rows %q, want %q and the time", rows, want)
	}
	for i, w := range want {
		if !slices.Equal(rows[i], w) {
			t.Errorf("forecast sheet row %d = %q, want %q", i+1, rows[i], w)
		}
	}
	at := sc.b.Now().In(loc(t)).Format("02/01/2006 15:04")
	if got := rows[len(want)]; len(got) != 2 || got[0] != "Tính lúc" || got[1] != at {
		t.Errorf("forecast sheet last row %q, want Tính lúc %s", got, at)
	}
}
