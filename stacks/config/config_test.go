package config_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/otelfleet/otelfleet/stacks/config"
)

// readValues reads a testdata file: a flat map of raw config values as Pulumi passes them to
// the program (strings; lists and maps as JSON text).
func readValues(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]string
	if err := yaml.UnmarshalStrict(data, &values); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(values) == 0 {
		t.Fatalf("%s has no values", file)
	}
	return values
}

// loadAndValidate is what FromContext does with the values.
func loadAndValidate(values map[string]string) (config.Stack, error) {
	s, err := config.Load(values)
	if err != nil {
		return s, err
	}
	return s, s.Validate()
}

func TestBadConfigurations(t *testing.T) {
	tests := []struct {
		file string
		// key is the otelfleet key the single problem must name.
		key string
		// want are further fragments of the problem: the bad value, and what is allowed.
		want []string
	}{
		{"unknown_cloud.yaml", "cloud", []string{`"gcp"`, "allowed values: aws, azure"}},
		{"missing_cloud.yaml", "cloud", []string{`""`, "allowed values: aws, azure"}},
		{"misspelt_key.yaml", "gatewayReplica", []string{"unknown key", "did you mean otelfleet:gatewayReplicas?"}},
		{"misspelt_key_case.yaml", "GatewayKind", []string{"unknown key", "did you mean otelfleet:gatewayKind?"}},
		{"gateway_kind.yaml", "gatewayKind", []string{`"daemonset"`, "allowed values: deployment, statefulset"}},
		{"agent_modes_empty.yaml", "agentModes", []string{"at least one of: daemonset, sidecar"}},
		{"agent_modes_unknown.yaml", "agentModes", []string{`"gateway"`, "allowed values: daemonset, sidecar"}},
		{"agent_modes_not_list.yaml", "agentModes", []string{`"daemonset"`, "list of strings"}},
		{"gateway_replicas_word.yaml", "gatewayReplicas", []string{`"three"`, "whole number"}},
		{"gateway_replicas_fraction.yaml", "gatewayReplicas", []string{`"2.5"`, "whole number"}},
		{"gateway_hpa_enabled.yaml", "gatewayHpaEnabled", []string{`"yes"`, "true or false"}},
		{"hpa_max_below_min.yaml", "gatewayHpaMaxReplicas", []string{"3 is not allowed", "gatewayHpaMinReplicas (5)"}},
		{"hpa_cpu_percent.yaml", "gatewayHpaCpuPercent", []string{"5 is not allowed", "10 to 100"}},
		{"agent_cpu_request_over_limit.yaml", "agentCpuRequest", []string{`"1"`, "must not exceed agentCpuLimit (500m)"}},
		{"agent_memory_limit_small.yaml", "agentMemoryLimit", []string{`"100Mi"`, "at least 128Mi"}},
		{"gateway_memory_request_over_limit.yaml", "gatewayMemoryRequest", []string{`"6Gi"`, "must not exceed gatewayMemoryLimit (4Gi)"}},
		{"gateway_memory_quantity.yaml", "gatewayMemoryLimit", []string{`"4GB"`, "Kubernetes quantity"}},
		{"tail_decision_wait.yaml", "samplingDecisionWait", []string{`"soon"`, "1s to 5m"}},
		{"tail_decision_wait_long.yaml", "samplingDecisionWait", []string{`"10m"`, "1s to 5m"}},
		{"tail_decision_wait_after_root.yaml", "samplingDecisionWaitAfterRoot", []string{`"30s"`, "0s (off) or a duration from 1s to samplingDecisionWait (10s)"}},
		{"sampling_percentage_zero.yaml", "samplingPercentage", []string{"0 is not allowed", "greater than 0 and at most 100"}},
		{"sampling_percentage_150.yaml", "samplingPercentage", []string{"150 is not allowed", "greater than 0 and at most 100"}},
		{"sampling_percentage_nan.yaml", "samplingPercentage", []string{"NaN"}},
		{"sampling_percentage_word.yaml", "samplingPercentage", []string{`"ten"`, "want a number"}},
		{"sampling_mode.yaml", "samplingMode", []string{`"head"`, "allowed values: none, probabilistic, tail"}},
		{"name_uppercase.yaml", "name", []string{`"OtelProd"`, "lowercase"}},
		{"name_too_long.yaml", "name", []string{`"otelfleet-production-eu"`, "1-20"}},
		{"namespace_bad.yaml", "namespace", []string{`"observability_ns"`, "DNS label"}},
		{"log_collection_same_namespace.yaml", "agentNamespace", []string{`"telemetry"`, "agentLogCollection", `namespace "telemetry"`}},
		{"pdb_zero.yaml", "gatewayPdbMaxUnavailable", []string{"0 is not allowed", "at least 1"}},
		{"expected_load_negative.yaml", "gatewayExpectedLogRecordsPerSecond", []string{"-5 is not allowed", "items per second"}},
		{"outage_bad.yaml", "gatewayOutageToBuffer", []string{`"a week"`, "0s to 168h"}},
		{"gateway_cost_bad.yaml", "gatewayCpuSecondsPerMillionSpans", []string{"0.02 is not allowed", "1 to 10000 CPU-seconds per million"}},
		{"collector_image_tag.yaml", "collectorImage", []string{`"otel/opentelemetry-collector-contrib:0.161.0"`, "without tag"}},
		{"collector_image_digest.yaml", "collectorImage", []string{"@sha256:6c3a7b4f", "sha256:<64 hex digits>"}},
		{"collector_log_level.yaml", "collectorLogLevel", []string{`"verbose"`, "allowed values: debug, info, warn, error"}},
		{"tags_list.yaml", "tags", []string{"map of string to string"}},
		{"tags_number_value.yaml", "tags", []string{"map of string to string"}},
		{"environment_empty.yaml", "environment", []string{"non-empty"}},
		{"upstream_plaintext_beside_mtls.yaml", "upstreamOtlpInsecure", []string{"true", "one hop unencrypted", "tlsEnabled"}},
		{"tls_cert_duration_short.yaml", "tlsCertDuration", []string{`"30m"`, "at least 1h"}},
		{"tls_renew_not_before_expiry.yaml", "tlsCertRenewBefore", []string{`"720h"`, "shorter than tlsCertDuration"}},
		{"tls_reload_too_rare.yaml", "tlsReloadInterval", []string{`"200h"`, "half of tlsCertRenewBefore", "read at least twice"}},
		{"tls_ca_stack_without_tls.yaml", "tlsCaStack", []string{"tlsEnabled"}},
		{"tls_ca_stack_beside_issuer.yaml", "tlsCaStack", []string{`tlsIssuer "corp-pki"`, "one trust source"}},
		{"tls_ca_stack_not_qualified.yaml", "tlsCaStack", []string{`"azure-prod"`, "org/project/stack"}},
		{"tls_upstream_without_shared_ca.yaml", "tlsCaStack", []string{"upstreamOtlpEndpoint", "trust this stack", "org/project/stack", "tlsIssuer"}},
		{"tls_dr_without_shared_ca.yaml", "tlsCaStack", []string{"drAzureStack", "one CA"}},
		{"tls_issuer_with_ecs_upstream.yaml", "tlsIssuer", []string{`"corp-pki"`, "ecsCollector", "fleet CA"}},
		{"ingest_public_plaintext.yaml", "gatewayIngestInternal", []string{"internet-facing", "plain-text", "tlsEnabled"}},
		{"ingest_public_open.yaml", "gatewayIngestSourceRanges", []string{"internet-facing", "0.0.0.0/0"}},
		{"namespace_kube_system.yaml", "namespace", []string{`"kube-system"`, "belongs to the cluster"}},
		{"agent_namespace_default.yaml", "agentNamespace", []string{`"default"`, "belongs to the cluster"}},
		{"host_agent_without_ingest.yaml", "hostAgentEndpoint", []string{`"otlp.example.com:4317"`, "tlsEnabled and gatewayIngest"}},
		{"host_agent_endpoint_no_port.yaml", "hostAgentEndpoint", []string{`"otlp.example.com"`, "host:port"}},
		{"host_filesystems_without_node_metrics.yaml", "agentHostFilesystems", []string{"needs agentNodeMetrics"}},
		{"redaction_allow_bad_key.yaml", "gatewayRedactionAllow", []string{`"url full"`, "attribute key"}},
		{"tags_aws_prefix.yaml", "tags", []string{`"aws:owner"`, "reserved by AWS"}},
		{"eks_node_min_zero.yaml", "eksNodeMin", []string{"at least 1", "system pods"}},
		{"cluster_api_open.yaml", "clusterApiAllowedCidrs", []string{"open to the internet", "203.0.113.0/24", "clusterApiPrivate"}},
		{"cluster_api_world.yaml", "clusterApiAllowedCidrs", []string{`"0.0.0.0/0"`, "narrower than the whole internet"}},
		{"cluster_api_private_aks.yaml", "clusterApiPrivate", []string{"replaces the cluster", "clusterApiAllowedCidrs"}},
		{"outside_plaintext_implicit.yaml", "outsideCollectorsPlaintext", []string{"ecsCollector", "plain-text", "VPC"}},
		{"residency_forwarded.yaml", "dataResidency", []string{`["logs"]`, "logs must stay in the region", "upstreamSignals"}},
		{"upstream_only_partial.yaml", "upstreamSignals", []string{"upstreamOnly", "go nowhere"}},
		{"residency_unknown_signal.yaml", "dataResidency", []string{`"profiles"`, "traces, metrics, logs"}},
		{"agent_queue_size_zero.yaml", "agentQueueSize", []string{"0 is not allowed", "1 to 100000"}},
		{"gateway_storage_class.yaml", "gatewayStorageClass", []string{`"Fast_SSD"`}},
		{"gateway_queue_storage_size.yaml", "gatewayQueueStorageSize", []string{`"ten gigs"`, "10Gi"}},
		{"gateway_queue_volume_small.yaml", "gatewayQueueStorageSize", []string{`"200Mi"`, "at least 1Gi"}},
	}

	// Every testdata file is either a good configuration or has a case here.
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, f := range files {
		if base := filepath.Base(f); !covered[base] && !strings.HasPrefix(base, "good") {
			t.Errorf("testdata/%s has no test case", base)
		}
	}

	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			values := readValues(t, tt.file)
			_, err := loadAndValidate(values)
			if err == nil {
				t.Fatalf("the configuration was accepted; want a problem with otelfleet:%s", tt.key)
			}
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error is a %T, not a *config.Error: %v", err, err)
			}
			if len(cerr.Problems) != 1 {
				t.Errorf("want exactly one problem, got %d:\n%v", len(cerr.Problems), err)
			}
			prefix := "otelfleet:" + tt.key + ": "
			if !strings.HasPrefix(cerr.Problems[0], prefix) {
				t.Errorf("problem %q does not start with the key %q", cerr.Problems[0], prefix)
			}
			for _, frag := range tt.want {
				if !strings.Contains(cerr.Problems[0], frag) {
					t.Errorf("problem %q does not mention %q", cerr.Problems[0], frag)
				}
			}
			if !strings.HasPrefix(err.Error(), "invalid otelfleet stack configuration:\n  - "+prefix) {
				t.Errorf("error text %q does not list the problem under its headline", err)
			}
		})
	}
}

