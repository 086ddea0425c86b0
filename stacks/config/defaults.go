package config

// Defaults returns the configuration a stack gets for every key its stack file leaves out.
// It is the one place defaults live: the loader starts from it, and the generated project
// file and docs read their `default:` values from it.
func Defaults() Stack {
	return Stack{
		Name:        "otel",
		Environment: "production",
		Tags:        map[string]string{"app.kubernetes.io/part-of": "otelfleet"},
		Collector: Collector{
			Image:    "otel/opentelemetry-collector-contrib",
			Version:  "0.161.0",
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
		},
		AWS: AWS{
			Region:                   "us-east-1",
			VpcCIDR:                  "10.0.0.0/16",
			AZCount:                  3,
			EKSVersion:               "1.35",
			NodeInstanceType:         "m5.xlarge",
			NodeDesired:              3,
			NodeMin:                  2,
			NodeMax:                  10,
			NodeDiskGiB:              100,
			NodeLabels:               map[string]string{"role": "otel-worker"},
			ClusterAutoscaler:        true,
			ClusterAutoscalerVersion: "9.52.1",
		},
		Azure: Azure{
			Location:   "eastus",
			AKSVersion: "1.35",
		},
	}
}
