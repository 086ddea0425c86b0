package config

import (
	"reflect"
	"strings"
)

// Field describes one `otelfleet:*` key of the stack configuration.
type Field struct {
	Key         string   // key without the "otelfleet:" namespace
	Description string   // from the `desc` tag
	Enum        []string // allowed values, if fixed
	Secret      bool     // set with `pulumi config set --secret`
	Type        string   // Pulumi project config type: string, integer, boolean, array, object
	index       []int    // path of the field inside Stack
	kind        reflect.Kind
}

// goType names the value's type in error messages ("number" for floats, which Pulumi
// carries as strings).
func (f Field) goType() string {
	if f.kind == reflect.Float64 {
		return "number"
	}
	return f.Type
}

// FullKey is the key as it appears in a stack file ("otelfleet:gatewayKind").
func (f Field) FullKey() string { return Namespace + ":" + f.Key }

// Value returns the field's value inside s.
func (f Field) Value(s *Stack) any {
	return reflect.ValueOf(s).Elem().FieldByIndex(f.index).Interface()
}

func (f Field) value(s *Stack) reflect.Value { return reflect.ValueOf(s).Elem().FieldByIndex(f.index) }

// Fields lists every key of the stack configuration, in declaration order.
func Fields() []Field { return fields }

// FieldByKey finds the field of a key given with or without the namespace.
func FieldByKey(key string) (Field, bool) {
	key = strings.TrimPrefix(key, Namespace+":")
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

var fields = walk(reflect.TypeOf(Stack{}), nil)

func walk(t reflect.Type, prefix []int) []Field {
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		index := append(append([]int{}, prefix...), i)
		key, ok := sf.Tag.Lookup("key")
		if !ok {
			if sf.Type.Kind() == reflect.Struct {
				out = append(out, walk(sf.Type, index)...)
			}
			continue
		}
		f := Field{
			Key:         key,
			Description: sf.Tag.Get("desc"),
			Secret:      sf.Tag.Get("secret") == "true",
			index:       index,
			kind:        sf.Type.Kind(),
			Type:        pulumiType(sf.Type),
		}
		if e := sf.Tag.Get("enum"); e != "" {
			f.Enum = strings.Split(e, ",")
		}
		out = append(out, f)
	}
	return out
}

func pulumiType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int:
		return "integer"
	case reflect.Slice:
		return "array"
	case reflect.Map:
		return "object"
	default: // strings, and floats (Pulumi has no number type; a float is written as a string)
		return "string"
	}
}
