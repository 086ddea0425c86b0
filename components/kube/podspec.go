package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/quantity"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where every collector container reads its configuration.
const (
	configDir      = "/etc/otelcol"
	configFile     = "config.yaml"
	configVolume   = "collector-config"
	tmpVolume      = "tmp"
	collectorUID   = 10001 // the uid of the upstream collector images
	checksumAnnot  = fleet.AnnotationConfigChecksum
	collectorLabel = fleet.CollectorName
)

// Resources are a container's requests and limits (Kubernetes quantities such as "500m",
// "2", "512Mi", "4Gi"). All four are required; requests must not exceed limits.
type Resources struct {
	CPURequest, CPULimit, MemoryRequest, MemoryLimit string
}

func (r Resources) args() corev1.ResourceRequirementsArgs {
	return corev1.ResourceRequirementsArgs{
		Requests: pulumi.StringMap{"cpu": pulumi.String(r.CPURequest), "memory": pulumi.String(r.MemoryRequest)},
		Limits:   pulumi.StringMap{"cpu": pulumi.String(r.CPULimit), "memory": pulumi.String(r.MemoryLimit)},
	}
}

// withEphemeralStorage adds an ephemeral-storage request and limit: a pod whose emptyDir
// holds a queue is scheduled on a node with that much disk, and is not evicted while it
// stays under the limit (the emptyDir counts towards it, plus logs: limitExtraMiB).
func (r Resources) withEphemeralStorage(size string, limitExtraMiB int) (corev1.ResourceRequirementsArgs, error) {
	mib, err := quantity.MiB(size)
	if err != nil {
		return corev1.ResourceRequirementsArgs{}, fmt.Errorf("queue volume size: %w", err)
	}
	a := r.args()
	a.Requests.(pulumi.StringMap)["ephemeral-storage"] = pulumi.String(size)
	a.Limits.(pulumi.StringMap)["ephemeral-storage"] = pulumi.Sprintf("%dMi", mib+limitExtraMiB)
	return a, nil
}

// MemoryLimitMiB is the memory limit in MiB, which the collector's memory_limiter and
// GOMEMLIMIT are derived from.
func (r Resources) MemoryLimitMiB() (int, error) {
	mib, err := quantity.MiB(r.MemoryLimit)
	if err != nil {
		return 0, fmt.Errorf("memory limit: %w", err)
	}
	return mib, nil
}

func (r Resources) validate(what string) error {
	for name, q := range map[string]string{"cpu request": r.CPURequest, "cpu limit": r.CPULimit, "memory request": r.MemoryRequest, "memory limit": r.MemoryLimit} {
		if v, err := quantity.Parse(q); err != nil || v <= 0 {
			return fmt.Errorf("%s %s %q is not a positive Kubernetes quantity", what, name, q)
		}
	}
	return nil
}

// Checksum is the hex sha256 of a rendered config; it goes on the pod template so that a
// config change rolls the pods.
func Checksum(config string) string {
	sum := sha256.Sum256([]byte(config))
	return hex.EncodeToString(sum[:])
}