func TestGoodConfigurations(t *testing.T) {
	t.Run("good", func(t *testing.T) {
		s, err := loadAndValidate(readValues(t, "good.yaml"))
		if err != nil {
			t.Fatalf("a good configuration was rejected: %v", err)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"Cloud", s.Cloud, "azure"},
			{"Tags", s.Tags, map[string]string{"team": "platform", "cost-center": "1234"}},
			{"Collector.Image", s.Collector.Image, "registry.example.com:5000/observability/otelcol-contrib"},
			{"Agent.Modes", s.Agent.Modes, []string{"daemonset", "sidecar"}},
			{"Agent.LogCollection", s.Agent.LogCollection, true},
			{"Agent.QueueSize", s.Agent.QueueSize, 2000},
			{"Gateway.Kind", s.Gateway.Kind, "statefulset"},
			{"Gateway.HPAMaxReplicas", s.Gateway.HPAMaxReplicas, 2},
			{"Gateway.PersistentQueue", s.Gateway.PersistentQueue, true},
			{"Sampling.Percentage", s.Sampling.Percentage, 2.5},
			{"Sampling.DecisionWait", s.Sampling.DecisionWait, "30s"},
			{"Azure.Location", s.Azure.Location, "westeurope"},
			// Not in the file: defaults.
			{"Gateway.QueueSize", s.Gateway.QueueSize, config.Defaults().Gateway.QueueSize},
			{"Gateway.MemoryRequest", s.Gateway.MemoryRequest, config.Defaults().Gateway.MemoryRequest},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %#v; want %#v", c.name, c.got, c.want)
			}
		}
	})
	t.Run("good_digest", func(t *testing.T) {
		s, err := loadAndValidate(readValues(t, "good_digest.yaml"))
		if err != nil {
			t.Fatalf("an image pinned by digest was rejected: %v", err)
		}
		const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/otelcol-contrib"
		const digest = "sha256:6c3a7b4f1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
		if got := s.Collector.ImageRef(); got != repo+":0.161.0@"+digest {
			t.Errorf("ImageRef() = %q; want the tag and the digest", got)
		}
		if got := s.Collector.ImageAt("0.162.0"); got != repo+":0.162.0" {
			t.Errorf("ImageAt(canary) = %q; want the canary's tag without the stable digest", got)
		}
	})
	t.Run("good_minimal", func(t *testing.T) {
		s, err := loadAndValidate(readValues(t, "good_minimal.yaml"))
		if err != nil {
			t.Fatalf("a configuration with only cloud and the API's ranges was rejected: %v", err)
		}
		want := config.Defaults()
		want.Cloud, want.Cluster.APIAllowedCIDRs, want.Gateway.OutsidePlaintext = "aws", []string{"203.0.113.0/24"}, true
		if !reflect.DeepEqual(s, want) {
			t.Errorf("Load gave %+v; want the defaults with cloud aws and the API's ranges", s)
		}
	})
}

