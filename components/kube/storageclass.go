package kube

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StorageClassArgs describe a StorageClass the fleet creates for its queue volumes, for
// clusters whose default class is missing or unsuitable (EKS: see components/aws/ebscsi).
type StorageClassArgs struct {
	Provisioner string            // CSI driver name, e.g. ebs.csi.aws.com
	Parameters  map[string]string // the driver's parameters (volume type, encryption)
}

// newStorageClass creates the class: volumes are provisioned where the pod is scheduled
// (WaitForFirstConsumer: a zonal disk in the pod's zone), can grow with the queue, and
// are deleted with their claim (a queue volume holds nothing worth keeping once its
// StatefulSet claim is gone).
func newStorageClass(ctx *pulumi.Context, name, className string, args *StorageClassArgs, opts ...pulumi.ResourceOption) (*storagev1.StorageClass, error) {
	return storagev1.NewStorageClass(ctx, name, &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(className), Labels: pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String("otelfleet")}},
		Provisioner:          pulumi.String(args.Provisioner),
		Parameters:           pulumi.ToStringMap(args.Parameters),
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, opts...)
}
