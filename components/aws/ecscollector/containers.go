package ecscollector

import (
	"encoding/json"
	"regexp"

	"github.com/otelfleet/otelfleet/components/aws/policy"
)

// containerDefinition is the part of an ECS container definition otelfleet sets; the
// task definition's JSON is marshalled from it (never assembled as text).
type containerDefinition struct {
	Name                   string           `json:"name"`
	Image                  string           `json:"image"`
	Essential              bool             `json:"essential"`
	Command                []string         `json:"command"`
	PortMappings           []portMapping    `json:"portMappings"`
	Environment            []keyValue       `json:"environment"`
	Secrets                []secret         `json:"secrets"`
	LogConfiguration       logConfiguration `json:"logConfiguration"`
	ReadonlyRootFilesystem bool             `json:"readonlyRootFilesystem"`
	StopTimeout            int              `json:"stopTimeout"`
}

type portMapping struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// secret is injected by the ECS agent from SSM Parameter Store or Secrets Manager.
type secret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

func marshalContainers(defs ...containerDefinition) (string, error) {
	b, err := json.Marshal(defs)
	return string(b), err
}

// ecrImage matches images in a private ECR repository: account, region, repository.
var ecrImage = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)[:@]`)

// ecrRepositoryArn returns the ARN of the image's ECR repository, or "" for other
// registries (the public contrib image needs no pull permissions).
func ecrRepositoryArn(image string) string {
	m := ecrImage.FindStringSubmatch(image)
	if m == nil {
		return ""
	}
	return policy.ARN{Partition: policy.Partition(m[2]), Service: "ecr", Region: m[2], Account: m[1], Resource: "repository/" + m[3]}.String()
}
