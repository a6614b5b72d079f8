package integrate

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/authwrap/authwrap/internal/credhelper"
)

// GoEnv is the go command's environment configuration (`go env -w`,
// stored in its go.env file).
type GoEnv struct{}

// Name implements Tool.
func (GoEnv) Name() string { return "go" }

// GoAuthProgram returns the authwrap binary a GOAUTH value runs as its
// goauth command (`PATH goauth`, or `PATH --profile NAME goauth` as
// setup go writes it for another profile).
func GoAuthProgram(v string) (string, bool) {
	for _, c := range strings.Split(v, ";") {
		f := strings.Fields(c)
		if len(f) >= 2 && f[len(f)-1] == "goauth" && strings.Contains(filepath.Base(f[0]), "authwrap") {
			return f[0], true
		}
	}
	return "", false
}

// IsAuthwrapGoAuth reports whether a GOAUTH value runs authwrap's goauth.
func IsAuthwrapGoAuth(v string) bool {
	_, ok := GoAuthProgram(v)
	return ok
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
	goauth, rest, _ := strings.Cut(string(out), "\n")
	return IsAuthwrapGoAuth(goauth) && goEnvNames(rest, host), nil
}

// goEnvNames reports whether the go environment's lists (module path
// patterns, proxy URLs; separated by commas, pipes or lines) name host:
// a proxy URL on host, or a pattern whose first element matches its name.
func goEnvNames(lists, host string) bool {
	name, _, _ := strings.Cut(host, ":")
	for _, item := range strings.FieldsFunc(lists, func(r rune) bool { return r == ',' || r == '|' || r == '\n' || r == ' ' }) {
		if strings.Contains(item, "://") {
			if t, err := credhelper.ParseTargetURL(item); err == nil && t.Host == host {
				return true
			}
			continue
		}
		first, _, _ := strings.Cut(item, "/")
		if ok, _ := path.Match(strings.ToLower(first), name); ok {
			return true
		}
	}
	return false
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
