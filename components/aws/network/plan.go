package network

import (
	"fmt"
	"math/bits"
	"net/netip"
)

// SubnetPlan splits a VPC block into one private and one public subnet per availability
// zone. Private subnets get the large blocks (with the VPC CNI every pod takes an address
// from them): the block is cut into the smallest power of two ≥ azCount+1 pieces, the
// first azCount are private, and the last piece is cut again into the public subnets.
// A /16 over 3 zones gives three /18 private and three /20 public subnets.
func SubnetPlan(vpc netip.Prefix, azCount int) (private, public []netip.Prefix, err error) {
	if !vpc.Addr().Is4() || vpc.Masked() != vpc {
		return nil, nil, fmt.Errorf("VPC block %s: give an IPv4 network address", vpc)
	}
	if azCount < 1 {
		return nil, nil, fmt.Errorf("availability zone count %d: give at least 1", azCount)
	}
	privateBits := bitsFor(azCount + 1)
	publicBits := bitsFor(azCount)
	if vpc.Bits()+privateBits+publicBits > MaxSubnetBits {
		return nil, nil, fmt.Errorf("VPC block %s is too small for %d zones: public subnets would be smaller than /%d", vpc, azCount, MaxSubnetBits)
	}
	for i := range azCount {
		private = append(private, nth(vpc, privateBits, i))
	}
	publicBlock := nth(vpc, privateBits, 1<<privateBits-1)
	for i := range azCount {
		public = append(public, nth(publicBlock, publicBits, i))
	}
	return private, public, nil
}

// MaxSubnetBits is the smallest subnet AWS allows (/28).
const MaxSubnetBits = 28

// bitsFor is the number of prefix bits that give at least n pieces.
func bitsFor(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// nth returns the i-th sub-block of p that is extra bits longer.
func nth(p netip.Prefix, extra, i int) netip.Prefix {
	base := p.Addr().As4()
	n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	size := 32 - p.Bits() - extra
	n += uint32(i) << size
	addr := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	return netip.PrefixFrom(addr, p.Bits()+extra)
}
