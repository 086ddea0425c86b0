package quantity

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]float64{"500m": 0.5, "2": 2, "1.5": 1.5, "512Mi": 512 << 20, "4Gi": 4 << 30, "1G": 1e9, "100Ki": 100 << 10} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "1Gb", "abc", "1.5.2", "0x10"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a bad quantity", bad)
		}
	}
	if got, _ := MiB("4Gi"); got != 4096 {
		t.Errorf("MiB(4Gi) = %d", got)
	}
}
