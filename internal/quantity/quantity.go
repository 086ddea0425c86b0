// Package quantity parses the subset of Kubernetes resource quantities otelfleet accepts in
// its config ("500m", "2", "1.5", "512Mi", "4Gi", "1G") without pulling in apimachinery.
package quantity

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
)

var pattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)

var multipliers = map[string]float64{
	"": 1, "m": 1e-3,
	"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
	"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
}

// Parse returns the quantity's value in base units (cores for CPU, bytes for memory).
func Parse(s string) (float64, error) {
	m := pattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a Kubernetes quantity", s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	return n * multipliers[m[2]], nil
}

// MiB returns a memory quantity in whole mebibytes (rounded down).
func MiB(s string) (int, error) {
	b, err := Parse(s)
	if err != nil {
		return 0, err
	}
	return int(math.Floor(b / (1 << 20))), nil
}
