package kubetest

import (
	"math/rand"
	"sort"
	"testing"
)

func TestApplyPhase(t *testing.T) {
	cases := []struct {
		apiVersion, kind string
		namespaced       bool
		want             Phase
	}{
		{"v1", "Namespace", false, PhaseNamespace},
		{"scheduling.k8s.io/v1", "PriorityClass", false, PhaseClusterScoped},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", false, PhaseClusterScoped},
		{"v1", "ServiceAccount", true, PhaseConfig},
		{"v1", "ConfigMap", true, PhaseConfig},
		{"v1", "Secret", true, PhaseConfig},
		{"rbac.authorization.k8s.io/v1", "ClusterRole", false, PhaseRBAC},
		{"rbac.authorization.k8s.io/v1", "RoleBinding", true, PhaseRBAC},
		{"apps/v1", "Deployment", true, PhaseWorkload},
		{"apps/v1", "DaemonSet", true, PhaseWorkload},
		{"batch/v1", "CronJob", true, PhaseWorkload},
		{"v1", "Service", true, PhaseService},
		{"autoscaling/v2", "HorizontalPodAutoscaler", true, PhasePolicy},
		{"policy/v1", "PodDisruptionBudget", true, PhasePolicy},
		{"networking.k8s.io/v1", "NetworkPolicy", true, PhasePolicy},
		{"cert-manager.io/v1", "ClusterIssuer", false, PhaseCustomResource},
		{"cert-manager.io/v1", "Certificate", true, PhaseCustomResource},
		// The VPA group is a CRD group even though it ends in k8s.io.
		{"autoscaling.k8s.io/v1", "VerticalPodAutoscaler", true, PhaseCustomResource},
		{"monitoring.coreos.com/v1", "ServiceMonitor", true, PhaseCustomResource},
	}
	for _, c := range cases {
		if got := ApplyPhase(c.apiVersion, c.kind, c.namespaced); got != c.want {
			t.Errorf("ApplyPhase(%s, %s, %v) = %s, want %s", c.apiVersion, c.kind, c.namespaced, got, c.want)
		}
	}

	// Sorting by phase puts every kind after what it depends on.
	shuffled := append([]struct {
		apiVersion, kind string
		namespaced       bool
		want             Phase
	}{}, cases...)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sort.SliceStable(shuffled, func(i, j int) bool {
		return ApplyPhase(shuffled[i].apiVersion, shuffled[i].kind, shuffled[i].namespaced) <
			ApplyPhase(shuffled[j].apiVersion, shuffled[j].kind, shuffled[j].namespaced)
	})
	pos := map[string]int{}
	for i, c := range shuffled {
		pos[c.kind] = i
	}
	for _, before := range [][2]string{
		{"Namespace", "ConfigMap"}, {"Namespace", "ClusterRole"}, {"ServiceAccount", "ClusterRole"},
		{"ClusterRole", "DaemonSet"}, {"ConfigMap", "Deployment"}, {"Deployment", "Service"},
		{"Deployment", "HorizontalPodAutoscaler"}, {"PriorityClass", "Certificate"}, {"NetworkPolicy", "ClusterIssuer"},
	} {
		if pos[before[0]] >= pos[before[1]] {
			t.Errorf("%s sorted after %s", before[0], before[1])
		}
	}
	if PhaseCustomResource.String() != "custom-resources" || Phase(42).String() != "phase-42" {
		t.Errorf("Phase.String: %q, %q", PhaseCustomResource.String(), Phase(42).String())
	}
}
