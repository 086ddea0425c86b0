package azure

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// leak is a place a secret value was found.
type leak struct {
	where    string
	inSecret bool
}

// findValue walks a property value and reports every string holding marker (directly or
// base64-encoded), and whether a secret wrapper encloses it.
func findValue(v resource.PropertyValue, path string, inSecret bool, marker string, found *[]leak) {
	switch {
	case v.IsSecret():
		findValue(v.SecretValue().Element, path, true, marker, found)
	case v.IsOutput():
		findValue(v.OutputValue().Element, path, inSecret || v.OutputValue().Secret, marker, found)
	case v.IsObject():
		for k, e := range v.ObjectValue() {
			findValue(e, path+"."+string(k), inSecret, marker, found)
		}
	case v.IsArray():
		for i, e := range v.ArrayValue() {
			findValue(e, path+"."+strconv.Itoa(i), inSecret, marker, found)
		}
	case v.IsString():
		if holds(v.StringValue(), marker) {
			*found = append(*found, leak{path, inSecret})
		}
	}
}

// holds reports whether s contains marker in plain text or base64.
func holds(s, marker string) bool {
	if strings.Contains(s, marker) {
		return true
	}
	if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err == nil && strings.Contains(string(b), marker) {
		return true
	}
	return false
}

// checkSecretStaysSecret fails when the value marker appears anywhere outside a Pulumi
// secret: resource inputs (raw, deeply), manifests, collector configs, or any file synth
// writes. It returns where it was found inside secrets.
func checkSecretStaysSecret(t *testing.T, res *synth.Result, marker string) []string {
	t.Helper()
	var inside []string
	for _, r := range res.Resources {
		var found []leak
		findValue(resource.NewProperty(r.RawInputs()), r.Type+" "+r.Name, false, marker, &found)
		for _, f := range found {
			if !f.inSecret {
				t.Errorf("the connection string is in plain text at %s", f.where)
			} else {
				inside = append(inside, f.where)
			}
		}
	}
	for name, text := range res.Collector {
		if holds(text, marker) {
			t.Errorf("collector config %s holds the connection string", name)
		}
	}
	dir := t.TempDir()
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && holds(string(b), marker) {
			t.Errorf("synth output %s holds the connection string", strings.TrimPrefix(path, dir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inside
}

// wantInside fails unless the secret reached each consumer, inside a secret.
func wantInside(t *testing.T, inside []string, consumers ...string) {
	t.Helper()
	for _, c := range consumers {
		ok := false
		for _, w := range inside {
			ok = ok || strings.HasPrefix(w, c)
		}
		if !ok {
			t.Errorf("the connection string does not reach %s (found inside secrets at %v)", c, inside)
		}
	}
}

func TestConnectionStringOnlyInSecrets(t *testing.T) {
	res := prod(t)
	inside := checkSecretStaysSecret(t, res, synth.FakeInstrumentationKey)
	// It does reach the gateway (a Kubernetes Secret) and the ACI group (a secure value).
	wantInside(t, inside,
		"kubernetes:core/v1:Secret otel-fleet-gateway-env.stringData.APPLICATIONINSIGHTS_CONNECTION_STRING",
		containerGroupType+" otel-aci.containers.0.environmentVariables.1.secureValue")

	// The gateway reads it from the Secret by reference, and its config only names the variable.
	for name, text := range res.Collector {
		if strings.Contains(text, "azure_monitor") && !strings.Contains(text, "connection_string: ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}") {
			t.Errorf("collector config %s exports to azure_monitor without the env reference", name)
		}
		if strings.Contains(text, "instrumentation_key") {
			t.Errorf("collector config %s uses instrumentation_key", name)
		}
	}
}

// TestExistingAppInsights uses an Application Insights resource given by its connection
// string (a config secret): no resource, no role assignment on it, and the value stays secret.
func TestExistingAppInsights(t *testing.T) {
	const ikey = "be5e7ca1-0000-4e11-a11e-c0ffee000042"
	res := variant(t, map[string]string{
		"otelfleet:appInsightsCreate":           "false",
		"otelfleet:appInsightsConnectionString": "InstrumentationKey=" + ikey + ";IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
	}, "otelfleet:appInsightsConnectionString")
	if n := len(res.Find(appInsightsType)); n != 0 {
		t.Errorf("%d Application Insights resources; want none", n)
	}
	for _, ra := range res.Find(roleAssignmentType) {
		if strings.Contains(ra.Name, "publisher") {
			t.Errorf("role assignment %s on an Application Insights resource otelfleet does not manage", ra.Name)
		}
	}
	inside := checkSecretStaysSecret(t, res, ikey)
	wantInside(t, inside, "kubernetes:core/v1:Secret", containerGroupType)
}

// TestUpstreamOnly forwards everything to an upstream OTLP endpoint: no azure_monitor
// exporter anywhere, and then no copy of the connection string either.
func TestUpstreamOnly(t *testing.T) {
	res := variant(t, map[string]string{"otelfleet:upstreamOtlpEndpoint": "otlp.example.com:4317", "otelfleet:tlsCaStack": "acme/otelfleet/aws-prod", "otelfleet:upstreamOnly": "true"})
	if len(res.Collector) == 0 {
		t.Fatal("no collector configs")
	}
	for name, text := range res.Collector {
		if strings.Contains(text, "azure_monitor") {
			t.Errorf("collector config %s still exports to azure_monitor", name)
		}
	}
	if inside := checkSecretStaysSecret(t, res, synth.FakeInstrumentationKey); len(inside) != 0 {
		t.Errorf("the connection string is still handed out (inside secrets at %v)", inside)
	}
}
