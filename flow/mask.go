package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// secretSet is what one request carried that must not come back in an
// error or a log: the form's secret fields and a client secret, as sent
// and as encoded on the way.
type secretSet []string

func requestSecrets(form url.Values, auth *clientAuth) secretSet {
	var s secretSet
	for _, k := range secretFields {
		if v := form.Get(k); v != "" {
			s = append(s, v)
		}
	}
	if auth != nil && !auth.secret.IsZero() {
		v := auth.secret.Reveal()
		s = append(s, v, url.QueryEscape(v), url.PathEscape(v), auth.basicCredentials())
	}
	return s
}

// maskBytes replaces every secret in data with the mask.
func (s secretSet) maskBytes(data []byte) []byte {
	for _, v := range s {
		data = bytes.ReplaceAll(data, []byte(v), []byte(redacted))
	}
	return data
}

// maskString replaces every secret in v with the mask, and all of v when
// a secret shows only once v is unescaped (a Location with the secret
// percent-encoded some other way).
func (s secretSet) maskString(v string) string {
	if len(s) == 0 {
		return v
	}
	for _, sec := range s {
		v = strings.ReplaceAll(v, sec, redacted)
	}
	for _, dec := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if u, err := dec(v); err == nil && s.in(u) {
			return redacted
		}
	}
	return v
}

// in reports whether any secret is in v.
func (s secretSet) in(v string) bool {
	for _, sec := range s {
		if strings.Contains(v, sec) {
			return true
		}
	}
	return false
}

// inJSON reports whether any string in the JSON document data, key or
// value, holds a secret once its escapes are undone.
func (s secretSet) inJSON(data []byte) bool {
	if len(s) == 0 {
		return false
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return s.maskString(v) != v
		case []any:
			return slices.ContainsFunc(v, walk)
		case map[string]any:
			for k, e := range v {
				if walk(k) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// maskError returns err, or when its text holds a secret, an error of the
// same kind (transient or not) whose text is masked and that keeps
// nothing of the original.
func (s secretSet) maskError(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	msg := err.Error()
	masked := s.maskString(msg)
	if masked == msg {
		return err
	}
	if IsTransient(err) {
		return &transientError{errors.New(masked)}
	}
	return errors.New(masked)
}

// maskHeader returns h with the secrets masked in its values (h itself
// when there is nothing to mask).
func (s secretSet) maskHeader(h http.Header) http.Header {
	if len(s) == 0 || h == nil {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], s.maskString(v))
		}
	}
	return out
}
