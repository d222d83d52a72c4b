package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/picture"
	"donorbot/telegramtest"
)

// TestFilesJourney: an organizer in Vietnamese and one in English each get
// the drive's A4 poster from /qr, its registration list from /export and
// its chart from /stats. The poster and lists arrive as documents named in
// the reader's language, the poster at print size, the list's headers and
// flagged answers in their language; the chart shows the drive's target.
func TestFilesJourney(t *testing.T) {
	ids := testenv.TelegramIDs(4)
	adminID, viID, enID, donorID := ids[0], ids[1], ids[2], ids[3]
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Ngày hội hiến máu Tệp tin", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: donorID, name: "Lê Thị Hồng", phone: "+84901234567", blood: "B+"})
	registerScreened(t, b, donorID, slots[0].ID, `[{"Question":"pregnancy_ended","Yes":true}]`, 250)
	for _, c := range []struct {
		id                               int64
		lang, poster, list, header, flag string
		caption, all                     string
	}{
		{viID, "vi", "ap-phich-", "dang-ky-", "Họ và tên", "Trong 12 tháng: sinh con, sảy thai hoặc phá thai",
			"Áp phích A4 «Ngày hội hiến máu Tệp tin»", "Tất cả khung giờ"},
		{enID, "en", "poster-", "registrations-", "Full name", "Last 12 months: birth, miscarriage or termination",
			"A4 poster of “Ngày hội hiến máu Tệp tin”", "All slots"},
	} {
		if err := b.Store.GrantRole(ctx, c.id, "organizer", 0, adminID); err != nil {
			t.Fatal(err)
		}
		org := b.Phone(c.id, c.lang)

		before := lastID(org)
		org.Send("/qr " + d.Code)
		poster := documents(t, b, org, 1, before)
		data, ok := poster[c.poster+d.Code+".png"]
		if !ok {
			t.Fatalf("%s: /qr sent %v, want the document %s%s.png", c.lang, keys(poster), c.poster, d.Code)
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 2480 || cfg.Height != 3508 {
			t.Fatalf("%s: the poster is not an A4 PNG at 300 dpi: %+v %v", c.lang, cfg, err)
		}
		msg := org.ExpectMatch(func(m telegramtest.Message) bool { return m.Document != nil && m.ID > before })
		if !strings.Contains(msg.Caption, c.caption) || !strings.Contains(msg.Caption, "start=d_"+d.Code) {
			t.Errorf("%s: poster caption %q", c.lang, msg.Caption)
		}

		before = lastID(org)
		org.Send("/export " + d.Code)
		org.Tap(c.all)
		lists := documents(t, b, org, 2, before)
		csvData, xlsxData := lists[c.list+d.Code+".csv"], lists[c.list+d.Code+".xlsx"]
		if csvData == nil || xlsxData == nil {
			t.Fatalf("%s: /export sent %v", c.lang, keys(lists))
		}
		records := readCSV(t, csvData)
		if records[0][1] != c.header || len(records) != 2 || records[1][2] != "0901 234 567" || records[1][10] != c.flag {
			t.Errorf("%s: CSV %q", c.lang, records)
		}
		header := records[0]
		sheet := checkXLSX(t, xlsxData, d.Start.In(loc(t)).Format("02.01.2006")+" Ngày hội hiến máu Tệ", header, 2)
		sheet.expectText("C2", "0901 234 567")
		sheet.expectText("K2", c.flag)

		before = lastID(org)
		org.Send("/stats " + d.Code)
		chart := b.API.WaitMessage(t, c.id, func(m telegramtest.Message) bool { return m.ID > before && m.Photo != nil })
		cimg, err := png.Decode(bytes.NewReader(chart.Photo.Data))
		if err != nil || cimg.Bounds().Dx() != picture.ChartWidth {
			t.Fatalf("%s: chart: %v", c.lang, err)
		}
		if n := targetPixels(cimg); n < 200 {
			t.Errorf("%s: the chart shows no target line (%d pixels of its colour)", c.lang, n)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// targetPixels counts the pixels of the target line's colour.
func targetPixels(img image.Image) int {
	rgba, ok := img.(*image.RGBA)
	if !ok {
		return 0
	}
	want := picture.ColorTarget
	n := 0
	for i := 0; i+3 < len(rgba.Pix); i += 4 {
		if rgba.Pix[i] == want.R && rgba.Pix[i+1] == want.G && rgba.Pix[i+2] == want.B {
			n++
		}
	}
	return n
}