func TestLoadReportsEveryBadKey(t *testing.T) {
	_, err := config.Load(map[string]string{
		"otelfleet:gatewayReplicas":   "many",
		"otelfleet:agentModes":        "daemonset",
		"otelfleet:gatewayHpaEnabled": "on",
		"otelfleet:cloud":             "aws",
	})
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load error = %v; want a *config.Error", err)
	}
	// One line per bad key, sorted by key so the output is stable.
	wantKeys := []string{"agentModes", "gatewayHpaEnabled", "gatewayReplicas"}
	if len(cerr.Problems) != len(wantKeys) {
		t.Fatalf("got %d problems; want %d:\n%v", len(cerr.Problems), len(wantKeys), err)
	}
	for i, k := range wantKeys {
		if !strings.HasPrefix(cerr.Problems[i], "otelfleet:"+k+": ") {
			t.Errorf("problem %d = %q; want it about otelfleet:%s", i+1, cerr.Problems[i], k)
		}
	}
}

func TestValidateReportsEveryBadKey(t *testing.T) {
	s := config.Defaults()
	s.Cloud, s.Cluster.APIAllowedCIDRs, s.Gateway.OutsidePlaintext = "aws", []string{"203.0.113.0/24"}, true
	s.Gateway.Kind = "job"
	s.Gateway.PDBMaxUnavailable = 0
	s.Sampling.Mode = "probabilistic"
	s.Sampling.Percentage = 0
	err := s.Validate()
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Validate error = %v; want a *config.Error", err)
	}
	for _, k := range []string{"gatewayKind", "gatewayPdbMaxUnavailable", "samplingPercentage"} {
		if !slices.ContainsFunc(cerr.Problems, func(p string) bool { return strings.HasPrefix(p, "otelfleet:"+k+": ") }) {
			t.Errorf("no problem names otelfleet:%s:\n%v", k, err)
		}
	}
	if len(cerr.Problems) != 3 {
		t.Errorf("got %d problems; want 3:\n%v", len(cerr.Problems), err)
	}
}

