package synth

// ssmConfigTag mirrors ecscollector.ConfigTag (synth does not import the AWS components):
// SSM parameters tagged with it hold a collector configuration, and its value names the
// tier.
const ssmConfigTag = "otelfleet.io/collector-config"

func init() { RegisterExtractor("aws:ssm/parameter:Parameter", ssmParameterConfigs) }

// ssmParameterConfigs reads the collector configuration an ECS task gets from an SSM
// parameter (insecureValue: the config holds no secret, they come from the environment).
func ssmParameterConfigs(r Resource) []CollectorConfig {
	in := r.RawInputs()
	tags, ok := in["tags"]
	if !ok || !tags.IsObject() {
		return nil
	}
	tier, ok := awsStr(tags.ObjectValue(), ssmConfigTag)
	if !ok || tier == "" {
		return nil
	}
	text, ok := awsStr(in, "insecureValue")
	if !ok {
		return nil
	}
	return []CollectorConfig{{Name: tier, YAML: text}}
}
