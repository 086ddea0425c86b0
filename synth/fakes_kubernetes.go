package synth

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// kubernetesFakes are what a cluster computes for the objects every stack creates: a
// LoadBalancer Service's address (a hostname, as AWS load balancers give; the Azure fakes
// replace it with an IP).
func kubernetesFakes() Fakes {
	f := newFakes()
	f.Resources.set(serviceType, loadBalancerHostname)
	return f
}

// loadBalancerHostname gives a LoadBalancer Service a hostname from the cloud's controller.
func loadBalancerHostname(name string, inputs resource.PropertyMap) resource.PropertyMap {
	spec, ok := inputs["spec"]
	if !ok || !spec.IsObject() {
		return nil
	}
	if t, ok := spec.ObjectValue()["type"]; !ok || !t.IsString() || t.StringValue() != "LoadBalancer" {
		return nil
	}
	return loadBalancerStatus(resource.PropertyMap{"hostname": resource.NewProperty(name + ".lb.invalid")})
}

// loadBalancerStatus is a Service status with one load balancer ingress.
func loadBalancerStatus(ingress resource.PropertyMap) resource.PropertyMap {
	return resource.PropertyMap{"status": resource.NewProperty(resource.PropertyMap{
		"loadBalancer": resource.NewProperty(resource.PropertyMap{"ingress": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(ingress)})}),
	})}
}