func TestDefaults(t *testing.T) {
	// cloud is the one key without a default: Defaults() alone names exactly it.
	err := func() error { s := config.Defaults(); return s.Validate() }()
	var cerr *config.Error
	if !errors.As(err, &cerr) || len(cerr.Problems) != 1 || !strings.HasPrefix(cerr.Problems[0], "otelfleet:cloud: ") {
		t.Errorf("Defaults().Validate() = %v; want one problem, with otelfleet:cloud", err)
	}
	// A managed cloud also needs the ranges allowed to reach its Kubernetes API, and its
	// plain-text collectors outside Kubernetes (on by default) accepted explicitly.
	for _, cloud := range []string{"aws", "azure"} {
		s := config.Defaults()
		s.Cloud, s.Cluster.APIAllowedCIDRs, s.Gateway.OutsidePlaintext = cloud, []string{"203.0.113.0/24"}, true
		if err := s.Validate(); err != nil {
			t.Errorf("the defaults with cloud %s do not validate: %v", cloud, err)
		}
	}
}

func TestLoadKeepsDefaultsForUnsetKeys(t *testing.T) {
	s, err := config.Load(map[string]string{
		"otelfleet:cloud":                  "azure",
		"otelfleet:gatewayReplicas":        " 5 ",
		"otelfleet:agentModes":             `["sidecar"]`,
		"aws:region":                       "eu-west-1", // provider keys are not otelfleet's
		"pulumi:disable-default-providers": `["*"]`,
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := config.Defaults()
	want.Cloud = "azure"
	want.Gateway.Replicas = 5
	want.Agent.Modes = []string{"sidecar"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Load changed keys it was not given:\n got %+v\nwant %+v", s, want)
	}

	// The loaded stack does not share maps or slices with later Defaults() calls.
	s.Tags["owner"] = "someone"
	s.AWS.NodeLabels["role"] = "changed"
	d := config.Defaults()
	if _, ok := d.Tags["owner"]; ok || d.AWS.NodeLabels["role"] == "changed" {
		t.Errorf("changing a loaded stack changed Defaults(): %v %v", d.Tags, d.AWS.NodeLabels)
	}
}

func TestFields(t *testing.T) {
	fields := config.Fields()
	// Keys of top-level and of nested structs are all listed.
	for _, k := range []string{"cloud", "tags", "collectorImage", "agentNamespace", "agentModes", "gatewayKind", "samplingMode", "tlsEnabled", "awsRegion", "azureLocation"} {
		if !slices.ContainsFunc(fields, func(f config.Field) bool { return f.Key == k }) {
			t.Errorf("Fields() does not list %s", k)
		}
	}
	goKind := map[string][]reflect.Kind{
		"string":  {reflect.String, reflect.Float64}, // Pulumi has no number type
		"integer": {reflect.Int},
		"boolean": {reflect.Bool},
		"array":   {reflect.Slice},
		"object":  {reflect.Map},
	}
	defaults := config.Defaults()
	seen := map[string]bool{}
	for _, f := range fields {
		t.Run(f.Key, func(t *testing.T) {
			if seen[strings.ToLower(f.Key)] {
				t.Errorf("key %q is listed twice (keys must differ beyond case)", f.Key)
			}
			seen[strings.ToLower(f.Key)] = true
			if f.Key == "" || strings.Contains(f.Key, ":") || f.Key[0] < 'a' || f.Key[0] > 'z' {
				t.Errorf("key %q is not a lowerCamel key without namespace", f.Key)
			}
			if f.FullKey() != "otelfleet:"+f.Key {
				t.Errorf("FullKey() = %q", f.FullKey())
			}
			for _, k := range []string{f.Key, f.FullKey()} {
				if got, ok := config.FieldByKey(k); !ok || got.Key != f.Key {
					t.Errorf("FieldByKey(%q) = %q, %v", k, got.Key, ok)
				}
			}
			if d := strings.TrimSpace(f.Description); len(d) < 10 || !strings.HasSuffix(d, ".") {
				t.Errorf("description %q is missing or not a sentence", f.Description)
			}
			for _, e := range f.Enum {
				if e == "" || e != strings.TrimSpace(e) {
					t.Errorf("enum value %q is empty or padded", e)
				}
			}

			// The default exists, with a Go type matching the declared Pulumi type...
			def := f.Value(&defaults)
			kinds, ok := goKind[f.Type]
			if !ok {
				t.Fatalf("Type %q is not a Pulumi config type", f.Type)
			}
			if k := reflect.TypeOf(def).Kind(); !slices.Contains(kinds, k) {
				t.Fatalf("default %#v is a %s; Type %q wants %v", def, k, f.Type, kinds)
			}
			if k := reflect.TypeOf(def); k.Kind() == reflect.Slice && k.Elem().Kind() != reflect.String ||
				k.Kind() == reflect.Map && (k.Key().Kind() != reflect.String || k.Elem().Kind() != reflect.String) {
				t.Errorf("default %#v is a %s; the loader reads lists and maps of strings", def, k)
			}
			// ...that is allowed, when the key has fixed values (cloud has no default)...
			if len(f.Enum) > 0 && f.Key != "cloud" {
				items, _ := def.([]string)
				if s, ok := def.(string); ok {
					items = []string{s}
				}
				if len(items) == 0 {
					t.Errorf("default %#v is not one of %v", def, f.Enum)
				}
				for _, it := range items {
					if !slices.Contains(f.Enum, it) {
						t.Errorf("default %q is not one of %v", it, f.Enum)
					}
				}
			}
			// ...and that reads back unchanged when written as Pulumi passes it.
			raw := rawValue(t, def)
			s, err := config.Load(map[string]string{f.FullKey(): raw})
			if err != nil {
				t.Fatalf("Load of the default written as %q: %v", raw, err)
			}
			if got := f.Value(&s); !reflect.DeepEqual(got, def) {
				t.Errorf("default %#v written as %q loads as %#v", def, raw, got)
			}
		})
	}
}

// rawValue writes a value the way Pulumi passes config to a program.
func rawValue(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		out, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
}
