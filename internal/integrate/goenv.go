package integrate

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// GoEnv is the go command's environment configuration (`go env -w`,
// stored in its go.env file).
type GoEnv struct{}

// Name implements Tool.
func (GoEnv) Name() string { return "go" }

// IsAuthwrapGoAuth reports whether a GOAUTH value runs authwrap's goauth.
func IsAuthwrapGoAuth(v string) bool {
	for _, c := range strings.Split(v, ";") {
		f := strings.Fields(c)
		if len(f) == 2 && strings.Contains(f[0], "authwrap") && f[1] == "goauth" {
			return true
		}
	}
	return false
}

// Uses implements Tool: GOAUTH runs authwrap, and GOPRIVATE, GONOSUMDB,
// GONOPROXY or GOPROXY names host. Without a go command nothing uses it.
func (GoEnv) Uses(host string) (bool, error) {
	out, err := exec.Command("go", "env", "GOAUTH", "GOPRIVATE", "GONOSUMDB", "GONOPROXY", "GOPROXY").Output()
	if errors.Is(err, exec.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, goErr(err)
	}
	lines := strings.SplitN(string(out), "\n", 2)
	if !IsAuthwrapGoAuth(lines[0]) || len(lines) < 2 {
		return false, nil
	}
	name, _, _ := strings.Cut(host, ":")
	return strings.Contains(lines[1], name), nil
}

// GoEnvGet returns `go env NAME`.
func GoEnvGet(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", goErr(err)
	}
	return strings.TrimSpace(string(out)), nil
}

// GoEnvSet runs `go env -w NAME=VALUE ...`.
func GoEnvSet(pairs ...string) error {
	cmd := exec.Command("go", append([]string{"env", "-w"}, pairs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go env -w: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func goErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("go env: %w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// AddToList adds item to a comma-separated list (GOPRIVATE, GONOSUMDB)
// unless it is there.
func AddToList(list, item string) string {
	for _, x := range strings.Split(list, ",") {
		if strings.TrimSpace(x) == item {
			return list
		}
	}
	if strings.TrimSpace(list) == "" {
		return item
	}
	return list + "," + item
}
