// Package picture draws text on images with an embedded font that has
// every Vietnamese letter: DejaVu Sans (fonts/, Bitstream Vera license,
// fonts/LICENSE). Go's basicfont is ASCII only and the Go fonts lack
// precomposed Vietnamese letters such as ữ and ỹ (TestFontsCoverVietnamese
// checks ours). The donor card uses it; charts and posters can too.
package picture

import (
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	regularTTF []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldTTF []byte
)

// Weight picks the regular or the bold face.
type Weight int

const (
	Regular Weight = iota
	Bold
)

var fonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var out [2]*opentype.Font
	for i, b := range [][]byte{regularTTF, boldTTF} {
		f, err := opentype.Parse(b)
		if err != nil {
			return out, fmt.Errorf("picture: parse embedded font %d: %w", i, err)
		}
		out[i] = f
	}
	return out, nil
})

// Font returns the parsed embedded font of weight w.
func Font(w Weight) (*opentype.Font, error) {
	fs, err := fonts()
	if err != nil {
		return nil, err
	}
	return fs[w], nil
}

// Face returns a face of weight w, sizePx pixels high (the em square).
func Face(w Weight, sizePx float64) (font.Face, error) {
	f, err := Font(w)
	if err != nil {
		return nil, err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: sizePx, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("picture: face %v px: %w", sizePx, err)
	}
	return face, nil
}

// Missing returns the runes of s (after NFC, as Draw writes it) that font w
// has no glyph for, spaces and controls aside.
func Missing(w Weight, s string) ([]rune, error) {
	f, err := Font(w)
	if err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	var out []rune
	for _, r := range norm.NFC.String(s) {
		if r <= ' ' {
			continue
		}
		idx, err := f.GlyphIndex(&buf, r)
		if err != nil {
			return nil, fmt.Errorf("picture: glyph of %U: %w", r, err)
		}
		if idx == 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// Width is how many pixels s takes in face.
func Width(face font.Face, s string) int {
	return font.MeasureString(face, norm.NFC.String(s)).Ceil()
}

// Text draws s in face and colour c with its baseline's left end at (x, y).
// s is drawn in NFC, so a letter typed as a base and combining accents uses
// the font's precomposed glyph.
func Text(dst draw.Image, face font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(norm.NFC.String(s))
}

// Fit returns the largest face of weight w, at most maxPx and at least
// minPx pixels, in which s is no wider than width; s still too wide at
// minPx is cut with an ellipsis, the shortened text being returned.
func Fit(w Weight, s string, width int, maxPx, minPx float64) (font.Face, string, error) {
	for size := maxPx; ; size -= 2 {
		face, err := Face(w, max(size, minPx))
		if err != nil {
			return nil, "", err
		}
		if Width(face, s) <= width {
			return face, s, nil
		}
		if size <= minPx {
			rs := []rune(norm.NFC.String(s))
			for len(rs) > 0 && Width(face, string(rs)+"…") > width {
				rs = rs[:len(rs)-1]
			}
			return face, string(rs) + "…", nil
		}
	}
}
