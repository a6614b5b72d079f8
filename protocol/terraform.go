package protocol

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/idna"
)

// ErrTerraformHost marks a host that has no TF_TOKEN_ variable form.
var ErrTerraformHost = errors.New("not a host Terraform can take a token for from the environment")

// TerraformTokenVar returns the environment variable Terraform and OpenTofu
// read a host's token from: TF_TOKEN_ and the host in its ASCII form, with
// each '-' written "__" and each '.' written "_" (app.terraform.io gives
// TF_TOKEN_app_terraform_io). Hosts with a port, a path or characters
// other than letters, digits, '-' and '.' have no such form.
func TerraformTokenVar(host string) (string, error) {
	h := strings.TrimSuffix(strings.TrimSpace(host), ".")
	ascii, err := idna.Lookup.ToASCII(h)
	if err != nil || ascii == "" {
		return "", fmt.Errorf("%w: %.80q", ErrTerraformHost, host)
	}
	var b strings.Builder
	b.WriteString("TF_TOKEN_")
	for _, r := range strings.ToLower(ascii) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-':
			b.WriteString("__")
		case r == '.':
			b.WriteByte('_')
		default:
			return "", fmt.Errorf("%w: %.80q", ErrTerraformHost, host)
		}
	}
	return b.String(), nil
}

// TerraformToken is the answer of a Terraform credentials helper's get.
type TerraformToken struct {
	// Token is the bearer token; empty when the helper has nothing for the
	// host.
	Token Secret
}

// WriteTerraformToken writes t as Terraform reads it: {"token":"..."},
// or {} for an empty token.
func WriteTerraformToken(w io.Writer, t TerraformToken) error {
	return writeJSON(w, struct {
		Token string `json:"token,omitempty"`
	}{t.Token.Reveal()})
}
