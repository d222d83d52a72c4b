package drive

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image/png"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

func TestQRPoster(t *testing.T) {
	link := DeepLink("donorbot_vn_bot", "ab12cd34ef")
	data, err := QRPoster(link, "Đợt 3 · Ngày hội hiến máu", "Chủ nhật 23/11, 07:00–11:30")
	if err != nil {
		t.Fatalf("QRPoster: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	// No QR decoder is available, so check the pixels against the symbol the
	// encoder builds for the same link: each module must be a square of
	// scale pixels of the right colour, quiet zone included.
	q, err := qrcode.New(link, qrcode.High)
	if err != nil {
		t.Fatal(err)
	}
	bitmap := q.Bitmap()
	modules := len(bitmap)
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx()%modules != 0 {
		t.Fatalf("image is %dx%d, not a square of %d modules", b.Dx(), b.Dy(), modules)
	}
	scale := b.Dx() / modules
	if b.Dx() < 800 || b.Dx() > posterSize {
		t.Errorf("image is %d px wide, want 800 to %d", b.Dx(), posterSize)
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if dark, want := r < 0x8000, bitmap[y/scale][x/scale]; dark != want {
				t.Fatalf("pixel (%d,%d) dark=%t, module (%d,%d) dark=%t", x, y, dark, x/scale, y/scale, want)
			}
		}
	}
	// ISO/IEC 18004: a quiet zone of 4 light modules on every side.
	for i := range modules {
		for k := range 4 {
			if bitmap[k][i] || bitmap[modules-1-k][i] || bitmap[i][k] || bitmap[i][modules-1-k] {
				t.Fatalf("quiet zone has a dark module near (%d,%d)", i, k)
			}
		}
	}
	texts := itxtTexts(t, data)
	if got, want := texts["Title"], "Đợt 3 · Ngày hội hiến máu"; got != want {
		t.Errorf("iTXt Title = %q, want %q", got, want)
	}
	if got, want := texts["Description"], "Chủ nhật 23/11, 07:00–11:30"; got != want {
		t.Errorf("iTXt Description = %q, want %q", got, want)
	}
}

func TestQRPosterErrors(t *testing.T) {
	if _, err := QRPoster("", "t", "s"); err == nil {
		t.Error("empty link accepted")
	}
	data, err := QRPoster("https://t.me/x?start=d_abcdef", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if texts := itxtTexts(t, data); len(texts) != 0 {
		t.Errorf("text chunks without texts: %v", texts)
	}
}

// itxtTexts reads the uncompressed iTXt chunks of a PNG, checking every
// chunk's CRC on the way.
func itxtTexts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for p := 8; p+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p:]))
		typ, body := string(data[p+4:p+8]), data[p+8:p+8+n]
		if got, want := binary.BigEndian.Uint32(data[p+8+n:]), crc32.ChecksumIEEE(data[p+4:p+8+n]); got != want {
			t.Fatalf("chunk %s: CRC %08x, want %08x", typ, got, want)
		}
		if typ == "iTXt" {
			key, rest, _ := bytes.Cut(body, []byte{0})
			// compression flag, method, then language tag and translated keyword
			parts := bytes.SplitN(rest[2:], []byte{0}, 3)
			texts[string(key)] = string(parts[2])
		}
		p += 12 + n
	}
	return texts
}
