package helper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// UnmarshalJSON decodes a stored record field by field with encoding/json's
// tokenizer. json.Unmarshal into the struct would do the same, but first
// works out the struct's fields by reflection, which every short-lived
// process pays again: about a third of what a cached read does after
// start-up. It gives what json.Unmarshal gives (FuzzRecordDecode compares
// them): keys matched exactly or else without regard to case, unknown keys
// skipped, null leaving a field alone, the last of a repeated key winning.
func (r *record) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if t, err := d.Token(); err != nil {
		return err
	} else if t == nil {
		return nil // null: nothing to set, as json.Unmarshal does
	} else if t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if err := r.decodeField(d, recordKey(key)); err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
	}
	if t, err := d.Token(); err != nil {
		return err
	} else if t != json.Delim('}') {
		return errors.New("not a JSON object")
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("data after the object")
	}
	return nil
}

// recordKeys are the record's JSON keys (its struct tags).
var recordKeys = [...]string{"v", "p", "srv", "cid", "at", "rt", "exp", "iat", "uid", "em", "org", "orgn", "sid", "upd"}

// recordKey is the record key that key names, as json.Unmarshal matches
// them: exactly, else by Unicode case folding; else key itself.
func recordKey(key string) string {
	for _, k := range recordKeys {
		if key == k {
			return k
		}
	}
	for _, k := range recordKeys {
		if strings.EqualFold(key, k) {
			return k
		}
	}
	return key
}

// decodeField decodes the value of key into its field.
func (r *record) decodeField(d *json.Decoder, key string) error {
	var s *string
	var tm *time.Time
	switch key {
	case "v":
		t, err := d.Token()
		if err != nil {
			return err
		}
		n, ok := t.(json.Number)
		if !ok {
			return errors.New("not a number")
		}
		v, err := n.Int64()
		if err != nil {
			return err
		}
		r.Version = int(v)
		return nil
	case "p":
		s = &r.Profile
	case "srv":
		s = &r.Server
	case "cid":
		s = &r.Client
	case "at":
		s = &r.Access
	case "rt":
		s = &r.Refresh
	case "uid":
		s = &r.User
	case "em":
		s = &r.Email
	case "org":
		s = &r.Org
	case "orgn":
		s = &r.OrgName
	case "sid":
		s = &r.SID
	case "exp":
		tm = &r.Expiry
	case "iat":
		tm = &r.Issued
	case "upd":
		tm = &r.Updated
	default:
		var skip json.RawMessage
		return d.Decode(&skip)
	}
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil // null leaves the field alone, as json.Unmarshal does
	}
	str, ok := t.(string)
	if !ok {
		return errors.New("not a string")
	}
	if s != nil {
		*s = str
		return nil
	}
	return tm.UnmarshalText([]byte(str))
}
