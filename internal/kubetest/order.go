package kubetest

import (
	"strconv"
	"strings"
)

// Phase is the step in which an object is applied to a fresh cluster, so that
// everything an object refers to exists before it: its namespace, the
// ServiceAccount and ConfigMaps its pods use, the workload an HPA scales, the
// CRD (installed by the test) and the issuers a custom resource names.
type Phase int

// Apply phases, in order.
const (
	// PhaseNamespace: Namespaces. Nothing namespaced can be created (not even
	// with dryRun) before its namespace exists.
	PhaseNamespace Phase = iota
	// PhaseClusterScoped: cluster-scoped objects of built-in kinds (not RBAC):
	// PriorityClass, StorageClass, CustomResourceDefinition ...
	PhaseClusterScoped
	// PhaseConfig: ServiceAccounts, ConfigMaps, Secrets and other namespaced
	// built-in objects that nothing else has to exist for.
	PhaseConfig
	// PhaseRBAC: ClusterRoles, Roles and their bindings.
	PhaseRBAC
	// PhaseWorkload: Deployments, StatefulSets, DaemonSets, Jobs, Pods.
	PhaseWorkload
	// PhaseService: Services (after the pods they select).
	PhaseService
	// PhasePolicy: HorizontalPodAutoscalers, PodDisruptionBudgets and
	// NetworkPolicies (after the workloads they target).
	PhasePolicy
	// PhaseCustomResource: objects of kinds defined by CRDs.
	PhaseCustomResource
)

var phaseNames = map[Phase]string{
	PhaseNamespace:      "namespaces",
	PhaseClusterScoped:  "cluster-scoped",
	PhaseConfig:         "config",
	PhaseRBAC:           "rbac",
	PhaseWorkload:       "workloads",
	PhaseService:        "services",
	PhasePolicy:         "policies",
	PhaseCustomResource: "custom-resources",
}

func (p Phase) String() string {
	if n, ok := phaseNames[p]; ok {
		return n
	}
	return "phase-" + strconv.Itoa(int(p))
}

// builtinGroups are the API groups served by kube-apiserver itself; any other
// group (cert-manager.io, autoscaling.k8s.io, monitoring.coreos.com ...) comes
// from a CRD.
var builtinGroups = map[string]bool{
	"": true, "admissionregistration.k8s.io": true, "apiextensions.k8s.io": true,
	"apiregistration.k8s.io": true, "apps": true, "authentication.k8s.io": true,
	"authorization.k8s.io": true, "autoscaling": true, "batch": true,
	"certificates.k8s.io": true, "coordination.k8s.io": true, "discovery.k8s.io": true,
	"events.k8s.io": true, "flowcontrol.apiserver.k8s.io": true, "internal.apiserver.k8s.io": true,
	"networking.k8s.io": true, "node.k8s.io": true, "policy": true,
	"rbac.authorization.k8s.io": true, "resource.k8s.io": true, "scheduling.k8s.io": true,
	"storage.k8s.io": true, "storagemigration.k8s.io": true,
}

var kindPhases = map[string]Phase{
	"Namespace":               PhaseNamespace,
	"ClusterRole":             PhaseRBAC,
	"ClusterRoleBinding":      PhaseRBAC,
	"Role":                    PhaseRBAC,
	"RoleBinding":             PhaseRBAC,
	"Deployment":              PhaseWorkload,
	"StatefulSet":             PhaseWorkload,
	"DaemonSet":               PhaseWorkload,
	"ReplicaSet":              PhaseWorkload,
	"Job":                     PhaseWorkload,
	"CronJob":                 PhaseWorkload,
	"Pod":                     PhaseWorkload,
	"Service":                 PhaseService,
	"HorizontalPodAutoscaler": PhasePolicy,
	"PodDisruptionBudget":     PhasePolicy,
	"NetworkPolicy":           PhasePolicy,
}

// IsCustomResource reports whether apiVersion belongs to a group that only a
// CRD can serve.
func IsCustomResource(apiVersion string) bool {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group = ""
	}
	return !builtinGroups[group]
}

// ApplyPhase returns the phase of an object. namespaced (whether the object
// carries metadata.namespace) only matters for built-in kinds this file does
// not list: cluster-scoped ones go early, namespaced ones with the config.
func ApplyPhase(apiVersion, kind string, namespaced bool) Phase {
	if IsCustomResource(apiVersion) {
		return PhaseCustomResource
	}
	if p, ok := kindPhases[kind]; ok {
		return p
	}
	if namespaced {
		return PhaseConfig
	}
	return PhaseClusterScoped
}
