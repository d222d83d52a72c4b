package picture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
)

// Bar is one group of a bar chart: registered and donated side by side,
// and the group's target (0: none) drawn as a dashed line across it with
// TargetLabel above the line.
type Bar struct {
	Label               string
	Registered, Donated int
	Target              int
	TargetLabel         string // e.g. "Chỉ tiêu 100", in the reader's language
}

// Chart is a bar chart of registered against donated per group; Legend
// names the two bars in the reader's language.
type Chart struct {
	Bars   []Bar
	Legend [2]string
}

// Chart geometry, in pixels: wide enough that a phone shows its text at
// a readable size when the photo fills the screen's width.
const (
	ChartWidth  = 1600
	ChartHeight = 900
	chartLeft   = 120
	chartRight  = 40
	chartTop    = 150
	chartBottom = 120
	labelPx     = 34
	valuePx     = 32
)

var (
	// ColorRegistered, ColorDonated and ColorTarget are the colours of the
	// registered and donated bars and of the target line.
	ColorRegistered = color.RGBA{0x9e, 0x9e, 0x9e, 0xff}
	ColorDonated    = red
	ColorTarget     = color.RGBA{0x15, 0x65, 0xc0, 0xff}
	colorGrid       = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
)

// chartLayout maps values to the plot, for drawing and for the tests.
type chartLayout struct {
	plot  image.Rectangle
	peak  int
	group int // width of a group
}

// y is the row of value v.
func (l chartLayout) y(v int) int { return l.plot.Max.Y - v*l.plot.Dy()/l.peak }

// groupX is where group i starts.
func (l chartLayout) groupX(i int) int { return l.plot.Min.X + i*l.group }

// DrawChart renders c as a PNG of ChartWidth × ChartHeight in the
// embedded font: values above the bars, labels under them, a legend, and
// each group's target as a dashed line.
func DrawChart(c Chart) ([]byte, error) {
	cv, _, err := drawChart(c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, cv.img); err != nil {
		return nil, fmt.Errorf("picture: encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func drawChart(c Chart) (*canvas, chartLayout, error) {
	var l chartLayout
	if len(c.Bars) == 0 {
		return nil, l, errors.New("picture: chart of no bars")
	}
	cv := &canvas{img: image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))}
	draw.Draw(cv.img, cv.img.Bounds(), image.White, image.Point{}, draw.Src)
	l.plot = image.Rect(chartLeft, chartTop, ChartWidth-chartRight, ChartHeight-chartBottom)
	top := 1
	for _, b := range c.Bars {
		top = max(top, b.Registered, b.Donated, b.Target)
	}
	step := niceStep(top)
	l.peak = (top/step + 1) * step // headroom for the values above the bars
	l.group = l.plot.Dx() / len(c.Bars)

	small, err := Face(Regular, 26)
	if err != nil {
		return nil, l, err
	}
	for v := 0; v <= l.peak; v += step {
		y := l.y(v)
		fill(cv.img, image.Rect(l.plot.Min.X, y, l.plot.Max.X, y+2), colorGrid)
		s := strconv.Itoa(v)
		if err := cv.text(Regular, 26, muted, l.plot.Min.X-16-Width(small, s), y+9, s); err != nil {
			return nil, l, err
		}
	}
	fill(cv.img, image.Rect(l.plot.Min.X, l.plot.Min.Y, l.plot.Min.X+3, l.plot.Max.Y+3), ink)
	fill(cv.img, image.Rect(l.plot.Min.X, l.plot.Max.Y, l.plot.Max.X, l.plot.Max.Y+3), ink)

	barWidth := min(max(l.group*3/10, 4), 160)
	values, err := Face(Bold, valuePx)
	if err != nil {
		return nil, l, err
	}
	for i, b := range c.Bars {
		x := l.groupX(i) + (l.group-2*barWidth)/2
		for j, v := range []int{b.Registered, b.Donated} {
			col := ColorRegistered
			if j == 1 {
				col = ColorDonated
			}
			x0 := x + j*barWidth
			fill(cv.img, image.Rect(x0+2, l.y(v), x0+barWidth-2, l.plot.Max.Y), col)
			s := strconv.Itoa(v)
			if err := cv.text(Bold, valuePx, ink, x0+(barWidth-Width(values, s))/2, l.y(v)-10, s); err != nil {
				return nil, l, err
			}
		}
		face, label, err := Fit(Regular, b.Label, l.group-12, labelPx, 20)
		if err != nil {
			return nil, l, err
		}
		Text(cv.img, face, ink, l.groupX(i)+(l.group-Width(face, label))/2, l.plot.Max.Y+50, label)
		cv.drawn = append(cv.drawn, drawnText{Regular, label})
		if b.Target > 0 {
			if err := cv.target(l, i, b); err != nil {
				return nil, l, err
			}
		}
	}
	return cv, l, cv.legend(c.Legend)
}

// target draws a group's target as a dashed line across the group, thick
// enough to see on a phone, with its label above the line's left end.
func (cv *canvas) target(l chartLayout, i int, b Bar) error {
	y := l.y(b.Target)
	x0, x1 := l.groupX(i)+8, l.groupX(i+1)-8
	for x := x0; x < x1; x += 28 {
		fill(cv.img, image.Rect(x, y-3, min(x+18, x1), y+3), ColorTarget)
	}
	if b.TargetLabel == "" {
		return nil
	}
	face, label, err := Fit(Bold, b.TargetLabel, x1-x0, 30, 20)
	if err != nil {
		return err
	}
	Text(cv.img, face, ColorTarget, x0, max(y-14, chartTop-20), label)
	cv.drawn = append(cv.drawn, drawnText{Bold, label})
	return nil
}

// legend names the two bars above the plot, each after a swatch of its
// colour.
func (cv *canvas) legend(names [2]string) error {
	x := chartLeft
	for i, name := range names {
		if name == "" {
			continue
		}
		col := ColorRegistered
		if i == 1 {
			col = ColorDonated
		}
		fill(cv.img, image.Rect(x, 50, x+40, 90), col)
		face, err := Face(Regular, labelPx)
		if err != nil {
			return err
		}
		if err := cv.text(Regular, labelPx, ink, x+56, 84, name); err != nil {
			return err
		}
		x += 56 + Width(face, name) + 60
	}
	return nil
}

// niceStep is a step of 1, 2 or 5 times a power of ten that divides 0..top
// into at most five gridlines.
func niceStep(top int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if top/(m*p) < 5 {
				return m * p
			}
		}
	}
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}
