package synthtest

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	ns := config.Get(ctx, "demo:namespace")
	if ns == "" {
		return errors.New("demo:namespace is required")
	}
	var cm pulumi.CustomResourceState
	return ctx.RegisterResource("kubernetes:core/v1:ConfigMap", "demo-config", pulumi.Map{
		"metadata": pulumi.Map{"name": pulumi.String("demo"), "namespace": pulumi.String(ns)},
		"data":     pulumi.Map{"keys": pulumi.ToStringArray([]string{"a", "b"})},
	}, &cm)
}

func TestProgramOneAndGet(t *testing.T) {
	res := Program(t, "demo", program, map[string]string{"demo:namespace": "telemetry"})
	byName := One(t, res, "kubernetes:core/v1:ConfigMap", "demo-config")
	byObject := One(t, res, "kubernetes:core/v1:ConfigMap", "demo")
	if byName.URN != byObject.URN || byName.URN != "urn:pulumi:test::demo::kubernetes:core/v1:ConfigMap::demo-config" {
		t.Errorf("URNs %s / %s", byName.URN, byObject.URN)
	}
	if got := Get(byName.Inputs, "metadata", "namespace"); got != "telemetry" {
		t.Errorf("namespace = %v", got)
	}
	if got := Get(byName.Inputs, "data", "keys", 1); got != "b" {
		t.Errorf("data.keys[1] = %v", got)
	}
	if got := Get(byName.Inputs, "data", "keys", 2); got != nil {
		t.Errorf("an index past the end = %v, want nil", got)
	}
	if _, err := ProgramErr("demo", program, nil); err == nil {
		t.Error("a program that fails rendered without error")
	}
}
