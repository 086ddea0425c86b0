package collector

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

const (
	failoverSpans = 6000
	failoverRate  = 1000
	// dnsWindow stands for the DNS failover window (health checks + TTL): the time during
	// which the global name still points at the dead primary.
	dnsWindow = 3 * time.Second
)

// TestFailoverToSecondaryGateway is the DR path on loopback: the aws-prod agent sends to
// the global name — here a TCP forwarder standing in for DNS — which points at the aws-prod
// gateway (primary). Mid-stream the primary is stopped; for dnsWindow the name still points
// at it (connections fail, the agent queues and retries), then it switches to the
// azure-prod gateway (secondary). Both gateways export to one sink. It asserts that traffic
// continues through the secondary and that no span the agent held is lost: the only spans
// allowed to be missing are those the primary had accepted but not exported when it
// stopped — in its persistent queue until it comes back, or, with tail sampling, in the
// sampler's in-memory decision buffer (lost with the process).
func TestFailoverToSecondaryGateway(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	primaryStack, secondaryStack := render(t, "aws-prod"), render(t, "azure-prod")
	ca := newCA(t)
	sinkPort := freePort(t)
	sinkFile := filepath.Join(t.TempDir(), "sink.json")
	startSinkCollector(t, bin, sinkFile, sinkPort)
	sink := loopback.Sink{OTLPEndpoint: fmt.Sprintf("127.0.0.1:%d", sinkPort)}

	primary := prepare(t, primaryStack, primaryStack.Gateway(t), loopback.Options{Sink: sink}, ca).start(t, bin)
	secondary := prepare(t, secondaryStack, secondaryStack.Gateway(t), loopback.Options{Sink: sink}, ca).start(t, bin)
	name := newSwitchableName(t, primary.Endpoint())
	agent := prepare(t, primaryStack, daemonSetAgent(t, primaryStack), loopback.Options{GatewayEndpoint: name.Addr()}, ca).start(t, bin)

	service := "failover"
	sent := make(chan error, 1)
	go func() {
		out, err := send(t, "traces", agent.Endpoint(), failoverSpans, service, append([]string{insecure, "--rate", fmt.Sprint(failoverRate)}, keepMe...)...)
		if err != nil {
			err = fmt.Errorf("%v\n%s", err, out)
		}
		sent <- err
	}()

	time.Sleep(1500 * time.Millisecond)
	before := primary.Scrape(t)
	if err := primary.Proc.Stop(); err != nil {
		t.Fatalf("stop primary: %v", err)
	}
	name.Break() // the dead primary: new connections fail until DNS moves
	time.Sleep(dnsWindow)
	name.Point(secondary.Endpoint())

	if err := <-sent; err != nil {
		t.Fatalf("telemetrygen: %v", err)
	}
	waitMetric(t, agent, func(m loopback.Metrics) bool {
		return m.Sum(collector.MetricExporterSent) >= failoverSpans && m.Sum(collector.MetricExporterQueueSize) == 0
	}, 90*time.Second)
	primaryAccepted := before.Sum(collector.MetricReceiverAccepted)
	primaryExported := before.Sum(collector.MetricExporterSent, `exporter="`+loopback.OTLPSinkID+`"`)
	heldByPrimary := int(primaryAccepted - primaryExported)
	got := waitSink(t, sinkFile, service, 60*time.Second, func(r *loopback.Received) bool {
		return r.UniqueSpans >= failoverSpans-max(heldByPrimary, 0)
	})
	secondaryAccepted := secondary.Scrape(t).Sum(collector.MetricReceiverAccepted)
	lost := failoverSpans - got.UniqueSpans
	t.Logf("primary accepted %.0f, exported %.0f before it stopped; name switched after %s; secondary accepted %.0f; sent %d, arrived %d unique (%d duplicates), missing %d",
		primaryAccepted, primaryExported, dnsWindow, secondaryAccepted, failoverSpans, got.UniqueSpans, got.Spans-got.UniqueSpans, lost)
	if secondaryAccepted <= 0 {
		t.Errorf("the secondary gateway received nothing: traffic did not continue after failover")
	}
	if lost > max(heldByPrimary, 0) {
		t.Errorf("%d spans lost, more than the %d the primary had accepted but not exported: the agent dropped data during the switch", lost, heldByPrimary)
	}
}

// switchableName forwards TCP connections to the address a DNS name currently resolves to.
type switchableName struct {
	ln     net.Listener
	target atomic.Value // string; "" = unreachable
	mu     sync.Mutex
	conns  []net.Conn
}

func newSwitchableName(t testing.TB, target string) *switchableName {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &switchableName{ln: ln}
	s.target.Store(target)
	t.Cleanup(func() { ln.Close(); s.closeAll() })
	go s.serve()
	return s
}

func (s *switchableName) Addr() string { return s.ln.Addr().String() }

// Break makes the name unreachable and drops open connections, as a dead primary does.
func (s *switchableName) Break() { s.target.Store(""); s.closeAll() }

// Point moves the name to another address.
func (s *switchableName) Point(target string) { s.target.Store(target) }

func (s *switchableName) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *switchableName) serve() {
	for {
		client, err := s.ln.Accept()
		if err != nil {
			return
		}
		target := s.target.Load().(string)
		if target == "" {
			client.Close()
			continue
		}
		upstream, err := net.DialTimeout("tcp", target, time.Second)
		if err != nil {
			client.Close()
			continue
		}
		s.mu.Lock()
		s.conns = append(s.conns, client, upstream)
		s.mu.Unlock()
		go func() { io.Copy(upstream, client); upstream.Close(); client.Close() }()
		go func() { io.Copy(client, upstream); upstream.Close(); client.Close() }()
	}
}
