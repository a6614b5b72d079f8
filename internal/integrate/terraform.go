package integrate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
)

// TerraformConfigPath is Terraform's (and OpenTofu's) CLI configuration:
// $TF_CLI_CONFIG_FILE, else ~/.terraformrc (%APPDATA%\terraform.rc on
// Windows).
func TerraformConfigPath() string {
	if p := os.Getenv("TF_CLI_CONFIG_FILE"); p != "" {
		return p
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("APPDATA"), "terraform.rc")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".terraformrc")
}

// Terraform is Terraform's CLI configuration. setup terraform prints the
// block to add rather than editing the file (HCL), so Terraform's use of a
// host is only known from the file: with authwrap as its
// credentials_helper, Terraform asks authwrap for every host it talks to.
type Terraform struct {
	// Path is the CLI configuration file.
	Path string
}

// Name implements Tool.
func (Terraform) Name() string { return "terraform" }

// helperBlock finds `credentials_helper "authwrap"` outside a comment.
var helperBlock = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^[ \t]*credentials_helper[ \t]+"authwrap"`) })

// HasHelper reports whether the file names authwrap as the credentials
// helper.
func (t Terraform) HasHelper() (bool, error) {
	data, err := os.ReadFile(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return helperBlock().Match(data), nil
}

// Uses implements Tool: Terraform may ask authwrap for any host once
// authwrap is its credentials helper.
func (t Terraform) Uses(string) (bool, error) { return t.HasHelper() }
