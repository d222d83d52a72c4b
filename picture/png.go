package picture

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"math"
)

// withDPI puts a pHYs chunk (PNG spec 11.3.5.3) saying dpi right after the
// IHDR chunk, which the PNG signature (8 bytes) and IHDR (4+4+13+4 bytes)
// always open a file with: without it a printer takes 72 or 96 dpi and an
// A4 poster comes out several pages wide.
func withDPI(pngData []byte, dpi int) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(pngData) < ihdrEnd || string(pngData[12:16]) != "IHDR" {
		return nil, errors.New("picture: png: encoder wrote no IHDR first")
	}
	perMetre := uint32(math.Round(float64(dpi) / 0.0254))
	chunk := binary.BigEndian.AppendUint32(nil, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, perMetre)
	chunk = binary.BigEndian.AppendUint32(chunk, perMetre)
	chunk = append(chunk, 1) // unit: the metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(pngData)+len(chunk))
	out = append(out, pngData[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, pngData[ihdrEnd:]...), nil
}

// posterPalette holds every colour the poster draws: its flat colours and,
// between each background and the text drawn on it, 62 anti-aliasing
// steps. A paletted PNG skips the per-row filter search that takes most of
// an RGBA poster's encoding time, and is smaller.
var posterPalette = func() color.Palette {
	flat := []color.RGBA{{0xff, 0xff, 0xff, 0xff}, red, ink, muted, {0, 0, 0, 0xff}}
	pal := color.Palette{}
	for _, c := range flat {
		pal = append(pal, c)
	}
	for _, pair := range [][2]color.RGBA{{red, flat[0]}, {flat[0], ink}, {flat[0], red}, {flat[0], muted}} {
		for i := 1; i < 63; i++ {
			mix := func(a, b uint8) uint8 { return uint8((int(a)*(63-i) + int(b)*i + 31) / 63) }
			pal = append(pal, color.RGBA{mix(pair[0].R, pair[1].R), mix(pair[0].G, pair[1].G), mix(pair[0].B, pair[1].B), 0xff})
		}
	}
	return pal
}()

// toPaletted maps each pixel of img to the nearest colour of pal; a
// picture has few distinct colours, so each is looked up once.
func toPaletted(img *image.RGBA, pal color.Palette) *image.Paletted {
	out := image.NewPaletted(img.Bounds(), pal)
	index := map[uint32]uint8{}
	last, lastIndex := uint32(0), uint8(0)
	have := false
	for i, j := 0, 0; i+3 < len(img.Pix); i, j = i+4, j+1 {
		c := uint32(img.Pix[i])<<16 | uint32(img.Pix[i+1])<<8 | uint32(img.Pix[i+2])
		if !have || c != last {
			k, ok := index[c]
			if !ok {
				k = uint8(pal.Index(color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], 0xff}))
				index[c] = k
			}
			last, lastIndex, have = c, k, true
		}
		out.Pix[j] = lastIndex
	}
	return out
}
