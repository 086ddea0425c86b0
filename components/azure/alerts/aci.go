package alerts

import (
	"fmt"
	"math"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ACINamespace is the metric namespace of container groups; CpuUsage (millicores) and
// MemoryUsage (bytes) are its platform metrics, with the dimension containerName.
const (
	ACINamespace = "Microsoft.ContainerInstance/containerGroups"
	ACICPUUsage  = "CpuUsage"
	ACIMemory    = "MemoryUsage"
)

// ACI is a collector in an Azure Container Instances group whose resource logs
// (ContainerInstanceLog, ContainerEvent) go to a Log Analytics workspace through a diagnostic
// setting.
type ACI struct {
	Group     pulumi.StringInput // container group resource id: the scope of every rule
	Container string             // collector container; default DefaultContainer
	CPU       float64            // cores the container requests
	MemoryGB  float64            // memory the container requests, GB
}

// ACIRules are the alerts of an ACI collector: CPU above 80 % and memory above 90 % of its
// request (platform metrics), the container (re)starting in a loop (ContainerEvent), and
// exporter failures in its logs (ContainerInstanceLog).
func ACIRules(a ACI) ([]MetricRule, []LogRule, error) {
	if a.Group == nil || a.CPU <= 0 || a.MemoryGB <= 0 {
		return nil, nil, fmt.Errorf("alerts: ACI needs Group, CPU and MemoryGB")
	}
	if a.Container == "" {
		a.Container = DefaultContainer
	}
	only := map[string][]string{"containerName": {a.Container}}
	metric := []MetricRule{
		{
			Name: "aci-cpu-high", Severity: SevWarning, Scope: a.Group, Namespace: ACINamespace, Metric: ACICPUUsage,
			Aggregation: "Average", Threshold: math.Round(a.CPU * 1000 * 0.8), Dimensions: only,
			Description: fmt.Sprintf("The ACI collector used more than 80 %% of its %g CPU cores for 5 minutes: give it more (aciCpu) or move load to the AKS gateway.", a.CPU),
		},
		{
			Name: "aci-memory-high", Severity: SevWarning, Scope: a.Group, Namespace: ACINamespace, Metric: ACIMemory,
			Aggregation: "Average", Threshold: math.Round(a.MemoryGB * 0.9 * (1 << 30)), Dimensions: only,
			Description: fmt.Sprintf("The ACI collector used more than 90 %% of its %g GB for 5 minutes: its memory_limiter is refusing data and an OOM kill is near.", a.MemoryGB),
		},
	}
	rule := func(r LogRule) LogRule { r.Scope = a.Group; return r }
	logs := fmt.Sprintf("ContainerInstanceLog\n| where ContainerName == %s", kqlString(a.Container))
	log := []LogRule{
		rule(LogRule{
			Name: "aci-collector-restarting", Severity: SevWarning, Window: "PT30M",
			Description: "The ACI collector container started more than twice in 30 minutes (crash loop or failing liveness probe; a deployment adds one start). Source: the group's ContainerEvent resource log.",
			Query: pulumi.String(fmt.Sprintf(`ContainerEvent
| where ContainerName == %s and (Reason =~ "Started" or Message has "Started container")
| summarize Starts = sum(Count)`, kqlString(a.Container))),
			Measure: "Starts", Aggregation: "Total", Threshold: 2,
		}),
		rule(LogRule{
			Name: "aci-exporter-dropping-data", Severity: SevError,
			Description: "The ACI collector logged that an exporter dropped or rejected data. Source: the group's ContainerInstanceLog resource log.",
			Query: pulumi.String(logs + fmt.Sprintf(`
| where Message contains_cs %s or Message contains_cs %s
| summarize Failures = count()`, kqlString(MessageDropping), kqlString(MessageRejected))),
			Measure: "Failures", Threshold: 0,
		}),
		rule(LogRule{
			Name: "aci-exporter-retrying", Severity: SevInfo, Window: "PT15M",
			Description: "An exporter of the ACI collector failed more than 10 times in 15 minutes and is retrying. Source: ContainerInstanceLog.",
			Query: pulumi.String(logs + fmt.Sprintf(`
| where Message contains_cs %s
| summarize Retries = count()`, kqlString(MessageRetrying))),
			Measure: "Retries", Threshold: 10,
		}),
	}
	return metric, log, nil
}
