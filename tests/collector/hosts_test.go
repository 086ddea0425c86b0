package collector

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/synth"
)

// TestHostAgentOnThisMachine runs the host agent aws-prod renders for its VMs (hosts/) on
// this machine, rewritten for loopback (the ingest endpoint → a test gateway, its TLS
// files → test certificates of the gateway's CA, its state directory → a temp dir, the
// journal left out), into aws-prod's gateway as rendered: the host's metrics arrive over
// mutual TLS with the host's name and the stack's environment, and so do error spans a
// local application sends to the agent's loopback receiver. The rendered systemd unit
// passes `systemd-analyze verify` with no finding (its ExecStart pointed at the collector
// built here, which is the only change).
func TestHostAgentOnThisMachine(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := render(t, "aws-prod")
	config, unit := s.Result.Hosts[synth.HostAgentConfigFile], s.Result.Hosts[synth.HostAgentUnitFile]
	if config == "" || unit == "" {
		t.Fatalf("aws-prod renders no host agent (hosts/): %v", s.Result.Hosts)
	}
	verifyUnit(t, strings.ReplaceAll(unit, "/usr/local/bin/otelcol-otelfleet", bin))

	ca := newCA(t)
	sink := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	if err := ca.WriteTLSDir(tlsDir, []string{"vm-1.example.internal"}, nil); err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t)
	text, err := loopback.Rewrite(config, loopback.Options{Role: loopback.Agent, Ports: ports, GatewayEndpoint: gw.Endpoint(),
		TLSDir: tlsDir, StorageDir: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, synth.HostAgentConfigFile)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	agent := &collectorRun{Workload: loopback.Workload{File: synth.HostAgentConfigFile, Role: loopback.Agent}, Ports: ports, Config: text, Path: path}
	agent.start(t, bin)
	if out, err := send(t, "traces", agent.Endpoint(), 20, "legacy-billing", insecure, "--status-code", "Error"); err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}

	host, _ := os.Hostname()
	r := waitMetrics(t, sink, 60*time.Second, "system.cpu.time", "system.memory.usage", "system.network.io", "system.filesystem.usage")
	for _, p := range r.Points["system.cpu.time"] {
		if p.Resource["host.name"] != host || p.Resource["deployment.environment"] != "production" {
			t.Fatalf("host metric resource %v; want host.name %s and deployment.environment production", p.Resource, host)
		}
	}
	spans := waitSink(t, sink, "legacy-billing", 40*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= 20 })
	if spans.UniqueSpans < 20 || spans.CountWith("host.name", host) < 20 {
		t.Errorf("%d of 20 error spans from the host's application arrived (%d with host.name)", spans.UniqueSpans, spans.CountWith("host.name", host))
	}
}

// verifyUnit runs systemd-analyze verify on a unit and fails on any finding.
func verifyUnit(t *testing.T, unit string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze (Debian package systemd) is needed to verify the host agent's unit")
	}
	path := filepath.Join(t.TempDir(), synth.HostAgentUnitFile)
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", synth.HostAgentUnitFile, err, out)
	}
}
