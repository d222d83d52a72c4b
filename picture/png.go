package picture

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
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
