package ecscollector

import (
	"slices"
	"testing"
)

func TestECRRepositoryArn(t *testing.T) {
	for image, want := range map[string]string{
		"otel/opentelemetry-collector-contrib:0.161.0":                           "",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/otel/collector:0.161.0":    "arn:aws:ecr:eu-west-1:123456789012:repository/otel/collector",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/collector@sha256:0123": "arn:aws-cn:ecr:cn-north-1:123456789012:repository/collector",
		"public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0":            "",
	} {
		if got := ecrRepositoryArn(image); got != want {
			t.Errorf("ecrRepositoryArn(%s) = %q; want %q", image, got, want)
		}
	}
}

func TestExecutionPolicyPullsOnlyFromItsRepository(t *testing.T) {
	plain := ExecutionPolicy("arn:lg", []string{"arn:param"}, "")
	if len(plain.Statement) != 2 {
		t.Errorf("without ECR: %d statements; want logs and the parameter only", len(plain.Statement))
	}
	ecr := ExecutionPolicy("arn:lg", []string{"arn:param"}, "arn:aws:ecr:eu-west-1:123456789012:repository/otel")
	var pull []string
	for _, s := range ecr.Statement {
		if s.Sid == "PullImage" {
			pull = s.Resource
		}
	}
	if !slices.Equal(pull, []string{"arn:aws:ecr:eu-west-1:123456789012:repository/otel"}) {
		t.Errorf("image pull resources = %v", pull)
	}
}
