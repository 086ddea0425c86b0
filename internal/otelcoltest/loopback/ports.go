package loopback

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// A port from the kernel's ephemeral range (what binding port 0 returns) can be taken by
// any outgoing connection — telemetrygen's, an agent's — before a collector started later
// binds it. Ports handed out here come from below that range and are never handed out
// twice by one process.
var (
	portsMu   sync.Mutex
	portsUsed = map[int]bool{}
)

const lowestPort = 10000

// ephemeralLow is the first port of net.ipv4.ip_local_port_range (32768 if unreadable).
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > lowestPort+1000 {
				return n
			}
		}
	}
	return 32768
}

// FreePort returns a TCP port on 127.0.0.1 below the ephemeral range that was free a
// moment ago and that this process has not handed out before.
func FreePort() (int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	high := ephemeralLow()
	for range 1000 {
		p := lowestPort + rand.IntN(high-lowestPort)
		if portsUsed[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		portsUsed[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("loopback: no free port below %d after 1000 tries", high)
}

// FreePorts returns a full set of Ports from FreePort.
func FreePorts() (Ports, error) {
	var ps [6]int
	for i := range ps {
		p, err := FreePort()
		if err != nil {
			return Ports{}, err
		}
		ps[i] = p
	}
	return Ports{OTLPGRPC: ps[0], OTLPHTTP: ps[1], Health: ps[2], Metrics: ps[3], Pprof: ps[4], ZPages: ps[5]}, nil
}
