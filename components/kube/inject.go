package kube

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// InjectLabel opts a workload into SidecarInjection: set it to "true" on the labels of the
// workload's pod template (spec.template.metadata.labels), not on the workload itself, so
// the opt-in travels with the pods it describes. Any other value, or no label, leaves the
// workload as it is.
const InjectLabel = "otelfleet.io/inject-agent"

// InjectOptions configure SidecarInjection. They are SidecarOptions for a whole program:
// ConfigMaps replaces ConfigMapName because a ConfigMap can only be mounted in its own
// namespace, and Config is the sidecar config YAML whose checksum goes on each injected pod
// template (SidecarTemplateAnnotations) so a config change rolls the workloads.
type InjectOptions struct {
	Image     string    // required, "repo:tag"
	Resources Resources // required
	// TLSSecretName mounts a cert-manager secret (client certificate and CA); it must exist
	// in every namespace of ConfigMaps.
	TLSSecretName string
	// ConfigMaps maps a namespace to the name of the ConfigMap holding the sidecar config
	// there (NewSidecarConfig; pass its Metadata.Name().Elem() so workloads depend on it).
	ConfigMaps map[string]pulumi.StringInput
	Config     string // the sidecar config YAML the ConfigMaps hold
}

// Validate reports every missing or malformed field, one error each (joined).
func (o InjectOptions) Validate() error {
	var errs []error
	if o.Image == "" {
		errs = append(errs, errors.New("sidecar injection: Image is required"))
	}
	if err := o.Resources.validate("sidecar injection: Resources"); err != nil {
		errs = append(errs, err)
	}
	if o.Config == "" {
		errs = append(errs, errors.New("sidecar injection: Config (the sidecar config YAML) is required: its checksum rolls the workloads when it changes"))
	}
	if len(o.ConfigMaps) == 0 {
		errs = append(errs, errors.New("sidecar injection: ConfigMaps needs at least one namespace → ConfigMap name"))
	}
	for _, ns := range slices.Sorted(maps.Keys(o.ConfigMaps)) {
		if ns == "" {
			errs = append(errs, errors.New("sidecar injection: ConfigMaps has an empty namespace"))
		} else if o.ConfigMaps[ns] == nil {
			errs = append(errs, fmt.Errorf("sidecar injection: ConfigMaps[%q] has no ConfigMap name", ns))
		}
	}
	return errors.Join(errs...)
}

// SidecarInjection returns a transformation that adds the sidecar agent (AddSidecar) to every
// Deployment, StatefulSet, DaemonSet and Job whose pod template has InjectLabel=true:
//
//	t, err := kube.SidecarInjection(opts) // then: ctx.RegisterStackTransformation(t)
//
// It sees only resources the program's SDK creates from typed args (appsv1.NewDeployment
// and so on); a workload it cannot edit or place fails the program with an error naming it.
func SidecarInjection(o InjectOptions) (pulumi.ResourceTransformation, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.ConfigMaps = maps.Clone(o.ConfigMaps) // the caller's later edits do not change injection
	return func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		edit, ok := workloadKinds[a.Type]
		if !ok {
			return nil
		}
		props, err := edit(a.Props, o.editTemplate)
		if err != nil {
			kind := a.Type[strings.LastIndex(a.Type, ":")+1:]
			return failed(a, fmt.Errorf("sidecar injection: %s %q: %w", kind, a.Name, err))
		}
		if props == nil {
			return nil
		}
		return &pulumi.ResourceTransformationResult{Props: props, Opts: a.Opts}
	}, nil
}

// failed makes the resource's registration, and so the program, fail with err: a
// ResourceTransformation cannot return an error, but inputs that resolve to one are an error
// of the registration that Pulumi reports as the program's (pulumi.RunErr returns it).
func failed(a *pulumi.ResourceTransformationArgs, err error) *pulumi.ResourceTransformationResult {
	rejected := pulumi.All().ApplyT(func([]any) (any, error) { return nil, err })
	return &pulumi.ResourceTransformationResult{Props: pulumi.Map{"metadata": rejected.(pulumi.AnyOutput)}, Opts: a.Opts}
}

// templateEdit returns the edited pod template, or nil when the workload stays as it is.
type templateEdit func(workload metav1.ObjectMetaPtrInput, template corev1.PodTemplateSpecInput) (corev1.PodTemplateSpecInput, error)

