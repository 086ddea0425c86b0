package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/alarms"
	"github.com/otelfleet/otelfleet/components/aws/destinations"
	"github.com/otelfleet/otelfleet/components/aws/ecscollector"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AlarmNamespace is the CloudWatch namespace of the metrics otelfleet derives from the
// collectors' logs (exporter failures).
func AlarmNamespace(cfg config.Stack) string { return "otelfleet/" + cfg.Name }

// alarmSources are the parts of the stack the alarms watch; nil parts are not deployed.
type alarmSources struct {
	ingest *ingestNLB
	ecs    *ecscollector.Collector
	dest   *destinations.Destinations
}

// fleetAlarms are the alarms of everything the aws stack can observe in CloudWatch:
//   - the gateway pods through Container Insights (with eksContainerInsights);
//   - the ingest NLB's healthy targets (with gatewayIngest);
//   - the ECS collector's running tasks and healthy targets (with ecsCollector);
//   - exporter failures counted from the collectors' logs: the ECS collector's log group,
//     and the exported-logs group, which holds the fleet's own container logs when the
//     agents collect them (agentLogCollection).
func fleetAlarms(cfg config.Stack, s alarmSources) ([]alarms.Alarm, []alarms.LogMetric) {
	a := cfg.AWS
	var out []alarms.Alarm
	var filters []alarms.LogMetric
	min := cfg.GatewayMinReplicas()
	if a.ContainerInsights {
		out = append(out, alarms.WorkloadAlarms("gateway", alarms.Workload{
			Cluster: pulumi.String(ClusterName(cfg)), Namespace: cfg.Kubernetes.Namespace,
			Name: GatewayServiceAccount(cfg), Service: GatewayServiceAccount(cfg), MinReplicas: min,
		})...)
	}
	if s.ingest != nil {
		out = append(out, alarms.HealthyTargets("gateway-ingest-unhealthy-targets",
			"Fewer gateway pods than the minimum are healthy behind the ingest NLB for 10 minutes.",
			s.ingest.LoadBalancer, s.ingest.TargetGroup, min))
	}
	if s.ecs != nil {
		out = append(out,
			alarms.ECSTasksBelowDesired("ecs-collector-tasks-below-desired", s.ecs.ClusterName, s.ecs.ServiceName),
			alarms.HealthyTargets("ecs-collector-unhealthy-targets",
				"Fewer ECS collector tasks than desired are healthy behind the NLB for 10 minutes.",
				s.ecs.LoadBalancerArnSuffix, s.ecs.TargetGroupArnSuffix, a.ECSDesiredCount))
		m, al := alarms.ExportFailures("EcsCollector", "ecs-collector", s.ecs.LogGroupName, AlarmNamespace(cfg))
		filters, out = append(filters, m...), append(out, al...)
	}
	if cfg.Agent.LogCollection && s.dest != nil {
		m, al := alarms.ExportFailures("Fleet", "fleet", s.dest.LogsGroupName, AlarmNamespace(cfg))
		filters, out = append(filters, m...), append(out, al...)
	}
	return out, filters
}

// deployAlarms creates the alarms and their topic (otelfleet:alarmSnsTopicArn, or a new
// one with otelfleet:alarmEmail subscribed).
func deployAlarms(ctx *pulumi.Context, cfg config.Stack, s alarmSources, opts ...pulumi.ResourceOption) (*alarms.Alarms, error) {
	list, filters := fleetAlarms(cfg, s)
	al, err := alarms.New(ctx, cfg.Name+"-alarms", &alarms.Args{
		Prefix: cfg.Name, TopicArn: cfg.AWS.AlarmTopicArn, Email: cfg.AWS.AlarmEmail, Alarms: list, LogMetrics: filters,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ctx.Export("alarmTopicArn", al.TopicArn)
	ctx.Export("alarmNames", al.AlarmNames)
	return al, nil
}
