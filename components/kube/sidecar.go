package kube

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SidecarOptions describe the agent container AddSidecar adds to a pod.
type SidecarOptions struct {
	Image     string    // required, "repo:tag"
	Resources Resources // required
	// ConfigMapName is a ConfigMap in the workload's namespace holding the sidecar agent
	// config under config.yaml (create it with NewSidecarConfig).
	ConfigMapName pulumi.StringInput
	// TLSSecretName mounts a cert-manager secret (client certificate and CA).
	TLSSecretName string
}

// SidecarContainerName is the name of the agent container AddSidecar adds.
const SidecarContainerName = "otel-agent"

// sidecarPorts are the ports the sidecar listens on in the pod's network namespace.
var sidecarPorts = []int{collector.PortOTLPGRPC, collector.PortOTLPHTTP, collector.PortMetrics, collector.PortHealthCheck}

// AddSidecar adds an agent to a pod spec as a native sidecar (a restartable init container:
// it starts before the application containers and stops after them, so Jobs still finish),
// mounts its config, and points every application container at it with
// OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 unless the container sets it already.
// The application containers must be given as corev1.ContainerArgs values.
//
// AddSidecar only sees the PodSpec: put SidecarTemplateAnnotations on the pod template so
// a config change rolls the workload.
func AddSidecar(spec *corev1.PodSpecArgs, o SidecarOptions) error {
	if spec == nil {
		return fmt.Errorf("sidecar: pod spec is required")
	}
	if o.Image == "" || o.ConfigMapName == nil {
		return fmt.Errorf("sidecar: Image and ConfigMapName are required")
	}
	if err := o.Resources.validate("sidecar"); err != nil {
		return err
	}
	containers, ok := spec.Containers.(corev1.ContainerArray)
	if !ok {
		return fmt.Errorf("sidecar: pod spec containers must be a corev1.ContainerArray of corev1.ContainerArgs")
	}
	for i, in := range containers {
		c, ok := in.(corev1.ContainerArgs)
		if !ok {
			return fmt.Errorf("sidecar: container %d must be a corev1.ContainerArgs value", i)
		}
		if err := checkPortClash(c); err != nil {
			return err
		}
		c.Env = withEnvDefault(c.Env, "OTEL_EXPORTER_OTLP_ENDPOINT", fmt.Sprintf("http://localhost:%d", collector.PortOTLPGRPC))
		containers[i] = c
	}
	spec.Containers = containers

	volumeName := configVolume + "-agent"
	mounts := corev1.VolumeMountArray{}
	if o.TLSSecretName != "" {
		mounts = append(mounts, tlsMount())
	}
	agent, err := collectorContainer(SidecarContainerName, o.Image, o.Resources, agentRuntime, corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String("K8S_POD_NAME"), ValueFrom: fieldRef("metadata.name")},
		corev1.EnvVarArgs{Name: pulumi.String("K8S_POD_NAMESPACE"), ValueFrom: fieldRef("metadata.namespace")},
		corev1.EnvVarArgs{Name: pulumi.String("K8S_POD_UID"), ValueFrom: fieldRef("metadata.uid")},
		corev1.EnvVarArgs{Name: pulumi.String(NodeNameEnv), ValueFrom: fieldRef("spec.nodeName")},
	}, mounts)
	if err != nil {
		return err
	}
	// The shared helper mounts the volume named configVolume; the sidecar's volume gets its
	// own name so it cannot collide with the workload's volumes.
	agent.VolumeMounts = append(corev1.VolumeMountArray{
		corev1.VolumeMountArgs{Name: pulumi.String(volumeName), MountPath: pulumi.String(configDir), ReadOnly: pulumi.Bool(true)},
		corev1.VolumeMountArgs{Name: pulumi.String(volumeName + "-tmp"), MountPath: pulumi.String("/tmp")},
	}, mounts...)
	agent.RestartPolicy = pulumi.String("Always")
	agent.Ports = nil // nothing outside the pod talks to a sidecar

	var inits corev1.ContainerArray
	if spec.InitContainers != nil {
		existing, ok := spec.InitContainers.(corev1.ContainerArray)
		if !ok {
			return fmt.Errorf("sidecar: pod spec init containers must be a corev1.ContainerArray")
		}
		inits = existing
	}
	// First, so the agent is up before any other init container sends telemetry.
	spec.InitContainers = append(corev1.ContainerArray{agent}, inits...)

	var volumes corev1.VolumeArray
	if spec.Volumes != nil {
		existing, ok := spec.Volumes.(corev1.VolumeArray)
		if !ok {
			return fmt.Errorf("sidecar: pod spec volumes must be a corev1.VolumeArray")
		}
		volumes = existing
	}
	volumes = append(volumes,
		corev1.VolumeArgs{Name: pulumi.String(volumeName), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{Name: o.ConfigMapName}},
		corev1.VolumeArgs{Name: pulumi.String(volumeName + "-tmp"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("64Mi")}},
	)
	if o.TLSSecretName != "" {
		volumes = append(volumes, tlsVolumeArgs(o.TLSSecretName))
	}
	spec.Volumes = volumes
	return nil
}

// NewSidecarConfig creates the ConfigMap AddSidecar mounts, in the workload's namespace.
func NewSidecarConfig(ctx *pulumi.Context, name string, namespace pulumi.StringInput, objectName, config, version string, opts ...pulumi.ResourceOption) (*corev1.ConfigMap, error) {
	return corev1.NewConfigMap(ctx, name, &corev1.ConfigMapArgs{
		Metadata: configMapMeta(objectName, namespace, labels(objectName, "sidecar-agent", version), objectName),
		Data:     pulumi.StringMap{configFile: pulumi.String(config)},
	}, opts...)
}

// SidecarTemplateAnnotations returns the pod-template annotation that rolls the workload
// when its sidecar config changes.
func SidecarTemplateAnnotations(config string) pulumi.StringMap {
	return pulumi.StringMap{checksumAnnot + "-agent": pulumi.String(Checksum(config))}
}

func checkPortClash(c corev1.ContainerArgs) error {
	ports, ok := c.Ports.(corev1.ContainerPortArray)
	if !ok {
		return nil
	}
	for _, p := range ports {
		pa, ok := p.(corev1.ContainerPortArgs)
		if !ok {
			continue
		}
		if n, ok := pa.ContainerPort.(pulumi.Int); ok {
			for _, used := range sidecarPorts {
				if int(n) == used {
					return fmt.Errorf("sidecar: container port %d is used by the agent sidecar (it needs %v in the pod)", used, sidecarPorts)
				}
			}
		}
	}
	return nil
}

func withEnvDefault(env corev1.EnvVarArrayInput, name, value string) corev1.EnvVarArray {
	var out corev1.EnvVarArray
	if existing, ok := env.(corev1.EnvVarArray); ok {
		out = existing
		for _, e := range existing {
			if ea, ok := e.(corev1.EnvVarArgs); ok {
				if n, ok := ea.Name.(pulumi.String); ok && string(n) == name {
					return out
				}
			}
		}
	}
	return append(out, corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)})
}
