package config

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/quantity"
)

// Error is a configuration that cannot be deployed: one line per bad key, each naming the
// key, the bad value and what is allowed.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid otelfleet stack configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

type validator struct{ problems []string }

// bad records a problem with a key: bad("gatewayKind", value, "allowed values: a, b").
func (v *validator) bad(key string, value any, allowed string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf("%s:%s: %s is not allowed; %s", Namespace, key, show(value), fmt.Sprintf(allowed, args...)))
}

func show(value any) string {
	switch x := value.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprintf("%v", x)
	}
}

var (
	namePattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	dnsLabel      = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	imagePattern  = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._/:-]*[a-zA-Z0-9]$`)
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	k8sVersion    = regexp.MustCompile(`^1\.(\d+)$`)
)

// Validate checks every key and returns an *Error listing each bad one, or nil. It runs
// before any resource is registered.
func (s *Stack) Validate() error {
	v := &validator{}
	for _, f := range fields {
		if len(f.Enum) == 0 {
			continue
		}
		switch x := f.Value(s).(type) {
		case string:
			if !slices.Contains(f.Enum, x) {
				v.bad(f.Key, x, "allowed values: %s", strings.Join(f.Enum, ", "))
			}
		case []string:
			if len(x) == 0 {
				v.bad(f.Key, x, "give at least one of: %s", strings.Join(f.Enum, ", "))
			}
			for _, item := range x {
				if !slices.Contains(f.Enum, item) {
					v.bad(f.Key, x, "allowed values: %s", strings.Join(f.Enum, ", "))
					break
				}
			}
		}
	}
	if !namePattern.MatchString(s.Name) {
		v.bad("name", s.Name, "use 1-20 lowercase letters, digits and '-', starting with a letter")
	}
	if s.Environment == "" {
		v.bad("environment", s.Environment, "give a non-empty name such as production")
	}
	s.validateCollector(v)
	s.validateClusterAPI(v)
	s.validateOutsideIngest(v)
	s.validateNamespaces(v)
	s.validateTags(v)
	s.validateAgent(v)
	s.validateGateway(v)
	s.validateSampling(v)
	s.validateTLS(v)
	s.validateUpstream(v)
	switch s.Cloud {
	case "aws":
		s.AWS.validate(v)
	case "azure":
		s.Azure.validate(v)
	}
	if len(v.problems) > 0 {
		return &Error{Problems: v.problems}
	}
	return nil
}

func (s *Stack) validateCollector(v *validator) {
	repo, digest, pinned := strings.Cut(s.Collector.Image, "@")
	lastSegment := repo[strings.LastIndex(repo, "/")+1:]
	if !imagePattern.MatchString(repo) || strings.Contains(lastSegment, ":") || (pinned && !digestPattern.MatchString(digest)) {
		v.bad("collectorImage", s.Collector.Image, "give an image repository without tag, such as otel/opentelemetry-collector-contrib, optionally pinned by digest: otel/opentelemetry-collector-contrib@sha256:<64 hex digits>")
	}
	if !tagPattern.MatchString(s.Collector.Version) {
		v.bad("collectorVersion", s.Collector.Version, "give an image tag such as 0.161.0")
	}
	if !dnsLabel.MatchString(s.Kubernetes.Namespace) {
		v.bad("namespace", s.Kubernetes.Namespace, "give a Kubernetes namespace name (lowercase DNS label)")
	}
	if !dnsLabel.MatchString(s.Kubernetes.AgentNamespace) {
		v.bad("agentNamespace", s.Kubernetes.AgentNamespace, "give a Kubernetes namespace name (lowercase DNS label)")
	}
	if h := s.Hosts; h.Endpoint != "" {
		if _, port, err := net.SplitHostPort(h.Endpoint); err != nil || port == "" {
			v.bad("hostAgentEndpoint", h.Endpoint, "use host:port of the gateway ingest as the hosts reach it")
		} else if !s.TLS.Enabled || !s.Gateway.Ingest {
			v.bad("hostAgentEndpoint", h.Endpoint, "hosts send through the gateway ingest over mutual TLS: set tlsEnabled and gatewayIngest")
		}
		if h.Logs == "files" && len(h.LogPaths) == 0 {
			v.bad("hostAgentLogPaths", "[]", "hostAgentLogs files needs at least one path")
		}
	}
	if s.Gateway.Redaction {
		if err := (collector.Redaction{Allow: s.Gateway.RedactionAllow}).Validate(); err != nil {
			v.bad("gatewayRedactionAllow", fmt.Sprint(s.Gateway.RedactionAllow), "%v", err)
		}
	}
	if s.Agent.HostFilesystems && !s.Agent.NodeMetrics {
		v.bad("agentHostFilesystems", "true", "needs agentNodeMetrics (the filesystem scraper is part of the node metrics)")
	}
	if s.Kubernetes.Namespace == s.Kubernetes.AgentNamespace && s.Agent.HostFilesystems {
		v.bad("agentNamespace", s.Kubernetes.AgentNamespace, "with agentHostFilesystems on, the agent namespace must differ from namespace %q (it needs the 'privileged' Pod Security level; the gateway keeps 'restricted')", s.Kubernetes.Namespace)
	}
	if s.Kubernetes.Namespace == s.Kubernetes.AgentNamespace && s.Agent.LogCollection {
		v.bad("agentNamespace", s.Kubernetes.AgentNamespace, "with agentLogCollection on, the agent namespace must differ from namespace %q (it needs the 'privileged' Pod Security level; the gateway keeps 'restricted')", s.Kubernetes.Namespace)
	}
}

func (s *Stack) validateAgent(v *validator) {
	a := s.Agent
	resources(v, "agent", a.CPURequest, a.CPULimit, a.MemoryRequest, a.MemoryLimit, 128)
	if a.QueueSize < 1 || a.QueueSize > 100000 {
		v.bad("agentQueueSize", a.QueueSize, "give 1 to 100000 batches")
	}
}

func (s *Stack) validateGateway(v *validator) {
	g := s.Gateway
	resources(v, "gateway", g.CPURequest, g.CPULimit, g.MemoryRequest, g.MemoryLimit, 256)
	if g.Replicas < 1 || g.Replicas > 100 {
		v.bad("gatewayReplicas", g.Replicas, "give 1 to 100")
	}
	if g.HPAEnabled {
		if g.HPAMinReplicas < 1 {
			v.bad("gatewayHpaMinReplicas", g.HPAMinReplicas, "give at least 1")
		}
		if g.HPAMaxReplicas < g.HPAMinReplicas {
			v.bad("gatewayHpaMaxReplicas", g.HPAMaxReplicas, "must be at least gatewayHpaMinReplicas (%d)", g.HPAMinReplicas)
		}
		percent(v, "gatewayHpaCpuPercent", g.HPACPUPercent)
		percent(v, "gatewayHpaMemoryPercent", g.HPAMemoryPercent)
	}
	if g.PDBMaxUnavailable < 1 {
		v.bad("gatewayPdbMaxUnavailable", g.PDBMaxUnavailable, "give at least 1 (0 would block every node drain)")
	}
	if g.QueueSize < 1 || g.QueueSize > 1000000 {
		v.bad("gatewayQueueSize", g.QueueSize, "give 1 to 1000000 batches")
	}
	if q, err := quantity.Parse(g.QueueStorageSize); err != nil || q <= 0 {
		v.bad("gatewayQueueStorageSize", g.QueueStorageSize, "give a positive Kubernetes quantity such as 10Gi")
	} else if g.PersistentQueue && q < 1<<30 {
		// The exporters share 3/4 of it in bytes; under 1Gi each would hold a few batches.
		v.bad("gatewayQueueStorageSize", g.QueueStorageSize, "give at least 1Gi for the persistent queue (gatewayPersistentQueue): its exporters share 3/4 of it")
	}
	for _, e := range []struct {
		key string
		n   int
	}{{"gatewayExpectedSpansPerSecond", g.ExpectedSpans}, {"gatewayExpectedLogRecordsPerSecond", g.ExpectedLogRecords}, {"gatewayExpectedMetricPointsPerSecond", g.ExpectedPoints}} {
		if e.n < 0 || e.n > 100_000_000 {
			v.bad(e.key, e.n, "give 0 (not stated) to 100000000 items per second over the whole gateway tier")
		}
	}
	for _, e := range []struct {
		key  string
		cost float64
	}{{"gatewayCpuSecondsPerMillionSpans", g.CostSpans}, {"gatewayCpuSecondsPerMillionLogRecords", g.CostLogRecords}, {"gatewayCpuSecondsPerMillionMetricPoints", g.CostPoints}} {
		if e.cost != 0 && !(e.cost >= 1 && e.cost <= 10000) { // NaN fails too
			v.bad(e.key, e.cost, "give 0 (the figure measured for the stack's cloud) or 1 to 10000 CPU-seconds per million items, as bench/gateway.sh prints them")
		}
	}
	if d, err := time.ParseDuration(g.OutageToBuffer); err != nil || d < 0 || d > 168*time.Hour {
		v.bad("gatewayOutageToBuffer", g.OutageToBuffer, "give a duration from 0s to 168h, such as 15m")
	}
	if g.CanaryEnabled {
		if g.CanaryVersion != "" && !tagPattern.MatchString(g.CanaryVersion) {
			v.bad("gatewayCanaryVersion", g.CanaryVersion, "give an image tag such as 0.162.0, or leave it empty")
		}
		if g.CanaryReplicas < 1 || g.CanaryReplicas > 10 {
			v.bad("gatewayCanaryReplicas", g.CanaryReplicas, "give 1 to 10")
		}
	}
	for _, r := range g.IngestSourceRanges {
		if _, _, err := net.ParseCIDR(r); err != nil {
			v.bad("gatewayIngestSourceRanges", g.IngestSourceRanges, "give CIDR ranges such as 10.0.0.0/8 (%q is not one)", r)
			break
		}
	}
	if g.StorageClass != "" && !dnsLabel.MatchString(g.StorageClass) {
		v.bad("gatewayStorageClass", g.StorageClass, "give a StorageClass name (lowercase DNS name) or leave it empty")
	}
	if g.Ingest && !g.IngestInternal {
		// An internet-facing ingest: only mutual TLS and an allow list make it safe.
		if !s.TLS.Enabled {
			v.bad("gatewayIngestInternal", g.IngestInternal, "an internet-facing ingest would take plain-text OTLP from anyone: turn otelfleet:tlsEnabled on (clients then need a fleet certificate) or keep the ingest internal")
		}
		if len(g.IngestSourceRanges) == 0 {
			v.bad("gatewayIngestSourceRanges", g.IngestSourceRanges, "an internet-facing ingest needs the CIDR ranges of its senders (it would open to 0.0.0.0/0), or keep the ingest internal (gatewayIngestInternal)")
		}
	}
}

// validateClusterAPI: a managed cluster's API endpoint is reachable only from the given
// ranges, or (EKS) only from the VPC.
func (s *Stack) validateClusterAPI(v *validator) {
	c := s.Cluster
	if s.Cloud == "kubernetes" {
		if len(c.APIAllowedCIDRs) > 0 || c.APIPrivate {
			v.bad("clusterApiAllowedCidrs", c.APIAllowedCIDRs, "the kubernetes stack deploys onto an existing cluster, whose API access is yours: leave clusterApiAllowedCidrs and clusterApiPrivate unset")
		}
		return
	}
	if s.Cloud != "aws" && s.Cloud != "azure" {
		return // an unknown cloud is reported on its own
	}
	switch {
	case c.APIPrivate && s.Cloud == "azure":
		// enablePrivateCluster cannot change on an existing AKS cluster: Pulumi would replace it.
		v.bad("clusterApiPrivate", c.APIPrivate, "AKS makes a cluster private only at creation (switching replaces the cluster): restrict the endpoint with clusterApiAllowedCidrs instead")
	case c.APIPrivate && len(c.APIAllowedCIDRs) > 0:
		v.bad("clusterApiAllowedCidrs", c.APIAllowedCIDRs, "clusterApiPrivate closes the public endpoint: leave the ranges empty, or turn clusterApiPrivate off")
	case !c.APIPrivate && len(c.APIAllowedCIDRs) == 0:
		v.bad("clusterApiAllowedCidrs", c.APIAllowedCIDRs, "the Kubernetes API endpoint would be open to the internet: give the CIDR ranges of what runs pulumi up and kubectl (CI runners' and VPN egress, such as 203.0.113.0/24)%s", map[bool]string{true: ", or turn clusterApiPrivate on (the VPC only)", false: ""}[s.Cloud == "aws"])
	}
	for _, r := range c.APIAllowedCIDRs {
		p, err := netip.ParsePrefix(r)
		if err != nil || p.Bits() == 0 {
			v.bad("clusterApiAllowedCidrs", c.APIAllowedCIDRs, "give CIDR ranges narrower than the whole internet, such as 203.0.113.0/24 (%q is not one)", r)
			break
		}
	}
}

// validateOutsideIngest: the collectors outside Kubernetes receive plain-text OTLP from
// their network; a stack that runs one says so explicitly.
func (s *Stack) validateOutsideIngest(v *validator) {
	key := map[string]string{"aws": "ecsCollector", "azure": "aciEnabled"}[s.Cloud]
	runs := map[string]bool{"aws": s.AWS.ECSCollector, "azure": s.Azure.ACIEnabled}[s.Cloud]
	if runs && !s.Gateway.OutsidePlaintext {
		v.bad("outsideCollectorsPlaintext", false, "%s runs a collector that takes plain-text OTLP from the whole %s (it has no TLS receiver yet): set outsideCollectorsPlaintext true to accept that, or turn %s off",
			key, map[string]string{"aws": "VPC", "azure": "VNet"}[s.Cloud], key)
	}
}

// validateResidency: a signal that must stay in the region is never forwarded.
func (s *Stack) validateResidency(v *validator) {
	u := s.Upstream
	for _, sig := range u.Residency {
		if !slices.Contains([]string{"traces", "metrics", "logs"}, sig) {
			v.bad("dataResidency", u.Residency, "give signals among traces, metrics, logs (%q is not one)", sig)
			return
		}
	}
	if u.Only && u.Endpoint != "" && len(u.Signals) < 3 {
		v.bad("upstreamSignals", u.Signals, "upstreamOnly sends each signal to the upstream only: the signals missing here would go nowhere; list all of traces, metrics, logs, or turn upstreamOnly off")
	}
	if u.Endpoint == "" || len(u.Residency) == 0 {
		return
	}
	var forwarded []string
	for _, sig := range u.Residency {
		if slices.Contains(u.Signals, sig) {
			forwarded = append(forwarded, sig)
		}
	}
	// (upstreamOnly needs every signal in upstreamSignals, so it is caught here too.)
	if len(forwarded) > 0 {
		v.bad("dataResidency", u.Residency, "%s must stay in the region but upstreamSignals forwards them to %s: remove them from upstreamSignals (and keep upstreamOnly off)", strings.Join(forwarded, ", "), u.Endpoint)
	}
}

// reservedNamespaces hold the cluster's own components (and cert-manager's issuers' CA):
// NetworkPolicies and Pod Security labels otelfleet sets there would change them.
var reservedNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease", "cert-manager"}

func (s *Stack) validateNamespaces(v *validator) {
	for key, ns := range map[string]string{"namespace": s.Kubernetes.Namespace, "agentNamespace": s.Kubernetes.AgentNamespace} {
		if slices.Contains(reservedNamespaces, ns) {
			v.bad(key, ns, "the namespace belongs to the cluster (%s): give one of otelfleet's own, such as observability", strings.Join(reservedNamespaces, ", "))
		}
	}
}

// validateTags refuses tag keys the clouds reserve.
func (s *Stack) validateTags(v *validator) {
	for k := range s.Tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			v.bad("tags", k, "keys starting with aws: are reserved by AWS and refused by its APIs")
		}
	}
}

func (s *Stack) validateSampling(v *validator) {
	sm := s.Sampling
	if sm.Mode == "none" {
		return
	}
	if sm.Percentage <= 0 || sm.Percentage > 100 {
		v.bad("samplingPercentage", sm.Percentage, "give a percentage greater than 0 and at most 100")
	}
	if sm.Mode == "tail" {
		if d, err := time.ParseDuration(sm.DecisionWait); err != nil || d < time.Second || d > 5*time.Minute {
			v.bad("samplingDecisionWait", sm.DecisionWait, "give a duration from 1s to 5m, such as 10s")
		} else if r, err := time.ParseDuration(sm.DecisionWaitRoot); err != nil || r != 0 && (r < time.Second || r > d) {
			v.bad("samplingDecisionWaitAfterRoot", sm.DecisionWaitRoot, "give 0s (off) or a duration from 1s to samplingDecisionWait (%s), such as 3s", sm.DecisionWait)
		}
		if sm.LatencyThresholdMs < 1 {
			v.bad("samplingLatencyThresholdMs", sm.LatencyThresholdMs, "give at least 1 (milliseconds)")
		}
	}
}

// validateTLS checks the certificate rotation: cert-manager renews a certificate
// tlsCertRenewBefore ahead of its expiry, and every collector re-reads it every
// tlsReloadInterval, so the renewal window must hold at least two reloads.
func (s *Stack) validateTLS(v *validator) {
	t := s.TLS
	duration, errD := time.ParseDuration(t.CertDuration)
	renew, errR := time.ParseDuration(t.CertRenewBefore)
	reload, errL := time.ParseDuration(t.ReloadInterval)
	switch {
	case errD != nil || duration < time.Hour:
		v.bad("tlsCertDuration", t.CertDuration, "give a duration of at least 1h (cert-manager's minimum), such as 2160h")
	case errR != nil || renew <= 0 || renew >= duration:
		v.bad("tlsCertRenewBefore", t.CertRenewBefore, "give a duration shorter than tlsCertDuration (%s), such as 360h", t.CertDuration)
	case errL != nil || reload < time.Minute:
		v.bad("tlsReloadInterval", t.ReloadInterval, "give a duration of at least 1m, such as 1h")
	case 2*reload > renew:
		v.bad("tlsReloadInterval", t.ReloadInterval, "give at most half of tlsCertRenewBefore (%s): a renewed certificate must be read at least twice before the old one expires", t.CertRenewBefore)
	}
	s.validateTrust(v)
}

// validateTrust checks where the stack's certificates come from. A stack whose collectors
// talk mTLS to another stack's (an upstream gateway, the DR peer) must sign with the CA that
// stack trusts: the fleet CA of the owning stack (tlsCaStack) or a shared tlsIssuer.
func (s *Stack) validateTrust(v *validator) {
	t := s.TLS
	if t.CAStack != "" {
		switch {
		case !t.Enabled:
			v.bad("tlsCaStack", t.CAStack, "certificates are only issued with otelfleet:tlsEnabled: turn it on, or clear tlsCaStack")
		case t.Issuer != "":
			v.bad("tlsCaStack", t.CAStack, "tlsIssuer %q already signs the certificates: give one trust source, tlsCaStack (the fleet CA of another stack) or tlsIssuer", t.Issuer)
		case len(strings.Split(t.CAStack, "/")) != 3 || slices.Contains(strings.Split(t.CAStack, "/"), ""):
			v.bad("tlsCaStack", t.CAStack, "give the owning stack's fully qualified name org/project/stack, such as acme/otelfleet/azure-prod")
		}
		return
	}
	if !t.Enabled {
		return
	}
	if t.Issuer != "" {
		// Collectors outside Kubernetes get their client certificate from the program, which
		// holds the fleet CA but not an external issuer's key.
		outside := map[string]bool{"aws": s.AWS.ECSCollector, "azure": s.Azure.ACIEnabled}[s.Cloud]
		if outside && s.Upstream.Endpoint != "" && !s.Upstream.Insecure {
			key := map[string]string{"aws": "ecsCollector", "azure": "aciEnabled"}[s.Cloud]
			v.bad("tlsIssuer", t.Issuer, "%s forwards to upstreamOtlpEndpoint with a client certificate that otelfleet issues from the fleet CA, which an external issuer does not give it: clear tlsIssuer (sign with the fleet CA, tlsCaStack) or turn %s off", key, key)
		}
		return
	}
	var why []string
	if s.Upstream.Endpoint != "" && !s.Upstream.Insecure {
		why = append(why, "upstreamOtlpEndpoint: the gateway forwards over mutual TLS, so the upstream must trust this stack's certificates and this stack the upstream's")
	}
	if s.AWS.DRAzureStack != "" {
		why = append(why, "drAzureStack: senders verify this stack's ingest and the DR stack's with one CA")
	}
	if len(why) > 0 {
		v.bad("tlsCaStack", t.CAStack, "%s; sign with the other stack's fleet CA: name the stack that owns it (org/project/stack, such as acme/otelfleet/azure-prod), or give a ClusterIssuer both clusters share with tlsIssuer", strings.Join(why, "; "))
	}
}

// resources checks a request/limit quadruple of one tier ("agent" or "gateway").
func resources(v *validator, tier, cpuReq, cpuLim, memReq, memLim string, minMemMiB int64) {
	parsed := map[string]float64{}
	for _, suffix := range []string{"CpuRequest", "CpuLimit", "MemoryRequest", "MemoryLimit"} {
		raw := map[string]string{"CpuRequest": cpuReq, "CpuLimit": cpuLim, "MemoryRequest": memReq, "MemoryLimit": memLim}[suffix]
		q, err := quantity.Parse(raw)
		if err != nil || q <= 0 {
			v.bad(tier+suffix, raw, "give a positive Kubernetes quantity such as 500m (CPU) or 512Mi (memory)")
			continue
		}
		parsed[suffix] = q
	}
	if r, ok := parsed["CpuRequest"]; ok {
		if l, ok := parsed["CpuLimit"]; ok && r > l {
			v.bad(tier+"CpuRequest", cpuReq, "must not exceed %sCpuLimit (%s)", tier, cpuLim)
		}
	}
	if r, ok := parsed["MemoryRequest"]; ok {
		if l, ok := parsed["MemoryLimit"]; ok {
			if r > l {
				v.bad(tier+"MemoryRequest", memReq, "must not exceed %sMemoryLimit (%s)", tier, memLim)
			}
			if l < float64(minMemMiB<<20) {
				v.bad(tier+"MemoryLimit", memLim, "give at least %dMi (the collector needs headroom above its memory_limiter)", minMemMiB)
			}
		}
	}
}

// kubernetesVersion checks a "1.NN" version against the minor versions in standard support.
func kubernetesVersion(v *validator, key, version string, minMinor, maxMinor int) {
	m := k8sVersion.FindStringSubmatch(version)
	var minor int
	if m != nil {
		fmt.Sscanf(m[1], "%d", &minor)
	}
	if m == nil || minor < minMinor || minor > maxMinor {
		v.bad(key, version, "give a minor version in standard support: 1.%d to 1.%d", minMinor, maxMinor)
	}
}

func percent(v *validator, key string, pct int) {
	if pct < 10 || pct > 100 {
		v.bad(key, pct, "give a utilisation target from 10 to 100 (%%)")
	}
}

func (s *Stack) validateUpstream(v *validator) {
	u := s.Upstream
	switch {
	case u.Only && u.Endpoint == "":
		v.bad("upstreamOnly", u.Only, "needs otelfleet:upstreamOtlpEndpoint")
	case u.Endpoint == "":
	case u.Protocol == "http" && !strings.HasPrefix(u.Endpoint, "https://") && !strings.HasPrefix(u.Endpoint, "http://"):
		v.bad("upstreamOtlpEndpoint", u.Endpoint, "with protocol http give a URL such as https://otlp.example.com:4318")
	case u.Protocol == "grpc" && (strings.Contains(u.Endpoint, "://") || !strings.Contains(u.Endpoint, ":")):
		v.bad("upstreamOtlpEndpoint", u.Endpoint, "with protocol grpc give host:port such as otlp.example.com:4317")
	}
	s.validateResidency(v)
	if u.Insecure && strings.HasPrefix(u.Endpoint, "https://") {
		v.bad("upstreamOtlpInsecure", u.Insecure, "an https:// endpoint cannot be insecure; use http:// or turn upstreamOtlpInsecure off")
	}
	if u.Insecure && u.Endpoint != "" && s.TLS.Enabled {
		v.bad("upstreamOtlpInsecure", u.Insecure, "the fleet runs mutual TLS (otelfleet:tlsEnabled), and forwarding in plain text would leave this one hop unencrypted; turn it off (the gateway then presents its certificate to the upstream) or turn otelfleet:tlsEnabled off")
	}
}
