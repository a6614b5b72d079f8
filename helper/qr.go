package helper

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// renderQR draws text as a QR code with half-block characters, two
// modules per character cell vertically, quiet zone included. With color,
// it sets black on white explicitly so the code scans on any terminal
// theme; without (NO_COLOR), it draws the light modules, which reads
// right on the usual dark terminal.
func renderQR(text string, color bool) (string, error) {
	q, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return "", err
	}
	bits := q.Bitmap() // true = dark module
	if len(bits)%2 == 1 {
		bits = append(bits, make([]bool, len(bits[0])))
	}
	var b strings.Builder
	for y := 0; y < len(bits); y += 2 {
		if color {
			b.WriteString("\033[30;47m")
		}
		for x := range bits[y] {
			top, bottom := bits[y][x], bits[y+1][x]
			if !color { // draw the light modules instead
				top, bottom = !top, !bottom
			}
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		if color {
			b.WriteString("\033[0m")
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
