package drive

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// columnHeight is how many pixels of colour c the image has in column x.
func columnHeight(img image.Image, x int, want [4]uint32) int {
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		r, g, b, a := img.At(x, y).RGBA()
		if [4]uint32{r, g, b, a} == want {
			n++
		}
	}
	return n
}

func rgba(c interface{ RGBA() (r, g, b, a uint32) }) [4]uint32 {
	r, g, b, a := c.RGBA()
	return [4]uint32{r, g, b, a}
}

// TestBarChartHeights: bar heights are proportional to the values: 40
// registered and 10 donated draw a red bar a quarter as tall as the grey.
func TestBarChartHeights(t *testing.T) {
	data, err := BarChart([]Bar{{Label: "Đợt 1", Registered: 40, Donated: 10}, {Label: "07:30", Registered: 20, Donated: 20}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	grey, red := rgba(ColorRegistered), rgba(ColorDonated)
	var greyMax, redFirst int
	for x := 0; x < img.Bounds().Dx(); x++ {
		greyMax = max(greyMax, columnHeight(img, x, grey))
		if h := columnHeight(img, x, red); h > 0 && redFirst == 0 {
			redFirst = h
		}
	}
	if greyMax < 400 {
		t.Fatalf("tallest grey bar is %d px, want the full plot height", greyMax)
	}
	if got, want := redFirst, greyMax/4; got < want-2 || got > want+2 {
		t.Errorf("first red bar is %d px, want about %d (a quarter of %d)", got, want, greyMax)
	}
	if _, err := BarChart(nil); err == nil {
		t.Error("a chart of no bars was drawn")
	}
}

func TestShortLabel(t *testing.T) {
	for in, want := range map[string]string{"Đợt 3": "Dot 3", "07:30": "07:30", "Hành trình đỏ": "Hanh t."} {
		if got := shortLabel(in, 7); got != want {
			t.Errorf("shortLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
