// Command dataplane prepares the collector configs bench/dataplane.sh runs: from an
// offline render (`otelfleet synth --out DIR`) it takes the stack's gateway and DaemonSet
// agent configs, plus the seed's agent config (bench/seed-agent.yaml), rewrites all of
// them for loopback with the same transform the end-to-end tests use
// (loopback.Rewrite), issues test certificates, and writes everything to -out:
//
//	gateway.yaml agent.yaml seed.yaml sink.yaml   collector configs
//	gateway.env  agent.env  seed.env              KEY=VALUE environment, one per line
//	ports.sh                                      shell assignments of every port
//
// The gateway exports (with its generated queue policy) to sink.yaml, a plain OTLP
// receiver whose own metrics count what arrived.
//
// With -tier gateway it prepares bench/gateway.sh's run instead (see gatewayTier).
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"sigs.k8s.io/yaml"
)

func main() {
	synthDir := flag.String("synth", "", "output directory of `otelfleet synth` for one stack")
	seedFile := flag.String("seed", "bench/seed-agent.yaml", "the seed agent config (valid syntax)")
	out := flag.String("out", "", "directory to write into")
	agentPatch := flag.String("agent-patch", "", "optional YAML merge patch (RFC 7386) applied to the generated agent config before the loopback rewrite, to measure a candidate default")
	gatewayPatch := flag.String("gateway-patch", "", "the same for the generated gateway config")
	tier := flag.String("tier", "agent", "agent (bench/dataplane.sh) or gateway (bench/gateway.sh: the seed gateways are read from -seed-dir, and the stand-ins serve until SIGTERM)")
	seedDir := flag.String("seed-dir", "bench", "directory of seed-gateway-<cloud>.yaml (-tier gateway)")
	flag.Parse()
	if *synthDir == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: dataplane -synth DIR -out DIR [-seed FILE] [-agent-patch FILE] [-gateway-patch FILE]")
		os.Exit(2)
	}
	p := patches{agent: *agentPatch, gateway: *gatewayPatch}
	var err error
	switch *tier {
	case "agent":
		err = prepare(*synthDir, *seedFile, *out, p)
	case "gateway":
		err = gatewayTier(*synthDir, *seedDir, *seedFile, *out, p)
	default:
		err = fmt.Errorf("-tier %q: allowed values are agent, gateway", *tier)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dataplane:", err)
		os.Exit(1)
	}
}

// patches are merge-patch files for the generated configs ("" for none).
type patches struct{ agent, gateway string }

// gatewayAndAgent are the stable-track gateway and the DaemonSet agent of an offline render.
func gatewayAndAgent(synthDir string) (gw, agent *loopback.Workload, err error) {
	manifests, err := readManifests(filepath.Join(synthDir, "manifests"))
	if err != nil {
		return nil, nil, err
	}
	workloads, err := loopback.Workloads(manifests)
	if err != nil {
		return nil, nil, err
	}
	for i, w := range workloads {
		switch {
		case w.Role == loopback.Gateway && w.Labels["otelfleet.io/track"] != "canary":
			gw = &workloads[i]
		case w.Role == loopback.Agent && w.Kind == "DaemonSet":
			agent = &workloads[i]
		}
	}
	if gw == nil || agent == nil {
		return nil, nil, fmt.Errorf("%s: need a gateway and a DaemonSet agent", synthDir)
	}
	return gw, agent, nil
}

