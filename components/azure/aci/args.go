package aci

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ContainerGroupType is the azure-native type token of a container group. Its SDK module
// (containerinstance) is not served at any version here, so the group is registered through
// the core SDK (package arm) with the typed args below: the flattened shape the azure-native
// provider takes for API version 2023-05-01 (azure-native v2).
const ContainerGroupType = "azure-native:containerinstance:ContainerGroup"

type containerGroupArgs struct {
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location"`
	Tags              map[string]string  `pulumi:"tags"`
	OsType            string             `pulumi:"osType"`
	Sku               string             `pulumi:"sku"`
	RestartPolicy     string             `pulumi:"restartPolicy"`
	Identity          groupIdentity      `pulumi:"identity"`
	Containers        []container        `pulumi:"containers"`
	IPAddress         ipAddress          `pulumi:"ipAddress"`
	SubnetIDs         []subnetID         `pulumi:"subnetIds"`
	Volumes           []volume           `pulumi:"volumes"`
}

func (containerGroupArgs) ElementType() reflect.Type { return reflect.TypeOf(containerGroupArgs{}) }

type groupIdentity struct {
	Type                   string                  `pulumi:"type"`
	UserAssignedIdentities pulumi.StringArrayInput `pulumi:"userAssignedIdentities"`
}

type container struct {
	Name                 string                `pulumi:"name"`
	Image                string                `pulumi:"image"`
	Command              []string              `pulumi:"command"`
	Ports                []port                `pulumi:"ports"`
	EnvironmentVariables []environmentVariable `pulumi:"environmentVariables"`
	Resources            resourceRequirements  `pulumi:"resources"`
	VolumeMounts         []volumeMount         `pulumi:"volumeMounts"`
	LivenessProbe        *probe                `pulumi:"livenessProbe"`
	ReadinessProbe       *probe                `pulumi:"readinessProbe"`
}

type port struct {
	Port     int    `pulumi:"port"`
	Protocol string `pulumi:"protocol"`
}

// environmentVariable has either a Value or a SecureValue (never returned by the ARM API).
type environmentVariable struct {
	Name        string             `pulumi:"name"`
	Value       *string            `pulumi:"value"`
	SecureValue pulumi.StringInput `pulumi:"secureValue"`
}

type resourceRequirements struct {
	Requests resourceRequests `pulumi:"requests"`
}

type resourceRequests struct {
	CPU        float64 `pulumi:"cpu"`
	MemoryInGB float64 `pulumi:"memoryInGB"`
}

type volumeMount struct {
	Name      string `pulumi:"name"`
	MountPath string `pulumi:"mountPath"`
	ReadOnly  bool   `pulumi:"readOnly"`
}

type probe struct {
	HTTPGet             httpGet `pulumi:"httpGet"`
	InitialDelaySeconds int     `pulumi:"initialDelaySeconds"`
	PeriodSeconds       int     `pulumi:"periodSeconds"`
	TimeoutSeconds      int     `pulumi:"timeoutSeconds"`
	FailureThreshold    int     `pulumi:"failureThreshold"`
}

type httpGet struct {
	Path   string `pulumi:"path"`
	Port   int    `pulumi:"port"`
	Scheme string `pulumi:"scheme"`
}

type ipAddress struct {
	Type  string `pulumi:"type"`
	Ports []port `pulumi:"ports"`
}

type subnetID struct {
	ID pulumi.StringInput `pulumi:"id"`
}

// volume is a secret volume: file name → base64 content, stored encrypted by ACI and
// never returned by the API.
type volume struct {
	Name   string                `pulumi:"name"`
	Secret pulumi.StringMapInput `pulumi:"secret"`
}

// containerGroup holds the outputs otelfleet reads.
type containerGroup struct {
	pulumi.CustomResourceState
	Name      pulumi.StringOutput `pulumi:"name"`
	IPAddress pulumi.MapOutput    `pulumi:"ipAddress"`
}
