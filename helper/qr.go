package helper

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// renderQR draws text as a QR code with the QR library's half blocks
// (ToSmallString: two modules per character cell vertically, quiet zone
// included). With color, the blocks are the dark modules, black on white
// set explicitly line by line, so the code scans on any terminal theme;
// without (NO_COLOR), the blocks are the light modules, which reads right
// on the usual dark terminal.
func renderQR(text string, color bool) (string, error) {
	q, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return "", err
	}
	drawn := q.ToSmallString(color) // true: blocks for the dark modules
	if !color {
		return drawn, nil
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(drawn, "\n") {
		if line != "" {
			b.WriteString("\033[30;47m" + strings.TrimSuffix(line, "\n") + "\033[0m\n")
		}
	}
	return b.String(), nil
}