func prepare(synthDir, seedFile, out string, p patches) error {
	gw, agent, err := gatewayAndAgent(synthDir)
	if err != nil {
		return err
	}
	ca, err := loopback.NewCA()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ports := map[string]loopback.Ports{}
	sh := []string{}
	for _, name := range []string{"GATEWAY", "AGENT", "SEED", "SINK"} {
		p, err := loopback.FreePorts()
		if err != nil {
			return err
		}
		ports[name] = p
		sh = append(sh, fmt.Sprintf("%s_OTLP=%d %s_METRICS=%d %s_HEALTH=%d %s_PPROF=%d", name, p.OTLPGRPC, name, p.Metrics, name, p.Health, name, p.Pprof))
	}
	gwEndpoint := fmt.Sprintf("127.0.0.1:%d", ports["GATEWAY"].OTLPGRPC)

	tlsDir := func(name string, w *loopback.Workload, ips []net.IP) (string, error) {
		dir := filepath.Join(out, "tls", name)
		return dir, ca.WriteTLSDir(dir, w.TLSNames, ips)
	}
	gwTLS, err := tlsDir("gateway", gw, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	agentTLS, err := tlsDir("agent", agent, nil)
	if err != nil {
		return err
	}
	// The seed reads /etc/certs/client.{crt,key}: the agent's certificate under those names.
	seedTLS := filepath.Join(out, "tls", "seed")
	if err := os.MkdirAll(seedTLS, 0o700); err != nil {
		return err
	}
	for from, to := range map[string]string{"tls.crt": "client.crt", "tls.key": "client.key", "ca.crt": "ca.crt"} {
		data, err := os.ReadFile(filepath.Join(agentTLS, from))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(seedTLS, to), data, 0o600); err != nil {
			return err
		}
	}

	read := func(p string) (string, error) { b, err := os.ReadFile(p); return string(b), err }
	gwText, err := read(filepath.Join(synthDir, "collector", gw.File))
	if err != nil {
		return err
	}
	agentText, err := read(filepath.Join(synthDir, "collector", agent.File))
	if err != nil {
		return err
	}
	seedText, err := read(seedFile)
	if err != nil {
		return err
	}
	if agentText, err = applyPatch(agentText, p.agent); err != nil {
		return err
	}
	if gwText, err = applyPatch(gwText, p.gateway); err != nil {
		return err
	}
	sinkEndpoint := fmt.Sprintf("127.0.0.1:%d", ports["SINK"].OTLPGRPC)
	files := []struct {
		name, text string
		o          loopback.Options
		env        []string
	}{
		{"gateway", gwText, loopback.Options{Role: loopback.Gateway, Ports: ports["GATEWAY"], Sink: loopback.Sink{OTLPEndpoint: sinkEndpoint},
			TLSDir: gwTLS, StorageDir: filepath.Join(out, "queue")}, gw.Env},
		{"agent", agentText, loopback.Options{Role: loopback.Agent, Ports: ports["AGENT"], GatewayEndpoint: gwEndpoint, TLSDir: agentTLS}, agent.Env},
		{"seed", seedText, loopback.Options{Role: loopback.Agent, Ports: ports["SEED"], GatewayEndpoint: gwEndpoint, TLSDir: seedTLS},
			[]string{"SSL_CERT_FILE=" + filepath.Join(seedTLS, "ca.crt")}},
	}
	for _, f := range files {
		if err := writeCollector(out, f.name, f.text, f.o, f.env); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(out, "sink.yaml"), []byte(sinkConfig(ports["SINK"])), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "ports.sh"), []byte(strings.Join(sh, "\n")+"\n"), 0o644)
}

// writeCollector rewrites a config for loopback and writes it as <name>.yaml, with its
// environment as <name>.env, into out.
func writeCollector(out, name, config string, o loopback.Options, env []string) error {
	text, err := loopback.Rewrite(config, o)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(out, name+".yaml"), []byte(text), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, name+".env"), []byte(strings.Join(env, "\n")+"\n"), 0o644)
}

// sinkConfig is the downstream both set-ups export to: OTLP in (messages up to 256 MiB, so
// the gateway's big batches are never the sink's problem), counted by the sink's own
// receiver metrics, then dropped by a sampled debug exporter.
func sinkConfig(p loopback.Ports) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
        max_recv_msg_size_mib: 256
exporters:
  debug:
    verbosity: basic
    sampling_initial: 1
    sampling_thereafter: 10000
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  extensions: [health_check]
  pipelines:
    traces: {receivers: [otlp], exporters: [debug]}
    metrics: {receivers: [otlp], exporters: [debug]}
    logs: {receivers: [otlp], exporters: [debug]}
  telemetry:
    metrics:
      readers:
        - pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}
`, p.OTLPGRPC, p.Health, p.Metrics)
}

func readManifests(dir string) (map[string]map[string]any, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := map[string]map[string]any{}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out[n] = m
	}
	return out, nil
}

// applyPatch applies a YAML merge patch (RFC 7386: maps merge recursively, null deletes a
// key, anything else replaces) from file to a config; "" returns the config unchanged.
func applyPatch(config, file string) (string, error) {
	if file == "" {
		return config, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var c, patch map[string]any
	if err := yaml.Unmarshal([]byte(config), &c); err != nil {
		return "", err
	}
	if err := yaml.Unmarshal(data, &patch); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	out, err := yaml.Marshal(mergePatch(c, patch))
	return string(out), err
}

func mergePatch(target, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(target, k)
		case map[string]any:
			tv, _ := target[k].(map[string]any)
			target[k] = mergePatch(tv, pv)
		default:
			target[k] = v
		}
	}
	return target
}
