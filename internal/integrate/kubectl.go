package integrate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authwrap/authwrap/internal/credhelper"
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

// The exec credential API versions setup kubectl can write.
const (
	ExecV1      = "client.authentication.k8s.io/v1"
	ExecV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// KubectlAPIVersion picks the exec credential API version for the kubectl
// on PATH: v1 from kubectl 1.22 on, v1beta1 before (Debian 12 packages
// 1.20, which rejects v1). It says why; with no kubectl (or one that
// does not say its version) it is v1, which every supported kubectl takes.
func KubectlAPIVersion() (version, why string) {
	out, err := exec.Command("kubectl", "version", "--client", "-o", "json").Output()
	if err != nil {
		return ExecV1, "kubectl's version is unknown (" + strings.TrimSpace(firstLine(err.Error())) + "), so v1"
	}
	var v struct {
		ClientVersion struct {
			Major, Minor, GitVersion string
		} `json:"clientVersion"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return ExecV1, "kubectl's version is unknown, so v1"
	}
	major, _ := strconv.Atoi(strings.TrimRight(v.ClientVersion.Major, "+"))
	minor, _ := strconv.Atoi(strings.TrimRight(v.ClientVersion.Minor, "+"))
	if major == 1 && minor > 0 && minor < 22 {
		return ExecV1beta1, "kubectl " + v.ClientVersion.GitVersion + " predates v1 (1.22)"
	}
	return ExecV1, "kubectl " + v.ClientVersion.GitVersion + " takes v1"
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// Kubectl is a kubeconfig file.
type Kubectl struct {
	// Path is the kubeconfig (KubeconfigPath for kubectl's own).
	Path string
}

// Name implements Tool.
func (Kubectl) Name() string { return "kubectl" }

// Uses implements Tool: a context of the kubeconfig pairs a cluster whose
// server is host with a user that runs authwrap's kubectl-credential.
func (k Kubectl) Uses(host string) (bool, error) {
	servers, err := k.Servers()
	if err != nil {
		return false, err
	}
	for _, srv := range servers {
		if t, err := credhelper.ParseTargetURL(srv); err == nil && t.Host == host {
			return true, nil
		}
	}
	return false, nil
}

// KubeUse is a context of a kubeconfig that runs authwrap's plugin.
type KubeUse struct {
	// Context, User and Cluster are the kubeconfig's names.
	Context, User, Cluster string
	// Server is the cluster's API server.
	Server string
	// ClusterInfo is the user's provideClusterInfo: without it the plugin
	// cannot tell which server the token is for and refuses.
	ClusterInfo bool
	// APIVersion is the exec API version the user asks for.
	APIVersion string
}

// Servers lists the API servers of the clusters that contexts pair with a
// user running authwrap's kubectl-credential.
func (k Kubectl) Servers() ([]string, error) {
	uses, err := k.Contexts()
	var out []string
	for _, u := range uses {
		if u.Server != "" {
			out = append(out, u.Server)
		}
	}
	return out, err
}

// Contexts lists the contexts of the kubeconfig that run authwrap's plugin.
func (k Kubectl) Contexts() ([]KubeUse, error) {
	data, err := os.ReadFile(k.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Clusters []struct {
			Name    string
			Cluster struct{ Server string }
		}
		Users []struct {
			Name string
			User struct {
				Exec *struct {
					APIVersion         string `yaml:"apiVersion"`
					Command            string
					Args               []string
					ProvideClusterInfo bool `yaml:"provideClusterInfo"`
				}
			}
		}
		Contexts []struct {
			Name    string
			Context struct{ Cluster, User string }
		}
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKubeconfig, k.Path, err)
	}
	type exe struct {
		info    bool
		version string
	}
	ours := map[string]exe{}
	for _, u := range cfg.Users {
		if e := u.User.Exec; e != nil && strings.Contains(e.Command, "authwrap") && slices.Contains(e.Args, "kubectl-credential") {
			ours[u.Name] = exe{e.ProvideClusterInfo, e.APIVersion}
		}
	}
	server := map[string]string{}
	for _, c := range cfg.Clusters {
		server[c.Name] = c.Cluster.Server
	}
	var out []KubeUse
	for _, c := range cfg.Contexts {
		if e, ok := ours[c.Context.User]; ok {
			out = append(out, KubeUse{Context: c.Name, User: c.Context.User, Cluster: c.Context.Cluster,
				Server: server[c.Context.Cluster], ClusterInfo: e.info, APIVersion: e.version})
		}
	}
	return out, nil
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
// a second key. The file is replaced atomically. A kubeconfig another user
// could have written is refused (fsutil.ReadTrusted): the server it names
// is where the token will go.
//
// apiVersion is the exec credential API version to write (ExecV1 when
// empty; kubectl before 1.22 takes only ExecV1beta1, see
// KubectlAPIVersion).
func SetupKubectl(path, cluster, profile, exe, apiVersion string, remove bool) (KubeSetup, error) {
	if apiVersion == "" {
		apiVersion = ExecV1
	}
	var res KubeSetup
	var data []byte
	var err error
	if remove {
		data, err = os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("reading the kubeconfig: %w", err)
		}
	} else {
		// The cluster's server, read from this file, is the host the
		// profile will send its token to: checked and read as one.
		data, err = fsutil.ReadTrusted(path)
		if errors.Is(err, fsutil.ErrUntrusted) {
			return res, fmt.Errorf("the kubeconfig decides which server gets the token: %w", err)
		} else if errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("no kubeconfig at %s (KUBECONFIG, else ~/.kube/config): add the cluster to it first (`kubectl config set-cluster %s --server https://HOST`), then run this again", path, ShellWord(cluster))
		} else if err != nil {
			return res, fmt.Errorf("reading the kubeconfig: %w", err)
		}
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
		"apiVersion", apiVersion,
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
