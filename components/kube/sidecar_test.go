package kube

import (
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestAddSidecar(t *testing.T) {
	opts := SidecarOptions{Image: "img:1", ConfigMapName: pulumi.String("cfg"),
		Resources: Resources{CPURequest: "100m", CPULimit: "200m", MemoryRequest: "128Mi", MemoryLimit: "256Mi"}}
	spec := &corev1.PodSpecArgs{Containers: corev1.ContainerArray{corev1.ContainerArgs{
		Name: pulumi.String("app"),
		Env:  corev1.EnvVarArray{corev1.EnvVarArgs{Name: pulumi.String("OTEL_EXPORTER_OTLP_ENDPOINT"), Value: pulumi.String("http://custom:4317")}},
	}}}
	if err := AddSidecar(spec, opts); err != nil {
		t.Fatal(err)
	}
	app := spec.Containers.(corev1.ContainerArray)[0].(corev1.ContainerArgs)
	if env := app.Env.(corev1.EnvVarArray); len(env) != 1 {
		t.Errorf("an endpoint the app sets was overridden or duplicated: %d env vars", len(env))
	}
	if n := len(spec.InitContainers.(corev1.ContainerArray)); n != 1 {
		t.Errorf("init containers = %d", n)
	}

	clash := &corev1.PodSpecArgs{Containers: corev1.ContainerArray{corev1.ContainerArgs{
		Name: pulumi.String("app"), Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{ContainerPort: pulumi.Int(8888)}},
	}}}
	if err := AddSidecar(clash, opts); err == nil || !strings.Contains(err.Error(), "8888") {
		t.Errorf("port clash: err = %v", err)
	}
	if err := AddSidecar(&corev1.PodSpecArgs{}, SidecarOptions{}); err == nil {
		t.Error("missing image accepted")
	}
}
