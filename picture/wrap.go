package picture

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Wrap breaks s between words into at most maxLines lines no wider than
// width, in the largest size of weight w from maxPx down to minPx (2 px
// steps) at which it fits; at minPx the last line is cut with an ellipsis
// (Fit), and a single word wider than width is cut likewise. It returns
// the size and the lines.
func Wrap(w Weight, s string, width int, maxPx, minPx float64, maxLines int) (float64, []string, error) {
	words := strings.Fields(norm.NFC.String(s))
	if len(words) == 0 {
		return maxPx, nil, nil
	}
	for size := maxPx; ; size -= 2 {
		size = max(size, minPx)
		face, err := Face(w, size)
		if err != nil {
			return 0, nil, err
		}
		var lines []string
		line := ""
		for _, word := range words {
			next := word
			if line != "" {
				next = line + " " + word
			}
			if line != "" && Width(face, next) > width {
				lines = append(lines, line)
				next = word
			}
			line = next
		}
		lines = append(lines, line)
		fits := len(lines) <= maxLines
		for _, l := range lines {
			fits = fits && Width(face, l) <= width
		}
		if fits {
			return size, lines, nil
		}
		if size <= minPx {
			if len(lines) > maxLines {
				lines[maxLines-1] = strings.Join(lines[maxLines-1:], " ")
				lines = lines[:maxLines]
			}
			for i, l := range lines {
				_, cut, err := Fit(w, l, width, size, size)
				if err != nil {
					return 0, nil, err
				}
				lines[i] = cut
			}
			return size, lines, nil
		}
	}
}