// workloadKinds are the types SidecarInjection edits, each with the path to its pod template.
var workloadKinds = map[string]func(pulumi.Input, templateEdit) (pulumi.Input, error){
	"kubernetes:apps/v1:Deployment": func(p pulumi.Input, e templateEdit) (pulumi.Input, error) {
		return editWorkload[appsv1.DeploymentState](p, e,
			func(a *appsv1.DeploymentArgs) (metav1.ObjectMetaPtrInput, *appsv1.DeploymentSpecPtrInput) {
				return a.Metadata, &a.Spec
			},
			func(s *appsv1.DeploymentSpecArgs) *corev1.PodTemplateSpecInput { return &s.Template })
	},
	"kubernetes:apps/v1:StatefulSet": func(p pulumi.Input, e templateEdit) (pulumi.Input, error) {
		return editWorkload[appsv1.StatefulSetState](p, e,
			func(a *appsv1.StatefulSetArgs) (metav1.ObjectMetaPtrInput, *appsv1.StatefulSetSpecPtrInput) {
				return a.Metadata, &a.Spec
			},
			func(s *appsv1.StatefulSetSpecArgs) *corev1.PodTemplateSpecInput { return &s.Template })
	},
	"kubernetes:apps/v1:DaemonSet": func(p pulumi.Input, e templateEdit) (pulumi.Input, error) {
		return editWorkload[appsv1.DaemonSetState](p, e,
			func(a *appsv1.DaemonSetArgs) (metav1.ObjectMetaPtrInput, *appsv1.DaemonSetSpecPtrInput) {
				return a.Metadata, &a.Spec
			},
			func(s *appsv1.DaemonSetSpecArgs) *corev1.PodTemplateSpecInput { return &s.Template })
	},
	"kubernetes:batch/v1:Job": func(p pulumi.Input, e templateEdit) (pulumi.Input, error) {
		return editWorkload[batchv1.JobState](p, e,
			func(a *batchv1.JobArgs) (metav1.ObjectMetaPtrInput, *batchv1.JobSpecPtrInput) {
				return a.Metadata, &a.Spec
			},
			func(s *batchv1.JobSpecArgs) *corev1.PodTemplateSpecInput { return &s.Template })
	},
}

// editWorkload applies edit to the pod template of typed workload args A (spec S, held in
// a field of interface type SI) and returns edited copies: the caller's args, which a program
// may reuse for several resources, are never written. R is the kind's state type, which a
// Get<Kind> read passes; reads create nothing, so they are left alone.
func editWorkload[R, A, SI, S any](props pulumi.Input, edit templateEdit,
	fields func(*A) (metav1.ObjectMetaPtrInput, *SI), template func(*S) *corev1.PodTemplateSpecInput,
) (pulumi.Input, error) {
	if isA[R](props) {
		return nil, nil
	}
	if u, ok := props.(kubernetes.UntypedArgs); ok {
		return nil, untyped(u)
	}
	args, wrapArgs, ok := shallowCopy[A](props)
	if !ok {
		return nil, fmt.Errorf("its args are a %T, not a %T, so the sidecar cannot be added", props, &args)
	}
	meta, specField := fields(&args)
	if isNil(*specField) {
		return nil, nil // no pod template, so no opt-in label
	}
	spec, wrapSpec, ok := shallowCopy[S](*specField)
	if !ok {
		return nil, fmt.Errorf("its spec is a %T, not a %T, so its pod template labels cannot be read", *specField, &spec)
	}
	tpl := template(&spec)
	edited, err := edit(meta, *tpl)
	if err != nil || edited == nil {
		return nil, err
	}
	*tpl = edited
	*specField = wrapSpec(spec).(SI)
	return wrapArgs(args).(pulumi.Input), nil
}

