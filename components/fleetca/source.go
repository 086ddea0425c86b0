package fleetca

import (
	"crypto/rand"
	"crypto/sha256"
	"io"
	"time"
)

// Source is where a program takes the time (for certificate windows) and the entropy (for
// a new CA key) from.
type Source struct {
	Now     func() time.Time
	Entropy io.Reader
}

// System is the real clock and crypto/rand: what `pulumi up` uses.
func System() Source { return Source{Now: time.Now, Entropy: rand.Reader} }

// Fixed is a stopped clock and a deterministic entropy stream derived from seed: offline
// rendering and tests use it so their output is reproducible. Never for a real deployment.
func Fixed(now time.Time, seed string) Source {
	return Source{Now: func() time.Time { return now }, Entropy: &counterStream{seed: sha256.Sum256([]byte(seed))}}
}

// counterStream is SHA-256(seed || counter) blocks.
type counterStream struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func (c *counterStream) Read(p []byte) (int, error) {
	for len(c.buf) < len(p) {
		var ctr [8]byte
		for i := range ctr {
			ctr[i] = byte(c.n >> (8 * i))
		}
		c.n++
		h := sha256.Sum256(append(c.seed[:], ctr[:]...))
		c.buf = append(c.buf, h[:]...)
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}
