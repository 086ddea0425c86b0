package kube_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const injectConfig = "receivers: {}\n" // any text: only its checksum is used here

var injectResources = kube.Resources{CPURequest: "50m", CPULimit: "200m", MemoryRequest: "128Mi", MemoryLimit: "128Mi"}

// registerInjection is the user's setup: a sidecar ConfigMap per namespace ("shop" and
// "batch"), and the stack transformation that mounts them.
func registerInjection(ctx *pulumi.Context) error {
	configMaps := map[string]pulumi.StringInput{}
	for _, ns := range []string{"shop", "batch"} {
		cm, err := kube.NewSidecarConfig(ctx, ns+"-sidecar", pulumi.String(ns), ns+"-agent-config", injectConfig, "1.0")
		if err != nil {
			return err
		}
		configMaps[ns] = cm.Metadata.Name().Elem()
	}
	t, err := kube.SidecarInjection(kube.InjectOptions{
		Image: "otel/opentelemetry-collector-contrib:0.161.0", Resources: injectResources,
		ConfigMaps: configMaps, Config: injectConfig,
	})
	if err != nil {
		return err
	}
	return ctx.RegisterStackTransformation(t)
}

// template is a pod template with one app container; optIn adds InjectLabel=true.
func template(app string, optIn bool) *corev1.PodTemplateSpecArgs {
	labels := pulumi.StringMap{"app": pulumi.String(app)}
	if optIn {
		labels[kube.InjectLabel] = pulumi.String("true")
	}
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: labels},
		Spec: &corev1.PodSpecArgs{Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name: pulumi.String(app), Image: pulumi.String("registry.example.com/" + app + ":1"),
		}}},
	}
}

func deployment(ctx *pulumi.Context, name, namespace string, tpl *corev1.PodTemplateSpecArgs) error {
	_, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(namespace)},
		Spec: &appsv1.DeploymentSpecArgs{
			Selector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"app": pulumi.String(name)}},
			Template: tpl,
		},
	})
	return err
}

func TestSidecarInjection(t *testing.T) {
	r := &recorder{}
	checkout := template("checkout", true)
	checkout.Metadata.(*metav1.ObjectMetaArgs).Annotations = pulumi.StringMap{"team": pulumi.String("payments")}
	checkoutSpec := checkout.Spec.(*corev1.PodSpecArgs)
	checkoutSpec.Volumes = corev1.VolumeArray{corev1.VolumeArgs{Name: pulumi.String("cache"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}}}

	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := registerInjection(ctx); err != nil {
			return err
		}
		if err := deployment(ctx, "checkout", "shop", checkout); err != nil {
			return err
		}
		if err := deployment(ctx, "catalog", "shop", template("catalog", false)); err != nil {
			return err
		}
		// Value forms all the way down, as a program calling RegisterResource may pass them.
		var job batchv1.Job
		if err := ctx.RegisterResource("kubernetes:batch/v1:Job", "nightly", batchv1.JobArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("nightly"), Namespace: pulumi.StringPtr("batch")},
			Spec:     batchv1.JobSpecArgs{Template: *template("nightly", true)},
		}, &job); err != nil {
			return err
		}
		_, err := appsv1.NewStatefulSet(ctx, "ledger", &appsv1.StatefulSetArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("ledger"), Namespace: pulumi.String("finance")},
			Spec:     &appsv1.StatefulSetSpecArgs{Template: template("ledger", true)},
		})
		return err
	}, pulumi.WithMocks("project", "stack", r))

	// The StatefulSet's namespace has no ConfigMap: the program fails, naming it and the
	// namespaces that have one, and the StatefulSet is not registered.
	for _, want := range []string{`StatefulSet "ledger"`, `namespace "finance"`, "(namespaces with one: batch, shop)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %s", err, want)
		}
	}
	if _, ok := r.objects["StatefulSet/ledger"]; ok {
		t.Error("the StatefulSet without a ConfigMap in its namespace was registered")
	}

	for name, configMap := range map[string]string{"Deployment/checkout": "shop-agent-config", "Job/nightly": "batch-agent-config"} {
		pod := dig(r.objects[name], "spec", "template")
		if pod == nil {
			t.Errorf("%s was not registered", name)
			continue
		}
		inits, _ := dig(pod, "spec", "initContainers").([]any)
		if len(inits) != 1 || dig(inits[0], "name") != kube.SidecarContainerName || dig(inits[0], "restartPolicy") != "Always" {
			t.Errorf("%s init containers = %v, want one %s with restartPolicy Always", name, inits, kube.SidecarContainerName)
		}
		var mounted []any
		volumes, _ := dig(pod, "spec", "volumes").([]any)
		for _, v := range volumes {
			if cm := dig(v, "configMap", "name"); cm != nil {
				mounted = append(mounted, cm)
			}
		}
		if fmt.Sprint(mounted) != "["+configMap+"]" {
			t.Errorf("%s mounts ConfigMaps %v, want [%s]", name, mounted, configMap)
		}
		env := fmt.Sprint(dig(pod, "spec", "containers", 0, "env"))
		if !strings.Contains(env, "name:OTEL_EXPORTER_OTLP_ENDPOINT") || !strings.Contains(env, "value:http://localhost:4317") {
			t.Errorf("%s app env = %s, want OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317", name, env)
		}
		if sum := dig(pod, "metadata", "annotations", "checksum/config-agent"); sum != kube.Checksum(injectConfig) {
			t.Errorf("%s config checksum annotation = %v", name, sum)
		}
	}
	checkoutPod := dig(r.objects["Deployment/checkout"], "spec", "template")
	if dig(checkoutPod, "metadata", "annotations", "team") != "payments" || dig(checkoutPod, "spec", "volumes", 0, "name") != "cache" {
		t.Errorf("checkout lost its own annotation or volume: %v", checkoutPod)
	}
	// The user's args are copied, not edited: a program may reuse them.
	if checkoutSpec.InitContainers != nil || len(checkoutSpec.Volumes.(corev1.VolumeArray)) != 1 ||
		checkoutSpec.Containers.(corev1.ContainerArray)[0].(corev1.ContainerArgs).Env != nil {
		t.Errorf("the program's own PodSpecArgs were modified: %+v", checkoutSpec)
	}

	catalog := dig(r.objects["Deployment/catalog"], "spec", "template")
	if catalog == nil {
		t.Fatal("Deployment/catalog was not registered")
	}
	for _, path := range [][]any{{"spec", "initContainers"}, {"spec", "volumes"}, {"spec", "containers", 0, "env"}, {"metadata", "annotations"}} {
		if v := dig(catalog, path...); v != nil {
			t.Errorf("the Deployment without %s has %v = %v", kube.InjectLabel, path, v)
		}
	}
}

