package config

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
)

// Defaults returns the configuration a stack gets for every key its stack file leaves out.
// It is the one place defaults live: the loader starts from it, and the generated project
// file and docs read their `default:` values from it.
func Defaults() Stack {
	return Stack{
		Name:        "otel",
		Environment: "production",
		Tags:        map[string]string{"app.kubernetes.io/part-of": "otelfleet"},
		Collector: Collector{
			Image:    collector.Image,
			Version:  collector.Release,
			LogLevel: "info",
		},
		Kubernetes: Kubernetes{
			Namespace:      "observability",
			AgentNamespace: "observability-agent",
		},
		Agent: Agent{
			Modes:         []string{"daemonset"},
			CPURequest:    "200m",
			CPULimit:      "500m",
			MemoryRequest: "256Mi",
			MemoryLimit:   "512Mi",
			K8sAttributes: true,
			QueueSize:     1000,
			// The kube-stack chart's defaults: node, kubelet and cluster metrics, scraping.
			NodeMetrics:      true,
			PrometheusScrape: true,
			ClusterMetrics:   true,
		},
		Gateway: Gateway{
			Kind:              "deployment",
			Replicas:          3,
			CPURequest:        "1000m",
			CPULimit:          "2000m",
			MemoryRequest:     "2Gi",
			MemoryLimit:       "4Gi",
			HPAEnabled:        true,
			HPAMinReplicas:    3,
			HPAMaxReplicas:    10,
			HPACPUPercent:     70,
			HPAMemoryPercent:  80,
			PDBMaxUnavailable: 1,
			QueueSize:         5000,
			QueueStorageSize:  "10Gi",
			CanaryReplicas:    1,
			IngestInternal:    true,
			CanaryLogLevel:    "info",
			Redaction:         true, // personal data never leaves unless a stack turns it off
			RedactionAllow:    []string{},
		},
		Sampling: Sampling{
			Mode:               "none",
			Percentage:         10,
			DecisionWait:       "10s",
			LatencyThresholdMs: 1000,
		},
		TLS: TLS{
			InstallCertManager: true,
			CertManagerVersion: "v1.21.2",
			CertDuration:       fleet.CertDuration,
			CertRenewBefore:    fleet.CertRenewBefore,
			ReloadInterval:     fleet.TLSReloadInterval,
		},
		Monitoring: Monitoring{Dashboard: true},
		Upstream:   Upstream{Protocol: "grpc", Signals: []string{"traces", "metrics", "logs"}, Residency: []string{}},
		AWS: AWS{
			Region:                   "us-east-1",
			VpcCIDR:                  "10.0.0.0/16",
			AZCount:                  3,
			FlowLogs:                 true,
			Endpoints:                true,
			EKSVersion:               "1.35",
			NodeInstanceType:         "m5.xlarge",
			NodeDesired:              3,
			NodeMin:                  2,
			NodeMax:                  10,
			NodeDiskGiB:              100,
			NodeLabels:               map[string]string{"role": "otel-worker"},
			ClusterAutoscaler:        true,
			ClusterAutoscalerVersion: "9.52.1",
			LogRetentionDays:         30,
			EMFNamespace:             "OTLP/Metrics",
			ArchiveIADays:            30,
			ArchiveGlacierIRDays:     90,
			ArchiveExpireDays:        365,
			ArchiveLogs:              true,
			ECSCollector:             true,
			ECSCPU:                   1024,
			ECSMemoryMiB:             2048,
			ECSDesiredCount:          2,
			LambdaExample:            true,

			LoadBalancerController:        true,
			LoadBalancerControllerVersion: "3.5.0",
			ContainerInsights:             true,
			DRRecordTTL:                   60,
			Alarms:                        true,
		},
		Azure: Azure{
			Location:                  "eastus",
			AKSVersion:                "1.35",
			AKSNodeVMSize:             "Standard_D4s_v3",
			AKSNodeCount:              3,
			AKSNodeMin:                3,
			AKSNodeMax:                9,
			AKSZones:                  []string{"1", "2", "3"},
			AKSSkuTier:                "Standard",
			AKSPodCIDR:                "10.244.0.0/16",
			AKSDeployerAdmin:          true,
			AKSKubeloginMode:          "azurecli",
			LogAnalyticsRetentionDays: 30,
			AppInsightsCreate:         true,
			ACIEnabled:                true,
			ACICPU:                    2,
			ACIMemoryGB:               4,
			VNetCIDR:                  "10.50.0.0/16",
			ACISubnetCIDR:             "10.50.0.0/24",
			Alerts:                    true,
		},
	}
}
