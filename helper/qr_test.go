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

// decodeDrawn turns drawn half blocks back into an image (4 px a module)
// and decodes it as a QR code. dark says which drawn cells are dark.
func decodeDrawn(t *testing.T, drawn string, drawnIsDark bool) string {
	t.Helper()
	drawn = regexp.MustCompile("\033\\[[0-9;]*m").ReplaceAllString(drawn, "")
	lines := strings.Split(strings.TrimRight(drawn, "\n"), "\n")
	const px = 4
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, w*px, len(lines)*2*px))
	for y, line := range lines {
		for x, r := range []rune(line) {
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			for i, on := range []bool{top, bottom} {
				dark := on == drawnIsDark
				c := color.Gray{Y: 255}
				if dark {
					c = color.Gray{Y: 0}
				}
				for dy := 0; dy < px; dy++ {
					for dx := 0; dx < px; dx++ {
						img.SetGray(x*px+dx, (y*2+i)*px+dy, c)
					}
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

// TestQRDecodes draws the verification URL both ways and reads it back.
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
	}
}