// TestSidecarInjectionForms: args the transformation cannot edit or place fail the program
// with an error naming the resource; those it need not edit pass untouched.
func TestSidecarInjectionForms(t *testing.T) {
	optedIn := pulumi.StringMap{kube.InjectLabel: pulumi.String("true")}
	untypedDeployment := func(labels map[string]any) kubernetes.UntypedArgs {
		return kubernetes.UntypedArgs{
			"metadata": map[string]any{"name": "from-yaml", "namespace": "shop"},
			"spec":     map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": labels}}},
		}
	}
	for _, tc := range []struct {
		name    string
		program func(ctx *pulumi.Context) error
		wantErr []string // empty: the program succeeds
	}{
		{"namespace from an output", func(ctx *pulumi.Context) error {
			_, err := appsv1.NewDeployment(ctx, "web", &appsv1.DeploymentArgs{
				Metadata: &metav1.ObjectMetaArgs{Namespace: pulumi.String("shop").ToStringOutput()},
				Spec:     &appsv1.DeploymentSpecArgs{Template: template("web", true)},
			})
			return err
		}, []string{`Deployment "web"`, "metadata.namespace is not a plain pulumi.String", "batch, shop"}},
		{"spec as an output", func(ctx *pulumi.Context) error {
			_, err := appsv1.NewDeployment(ctx, "web", &appsv1.DeploymentArgs{
				Metadata: &metav1.ObjectMetaArgs{Namespace: pulumi.String("shop")},
				Spec:     appsv1.DeploymentSpecArgs{Template: template("web", true)}.ToDeploymentSpecPtrOutput(),
			})
			return err
		}, []string{`Deployment "web"`, "DeploymentSpecPtrOutput", "labels cannot be read"}},
		{"labels as an output", func(ctx *pulumi.Context) error {
			_, err := appsv1.NewDaemonSet(ctx, "node-app", &appsv1.DaemonSetArgs{
				Metadata: &metav1.ObjectMetaArgs{Namespace: pulumi.String("shop")},
				Spec: &appsv1.DaemonSetSpecArgs{Template: &corev1.PodTemplateSpecArgs{
					Metadata: &metav1.ObjectMetaArgs{Labels: optedIn.ToStringMapOutput()},
				}},
			})
			return err
		}, []string{`DaemonSet "node-app"`, kube.InjectLabel + " cannot be read"}},
		{"a map instead of typed args", func(ctx *pulumi.Context) error {
			var d appsv1.Deployment
			return ctx.RegisterResource("kubernetes:apps/v1:Deployment", "raw", pulumi.Map{"spec": pulumi.Map{}}, &d)
		}, []string{`Deployment "raw"`, "pulumi.Map", "not a *v1.DeploymentArgs"}},
		{"opted-in YAML", func(ctx *pulumi.Context) error {
			var d appsv1.Deployment
			return ctx.RegisterResource("kubernetes:apps/v1:Deployment", "from-yaml", untypedDeployment(map[string]any{kube.InjectLabel: "true"}), &d)
		}, []string{`Deployment "from-yaml"`, "YAML or a Helm chart"}},
		{"YAML without the label", func(ctx *pulumi.Context) error {
			var d appsv1.Deployment
			return ctx.RegisterResource("kubernetes:apps/v1:Deployment", "from-yaml", untypedDeployment(map[string]any{"app": "x"}), &d)
		}, nil},
		{"label false, namespace unknown", func(ctx *pulumi.Context) error {
			tpl := template("web", false)
			tpl.Metadata.(*metav1.ObjectMetaArgs).Labels.(pulumi.StringMap)[kube.InjectLabel] = pulumi.String("false")
			_, err := appsv1.NewDeployment(ctx, "web", &appsv1.DeploymentArgs{Spec: &appsv1.DeploymentSpecArgs{Template: tpl}})
			return err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				if err := registerInjection(ctx); err != nil {
					return err
				}
				return tc.program(ctx)
			}, pulumi.WithMocks("project", "stack", &recorder{}))
			if len(tc.wantErr) == 0 && err != nil {
				t.Fatalf("err = %v, want none", err)
			}
			for _, want := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to contain %q", err, want)
				}
			}
		})
	}
}

