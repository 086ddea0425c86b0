package kube

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// exampleImage generates a trickle of traces, standing in for an instrumented application.
const exampleImage = "ghcr.io/open-telemetry/opentelemetry-collector-contrib/telemetrygen"

// newSidecarExample deploys a workload that uses the sidecar mode the way a team would: its
// own namespace, the sidecar config in a ConfigMap there, a client certificate when TLS is
// on, and AddSidecar on its pod spec.
func newSidecarExample(ctx *pulumi.Context, name string, args *FleetArgs, issuer *CertManager, config, version string, opts ...pulumi.ResourceOption) error {
	appName := sidecarExampleNamespace(args)
	ns, err := NewNamespace(ctx, name+"-namespace", appName, PodSecurityRestricted, nil, opts...)
	if err != nil {
		return err
	}
	nsName := ns.Metadata.Name().Elem()
	cm, err := NewSidecarConfig(ctx, name+"-sidecar-config", nsName, appName+"-agent-config", config, version, opts...)
	if err != nil {
		return err
	}
	sidecar := SidecarOptions{Image: args.Image, Resources: args.AgentResources, ConfigMapName: cm.Metadata.Name().Elem()}
	deps := []pulumi.Resource{cm}
	if issuer != nil {
		sidecar.TLSSecretName = appName + "-agent-tls"
		cert, err := issuer.Certificate(ctx, name+"-certificate", nsName, sidecar.TLSSecretName,
			[]string{appName + "." + appName + ".svc.cluster.local"}, opts...)
		if err != nil {
			return err
		}
		deps = append(deps, cert)
	}

	app := restrictedSecurityContext()
	spec := &corev1.PodSpecArgs{
		SecurityContext:              podSecurityContext(),
		AutomountServiceAccountToken: pulumi.Bool(false),
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:  pulumi.String("app"),
			Image: pulumi.String(exampleImage + ":v" + version),
			Args: pulumi.ToStringArray([]string{
				"traces", "--otlp-endpoint=localhost:" + fmt.Sprint(collector.PortOTLPGRPC), "--otlp-insecure",
				"--rate=1", "--duration=87600h", "--service=" + appName,
			}),
			Resources:       Resources{CPURequest: "10m", CPULimit: "100m", MemoryRequest: "32Mi", MemoryLimit: "64Mi"}.args(),
			SecurityContext: app,
		}},
	}
	if err := AddSidecar(spec, sidecar); err != nil {
		return err
	}
	l := labels(appName, "example", version)
	annotations := SidecarTemplateAnnotations(config)
	_, err = appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(appName), Namespace: nsName, Labels: l, Annotations: awaitAnnotations(args.SkipAwait)},
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(1),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: selector(appName, "example")},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: l, Annotations: annotations},
				Spec:     spec,
			},
		},
	}, append(opts, pulumi.DependsOn(deps))...)
	return err
}

// sidecarExampleNamespace is the example workload's name and namespace.
func sidecarExampleNamespace(args *FleetArgs) string { return args.Prefix + "-example" }
