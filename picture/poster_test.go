package picture

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

func samplePoster() Poster {
	return Poster{Wave: "Đợt 3", Title: "Ngày hội hiến máu tình nguyện Công an phường Kim Mã",
		Date: "Thứ Bảy, 19/12/2026", Time: "07:30 – 11:30",
		Lines: [][2]string{{"Địa điểm", "Hội trường Công an phường, 25 Phan Đình Phùng, Ba Đình, Hà Nội"},
			{"Đơn vị tiếp nhận máu", "Viện Huyết học - Truyền máu Trung ương"}},
		Scan: "Quét mã để đăng ký hiến máu", Link: "https://t.me/donorbot?start=d_aw6jsndg64"}
}

// TestDrawPoster: the poster is an A4 page at 300 dpi that says so, every
// text is drawn whole in glyphs the font has (Vietnamese in both weights,
// the whole alphabet in the title), and the QR code printed is the link's,
// module by module.
func TestDrawPoster(t *testing.T) {
	// The whole alphabet, spread over the texts of an English poster.
	letters := strings.Fields(vietnamese)
	part := func(i int) string { return strings.Join(letters[i*len(letters)/4:(i+1)*len(letters)/4], " ") }
	english := Poster{Wave: part(0), Title: part(1), Date: "Sat 19 Dec 2026", Time: "07:30 – 11:30",
		Lines: [][2]string{{"Venue", part(2)}, {"Blood collected by", part(3)}},
		Scan:  "Scan to register to donate blood", Link: "https://t.me/donorbot?start=d_x"}
	for _, p := range []Poster{samplePoster(), english} {
		data, err := DrawPoster(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 2480 || b.Dy() != 3508 {
			t.Fatalf("poster is %v, not A4 at 300 dpi", b)
		}
		if x, y, unit := pngDensity(t, data); x != 11811 || y != 11811 || unit != 1 {
			t.Errorf("pHYs says %d×%d per unit %d, want 11811 per metre (300 dpi)", x, y, unit)
		}

		c, layout, err := drawPoster(p)
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, d := range c.drawn {
			if missing, err := Missing(d.weight, d.text); err != nil || len(missing) > 0 {
				t.Errorf("%q drawn with no glyph for %q (%v)", d.text, string(missing), err)
			}
			all = append(all, d.text)
		}
		joined := strings.Join(all, " ")
		for _, s := range []string{p.Wave, p.Title, p.Date, p.Time, p.Lines[0][0], p.Lines[0][1], p.Lines[1][1], p.Scan, p.Link} {
			if !strings.Contains(joined, s) {
				t.Errorf("%q is not on the poster: %q", s, all)
			}
		}
		checkQR(t, img, layout, p.Link)
		if dark := darkPixels(img, image.Rect(0, 3508-177-70, 2480, 3508-177)); dark < 2000 {
			t.Errorf("the link's line has %d dark pixels", dark)
		}
	}
	if out := os.Getenv("PICTURE_POSTER_OUT"); out != "" { // to look at it
		data, _ := DrawPoster(samplePoster())
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := DrawPoster(Poster{Title: "x"}); err == nil {
		t.Error("a poster without a link was drawn")
	}
}

// checkQR compares the centre of every module with the link's QR code.
func checkQR(t *testing.T, img image.Image, l posterLayout, link string) {
	t.Helper()
	q, err := qrcode.New(link, qrcode.High)
	if err != nil {
		t.Fatal(err)
	}
	bits := q.Bitmap()
	if l.module < 20 || l.qr.Dx() != l.module*len(bits) {
		t.Fatalf("QR of %d px modules in %v: too small to scan from a step away", l.module, l.qr)
	}
	wrong := 0
	for y, row := range bits {
		for x, black := range row {
			px := img.At(l.qr.Min.X+x*l.module+l.module/2, l.qr.Min.Y+y*l.module+l.module/2)
			r, g, b, _ := px.RGBA()
			if (r+g+b < 3*0x8000) != black {
				wrong++
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d modules of the QR code differ from the link's", wrong)
	}
}

// pngDensity reads the pHYs chunk of a PNG.
func pngDensity(t *testing.T, data []byte) (x, y uint32, unit byte) {
	t.Helper()
	i := bytes.Index(data, []byte("pHYs"))
	if i < 4 || binary.BigEndian.Uint32(data[i-4:]) != 9 {
		t.Fatal("no pHYs chunk")
	}
	d := data[i+4:]
	return binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:]), d[8]
}

// TestWrap: a long title goes on several lines rather than being cut; one
// too long for the lines allowed is cut at the end.
func TestWrap(t *testing.T) {
	title := "Ngày hội hiến máu tình nguyện Công an phường Kim Mã"
	size, lines, err := Wrap(Bold, title, 1000, 150, 80, 3)
	if err != nil {
		t.Fatal(err)
	}
	face, _ := Face(Bold, size)
	if len(lines) < 2 || len(lines) > 3 || strings.Join(lines, " ") != title {
		t.Errorf("%q wrapped as %q", title, lines)
	}
	for _, l := range lines {
		if Width(face, l) > 1000 {
			t.Errorf("line %q is %d px wide", l, Width(face, l))
		}
	}
	_, lines, err = Wrap(Bold, strings.Repeat(title+" ", 10), 1000, 150, 80, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "…") {
		t.Errorf("an overlong title: %q", lines)
	}
}

func BenchmarkDrawPoster(b *testing.B) {
	p := samplePoster()
	for b.Loop() {
		if _, err := DrawPoster(p); err != nil {
			b.Fatal(err)
		}
	}
}
