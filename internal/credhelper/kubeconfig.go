package credhelper

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authwrap/authwrap/internal/config"
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

// ErrNoClusterInfo means kubectl did not say which server it talks to:
// the kubeconfig's exec section lacks provideClusterInfo.
var ErrNoClusterInfo = errors.New("kubectl did not say which cluster the token is for (provideClusterInfo is not set): run `authwrap setup kubectl --cluster NAME` again")

// CheckKubeServer refuses to give profile's token for an API server the
// profile does not list: kubectl hands an exec plugin's token to whatever
// cluster it talks to (a --server override, an edited kubeconfig).
func CheckKubeServer(cfg *config.Config, profile, server string) error {
	if server == "" {
		return ErrNoClusterInfo
	}
	t, err := ParseTargetURL(server)
	if err != nil {
		return fmt.Errorf("cluster server %.120q: %w", server, err)
	}
	if _, err := ProfileFor(cfg, t, profile); err != nil {
		return fmt.Errorf("%w: refusing to send the token of profile %s to the cluster at %s (`authwrap setup kubectl --cluster NAME` binds a kubeconfig cluster's server)", ErrUnknownHost, profile, t)
	}
	return nil
}

// ErrKubeconfig marks a kubeconfig that SetupKubectl will not edit.
var ErrKubeconfig = errors.New("not a kubeconfig authwrap can edit")

// KubeSetup is what SetupKubectl did.
type KubeSetup struct {
	// Server is the cluster's API server (cluster.server), whose host
	// the profile must list for kubectl-credential to answer.
	Server string
	// Changed is false when there was nothing to add or remove.
	Changed bool
}

// SetupKubectl adds (or, with remove, removes) a kubeconfig user that runs
// `EXE kubectl-credential` with provideClusterInfo (so the plugin learns
// which server kubectl talks to and answers only for a bound one), and a
// context pairing it with cluster, which must exist. Everything else in
// the file, comments included, is kept; the current context is not
// changed. A list kubectl wrote as null (`users: null`) is filled in
// place; a key that holds something other than a list is an error, never
// a second key. The file is replaced atomically.
func SetupKubectl(path, cluster, profile, exe string, remove bool) (KubeSetup, error) {
	var res KubeSetup
	data, err := os.ReadFile(path)
	if err != nil && !(remove && errors.Is(err, fs.ErrNotExist)) {
		return res, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return res, fmt.Errorf("%w: %s is not valid YAML, not touching it: %v", ErrKubeconfig, path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		if remove {
			return res, nil
		}
		return res, fmt.Errorf("%w: %s holds no kubeconfig mapping", ErrKubeconfig, path)
	}
	root := doc.Content[0]
	for _, key := range []string{"clusters", "users", "contexts"} {
		if n := countKey(root, key); n > 1 {
			return res, fmt.Errorf("%w: %s has %d top-level %q keys; fix it by hand first", ErrKubeconfig, path, n, key)
		}
		if v := value(root, key); v != nil && v.Kind != yaml.SequenceNode && !isNull(v) {
			return res, fmt.Errorf("%w: %s: %q is not a list", ErrKubeconfig, path, key)
		}
	}
	user, context := KubeNames(profile, cluster)
	clusters := value(root, "clusters")
	ci := findNamed(clusters, cluster)
	if ci >= 0 {
		if c := value(clusters.Content[ci], "cluster"); c != nil && c.Kind == yaml.MappingNode {
			if srv := value(c, "server"); srv != nil && srv.Kind == yaml.ScalarNode {
				res.Server = srv.Value
			}
		}
	}
	if !remove && ci < 0 {
		return res, fmt.Errorf("no cluster %q in %s (kubectl config get-clusters lists them)", cluster, path)
	}
	if !remove && res.Server == "" {
		return res, fmt.Errorf("%w: cluster %q in %s has no server", ErrKubeconfig, cluster, path)
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
		"provideClusterInfo", true,
	)))
	contextNode := mapping("name", context, "context", mapping("cluster", cluster, "user", user))
	res.Changed = setNamed(root, "users", user, userNode, remove)
	res.Changed = setNamed(root, "contexts", context, contextNode, remove) || res.Changed
	if !res.Changed {
		return res, nil
	}
	out, err := encode(&doc)
	if err != nil {
		return res, err
	}
	return res, fsutil.WriteAtomic(path, out)
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

// value returns the value under key in the mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// countKey counts the keys called key in the mapping m.
func countKey(m *yaml.Node, key string) int {
	n := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			n++
		}
	}
	return n
}

// isNull reports whether n is YAML's null (`key:`, `key: null`, `~`).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// findNamed returns the index of the item whose name is name in the
// sequence s, or -1.
func findNamed(s *yaml.Node, name string) int {
	if s == nil || s.Kind != yaml.SequenceNode {
		return -1
	}
	for i, item := range s.Content {
		if n := value(item, "name"); n != nil && n.Value == name {
			return i
		}
	}
	return -1
}

// setNamed replaces, adds or removes the item called name in the sequence
// under key. A missing key is added, a null one becomes the sequence in
// place (the caller has refused any other kind). It reports whether the
// document changed.
func setNamed(root *yaml.Node, key, name string, item *yaml.Node, remove bool) bool {
	s := value(root, key)
	if s == nil || s.Kind != yaml.SequenceNode {
		if remove {
			return false
		}
		if s == nil {
			s = &yaml.Node{}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, s)
		}
		*s = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", HeadComment: s.HeadComment, LineComment: s.LineComment}
	}
	s.Style &^= yaml.FlowStyle // `users: []` grows into a block list
	i := findNamed(s, name)
	switch {
	case remove && i >= 0:
		s.Content = append(s.Content[:i], s.Content[i+1:]...)
	case remove:
		return false
	case i >= 0:
		s.Content[i] = item
	default:
		s.Content = append(s.Content, item)
	}
	return true
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
