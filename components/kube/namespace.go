package kube

import (
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"
	"slices"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Pod Security Standards levels.
const (
	PodSecurityRestricted = "restricted"
	PodSecurityBaseline   = "baseline"
	PodSecurityPrivileged = "privileged"
)

// TelemetryNamespaceLabel marks namespaces whose pods may send OTLP to the gateway when the
// gateway's NetworkPolicy is not open to every namespace.
const TelemetryNamespaceLabel = fleet.LabelTelemetry

// NewNamespace creates a namespace that enforces, audits and warns at one Pod Security level.
func NewNamespace(ctx *pulumi.Context, name, namespace, level string, extraLabels map[string]string, opts ...pulumi.ResourceOption) (*corev1.Namespace, error) {
	if !slices.Contains([]string{PodSecurityRestricted, PodSecurityBaseline, PodSecurityPrivileged}, level) {
		return nil, fmt.Errorf("namespace %q: Pod Security level %q: use restricted, baseline or privileged", namespace, level)
	}
	l := pulumi.StringMap{
		"pod-security.kubernetes.io/enforce":         pulumi.String(level),
		"pod-security.kubernetes.io/enforce-version": pulumi.String("latest"),
		"pod-security.kubernetes.io/audit":           pulumi.String(PodSecurityRestricted),
		"pod-security.kubernetes.io/warn":            pulumi.String(PodSecurityRestricted),
		"app.kubernetes.io/part-of":                  pulumi.String("otelfleet"),
		TelemetryNamespaceLabel:                      pulumi.String("enabled"),
	}
	for k, v := range extraLabels {
		l[k] = pulumi.String(v)
	}
	return corev1.NewNamespace(ctx, name, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(namespace), Labels: l},
	}, opts...)
}
