package helper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	fields := r.fields()
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if err := decodeField(d, findField(fields, key)); err != nil {
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

// recordField is one of the record's fields by its JSON key (the struct
// tag; TestRecordFieldsAreTheTags holds them together): exactly one of
// the pointers is set.
type recordField struct {
	key string
	num *int
	str *string
	tm  *time.Time
}

// fields lists the record's fields.
func (r *record) fields() []recordField {
	return []recordField{
		{key: "v", num: &r.Version},
		{key: "p", str: &r.Profile}, {key: "srv", str: &r.Server}, {key: "cid", str: &r.Client},
		{key: "at", str: &r.Access}, {key: "rt", str: &r.Refresh},
		{key: "exp", tm: &r.Expiry}, {key: "iat", tm: &r.Issued},
		{key: "uid", str: &r.User}, {key: "em", str: &r.Email}, {key: "org", str: &r.Org},
		{key: "orgn", str: &r.OrgName}, {key: "orgs", str: &r.Orgs}, {key: "sid", str: &r.SID}, {key: "upd", tm: &r.Updated},
		{key: "kind", str: &r.Kind},
	}
}

// findField is the field key names, as json.Unmarshal matches them:
// exactly, else by Unicode case folding; nil for none.
func findField(fields []recordField, key string) *recordField {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].key, key) {
			return &fields[i]
		}
	}
	return nil
}

// decodeField decodes the next value into f; a value for no field is
// skipped, and null leaves the field alone, as json.Unmarshal does.
func decodeField(d *json.Decoder, f *recordField) error {
	if f == nil {
		var skip json.RawMessage
		return d.Decode(&skip)
	}
	t, err := d.Token()
	if err != nil || t == nil {
		return err
	}
	if f.num != nil {
		n, ok := t.(json.Number)
		if !ok {
			return errors.New("not a number")
		}
		v, err := strconv.ParseInt(n.String(), 10, 0)
		if err != nil {
			return err
		}
		*f.num = int(v)
		return nil
	}
	str, ok := t.(string)
	if !ok {
		return errors.New("not a string")
	}
	if f.str != nil {
		*f.str = str
		return nil
	}
	return f.tm.UnmarshalText([]byte(str))
}
