package picture

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
	"testing"
)

func sampleChart() Chart {
	return Chart{Legend: [2]string{"Đăng ký", "Đã hiến"}, Bars: []Bar{
		{Label: "Đợt 1 (Thứ Bảy, 19/12/2026)", Registered: 40, Donated: 10, Target: 100, TargetLabel: "Chỉ tiêu 100"},
		{Label: "Đợt 2", Registered: 20, Donated: 20, Target: 40, TargetLabel: "Chỉ tiêu 40"},
		{Label: "Đợt 3", Registered: 8, Donated: 0},
	}}
}

func isColor(img image.Image, x, y int, c color.RGBA) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8 == uint32(c.R) && g>>8 == uint32(c.G) && b>>8 == uint32(c.B)
}

// along counts the pixels of colour c on row y from x0 to x1.
func along(img image.Image, y, x0, x1 int, c color.RGBA) int {
	n := 0
	for x := x0; x < x1; x++ {
		if isColor(img, x, y, c) {
			n++
		}
	}
	return n
}

// TestDrawChartTargetLine: each group with a target has a dashed line at
// the target's height across the group, labelled above it; a group without
// one has none; the bars are as tall as their values and every text,
// "Đợt" included, is drawn in glyphs the font has.
func TestDrawChartTargetLine(t *testing.T) {
	c := sampleChart()
	data, err := DrawChart(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight || ChartWidth < 1280 {
		t.Fatalf("chart is %v", b)
	}
	cv, l, err := drawChart(c)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range c.Bars {
		x0, x1 := l.groupX(i), l.groupX(i+1)
		y := l.y(b.Target)
		on := along(img, y, x0, x1, ColorTarget)
		if b.Target == 0 {
			for yy := l.plot.Min.Y - 40; yy < l.plot.Max.Y; yy++ {
				if n := along(img, yy, x0, x1, ColorTarget); n > 0 {
					t.Fatalf("group %d has no target but %d target pixels on row %d", i, n, yy)
				}
			}
			continue
		}
		if on < (x1-x0)/2 {
			t.Errorf("group %d: %d target pixels on row %d of %d, want a dashed line across", i, on, y, x1-x0)
		}
		if off := along(img, y+12, x0, x1, ColorTarget) + along(img, y-40, x0, x1, ColorTarget); off > 0 && off > on/4 {
			t.Errorf("group %d: the line at %d is not thin: %d pixels off it", i, y, off)
		}
		label := 0
		for yy := y - 45; yy < y-8; yy++ {
			for x := x0; x < x1; x++ {
				if r, g, bl, _ := img.At(x, yy).RGBA(); bl > r+0x3000 && bl > g+0x2000 {
					label++
				}
			}
		}
		if label < 200 {
			t.Errorf("group %d: the target's label is missing above its line (%d blue pixels)", i, label)
		}
	}
	// Bars in proportion: group 0's donated bar is a quarter of its registered one.
	height := func(x int, c color.RGBA) int {
		n := 0
		for y := l.plot.Min.Y; y < l.plot.Max.Y; y++ {
			if isColor(img, x, y, c) {
				n++
			}
		}
		return n
	}
	barWidth := min(max(l.group*3/10, 4), 160)
	x := l.groupX(0) + (l.group-2*barWidth)/2 + barWidth/2
	grey, redH := height(x, ColorRegistered), height(x+barWidth, ColorDonated)
	if want := 40 * l.plot.Dy() / l.peak; grey < want-3 || grey > want+3 || redH < grey/4-3 || redH > grey/4+3 {
		t.Errorf("bars of 40 and 10 are %d and %d px (plot %d px for %d)", grey, redH, l.plot.Dy(), l.peak)
	}
	var drawn []string
	for _, d := range cv.drawn {
		if missing, err := Missing(d.weight, d.text); err != nil || len(missing) > 0 {
			t.Errorf("%q drawn with no glyph for %q (%v)", d.text, string(missing), err)
		}
		drawn = append(drawn, d.text)
	}
	for _, s := range []string{"Đợt 2", "Đợt 3", "Chỉ tiêu 100", "Chỉ tiêu 40", "Đăng ký", "Đã hiến", "40", "10"} {
		if !slices.Contains(drawn, s) {
			t.Errorf("%q is not drawn whole: %q", s, drawn)
		}
	}
	if out := os.Getenv("PICTURE_CHART_OUT"); out != "" { // to look at it
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := DrawChart(Chart{}); err == nil {
		t.Error("a chart of no bars was drawn")
	}
}

func BenchmarkDrawChart(b *testing.B) {
	c := sampleChart()
	for b.Loop() {
		if _, err := DrawChart(c); err != nil {
			b.Fatal(err)
		}
	}
}
