// Package kube is otelfleet's Kubernetes collector layer: namespaces with Pod Security
// labels, the DaemonSet agent, the sidecar helper, the gateway (Deployment or StatefulSet
// with Services, HPA, PDB, NetworkPolicy and optional VPA) and cert-manager TLS, each a
// Pulumi component. It uses pulumi-kubernetes only (no cloud SDK), so any program can put
// a fleet on any cluster by passing a kubernetes.Provider.
package kube
