package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// Poster is what a drive's printable poster shows, every text already in
// the reader's language: the bot decides the words, this package draws them.
type Poster struct {
	Wave  string // above the title, e.g. "Đợt 3"; may be empty
	Title string
	Date  string // with its weekday, e.g. "Thứ Bảy, 19/12/2026"
	Time  string // e.g. "07:30 – 11:30"
	// Labelled lines under the date: the venue with its address, the
	// partner hospital.
	Lines [][2]string
	Scan  string // above the QR code, e.g. "Quét mã để đăng ký hiến máu"
	Link  string // the deep link the QR code holds, printed under it
}

// An A4 page at 300 dpi, the resolution print shops ask for.
const (
	PosterWidth  = 2480
	PosterHeight = 3508
	PosterDPI    = 300
)

// posterMargin is 15 mm at 300 dpi: inside what office printers leave white.
const posterMargin = 177

// drawnText is a text a picture drew, for the tests' glyph check.
type drawnText struct {
	weight Weight
	text   string
}

// canvas draws on an image and remembers what it drew.
type canvas struct {
	img   *image.RGBA
	drawn []drawnText
}

func (c *canvas) text(w Weight, size float64, col color.Color, x, y int, s string) error {
	face, err := Face(w, size)
	if err != nil {
		return err
	}
	Text(c.img, face, col, x, y, s)
	c.drawn = append(c.drawn, drawnText{w, s})
	return nil
}

// centred draws s in as many lines as it needs, at most maxLines, each
// centred on the page, as large as maxPx allows down to minPx; the first
// baseline is at y. It returns the baseline under the last line.
func (c *canvas) centred(w Weight, s string, maxPx, minPx float64, maxLines int, col color.Color, y int) (int, error) {
	width := PosterWidth - 2*posterMargin
	size, lines, err := Wrap(w, s, width, maxPx, minPx, maxLines)
	if err != nil {
		return y, err
	}
	face, err := Face(w, size)
	if err != nil {
		return y, err
	}
	step := int(size * 1.25)
	for _, l := range lines {
		if err := c.text(w, size, col, (PosterWidth-Width(face, l))/2, y, l); err != nil {
			return y, err
		}
		y += step
	}
	return y - step, nil
}

// posterLayout is where the poster put its QR code, for the tests.
type posterLayout struct {
	qr     image.Rectangle
	module int // pixels per module
}

// DrawPoster renders p as an A4 PNG at 300 dpi (PosterWidth ×
// PosterHeight, its pHYs chunk saying 300 dpi so that it prints at A4
// size): a red band with the title, the date and time, the venue and
// hospital, then the QR code of the link with the link printed under it.
func DrawPoster(p Poster) ([]byte, error) {
	c, _, err := drawPoster(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, toPaletted(c.img, posterPalette)); err != nil {
		return nil, fmt.Errorf("picture: encode poster: %w", err)
	}
	return withDPI(buf.Bytes(), PosterDPI)
}

func drawPoster(p Poster) (*canvas, posterLayout, error) {
	var layout posterLayout
	if p.Link == "" {
		return nil, layout, fmt.Errorf("picture: poster without a link")
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, PosterWidth, PosterHeight))}
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)

	// The red band: the wave, then the title on up to three lines, as
	// tall as they need.
	y := 250
	if p.Wave != "" {
		y += 170
	}
	titleSize, lines, err := Wrap(Bold, p.Title, PosterWidth-2*posterMargin, 150, 80, 3)
	if err != nil {
		return nil, layout, err
	}
	band := max(y+int(titleSize*1.25)*(len(lines)-1)+int(titleSize*0.6), 700)
	draw.Draw(c.img, image.Rect(0, 0, PosterWidth, band), image.NewUniform(red), image.Point{}, draw.Src)
	if p.Wave != "" {
		if _, err := c.centred(Regular, p.Wave, 90, 60, 1, color.White, 250); err != nil {
			return nil, layout, err
		}
	}
	if _, err := c.centred(Bold, p.Title, 150, 80, 3, color.White, y); err != nil {
		return nil, layout, err
	}

	// When: the date with its weekday, then the time window in red.
	y, err = c.centred(Bold, p.Date, 130, 80, 1, ink, band+210)
	if err != nil {
		return nil, layout, err
	}
	if y, err = c.centred(Bold, p.Time, 120, 80, 1, red, y+170); err != nil {
		return nil, layout, err
	}

	// Where and with whom.
	y += 150
	for _, l := range p.Lines {
		if l[1] == "" {
			continue
		}
		if _, err := c.centred(Regular, l[0], 60, 44, 1, muted, y); err != nil {
			return nil, layout, err
		}
		if y, err = c.centred(Bold, l[1], 80, 52, 2, ink, y+105); err != nil {
			return nil, layout, err
		}
		y += 130
	}

	// The QR code fills what is left above the link, each module a whole
	// number of pixels so that it prints sharp; high error correction (30%)
	// keeps a creased or partly covered printout readable.
	linkY := PosterHeight - posterMargin
	scanY := y + 40
	top := scanY + 20
	bottom := linkY - 80
	q, err := qrcode.New(p.Link, qrcode.High)
	if err != nil {
		return nil, layout, fmt.Errorf("picture: poster qr: %w", err)
	}
	modules := len(q.Bitmap()) // quiet zone of 4 modules included
	layout.module = max(min(bottom-top, 1500)/modules, 1)
	size := layout.module * modules
	at := image.Pt((PosterWidth-size)/2, top+(bottom-top-size)/2)
	layout.qr = image.Rectangle{Min: at, Max: at.Add(image.Pt(size, size))}
	draw.Draw(c.img, layout.qr, q.Image(-layout.module), image.Point{}, draw.Src)
	if _, err := c.centred(Bold, p.Scan, 70, 48, 1, ink, scanY); err != nil {
		return nil, layout, err
	}
	if _, err := c.centred(Regular, p.Link, 64, 36, 1, ink, linkY); err != nil {
		return nil, layout, err
	}
	return c, layout, nil
}
