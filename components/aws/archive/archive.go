// Package archive is the S3 bucket the collectors' awss3 exporter archives telemetry to:
// SSE-KMS with a rotated customer key and bucket keys, all four public access blocks,
// versioning, bucket-owner-enforced ownership, TLS-only access, and lifecycle tiering
// STANDARD → STANDARD_IA → GLACIER_IR → expiry.
package archive

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args describe the bucket. Defaults (defaults()): IADays 30, GlacierIRDays 90, ExpireDays
// 365, NoncurrentDays 30. The bucket name is generated from the resource name plus a
// random suffix (bucket names are global).
type Args struct {
	IADays        int
	GlacierIRDays int
	ExpireDays    int
	// NoncurrentDays deletes overwritten or deleted object versions after this many days.
	NoncurrentDays int
	Tags           map[string]string
	// Region and Account, when both set, give the bucket's key an explicit policy
	// (KeyPolicy) instead of the default one: the account administers it, and uses it only
	// through S3 in Region.
	Region  string
	Account pulumi.StringInput
}

// Archive is the bucket and its key.
type Archive struct {
	pulumi.ResourceState
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn  pulumi.StringOutput `pulumi:"bucketArn"`
	KeyArn     pulumi.StringOutput `pulumi:"keyArn"`
}

func (a Args) defaults() Args {
	if a.IADays == 0 {
		a.IADays = 30
	}
	if a.GlacierIRDays == 0 {
		a.GlacierIRDays = 90
	}
	if a.ExpireDays == 0 {
		a.ExpireDays = 365
	}
	if a.NoncurrentDays == 0 {
		a.NoncurrentDays = 30
	}
	return a
}

// validate applies S3's lifecycle rules: STANDARD_IA no earlier than 30 days, the next
// transition 30 days after it, expiry after the last transition.
func (a Args) validate() error {
	if a.IADays < 30 || a.GlacierIRDays < a.IADays+30 || a.ExpireDays <= a.GlacierIRDays {
		return fmt.Errorf("lifecycle days out of order: STANDARD_IA at %d (>= 30), GLACIER_IR at %d (>= IA + 30), expiry at %d (> GLACIER_IR)", a.IADays, a.GlacierIRDays, a.ExpireDays)
	}
	return nil
}

// TLSOnlyPolicy denies every request to the bucket that does not use TLS 1.2 or later.
// keyAdministration are the key-management actions of AWS's key-administrator template:
// everything but using the key for cryptography.
var keyAdministration = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
	"kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

// KeyPolicy is the archive key's policy: the account (that is, IAM policies in it, such
// as the deployer's) administers the key; principals of the account may use it only
// through S3 in region (the collectors' writer policy and readers of the archive both go
// through S3), never by calling KMS directly. The default key policy would let any IAM
// policy of the account grant direct Decrypt.
func KeyPolicy(region, account string) policy.Document {
	root := &policy.Principal{AWS: []string{policy.ARN{Partition: policy.Partition(region), Service: "iam", Account: account, Resource: "root"}.String()}}
	return policy.New(
		policy.Statement{Sid: "AccountAdministersTheKey", Effect: policy.Allow, Principal: root, Action: keyAdministration, Resource: []string{"*"}},
		policy.Statement{
			Sid: "UseOnlyThroughS3", Effect: policy.Allow, Principal: root,
			Action:   []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource: []string{"*"},
			Condition: policy.Condition{"StringEquals": {
				"kms:ViaService":    {"s3." + region + "." + policy.DNSSuffix(region)},
				"kms:CallerAccount": {account},
			}},
		},
	)
}

func TLSOnlyPolicy(bucketArn string) policy.Document {
	everyone := &policy.Principal{AWS: []string{"*"}}
	resources := []string{bucketArn, bucketArn + "/*"}
	return policy.New(
		policy.Statement{
			Sid: "DenyInsecureTransport", Effect: policy.Deny, Principal: everyone,
			Action: []string{"s3:*"}, Resource: resources,
			Condition: policy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		policy.Statement{
			Sid: "DenyOutdatedTLS", Effect: policy.Deny, Principal: everyone,
			Action: []string{"s3:*"}, Resource: resources,
			Condition: policy.Condition{"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
		},
	)
}

// New creates the archive bucket.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Archive, error) {
	if args == nil {
		args = &Args{}
	}
	a := args.defaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("archive %s: %w", name, err)
	}
	ar := &Archive{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:Archive", name, ar, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(ar)
	tags := pulumi.ToStringMap(a.Tags)

	keyArgs := &kms.KeyArgs{
		Description:          pulumi.String("Server-side encryption of the otelfleet telemetry archive " + name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Tags:                 tags,
	}
	if a.Region != "" && a.Account != nil {
		keyArgs.Policy = a.Account.ToStringOutput().ApplyT(func(account string) (string, error) {
			return KeyPolicy(a.Region, account).JSON()
		}).(pulumi.StringOutput)
	}
	key, err := kms.NewKey(ctx, name, keyArgs, parent)
	if err != nil {
		return nil, err
	}
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Tags: tags}, parent)
	if err != nil {
		return nil, err
	}
	// S3 refuses concurrent configuration changes of one bucket ("conflicting conditional
	// operation"), so each step waits for the previous one.
	after := func(r pulumi.Resource) pulumi.ResourceOption { return pulumi.DependsOn([]pulumi.Resource{r}) }
	ownership, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent)
	if err != nil {
		return nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent, after(ownership))
	if err != nil {
		return nil, err
	}
	sse, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
			},
			BucketKeyEnabled: pulumi.Bool(true), // one data key per bucket and period, not one KMS call per object
		}},
	}, parent, after(pab))
	if err != nil {
		return nil, err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent, after(sse))
	if err != nil {
		return nil, err
	}
	lifecycle, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("tiering"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}, // every object
			Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{
				s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(a.IADays), StorageClass: pulumi.String("STANDARD_IA")},
				s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(a.GlacierIRDays), StorageClass: pulumi.String("GLACIER_IR")},
			},
			Expiration:                     &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.ExpireDays)},
			NoncurrentVersionExpiration:    &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(a.NoncurrentDays)},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{DaysAfterInitiation: pulumi.Int(7)},
		}},
	}, parent, after(versioning))
	if err != nil {
		return nil, err
	}
	doc := bucket.Arn.ApplyT(func(arn string) (string, error) { return TLSOnlyPolicy(arn).JSON() }).(pulumi.StringOutput)
	if _, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{Bucket: bucket.ID(), Policy: doc}, parent, after(lifecycle)); err != nil {
		return nil, err
	}
	ar.BucketName, ar.BucketArn, ar.KeyArn = bucket.Bucket, bucket.Arn, key.Arn
	return ar, ctx.RegisterResourceOutputs(ar, pulumi.Map{"bucketName": ar.BucketName, "bucketArn": ar.BucketArn, "keyArn": ar.KeyArn})
}
