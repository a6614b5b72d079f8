// Package integrate edits and checks other programs' configuration so
// that they get their tokens from authwrap: git's global config, docker's
// config.json, a kubeconfig, Terraform's CLI configuration, cargo's
// configuration, the go command's environment and pip's keyring command. Each tool
// has one file with one shape: Configure (what setup writes), Remove
// (what setup --remove takes out) and Uses (whether the tool's
// configuration, as it is now, sends a host's credentials to authwrap),
// so that setup, --remove and doctor read the same facts. It never
// touches the network or the keyring.
package integrate

import (
	"errors"
	"fmt"
	"os"
)

// Tool is a program whose configuration can point at authwrap.
type Tool interface {
	// Name is the tool as setup names it: git, docker, kubectl, terraform.
	Name() string
	// Uses reports whether the tool's configuration sends credential
	// requests for host (host or host:port, canonical) to authwrap.
	Uses(host string) (bool, error)
}

// Tools are the tools authwrap sets up, each reading its default
// configuration file.
func Tools() []Tool {
	self, _ := os.Executable()
	return []Tool{Git{}, Docker{Path: DockerConfigPath()}, Kubectl{Path: KubeconfigPath()}, Terraform{Path: TerraformConfigPath()},
		Cargo{Path: CargoConfigPath()}, GoEnv{}, Pip{Self: self}}
}

// UsedBy returns the tools other than except whose configuration still
// sends host to authwrap. A tool whose configuration cannot be read counts
// as using it (removing the host could break it), and the error says so.
func UsedBy(tools []Tool, host, except string) ([]string, error) {
	var names []string
	var errs []error
	for _, t := range tools {
		if t.Name() == except {
			continue
		}
		ok, err := t.Uses(host)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Name(), err))
			ok = true
		}
		if ok {
			names = append(names, t.Name())
		}
	}
	return names, errors.Join(errs...)
}
