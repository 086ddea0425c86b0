package kube

import (
	"fmt"
	"strings"

	admissionv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/admissionregistration/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IssuanceMessage starts the apiserver's answer to a Certificate or CertificateRequest that
// names the fleet's issuer outside the fleet's namespaces.
const IssuanceMessage = "otelfleet: only the fleet's namespaces may request certificates from its issuer"

// newIssuancePolicy restricts who can get a certificate the gateway trusts. The gateway
// accepts every client certificate its CA signs, and a ClusterIssuer signs for any namespace
// whose users may create Certificates, so a ValidatingAdmissionPolicy (in-tree since
// Kubernetes 1.30, no webhook) refuses every Certificate and CertificateRequest that names
// the issuer unless it is in one of namespaces.
func newIssuancePolicy(ctx *pulumi.Context, name, objectName, issuer string, namespaces []string, opts ...pulumi.ResourceOption) error {
	quoted := make([]string, len(namespaces))
	for i, ns := range namespaces {
		quoted[i] = "'" + ns + "'"
	}
	names := "[" + strings.Join(quoted, ", ") + "]"
	expression := fmt.Sprintf(`!(object.spec.issuerRef.name == '%s' && has(object.spec.issuerRef.kind) && object.spec.issuerRef.kind == 'ClusterIssuer') || request.namespace in %s`, issuer, names)
	meta := &metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Labels: pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String("otelfleet")}}
	policy, err := admissionv1.NewValidatingAdmissionPolicy(ctx, name, &admissionv1.ValidatingAdmissionPolicyArgs{
		Metadata: meta,
		Spec: &admissionv1.ValidatingAdmissionPolicySpecArgs{
			FailurePolicy: pulumi.String("Fail"),
			MatchConstraints: &admissionv1.MatchResourcesArgs{ResourceRules: admissionv1.NamedRuleWithOperationsArray{
				admissionv1.NamedRuleWithOperationsArgs{
					ApiGroups: pulumi.ToStringArray([]string{"cert-manager.io"}), ApiVersions: pulumi.ToStringArray([]string{"*"}),
					Operations: pulumi.ToStringArray([]string{"CREATE", "UPDATE"}),
					Resources:  pulumi.ToStringArray([]string{"certificates", "certificaterequests"}),
				},
			}},
			Validations: admissionv1.ValidationArray{admissionv1.ValidationArgs{
				Expression: pulumi.String(expression),
				Message:    pulumi.String(fmt.Sprintf("%s (ClusterIssuer %s: namespaces %s)", IssuanceMessage, issuer, strings.Join(namespaces, ", "))),
			}},
		},
	}, opts...)
	if err != nil {
		return err
	}
	_, err = admissionv1.NewValidatingAdmissionPolicyBinding(ctx, name+"-binding", &admissionv1.ValidatingAdmissionPolicyBindingArgs{
		Metadata: meta,
		Spec: &admissionv1.ValidatingAdmissionPolicyBindingSpecArgs{
			PolicyName:        policy.Metadata.Name().Elem(),
			ValidationActions: pulumi.ToStringArray([]string{"Deny"}),
		},
	}, opts...)
	return err
}
