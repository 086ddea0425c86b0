package config

// Azure is the configuration of the azure stack (AKS, Azure Monitor, workload identity, ACI).
type Azure struct {
	Location   string `key:"azureLocation" desc:"Azure region (location) of the stack."`
	AKSVersion string `key:"aksVersion" desc:"Kubernetes version of the AKS cluster (a version in AKS standard support)."`
}

// validate checks the azure keys; it is called by Stack.Validate when cloud is azure.
func (a *Azure) validate(v *validator) {}
