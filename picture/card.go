package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Card is what a donor card shows, every text already in the donor's
// language: the bot decides the words, this package only draws them.
type Card struct {
	Title      string // across the red band, e.g. "THẺ NGƯỜI HIẾN MÁU"
	Name       string
	BloodLabel string // "Nhóm máu"
	Blood      string // "O+", or the words for unknown
	Lines      [][2]string
	// QR, when not empty, is drawn as a QR code with QRLabel under it (the
	// donor's check-in code, scanned at the desk).
	QR, QRLabel string
}

// Size of a card: a bank card's proportions, large enough that a phone held
// up at a registration desk is readable from a step away.
const (
	CardWidth  = 1200
	CardHeight = 760
)

var (
	red   = color.RGBA{0xC6, 0x28, 0x28, 0xFF}
	ink   = color.RGBA{0x21, 0x21, 0x21, 0xFF}
	muted = color.RGBA{0x61, 0x61, 0x61, 0xFF}
)

// DrawCard renders c as a PNG of CardWidth × CardHeight.
func DrawCard(c Card) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, CardWidth, CardHeight))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	const margin, band = 48, 110
	draw.Draw(img, image.Rect(0, 0, CardWidth, band), image.NewUniform(red), image.Point{}, draw.Src)
	title, titleText, err := Fit(Bold, c.Title, CardWidth-2*margin, 48, 28)
	if err != nil {
		return nil, err
	}
	Text(img, title, color.White, margin, band/2+18, titleText)

	// The blood group, the first thing staff look for, in a red box.
	const boxW, boxH = 300, 220
	boxX, boxY := CardWidth-margin-boxW, band+40
	draw.Draw(img, image.Rect(boxX, boxY, boxX+boxW, boxY+boxH), image.NewUniform(red), image.Point{}, draw.Src)
	label, labelText, err := Fit(Regular, c.BloodLabel, boxW-32, 32, 20)
	if err != nil {
		return nil, err
	}
	Text(img, label, color.White, boxX+(boxW-Width(label, labelText))/2, boxY+50, labelText)
	group, groupText, err := Fit(Bold, c.Blood, boxW-32, 120, 36)
	if err != nil {
		return nil, err
	}
	Text(img, group, color.White, boxX+(boxW-Width(group, groupText))/2, boxY+175, groupText)

	left := boxX - margin - 24
	if err := drawName(img, c.Name, margin, band+100, left); err != nil {
		return nil, err
	}

	qrSize := 0
	if c.QR != "" {
		q, err := qrcode.New(c.QR, qrcode.Medium)
		if err != nil {
			return nil, fmt.Errorf("picture: card qr: %w", err)
		}
		q.DisableBorder = true
		qrSize = 210
		qr := q.Image(qrSize)
		at := image.Pt(CardWidth-margin-qrSize, CardHeight-margin-qrSize-36)
		draw.Draw(img, qr.Bounds().Add(at), qr, image.Point{}, draw.Src)
		small, smallText, err := Fit(Regular, c.QRLabel, qrSize+margin, 26, 16)
		if err != nil {
			return nil, err
		}
		Text(img, small, muted, CardWidth-margin-Width(small, smallText), CardHeight-margin, smallText)
	}
	width := left
	y := band + 190
	for _, l := range c.Lines {
		k, kText, err := Fit(Regular, l[0], width, 30, 18)
		if err != nil {
			return nil, err
		}
		Text(img, k, muted, margin, y, kText)
		v, vText, err := Fit(Bold, l[1], width, 44, 24)
		if err != nil {
			return nil, err
		}
		Text(img, v, ink, margin, y+50, vText)
		y += 110
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("picture: encode card: %w", err)
	}
	return buf.Bytes(), nil
}

// drawName draws the name on one line with its baseline at y, as large as
// fits width, or when it would be smaller than nameOneLine pixels on two
// lines split between words, so that a long name is shown whole.
func drawName(img draw.Image, name string, x, y, width int) error {
	const nameOneLine = 44
	face, text, err := Fit(Bold, name, width, 64, nameOneLine)
	if err != nil {
		return err
	}
	words := strings.Fields(name)
	if text == name || len(words) < 2 {
		Text(img, face, ink, x, y, text)
		return nil
	}
	// The split whose longer line is shortest.
	first, second, best := "", "", -1
	for i := 1; i < len(words); i++ {
		a, b := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		if w := max(Width(face, a), Width(face, b)); best < 0 || w < best {
			first, second, best = a, b, w
		}
	}
	size := float64(nameOneLine)
	for ; size > 28; size -= 2 {
		f, err := Face(Bold, size)
		if err != nil {
			return err
		}
		if max(Width(f, first), Width(f, second)) <= width {
			break
		}
	}
	for i, line := range []string{first, second} {
		f, fitted, err := Fit(Bold, line, width, size, size) // cut only past 28 px
		if err != nil {
			return err
		}
		Text(img, f, ink, x, y-30+52*i, fitted)
	}
	return nil
}
