package drive

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"donorbot/accent"
)

// Bar is one group of a bar chart: a label and two values side by side.
type Bar struct {
	Label               string
	Registered, Donated int
}

// Chart geometry, in pixels.
const (
	chartWidth  = 960
	chartHeight = 540
	chartMargin = 50
)

var (
	// ColorRegistered and ColorDonated are the colours of the two bars of a group.
	ColorRegistered = color.RGBA{0x9e, 0x9e, 0x9e, 0xff}
	ColorDonated    = color.RGBA{0xc6, 0x28, 0x28, 0xff}
	colorAxis       = color.RGBA{0x21, 0x21, 0x21, 0xff}
)

// BarChart draws registered (grey) against donated (red) per group as a
// PNG, with the values above the bars and the labels under them. Labels are
// drawn in basicfont, which has ASCII only: Vietnamese diacritics are
// stripped ("Đợt 1" → "Dot 1"); the caption carries the full text.
func BarChart(bars []Bar) ([]byte, error) {
	if len(bars) == 0 {
		return nil, errors.New("drive: bar chart: no bars")
	}
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartHeight))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	top, bottom := chartMargin, chartHeight-chartMargin
	left, right := chartMargin, chartWidth-chartMargin/2
	peak := 1
	for _, b := range bars {
		peak = max(peak, b.Registered, b.Donated)
	}
	fill(img, image.Rect(left, top, left+2, bottom+1), colorAxis)   // y axis
	fill(img, image.Rect(left, bottom, right, bottom+2), colorAxis) // x axis
	label(img, strconv.Itoa(peak), 4, top+4)
	group := (right - left) / len(bars)
	barWidth := max(group*2/5, 2)
	for i, b := range bars {
		x := left + 4 + i*group + (group-2*barWidth)/2
		for j, v := range []int{b.Registered, b.Donated} {
			h := v * (bottom - top) / peak
			c := ColorRegistered
			if j == 1 {
				c = ColorDonated
			}
			x0 := x + j*barWidth
			fill(img, image.Rect(x0, bottom-h, x0+barWidth-1, bottom), c)
			label(img, strconv.Itoa(v), x0+1, bottom-h-3)
		}
		label(img, shortLabel(b.Label, group/7), x, bottom+18)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("drive: bar chart: %w", err)
	}
	return buf.Bytes(), nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func label(img *image.RGBA, s string, x, y int) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(colorAxis), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// shortLabel folds s to ASCII and cuts it to n characters.
func shortLabel(s string, n int) string {
	r := []rune(accent.Fold(s))
	for i, c := range r {
		if c > unicode.MaxASCII {
			r[i] = '?'
		}
	}
	if n > 1 && len(r) > n {
		r = append(r[:n-1], '.')
	}
	return string(r)
}
