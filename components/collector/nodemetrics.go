package collector

import (
	"fmt"
	"time"
)

// Component types of the node and cluster metric presets.
const (
	TypeHostMetrics  = "host_metrics"
	TypeKubeletStats = "kubelet_stats"
	TypeK8sCluster   = "k8s_cluster"
	TypeK8sObjects   = "k8sobjects"
	TypePrometheus   = "prometheus"
)

// ServiceAccountCAFile is the cluster CA every pod with a mounted service account token has.
const ServiceAccountCAFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"

// NodeMetrics is the DaemonSet agent's node preset: the node's own metrics (host_metrics)
// and its pods' and containers' (kubelet_stats), like the collector Helm chart's
// hostMetrics and kubeletMetrics presets.
type NodeMetrics struct {
	// Interval between scrapes; default 30s.
	Interval string
	// HostRoot is where the node's root filesystem is mounted read-only; it adds the
	// filesystem scraper. Empty mounts nothing: cpu, load, memory, disk and paging come from
	// /proc, which is the node's own in any pod; the node's filesystems need the mount (a
	// hostPath, which only the privileged Pod Security level admits).
	HostRoot string
	// KubeletEndpoint is this node's kubelet, e.g. "https://${env:K8S_NODE_IP}:10250"
	// (the node's IP from the downward API: node names do not resolve from pods on AKS).
	KubeletEndpoint string
	// KubeletCAFile verifies the kubelet's serving certificate (ServiceAccountCAFile where the
	// cluster CA signs it, as on AKS). Empty skips verification: EKS and kind kubelets serve
	// self-signed certificates. The agent authenticates with its service account token
	// either way (RBAC nodes/stats).
	KubeletCAFile string
}

// Validate checks the preset.
func (n NodeMetrics) Validate() error {
	if n.KubeletEndpoint == "" {
		return fmt.Errorf("node metrics: KubeletEndpoint is required")
	}
	if _, err := time.ParseDuration(n.interval()); err != nil {
		return fmt.Errorf("node metrics: Interval %q: %v", n.Interval, err)
	}
	return nil
}

func (n NodeMetrics) interval() string { return orDefault(n.Interval, "30s") }

// HostMetricsReceiver scrapes the host: CPU, memory, load, disks, paging, filesystems.
type HostMetricsReceiver struct {
	CollectionInterval string         `json:"collection_interval"`
	RootPath           string         `json:"root_path,omitempty"`
	Scrapers           map[string]any `json:"scrapers"`
}

func (HostMetricsReceiver) Type() string { return TypeHostMetrics }

// Signals reports the pipelines the component can be part of.
func (HostMetricsReceiver) Signals() []string { return []string{Metrics} }

// KubeletStatsReceiver reads the kubelet's /stats/summary: node, pod and container metrics.
type KubeletStatsReceiver struct {
	CollectionInterval string   `json:"collection_interval"`
	AuthType           string   `json:"auth_type"`
	Endpoint           string   `json:"endpoint"`
	InsecureSkipVerify bool     `json:"insecure_skip_verify,omitempty"`
	CAFile             string   `json:"ca_file,omitempty"`
	MetricGroups       []string `json:"metric_groups"`
}

func (KubeletStatsReceiver) Type() string { return TypeKubeletStats }

// Signals reports the pipelines the component can be part of.
func (KubeletStatsReceiver) Signals() []string { return []string{Metrics} }

// virtualFilesystems are the filesystem types the filesystem scraper skips: kernel and
// container-runtime mounts, not the node's disks.
var virtualFilesystems = []string{
	"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs",
	"fusectl", "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore",
	"rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "sysfs", "tmpfs", "tracefs",
}

// receivers are the preset's receivers by id.
func (n NodeMetrics) receivers() map[string]Component {
	scrapers := map[string]any{"cpu": map[string]any{}, "load": map[string]any{}, "memory": map[string]any{}, "disk": map[string]any{}, "paging": map[string]any{}}
	if n.HostRoot != "" {
		scrapers["filesystem"] = map[string]any{
			"exclude_fs_types": map[string]any{"match_type": "strict", "fs_types": virtualFilesystems},
			"exclude_mount_points": map[string]any{"match_type": "regexp", "mount_points": []string{
				"/dev/.*", "/proc/.*", "/sys/.*", "/run/containerd/.*", "/var/lib/containerd/.*", "/var/lib/docker/.*", "/var/lib/kubelet/.*", "/snap/.*",
			}},
		}
	}
	kubelet := KubeletStatsReceiver{
		CollectionInterval: n.interval(), AuthType: "serviceAccount", Endpoint: n.KubeletEndpoint,
		CAFile: n.KubeletCAFile, InsecureSkipVerify: n.KubeletCAFile == "",
		MetricGroups: []string{"node", "pod", "container"},
	}
	return map[string]Component{
		TypeHostMetrics:  HostMetricsReceiver{CollectionInterval: n.interval(), RootPath: n.HostRoot, Scrapers: scrapers},
		TypeKubeletStats: kubelet,
	}
}
