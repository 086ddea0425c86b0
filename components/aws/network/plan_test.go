package network

import (
	"fmt"
	"net/netip"
	"testing"
)

func TestSubnetPlan(t *testing.T) {
	for _, c := range []struct {
		vpc             string
		zones           int
		private, public string
	}{
		{"10.0.0.0/16", 3, "[10.0.0.0/18 10.0.64.0/18 10.0.128.0/18]", "[10.0.192.0/20 10.0.208.0/20 10.0.224.0/20]"},
		{"10.0.0.0/16", 2, "[10.0.0.0/18 10.0.64.0/18]", "[10.0.192.0/19 10.0.224.0/19]"},
		{"172.16.0.0/20", 4, "[172.16.0.0/23 172.16.2.0/23 172.16.4.0/23 172.16.6.0/23]", "[172.16.14.0/25 172.16.14.128/25 172.16.15.0/25 172.16.15.128/25]"},
		{"10.1.0.0/24", 2, "[10.1.0.0/26 10.1.0.64/26]", "[10.1.0.192/27 10.1.0.224/27]"},
	} {
		private, public, err := SubnetPlan(netip.MustParsePrefix(c.vpc), c.zones)
		if err != nil {
			t.Errorf("%s over %d zones: %v", c.vpc, c.zones, err)
			continue
		}
		if got := fmt.Sprint(private); got != c.private {
			t.Errorf("%s over %d zones: private %s; want %s", c.vpc, c.zones, got, c.private)
		}
		if got := fmt.Sprint(public); got != c.public {
			t.Errorf("%s over %d zones: public %s; want %s", c.vpc, c.zones, got, c.public)
		}
	}
}

func TestSubnetPlanRefuses(t *testing.T) {
	for _, c := range []struct {
		vpc   string
		zones int
	}{{"10.0.0.0/24", 6}, {"10.0.0.1/16", 3}, {"fd00::/56", 2}, {"10.0.0.0/16", 0}} {
		if _, _, err := SubnetPlan(netip.MustParsePrefix(c.vpc), c.zones); err == nil {
			t.Errorf("%s over %d zones was accepted", c.vpc, c.zones)
		}
	}
}
