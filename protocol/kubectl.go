package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// The ExecCredential API versions kubectl may ask a plugin for.
const (
	ExecCredentialV1      = "client.authentication.k8s.io/v1"
	ExecCredentialV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// ErrExecInfo marks a KUBERNETES_EXEC_INFO that cannot be answered.
var ErrExecInfo = errors.New("bad KUBERNETES_EXEC_INFO")

// ExecInfo is what kubectl tells an exec credential plugin in
// KUBERNETES_EXEC_INFO: the API version to answer in, and whether a person
// can be asked for input.
type ExecInfo struct {
	// APIVersion is ExecCredentialV1 or ExecCredentialV1beta1.
	APIVersion string
	// Interactive is spec.interactive: stdin is the person's terminal.
	Interactive bool
	// Server is spec.cluster.server, the API server kubectl will send the
	// token to; kubectl sends it only when the kubeconfig's exec section
	// sets provideClusterInfo. Empty when it did not.
	Server string
}

// ParseExecInfo reads KUBERNETES_EXEC_INFO. An empty value (an old
// kubectl, or a plugin run by hand) means v1 and not interactive.
func ParseExecInfo(v string) (ExecInfo, error) {
	if v == "" {
		return ExecInfo{APIVersion: ExecCredentialV1}, nil
	}
	var raw struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			Interactive bool `json:"interactive"`
			Cluster     *struct {
				Server string `json:"server"`
			} `json:"cluster"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return ExecInfo{}, fmt.Errorf("%w: %v", ErrExecInfo, err)
	}
	if raw.APIVersion != ExecCredentialV1 && raw.APIVersion != ExecCredentialV1beta1 {
		return ExecInfo{}, fmt.Errorf("%w: apiVersion %.60q is not %s or %s", ErrExecInfo, raw.APIVersion, ExecCredentialV1, ExecCredentialV1beta1)
	}
	if raw.Kind != "" && raw.Kind != "ExecCredential" {
		return ExecInfo{}, fmt.Errorf("%w: kind %.40q is not ExecCredential", ErrExecInfo, raw.Kind)
	}
	info := ExecInfo{APIVersion: raw.APIVersion, Interactive: raw.Spec.Interactive}
	if raw.Spec.Cluster != nil {
		info.Server = raw.Spec.Cluster.Server
	}
	return info, nil
}

// ExecCredential is a plugin's answer to kubectl.
type ExecCredential struct {
	// APIVersion echoes the version kubectl asked for.
	APIVersion string
	// Kind is always "ExecCredential".
	Kind string
	// Status carries the token.
	Status ExecCredentialStatus
}

// ExecCredentialStatus is the token and until when kubectl may cache it.
type ExecCredentialStatus struct {
	// Token is the bearer token.
	Token Secret
	// ExpirationTimestamp is when the token expires (RFC 3339).
	ExpirationTimestamp string
}

// NewExecCredential answers info with token, valid until expiry.
func NewExecCredential(info ExecInfo, token string, expiry time.Time) ExecCredential {
	c := ExecCredential{APIVersion: info.APIVersion, Kind: "ExecCredential", Status: ExecCredentialStatus{Token: Secret(token)}}
	if !expiry.IsZero() {
		c.Status.ExpirationTimestamp = expiry.UTC().Format(time.RFC3339)
	}
	return c
}

// WriteExecCredential writes c as kubectl reads it.
func WriteExecCredential(w io.Writer, c ExecCredential) error {
	type status struct {
		Token               string `json:"token"`
		ExpirationTimestamp string `json:"expirationTimestamp,omitempty"`
	}
	return writeJSON(w, struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Status     status `json:"status"`
	}{c.APIVersion, c.Kind, status{c.Status.Token.Reveal(), c.Status.ExpirationTimestamp}})
}