// TestSidecarInjectionLeavesReadsAlone: Get<Kind> passes the kind's state type; reading an
// existing object creates nothing to inject into.
func TestSidecarInjectionLeavesReadsAlone(t *testing.T) {
	transform, err := kube.SidecarInjection(kube.InjectOptions{Image: "img:1", Resources: injectResources,
		ConfigMaps: map[string]pulumi.StringInput{"shop": pulumi.String("cfg")}, Config: injectConfig})
	if err != nil {
		t.Fatal(err)
	}
	for typ, props := range map[string]pulumi.Input{
		"kubernetes:apps/v1:Deployment": &appsv1.DeploymentState{},
		"kubernetes:batch/v1:Job":       (*batchv1.JobState)(nil),
	} {
		if res := transform(&pulumi.ResourceTransformationArgs{Type: typ, Name: "read", Props: props}); res != nil {
			t.Errorf("%T was transformed: %+v", props, res)
		}
	}
	if res := transform(&pulumi.ResourceTransformationArgs{Type: "kubernetes:core/v1:Pod", Name: "pod", Props: &corev1.PodArgs{}}); res != nil {
		t.Errorf("a Pod was transformed: %+v", res)
	}
}

func TestInjectOptionsValidate(t *testing.T) {
	valid := func() kube.InjectOptions {
		return kube.InjectOptions{Image: "img:1", Resources: injectResources, Config: injectConfig,
			ConfigMaps: map[string]pulumi.StringInput{"shop": pulumi.String("cfg")}}
	}
	for _, tc := range []struct {
		name    string
		edit    func(*kube.InjectOptions)
		wantErr []string // empty: valid
	}{
		{"valid", func(*kube.InjectOptions) {}, nil},
		{"valid with TLS", func(o *kube.InjectOptions) { o.TLSSecretName = "agent-tls" }, nil},
		{"no image", func(o *kube.InjectOptions) { o.Image = "" }, []string{"Image is required"}},
		{"bad resources", func(o *kube.InjectOptions) { o.Resources.MemoryLimit = "lots" }, []string{`memory limit "lots"`}},
		{"no config", func(o *kube.InjectOptions) { o.Config = "" }, []string{"Config (the sidecar config YAML) is required"}},
		{"no config maps", func(o *kube.InjectOptions) { o.ConfigMaps = nil }, []string{"ConfigMaps needs at least one namespace"}},
		{"empty namespace", func(o *kube.InjectOptions) { o.ConfigMaps[""] = pulumi.String("cfg") }, []string{"ConfigMaps has an empty namespace"}},
		{"nil ConfigMap name", func(o *kube.InjectOptions) { o.ConfigMaps["batch"] = nil }, []string{`ConfigMaps["batch"] has no ConfigMap name`}},
		{"every bad field at once", func(o *kube.InjectOptions) { *o = kube.InjectOptions{} }, []string{
			"Image is required", "Resources ", "Config (the sidecar config YAML) is required", "ConfigMaps needs at least one namespace",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid()
			tc.edit(&o)
			err := o.Validate()
			_, injErr := kube.SidecarInjection(o)
			if (err == nil) != (injErr == nil) {
				t.Errorf("Validate() = %v but SidecarInjection() = %v", err, injErr)
			}
			if len(tc.wantErr) == 0 && err != nil {
				t.Fatalf("err = %v, want none", err)
			}
			for _, want := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to contain %q", err, want)
				}
			}
			if n := strings.Count(fmt.Sprint(err), "sidecar injection:"); err != nil && n != len(tc.wantErr) {
				t.Errorf("%d errors, want %d: %v", n, len(tc.wantErr), err)
			}
		})
	}
}
