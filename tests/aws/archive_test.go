package aws

import (
	"reflect"
	"slices"
	"testing"
)

func TestArchiveBucket(t *testing.T) {
	r := prod(t)
	const name = "otel-archive"
	bucket := str(one(t, r, "aws:s3/bucketPolicy:BucketPolicy", name).Inputs["bucket"])
	if bucket == "" {
		t.Fatal("the bucket policy names no bucket")
	}
	// Every configuration resource applies to the one archive bucket.
	for _, typ := range []string{
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketVersioningV2:BucketVersioningV2",
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
	} {
		if got := str(one(t, r, typ, name).Inputs["bucket"]); got != bucket {
			t.Errorf("%s applies to bucket %q; want %q", typ, got, bucket)
		}
	}

	t.Run("encryption", func(t *testing.T) {
		sse := one(t, r, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", name)
		rule := get(sse.Inputs, "rules", 0)
		if got := str(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")); got != "aws:kms" {
			t.Errorf("sseAlgorithm = %q; want aws:kms", got)
		}
		if key := str(get(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")); !hasPrefixAny(key, "arn:aws:kms:") {
			t.Errorf("kmsMasterKeyId = %q; want the archive key's ARN", key)
		}
		if get(rule, "bucketKeyEnabled") != true {
			t.Error("bucket keys are off")
		}
		if get(one(t, r, "aws:kms/key:Key", name).Inputs, "enableKeyRotation") != true {
			t.Error("the archive key is not rotated")
		}
	})
	t.Run("public access", func(t *testing.T) {
		pab := one(t, r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name)
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab.Inputs[k] != true {
				t.Errorf("%s = %v; want true", k, pab.Inputs[k])
			}
		}
		own := one(t, r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name)
		if got := str(get(own.Inputs, "rule", "objectOwnership")); got != "BucketOwnerEnforced" {
			t.Errorf("objectOwnership = %q; want BucketOwnerEnforced (ACLs off)", got)
		}
		v := one(t, r, "aws:s3/bucketVersioningV2:BucketVersioningV2", name)
		if got := str(get(v.Inputs, "versioningConfiguration", "status")); got != "Enabled" {
			t.Errorf("versioning = %q; want Enabled", got)
		}
	})
	t.Run("lifecycle", func(t *testing.T) {
		lc := one(t, r, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", name)
		rule := get(lc.Inputs, "rules", 0)
		if str(get(rule, "status")) != "Enabled" {
			t.Errorf("rule status = %v", get(rule, "status"))
		}
		want := []any{
			map[string]any{"days": int64(30), "storageClass": "STANDARD_IA"},
			map[string]any{"days": int64(90), "storageClass": "GLACIER_IR"},
		}
		if got := get(rule, "transitions"); !reflect.DeepEqual(got, want) {
			t.Errorf("transitions = %v; want %v", got, want)
		}
		if got := get(rule, "expiration", "days"); got != int64(365) {
			t.Errorf("expiration days = %v; want 365", got)
		}
		if got := get(rule, "noncurrentVersionExpiration", "noncurrentDays"); got != int64(30) {
			t.Errorf("noncurrent versions expire after %v days; want 30", got)
		}
	})
	t.Run("TLS only", func(t *testing.T) {
		d := doc(t, one(t, r, "aws:s3/bucketPolicy:BucketPolicy", name), "policy")
		arn := "arn:aws:s3:::" + bucket
		var insecureDenied bool
		for _, s := range d.Statement {
			if s.Effect == "Deny" && slices.Equal(s.Action, []string{"s3:*"}) &&
				slices.Equal(s.Resource, []string{arn, arn + "/*"}) &&
				slices.Equal(s.Condition["Bool"]["aws:SecureTransport"], []string{"false"}) {
				insecureDenied = true
			}
		}
		if !insecureDenied {
			t.Errorf("no statement denies requests without TLS on %s and its objects: %+v", arn, d.Statement)
		}
	})
}

// The lifecycle ages come from the stack configuration.
func TestArchiveLifecycleFromConfig(t *testing.T) {
	r, err := render(t, map[string]string{"otelfleet:awsArchiveIaDays": "45", "otelfleet:awsArchiveGlacierIrDays": "120", "otelfleet:awsArchiveExpireDays": "730"})
	if err != nil {
		t.Fatal(err)
	}
	rule := get(one(t, r, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "otel-archive").Inputs, "rules", 0)
	if get(rule, "transitions", 0, "days") != int64(45) || get(rule, "transitions", 1, "days") != int64(120) || get(rule, "expiration", "days") != int64(730) {
		t.Errorf("lifecycle = %v; want 45/120/730", rule)
	}
}
