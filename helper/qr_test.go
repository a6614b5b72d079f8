package helper

import (
	"image"
	"image/color"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// modules reads drawn half blocks back as QR modules, true for dark;
// drawnIsDark says which drawn half cells are dark. Escape codes are
// dropped.
func modules(drawn string, drawnIsDark bool) [][]bool {
	drawn = regexp.MustCompile("\033\\[[0-9;]*m").ReplaceAllString(drawn, "")
	var rows [][]bool
	for _, line := range strings.Split(strings.TrimRight(drawn, "\n"), "\n") {
		top, bottom := []bool{}, []bool{}
		for _, r := range line {
			top = append(top, (r == '█' || r == '▀') == drawnIsDark)
			bottom = append(bottom, (r == '█' || r == '▄') == drawnIsDark)
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

// decodeDrawn turns drawn half blocks into an image (4 px a module) and
// decodes it as a QR code.
func decodeDrawn(t *testing.T, drawn string, drawnIsDark bool) string {
	t.Helper()
	rows := modules(drawn, drawnIsDark)
	const px = 4
	img := image.NewGray(image.Rect(0, 0, len(rows[0])*px, len(rows)*px))
	for y, row := range rows {
		for x, dark := range row {
			c := color.Gray{Y: 255}
			if dark {
				c = color.Gray{Y: 0}
			}
			for dy := 0; dy < px; dy++ {
				for dx := 0; dx < px; dx++ {
					img.SetGray(x*px+dx, y*px+dy, c)
				}
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the drawn code does not decode: %v\n%s", err, drawn)
	}
	return res.GetText()
}

// TestQRDecodes draws the verification URL both ways and reads it back;
// the drawing keeps its quiet zone, and with color every line is black
// on white up to a reset before its newline.
func TestQRDecodes(t *testing.T) {
	const u = "https://example.authkit.app/device?user_code=BCDF-GHJK"
	for _, colored := range []bool{true, false} {
		drawn, err := renderQR(u, colored)
		if err != nil {
			t.Fatal(err)
		}
		// With color, blocks are the dark modules (black on white); without,
		// blocks are the light ones.
		if got := decodeDrawn(t, drawn, colored); got != u {
			t.Errorf("color=%v: decoded %q, want %q", colored, got, u)
		}
		if !colored && strings.Contains(drawn, "\033") {
			t.Error("NO_COLOR drawing holds escape codes")
		}
		// A scanner needs the quiet zone: four light modules on each side
		// of the square code (the half row below it is the terminal's).
		rows := modules(drawn, colored)
		size := len(rows[0])
		for y, row := range rows[:size] {
			for x, dark := range row {
				if dark && (x < 4 || x >= size-4 || y < 4 || y >= size-4) {
					t.Fatalf("color=%v: a dark module at %d,%d, in the quiet zone:\n%s", colored, x, y, drawn)
				}
			}
		}
		if colored {
			for i, line := range strings.SplitAfter(strings.TrimSuffix(drawn, "\n"), "\n") {
				if !strings.HasPrefix(line, "\033[30;47m") || !strings.HasSuffix(strings.TrimSuffix(line, "\n"), "\033[0m") {
					t.Errorf("line %d is not black on white to its end, reset before the newline: %q", i, line)
				}
			}
		}
	}
}
