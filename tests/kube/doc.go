// Package kube proves that every Kubernetes object otelfleet renders is accepted by a real
// kube-apiserver (backed by a real etcd, started by internal/kubetest), and that the
// properties the fleet relies on hold there: Pod Security levels, least-privilege RBAC, and
// rollout behaviour (config checksums, replicas left to the HPA).
//
// The stacks are rendered in-process under Pulumi mocks (package synth) exactly as
// `go run . synth` renders them; only Result.Manifests is used, never cloud resources.
// Everything lives in _test.go files: run it with
//
//	go test ./tests/kube/ -count=1 -v -timeout 30m
package kube
