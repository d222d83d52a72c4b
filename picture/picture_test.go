package picture

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
)

// vietnamese is every letter of the Vietnamese alphabet with every tone, in
// both cases, and the đ, ơ, ư of names like "Nguyễn Thị Lan".
const vietnamese = "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ " +
	"AÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ EÈÉẺẼẸ ÊỀẾỂỄỆ IÌÍỈĨỊ OÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ UÙÚỦŨỤ ƯỪỨỬỮỰ YỲÝỶỸỴ Đ " +
	"Nguyễn Thị Lan Ơ Ư ữ ỹ ộ 0123456789 +-/:.,…–—"

// TestFontsCoverVietnamese: every rune of the alphabet, typed precomposed
// or as base letter and combining accents (Draw writes NFC), has a glyph
// in both weights; Go's own font does not (see the package comment).
func TestFontsCoverVietnamese(t *testing.T) {
	decomposed := "Nguye\u0302\u0303n Thi\u0323 Lan u\u031B\u0303" // "Nguyễn Thị Lan ữ" as NFD
	for _, w := range []Weight{Regular, Bold} {
		missing, err := Missing(w, vietnamese+decomposed)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("weight %d has no glyph for %q", w, string(missing))
		}
	}
	if m, err := Missing(Regular, "🩸"); err != nil || len(m) != 1 {
		t.Fatalf("Missing reports no missing glyph for an emoji the font lacks: %q, %v", string(m), err)
	}
}

// TestDrawCard: a card with a Vietnamese name and lines decodes as a PNG of
// the card's size with ink on it where the name goes.
func TestDrawCard(t *testing.T) {
	data, err := DrawCard(sampleCard())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != CardWidth || b.Dy() != CardHeight {
		t.Fatalf("card is %v", b)
	}
	if dark := darkPixels(img, image.Rect(48, 150, 600, 230)); dark < 500 {
		t.Fatalf("the name's area has %d dark pixels: nothing drawn", dark)
	}
	if out := os.Getenv("PICTURE_CARD_OUT"); out != "" { // to look at it
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sampleCard() Card {
	return Card{Title: "THẺ NGƯỜI HIẾN MÁU TÌNH NGUYỆN", Name: "Nguyễn Thị Lan", BloodLabel: "Nhóm máu", Blood: "O+",
		Lines: [][2]string{{"Số lần hiến máu", "3 lần"}, {"Lần gần nhất", "20/11/2026 (máu toàn phần)"},
			{"Hiến máu lại từ", "12/02/2027"}},
		QR: "K7M2-9XQ4-PLAB-C3", QRLabel: "Mã điểm danh đến 22:00 ngày 05/12/2026"}
}

func darkPixels(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr+cg+cb < 3*0x4000 {
				n++
			}
		}
	}
	return n
}

func BenchmarkDrawCard(b *testing.B) {
	c := sampleCard()
	for b.Loop() {
		if _, err := DrawCard(c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDrawCardWrapsALongName: a name too long for one line at a readable
// size goes on two lines rather than being cut.
func TestDrawCardWrapsALongName(t *testing.T) {
	secondLine := image.Rect(48, 222, 600, 240) // under a one-line name's baseline
	for _, c := range []struct {
		name string
		two  bool
	}{{"Nguyễn Thị Lan", false}, {"Tôn Nữ Thị Phương Thảo Nguyễn Ngọc Bảo Trâm", true}} {
		card := sampleCard()
		card.Name = c.name
		data, err := DrawCard(card)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if dark := darkPixels(img, secondLine); (dark > 200) != c.two {
			t.Errorf("%q: %d dark pixels where a second line goes, want two lines: %v", c.name, dark, c.two)
		}
	}
}
