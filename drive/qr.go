package drive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/png"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// posterSize is about the width in pixels of a poster: large enough to print
// on A4 and still scan, small enough to send as a Telegram photo.
const posterSize = 1024

// QRPoster returns a PNG with the QR code of link (the drive's deep link),
// surrounded by the quiet zone of 4 modules that ISO/IEC 18004 asks for. Each
// module is a whole number of pixels, so the code stays sharp when printed.
//
// The title and subtitle are not drawn: no font that covers Vietnamese is
// available without another dependency. They are stored in the PNG as
// UTF-8 "Title" and "Description" text chunks (iTXt), so a saved poster
// keeps its name; handlers put them in the photo's caption.
//
// High error correction (30%) keeps the code readable on a creased or
// partly covered printout.
func QRPoster(link, title, subtitle string) ([]byte, error) {
	if link == "" {
		return nil, errors.New("drive: qr poster: empty link")
	}
	q, err := qrcode.New(link, qrcode.High)
	if err != nil {
		return nil, fmt.Errorf("drive: qr poster: %w", err)
	}
	modules := len(q.Bitmap()) // quiet zone included
	scale := max(posterSize/modules, 1)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, q.Image(-scale)); err != nil {
		return nil, fmt.Errorf("drive: qr poster: encode png: %w", err)
	}
	var chunks []byte
	for _, kv := range [][2]string{{"Title", title}, {"Description", subtitle}} {
		// The PNG spec allows no NUL in iTXt text.
		if v := strings.TrimSpace(strings.ReplaceAll(kv[1], "\x00", "")); v != "" {
			chunks = append(chunks, itxtChunk(kv[0], v)...)
		}
	}
	return insertAfterIHDR(buf.Bytes(), chunks)
}

// itxtChunk builds an uncompressed iTXt chunk (PNG spec, 11.3.4.5): keyword,
// NUL, compression flag and method, empty language tag and translated
// keyword, each NUL-terminated, then the UTF-8 text.
func itxtChunk(keyword, text string) []byte {
	data := make([]byte, 0, len(keyword)+len(text)+5)
	data = append(data, keyword...)
	data = append(data, 0, 0, 0, 0, 0)
	data = append(data, text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iTXt"...)
	chunk = append(chunk, data...)
	return binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
}

// insertAfterIHDR puts chunks right after the IHDR chunk, which the PNG
// signature (8 bytes) and IHDR (4+4+13+4 bytes) always open a file with.
func insertAfterIHDR(pngData, chunks []byte) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(pngData) < ihdrEnd || string(pngData[12:16]) != "IHDR" {
		return nil, errors.New("drive: qr poster: encoder wrote no IHDR first")
	}
	out := make([]byte, 0, len(pngData)+len(chunks))
	out = append(out, pngData[:ihdrEnd]...)
	out = append(out, chunks...)
	return append(out, pngData[ihdrEnd:]...), nil
}
