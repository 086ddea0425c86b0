package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

// cryptoActions are the KMS actions that use a key's material.
var cryptoActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}

// The archive key has an explicit policy: the account administers it (no cryptographic
// action, no kms:*), and principals of the account use it only through S3 in the stack's
// region — so no IAM policy can grant direct Decrypt of the archive.
func TestArchiveKeyIsUsedOnlyThroughS3(t *testing.T) {
	r := prod(t)
	key := one(t, r, "aws:kms/key:Key", "otel-archive")
	d := doc(t, key, "policy")
	root := "arn:aws:iam::" + synth.FakeAccountID + ":root"
	var usage int
	for _, s := range d.Statement {
		if s.Principal == nil || !slices.Equal(s.Principal.AWS, []string{root}) || len(s.Principal.Service) > 0 {
			t.Errorf("statement %s: principal %+v; want only the account %s", s.Sid, s.Principal, root)
		}
		for _, a := range s.Action {
			if a == "kms:*" || a == "*" {
				t.Errorf("statement %s grants %s", s.Sid, a)
			}
			if !slices.Contains(cryptoActions, a) && !strings.HasPrefix(a, "kms:Decrypt") {
				continue
			}
			usage++
			via := s.Condition["StringEquals"]["kms:ViaService"]
			caller := s.Condition["StringEquals"]["kms:CallerAccount"]
			if !slices.Equal(via, []string{"s3.us-east-1.amazonaws.com"}) || !slices.Equal(caller, []string{synth.FakeAccountID}) {
				t.Errorf("statement %s grants %s with conditions %v; want only through S3 in us-east-1, from the account", s.Sid, a, s.Condition)
			}
		}
	}
	if usage == 0 {
		t.Error("no statement lets S3 use the key: the archive could not be written")
	}
}
