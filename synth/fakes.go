package synth

import (
	"encoding/base64"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fakeKubeconfig is what a managed cluster would hand out: a kubeconfig for an endpoint that
// does not exist. It is only ever wrapped as a secret and passed to the provider.
func fakeKubeconfig(cluster string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster: {server: "https://%[1]s.cluster.invalid"}
contexts:
- name: %[1]s
  context: {cluster: %[1]s, user: %[1]s}
current-context: %[1]s
users:
- name: %[1]s
  user: {token: offline-render}
`, cluster)
}

func init() {
	// A LoadBalancer Service gets an address from the cloud's controller.
	RegisterFake("kubernetes:core/v1:Service", func(name string, inputs resource.PropertyMap) resource.PropertyMap {
		spec, ok := inputs["spec"]
		if !ok || !spec.IsObject() {
			return nil
		}
		if t, ok := spec.ObjectValue()["type"]; !ok || !t.IsString() || t.StringValue() != "LoadBalancer" {
			return nil
		}
		ingress := resource.NewProperty(resource.PropertyMap{
			"hostname": resource.NewProperty(name + ".lb.invalid"),
		})
		return resource.PropertyMap{"status": resource.NewProperty(resource.PropertyMap{
			"loadBalancer": resource.NewProperty(resource.PropertyMap{"ingress": resource.NewProperty([]resource.PropertyValue{ingress})}),
		})}
	})
	// pulumi-eks v2 is a remote component: under mocks its outputs are whatever the mock
	// returns for eks:index:Cluster.
	RegisterFake("eks:index:Cluster", func(name string, _ resource.PropertyMap) resource.PropertyMap {
		kc := fakeKubeconfig(name)
		return resource.PropertyMap{
			"kubeconfigJson": resource.MakeSecret(resource.NewProperty(kc)),
			"kubeconfig":     resource.MakeSecret(resource.NewProperty(kc)),
			"eksCluster": resource.NewProperty(resource.PropertyMap{
				"name": resource.NewProperty(name),
				"arn":  resource.NewProperty("arn:aws:eks:us-east-1:123456789012:cluster/" + name),
			}),
		}
	})
	RegisterCall("azure-native:containerservice:listManagedClusterUserCredentials", func(args resource.PropertyMap) resource.PropertyMap {
		cluster := "aks"
		if v, ok := args["resourceName"]; ok && v.IsString() {
			cluster = v.StringValue()
		}
		return resource.PropertyMap{"kubeconfigs": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{
				"name":  resource.NewProperty("clusterUser"),
				"value": resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(fakeKubeconfig(cluster)))),
			}),
		})}
	})
}
