package config

import (
	"encoding/json"
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// SecretPlaceholder is the value offline rendering gives every secret key: synth has no
// secrets provider, and nothing it writes may contain a real secret.
const SecretPlaceholder = fleet.SecretPlaceholder

// Load builds the stack configuration from raw config values (the strings Pulumi passes to a
// program, keyed "otelfleet:key"; arrays and objects as JSON). Keys left out keep their
// Defaults(). Keys of other namespaces are ignored (provider settings such as aws:region).
// The result is not validated: call Validate.
func Load(values map[string]string) (Stack, error) {
	s := Defaults()
	var errs []string
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, Namespace+":") {
			continue
		}
		f, ok := FieldByKey(k)
		if !ok {
			errs = append(errs, unknownKey(k))
			continue
		}
		if err := set(f.value(&s), values[k]); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %q is not a valid %s (%v)", f.FullKey(), values[k], f.goType(), err))
		}
	}
	if len(errs) > 0 {
		return s, &Error{Problems: errs}
	}
	return s, nil
}

func set(v reflect.Value, raw string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("want a whole number")
		}
		v.SetInt(int64(n))
	case reflect.Float64:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return fmt.Errorf("want a number")
		}
		v.SetFloat(n)
	case reflect.Slice:
		var items []string
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			return fmt.Errorf("want a list of strings")
		}
		v.Set(reflect.ValueOf(items))
	case reflect.Map:
		var m map[string]string
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return fmt.Errorf("want a map of string to string")
		}
		v.Set(reflect.ValueOf(m))
	default:
		return fmt.Errorf("unsupported field kind %s", v.Kind())
	}
	return nil
}

func unknownKey(k string) string {
	msg := fmt.Sprintf("%s: unknown key", k)
	if near := closestKey(strings.TrimPrefix(k, Namespace+":")); near != "" {
		msg += fmt.Sprintf("; did you mean %s:%s?", Namespace, near)
	}
	return msg + " (every key is listed in Pulumi.yaml and docs/config.md)"
}

// closestKey suggests the known key nearest to a misspelt one (case-insensitive edit distance).
func closestKey(k string) string {
	best, bestD := "", 4
	for _, f := range fields {
		if d := distance(strings.ToLower(k), strings.ToLower(f.Key)); d < bestD {
			best, bestD = f.Key, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
