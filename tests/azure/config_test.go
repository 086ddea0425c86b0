package azure

import (
	"errors"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestBadConfiguration renders azure-prod with one bad key each: the program fails before the
// stack builder runs (so before any resource is registered), with one problem naming the key.
func TestBadConfiguration(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]string
		secret []string
		key    string
		want   string
	}{
		{"unknown location", map[string]string{"otelfleet:azureLocation": "eastus3"}, nil, "azureLocation", "give an Azure region name"},
		{"location with a space", map[string]string{"otelfleet:azureLocation": "East US"}, nil, "azureLocation", "westeurope"},
		{"node min above max", map[string]string{"otelfleet:aksNodeMin": "6", "otelfleet:aksNodeMax": "4", "otelfleet:aksNodeCount": "5"}, nil, "aksNodeMin", "must not exceed aksNodeMax (4)"},
		{"node count outside bounds", map[string]string{"otelfleet:aksNodeCount": "12"}, nil, "aksNodeCount", "from aksNodeMin (3) to aksNodeMax (9)"},
		{"zone 4", map[string]string{"otelfleet:aksZones": `["1","4"]`}, nil, "aksZones", "among 1, 2, 3"},
		{"zone twice", map[string]string{"otelfleet:aksZones": `["2","2"]`}, nil, "aksZones", "distinct"},
		{"empty connection string without App Insights", map[string]string{"otelfleet:appInsightsCreate": "false", "otelfleet:appInsightsConnectionString": ""}, []string{"otelfleet:appInsightsConnectionString"}, "appInsightsConnectionString", "--secret"},
		{"malformed connection string", map[string]string{"otelfleet:appInsightsCreate": "false", "otelfleet:appInsightsConnectionString": "not-a-connection-string"}, []string{"otelfleet:appInsightsConnectionString"}, "appInsightsConnectionString", "InstrumentationKey="},
		{"unsupported Kubernetes version", map[string]string{"otelfleet:aksVersion": "1.29"}, nil, "aksVersion", "standard support"},
		{"VM size", map[string]string{"otelfleet:aksNodeVmSize": "D4s_v3"}, nil, "aksNodeVmSize", "Standard_D4s_v3"},
		{"admin group not a GUID", map[string]string{"otelfleet:aksAdminGroupObjectIds": `["platform-admins"]`}, nil, "aksAdminGroupObjectIds", "GUIDs"},
		{"retention", map[string]string{"otelfleet:logAnalyticsRetentionDays": "7"}, nil, "logAnalyticsRetentionDays", "30 to 730"},
		{"ACI CPU", map[string]string{"otelfleet:aciCpu": "8"}, nil, "aciCpu", "0.25 to 4"},
		{"ACI subnet outside the VNet", map[string]string{"otelfleet:aciSubnetCidr": "10.60.0.0/24"}, nil, "aciSubnetCidr", "inside azureVnetCidr"},
		{"ACI subnet too small", map[string]string{"otelfleet:aciSubnetCidr": "10.50.0.0/30"}, nil, "aciSubnetCidr", "/29 or larger"},
		{"ACI public IP in a subnet", map[string]string{"otelfleet:aciPublicIp": "true", "otelfleet:aciSubnetId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}, nil, "aciPublicIp", "cannot have a public IP"},
		{"ACI subnet id", map[string]string{"otelfleet:aciSubnetId": "subnet-1234"}, nil, "aciSubnetId", "subnet resource id"},
		{"alert email without a domain", map[string]string{"otelfleet:alertEmail": "oncall"}, nil, "alertEmail", "one email address"},
		{"alert email list", map[string]string{"otelfleet:alertEmail": "a@example.com,b@example.com"}, nil, "alertEmail", "one email address"},
		{"action group id", map[string]string{"otelfleet:alertEmail": "", "otelfleet:alertActionGroupId": "oncall-group"}, nil, "alertActionGroupId", "action group resource id"},
		{"action group of another type", map[string]string{"otelfleet:alertEmail": "", "otelfleet:alertActionGroupId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/metricAlerts/z"}, nil, "alertActionGroupId", "action group resource id"},
		{"email and action group", map[string]string{"otelfleet:alertActionGroupId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/actionGroups/z"}, nil, "alertActionGroupId", "not both"},
		{"ingest IP not an address", map[string]string{"otelfleet:aksIngestPrivateIp": "10.224.0"}, nil, "aksIngestPrivateIp", "private IPv4"},
		{"ingest DNS name", map[string]string{"otelfleet:aksIngestDnsNames": `["*.example.com"]`}, nil, "aksIngestDnsNames", "lowercase DNS names"},
		{"ingest IP public", map[string]string{"otelfleet:aksIngestPrivateIp": "20.62.1.1"}, nil, "aksIngestPrivateIp", "private IPv4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := synth.ReadStackConfig("../..", "azure-prod")
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.values {
				sc.Values[k] = v
			}
			sc.SecretKeys = append(sc.SecretKeys, tt.secret...)
			built := false
			program := stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"azure": func(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
				built = true
				return azure.Build(ctx, cfg, p)
			}})
			_, err = synth.Render(sc, program)
			if err == nil {
				t.Fatal("the stack rendered; want a configuration error")
			}
			if built {
				t.Error("the stack builder ran (resources registered) despite the bad configuration")
			}
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				// The mock engine may wrap the program's error as text only.
				if !strings.Contains(err.Error(), "otelfleet:"+tt.key+": ") {
					t.Fatalf("error %v; want a problem naming otelfleet:%s", err, tt.key)
				}
			} else if len(cerr.Problems) != 1 {
				t.Errorf("%d problems; want one:\n%v", len(cerr.Problems), err)
			}
			msg := err.Error()
			if strings.Count(msg, "\n  - ") != 1 || !strings.Contains(msg, "otelfleet:"+tt.key+": ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error:\n%v\nwant one problem naming otelfleet:%s with %q", msg, tt.key, tt.want)
			}
			if v := tt.values["otelfleet:appInsightsConnectionString"]; v != "" && strings.Contains(msg, v) {
				t.Errorf("the error repeats the secret value: %v", msg)
			}
		})
	}
}
