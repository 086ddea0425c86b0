package synth

import (
	"time"

	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Trust is the clock and entropy offline rendering makes certificates with: a stopped
// clock and a fixed seed, so a render is reproducible. The fleet CA it creates is public
// knowledge (this source code): it never reaches a cluster, as synth deploys nothing.
func Trust() fleetca.Source {
	return fleetca.Fixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "otelfleet offline rendering: not a real CA")
}

// FakeOwnerName is the otelfleet:name of the stack a fake stack reference stands for (the
// committed stacks' fleet CA owner, azure-prod, is named otel).
const FakeOwnerName = "otel"

// FakeFleetCA is the fleet CA a stack named FakeOwnerName creates under Trust: what a fake
// stack reference answers with, so stacks importing it render with the CA the owner's
// render holds.
func FakeFleetCA() fleetca.PEM {
	src := Trust()
	ca, err := fleetca.New(FakeOwnerName+" fleet CA", src.Now(), src.Entropy)
	if err != nil {
		panic(err) // a fixed input: only a broken build gets here
	}
	return ca
}

// stackReferenceFakes answer every stack reference with what an otelfleet stack exports
// to others: the ingest host (DR) and the fleet CA (tlsCaStack, the key a secret).
func stackReferenceFakes() Fakes {
	f := newFakes()
	f.Resources.set("pulumi:pulumi:StackReference", func(string, resource.PropertyMap) resource.PropertyMap {
		ca := FakeFleetCA()
		return StackReferenceOutputs(map[string]string{
			"gatewayIngestHost": FakeAzureIngestAddress,
			"tlsCaCertificate":  ca.Certificate,
		}, map[string]string{"tlsCaKey": ca.Key})
	})
	return f
}

// StackReferenceOutputs are a stack reference's properties for the given plain and secret
// outputs (a test can answer a reference with another render's outputs).
func StackReferenceOutputs(plain, secret map[string]string) resource.PropertyMap {
	outputs := resource.PropertyMap{}
	names := []resource.PropertyValue{}
	for k, v := range plain {
		outputs[resource.PropertyKey(k)] = resource.NewProperty(v)
	}
	for k, v := range secret {
		outputs[resource.PropertyKey(k)] = resource.MakeSecret(resource.NewProperty(v))
		names = append(names, resource.NewProperty(k))
	}
	return resource.PropertyMap{"outputs": resource.NewProperty(outputs), "secretOutputNames": resource.NewProperty(names)}
}