// untyped handles objects from YAML or a Helm chart (yaml.ConfigFile, helm/v3): their plain
// maps are readable but AddSidecar edits typed args only, so an opted-in one is an error.
func untyped(u kubernetes.UntypedArgs) error {
	var v any = map[string]any(u)
	for _, k := range []string{"spec", "template", "metadata", "labels", InjectLabel} {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if v == "true" {
		return errors.New("it comes from YAML or a Helm chart (untyped args); add the sidecar to typed args (appsv1.DeploymentArgs...) or with AddSidecar")
	}
	return nil
}

// editTemplate adds the sidecar to an opted-in pod template.
func (o InjectOptions) editTemplate(workload metav1.ObjectMetaPtrInput, in corev1.PodTemplateSpecInput) (corev1.PodTemplateSpecInput, error) {
	if isNil(in) {
		return nil, nil
	}
	tpl, wrapTpl, ok := shallowCopy[corev1.PodTemplateSpecArgs](in)
	if !ok {
		return nil, fmt.Errorf("its pod template is a %T, not a corev1.PodTemplateSpecArgs, so its labels cannot be read", in)
	}
	if isNil(tpl.Metadata) {
		return nil, nil
	}
	meta, wrapMeta, ok := shallowCopy[metav1.ObjectMetaArgs](tpl.Metadata)
	if !ok {
		return nil, fmt.Errorf("its pod template metadata is a %T, not a metav1.ObjectMetaArgs, so its labels cannot be read", tpl.Metadata)
	}
	if opted, err := optedIn(meta.Labels); err != nil || !opted {
		return nil, err
	}
	if hasSidecar(tpl.Spec) {
		return nil, nil // the program called AddSidecar itself; a second agent would clash
	}
	configMap, err := o.configMap(workload)
	if err != nil {
		return nil, err
	}
	spec, wrapSpec, ok := shallowCopy[corev1.PodSpecArgs](tpl.Spec)
	if !ok {
		return nil, fmt.Errorf("its pod spec is a %T, not a corev1.PodSpecArgs", tpl.Spec)
	}
	// AddSidecar writes into the container, env and volume lists; cloned and clipped lists
	// keep the caller's (possibly shared) ones as they were.
	if cs, ok := spec.Containers.(corev1.ContainerArray); ok {
		cs = slices.Clone(cs)
		for i, c := range cs {
			if ca, ok := c.(corev1.ContainerArgs); ok {
				if env, ok := ca.Env.(corev1.EnvVarArray); ok {
					ca.Env = slices.Clip(env)
				}
				cs[i] = ca
			}
		}
		spec.Containers = cs
	}
	if vs, ok := spec.Volumes.(corev1.VolumeArray); ok {
		spec.Volumes = slices.Clip(vs)
	}
	err = AddSidecar(&spec, SidecarOptions{Image: o.Image, Resources: o.Resources, ConfigMapName: configMap, TLSSecretName: o.TLSSecretName})
	if err != nil {
		return nil, err
	}
	annotations := SidecarTemplateAnnotations(o.Config)
	switch existing := meta.Annotations.(type) {
	case nil:
	case pulumi.StringMap:
		annotations = maps.Clone(existing)
		maps.Copy(annotations, SidecarTemplateAnnotations(o.Config))
	default:
		return nil, fmt.Errorf("its pod template annotations are a %T, not a pulumi.StringMap, so the config checksum cannot be added", existing)
	}
	meta.Annotations = annotations
	tpl.Metadata = wrapMeta(meta).(metav1.ObjectMetaPtrInput)
	tpl.Spec = wrapSpec(spec).(corev1.PodSpecPtrInput)
	return wrapTpl(tpl).(corev1.PodTemplateSpecInput), nil
}

// optedIn reads InjectLabel; labels it cannot read might opt in, so they are an error.
func optedIn(labels pulumi.StringMapInput) (bool, error) {
	switch l := labels.(type) {
	case nil:
		return false, nil
	case pulumi.StringMap:
		v, ok := l[InjectLabel]
		if !ok {
			return false, nil
		}
		s, known := plainString(v)
		if !known {
			return false, fmt.Errorf("its pod template label %s is not a plain pulumi.String", InjectLabel)
		}
		return s == "true", nil
	default:
		return false, fmt.Errorf("its pod template labels are a %T, not a pulumi.StringMap, so %s cannot be read", labels, InjectLabel)
	}
}

// configMap picks the sidecar ConfigMap of the workload's namespace, which must be known now.
func (o InjectOptions) configMap(workload metav1.ObjectMetaPtrInput) (pulumi.StringInput, error) {
	var ns string
	if meta, _, ok := shallowCopy[metav1.ObjectMetaArgs](workload); ok {
		ns, _ = plainString(meta.Namespace)
	}
	have := strings.Join(slices.Sorted(maps.Keys(o.ConfigMaps)), ", ")
	if ns == "" {
		return nil, fmt.Errorf("its metadata.namespace is not a plain pulumi.String, so the sidecar ConfigMap cannot be chosen (namespaces with one: %s)", have)
	}
	cm, ok := o.ConfigMaps[ns]
	if !ok {
		return nil, fmt.Errorf("namespace %q has no sidecar ConfigMap in InjectOptions.ConfigMaps (namespaces with one: %s)", ns, have)
	}
	return cm, nil
}

// hasSidecar reports an init container already named SidecarContainerName.
func hasSidecar(spec corev1.PodSpecPtrInput) bool {
	s, _, ok := shallowCopy[corev1.PodSpecArgs](spec)
	if !ok {
		return false
	}
	inits, _ := s.InitContainers.(corev1.ContainerArray)
	return slices.ContainsFunc(inits, func(c corev1.ContainerInput) bool {
		ca, ok := c.(corev1.ContainerArgs)
		name, _ := plainString(ca.Name)
		return ok && name == SidecarContainerName
	})
}

// plainString reads a pulumi.String or pulumi.StringPtr (a pointer to an unexported string
// type, hence reflection); anything else is not known at transformation time.
func plainString(in pulumi.Input) (string, bool) {
	if s, ok := in.(pulumi.String); ok {
		return string(s), true
	}
	if v := reflect.ValueOf(in); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.String {
		return v.Elem().String(), true
	}
	return "", false
}

// shallowCopy copies a T given as a T or a non-nil *T, and wraps an edited copy back in the
// same form (Pulumi accepts both for args and nested inputs).
func shallowCopy[T any](in any) (T, func(T) any, bool) {
	switch v := in.(type) {
	case T:
		return v, func(t T) any { return t }, true
	case *T:
		if v != nil {
			return *v, func(t T) any { return &t }, true
		}
	}
	var zero T
	return zero, nil, false
}

func isA[T any](in any) bool {
	switch in.(type) {
	case T, *T:
		return true
	}
	return false
}

func isNil(in any) bool {
	v := reflect.ValueOf(in)
	return in == nil || (v.Kind() == reflect.Pointer && v.IsNil())
}
