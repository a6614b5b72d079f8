package credhelper

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// KubeconfigPath is the kubeconfig kubectl writes to: the first file of
// $KUBECONFIG, or ~/.kube/config.
func KubeconfigPath() string {
	if k := os.Getenv("KUBECONFIG"); k != "" {
		return strings.Split(k, string(os.PathListSeparator))[0]
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".kube", "config")
}

// KubeNames are the user and context SetupKubectl writes for a profile
// and cluster.
func KubeNames(profile, cluster string) (user, context string) {
	return "authwrap-" + profile, cluster + "-authwrap-" + profile
}

// SetupKubectl adds (or, with remove, removes) a kubeconfig user that runs
// `EXE kubectl-credential` and a context pairing it with cluster, which
// must exist. Everything else in the file, comments included, is kept;
// the current context is not changed. The file is replaced atomically.
func SetupKubectl(path, cluster, profile, exe string, remove bool) error {
	data, err := os.ReadFile(path)
	if err != nil && !(remove && errors.Is(err, fs.ErrNotExist)) {
		return fmt.Errorf("reading the kubeconfig: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s is not valid YAML, not touching it: %v", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		if remove {
			return nil
		}
		return fmt.Errorf("%s is not a kubeconfig", path)
	}
	root := doc.Content[0]
	user, context := KubeNames(profile, cluster)
	if !remove && findNamed(seq(root, "clusters"), cluster) < 0 {
		return fmt.Errorf("no cluster %q in %s (kubectl config get-clusters lists them)", cluster, path)
	}
	args := []string{"kubectl-credential"}
	if profile != "default" {
		args = append(args, "--profile", profile)
	}
	userNode := mapping("name", user, "user", mapping("exec", mapping(
		"apiVersion", "client.authentication.k8s.io/v1",
		"command", exe,
		"args", args,
		"interactiveMode", "IfAvailable",
		"provideClusterInfo", false,
	)))
	contextNode := mapping("name", context, "context", mapping("cluster", cluster, "user", user))
	setNamed(root, "users", user, userNode, remove)
	setNamed(root, "contexts", context, contextNode, remove)
	out, err := encode(&doc)
	if err != nil {
		return err
	}
	return fsutil.WriteAtomic(path, out)
}

func encode(doc *yaml.Node) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return []byte(b.String()), enc.Close()
}

// seq returns the sequence under key in m, or nil.
func seq(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// findNamed returns the index of the item whose name is name, or -1.
func findNamed(s *yaml.Node, name string) int {
	if s == nil {
		return -1
	}
	for i, item := range s.Content {
		if n := seq(item, "name"); n != nil && n.Value == name {
			return i
		}
	}
	return -1
}

// setNamed replaces, adds or removes the item called name in the sequence
// under key (created when missing).
func setNamed(root *yaml.Node, key, name string, item *yaml.Node, remove bool) {
	s := seq(root, key)
	if s == nil || s.Kind != yaml.SequenceNode {
		if remove {
			return
		}
		s = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, s)
	}
	i := findNamed(s, name)
	switch {
	case remove && i >= 0:
		s.Content = append(s.Content[:i], s.Content[i+1:]...)
	case remove:
	case i >= 0:
		s.Content[i] = item
	default:
		s.Content = append(s.Content, item)
	}
}

// mapping builds a YAML mapping from key, value pairs.
func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		var v yaml.Node
		if n, ok := kv[i+1].(*yaml.Node); ok {
			v = *n
		} else {
			_ = v.Encode(kv[i+1])
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[i].(string)}, &v)
	}
	return m
}