// restrictedSecurityContext is the container security context of the Pod Security
// "restricted" level: non-root, read-only root filesystem, no capabilities, no privilege
// escalation, RuntimeDefault seccomp.
func restrictedSecurityContext() *corev1.SecurityContextArgs {
	return &corev1.SecurityContextArgs{
		RunAsNonRoot:             pulumi.Bool(true),
		RunAsUser:                pulumi.Int(collectorUID),
		RunAsGroup:               pulumi.Int(collectorUID),
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		Privileged:               pulumi.Bool(false),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
		SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

// podSecurityContext is the pod-level half of the restricted profile; fsGroup lets the
// collector write its queue volume.
func podSecurityContext() *corev1.PodSecurityContextArgs {
	return &corev1.PodSecurityContextArgs{
		RunAsNonRoot:   pulumi.Bool(true),
		RunAsUser:      pulumi.Int(collectorUID),
		RunAsGroup:     pulumi.Int(collectorUID),
		FsGroup:        pulumi.Int(collectorUID),
		SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

// healthProbe checks the collector's health_check extension.
func healthProbe(initialDelay, period int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet:             &corev1.HTTPGetActionArgs{Path: pulumi.String("/"), Port: pulumi.Int(collector.PortHealthCheck)},
		InitialDelaySeconds: pulumi.Int(initialDelay),
		PeriodSeconds:       pulumi.Int(period),
		TimeoutSeconds:      pulumi.Int(2),
		FailureThreshold:    pulumi.Int(3),
	}
}

// containerPort is a named TCP port.
func containerPort(name string, port int) corev1.ContainerPortArgs {
	return corev1.ContainerPortArgs{Name: pulumi.String(name), ContainerPort: pulumi.Int(port), Protocol: pulumi.String("TCP")}
}

// goRuntime is how a tier's Go runtime collects garbage, relative to the memory_limiter
// that collector.MemoryLimiterFor derives from the same container limit (soft limit 60 %,
// hard limit 80 %).
type goRuntime struct {
	gcPercent       int // GOGC; 0 keeps Go's default (100)
	memLimitPercent int // GOMEMLIMIT as a percentage of the container's memory limit
}

var (
	// Gateways, with their real exporters, spent a fifth of their CPU in the garbage
	// collector at Go's default pacing: GOGC=400 took 15 % off their CPU per span in
	// bench/gateway.sh (aws-prod, 13 000 spans/s: 77 → 66 CPU-s per million) for a peak
	// RSS of 1.3 GiB instead of 0.6. GOMEMLIMIT below the memory_limiter's soft limit
	// (55 % < 60 %), as for agents, makes the runtime collect before garbage alone could
	// reach the point where memory_limiter refuses data.
	gatewayRuntime = goRuntime{gcPercent: 400, memLimitPercent: 55}
	// Agents hold little live data and allocate per span, so they spend much of their CPU
	// in the garbage collector: GOGC=400 collects a quarter as often (-13 % agent CPU per
	// span in bench/dataplane.sh, +80 MiB RSS at 13 000 spans/s). GOMEMLIMIT just below the
	// memory_limiter's soft limit (55 % < 60 %) then makes the runtime collect before
	// garbage alone could lift the heap to where memory_limiter refuses data: it refuses
	// only when the live data itself (queued batches) reaches the limit.
	agentRuntime = goRuntime{gcPercent: 400, memLimitPercent: 55}
)

func (g goRuntime) env(limitMiB int) corev1.EnvVarArray {
	env := corev1.EnvVarArray{corev1.EnvVarArgs{Name: pulumi.String("GOMEMLIMIT"), Value: pulumi.String(fmt.Sprintf("%dMiB", limitMiB*g.memLimitPercent/100))}}
	if g.gcPercent != 0 {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String("GOGC"), Value: pulumi.String(fmt.Sprint(g.gcPercent))})
	}
	return env
}

// collectorContainer is the collector container every tier shares: the image, the config
// mounted read-only, the restricted security context, probes on health_check, requests and
// limits, and the tier's Go runtime settings (GOMEMLIMIT, GOGC).
func collectorContainer(name, image string, res Resources, rt goRuntime, env corev1.EnvVarArray, extraMounts corev1.VolumeMountArray) (corev1.ContainerArgs, error) {
	mib, err := res.MemoryLimitMiB()
	if err != nil {
		return corev1.ContainerArgs{}, err
	}
	env = append(append(rt.env(mib),
		corev1.EnvVarArgs{Name: pulumi.String("MY_POD_IP"), ValueFrom: fieldRef("status.podIP")},
	), env...)
	mounts := append(corev1.VolumeMountArray{
		corev1.VolumeMountArgs{Name: pulumi.String(configVolume), MountPath: pulumi.String(configDir), ReadOnly: pulumi.Bool(true)},
		corev1.VolumeMountArgs{Name: pulumi.String(tmpVolume), MountPath: pulumi.String("/tmp")},
	}, extraMounts...)
	return corev1.ContainerArgs{
		Name:            pulumi.String(name),
		Image:           pulumi.String(image),
		ImagePullPolicy: pulumi.String("IfNotPresent"),
		Args:            pulumi.StringArray{pulumi.String("--config=" + configDir + "/" + configFile)},
		Ports: corev1.ContainerPortArray{
			containerPort("otlp-grpc", collector.PortOTLPGRPC),
			containerPort("otlp-http", collector.PortOTLPHTTP),
			containerPort("metrics", collector.PortMetrics),
			containerPort("health", collector.PortHealthCheck),
		},
		Env:             env,
		VolumeMounts:    mounts,
		Resources:       res.args(),
		SecurityContext: restrictedSecurityContext(),
		LivenessProbe:   healthProbe(10, 10),
		ReadinessProbe:  healthProbe(5, 5),
	}, nil
}

// configVolumes mounts a ConfigMap's config.yaml and a small writable /tmp.
func configVolumes(configMap pulumi.StringInput) corev1.VolumeArray {
	return corev1.VolumeArray{
		corev1.VolumeArgs{Name: pulumi.String(configVolume), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: configMap}},
		corev1.VolumeArgs{Name: pulumi.String(tmpVolume), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("64Mi")}},
	}
}

func fieldRef(path string) *corev1.EnvVarSourceArgs {
	return &corev1.EnvVarSourceArgs{FieldRef: &corev1.ObjectFieldSelectorArgs{FieldPath: pulumi.String(path)}}
}

// labels are the recommended app.kubernetes.io labels of one collector tier.
func labels(instance, component, version string) pulumi.StringMap {
	l := selector(instance, component)
	l[fleet.LabelPartOf] = pulumi.String(fleet.PartOf)
	l["app.kubernetes.io/managed-by"] = pulumi.String("pulumi")
	l["app.kubernetes.io/version"] = pulumi.String(version)
	return l
}

// selector is the stable subset of labels used in selectors (never the version: selectors
// are immutable).
func selector(instance, component string) pulumi.StringMap {
	return pulumi.ToStringMap(fleet.Selector(instance, component))
}

// podAnnotations are a collector pod's: the config checksum (a changed config rolls the
// pods) and where Prometheus scrapes its self-metrics.
func podAnnotations(config string) pulumi.StringMap {
	return pulumi.StringMap{
		checksumAnnot:          pulumi.String(Checksum(config)),
		"prometheus.io/scrape": pulumi.String("true"),
		"prometheus.io/port":   pulumi.String(fmt.Sprint(collector.PortMetrics)),
		"prometheus.io/path":   pulumi.String("/metrics"),
	}
}
