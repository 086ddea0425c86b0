package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/alarms"
	"github.com/otelfleet/otelfleet/components/aws/ecscollector"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AlarmNamespace is the CloudWatch namespace of the collectors' own metrics (exporter
// failures, refusals, queues), which they publish through their metrics/self pipeline.
func AlarmNamespace(cfg config.Stack) string { return plan.AWSAlarmNamespace(cfg) }

// alarmSources are the parts of the stack the alarms watch; nil parts are not deployed.
type alarmSources struct {
	ingest *ingestNLB
	ecs    *ecscollector.Collector
	// gatewayMinReplicas are the fewest gateways that are not an incident (the plan's:
	// the capacity model may raise the configured floor).
	gatewayMinReplicas int
}

// fleetAlarms are the alarms of everything the aws stack can observe in CloudWatch:
//   - the gateway pods through Container Insights (with eksContainerInsights);
//   - the ingest NLB's healthy targets (with gatewayIngest);
//   - the ECS collector's running tasks and healthy targets (with ecsCollector);
//   - data lost, export failing, data refused and queues filling, per tier (gateway, ECS
//     collector), from the collectors' own metrics (alarms.CollectorAlarms).
func fleetAlarms(cfg config.Stack, s alarmSources) []alarms.Alarm {
	a := cfg.AWS
	out := alarms.CollectorAlarms("gateway", plan.TierGateway, AlarmNamespace(cfg))
	min := s.gatewayMinReplicas
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
		out = append(out, alarms.CollectorAlarms("ecs-collector", plan.TierECSCollector, AlarmNamespace(cfg))...)
	}
	return out
}

// deployAlarms creates the alarms and their topic (otelfleet:alarmSnsTopicArn, or a new
// one with otelfleet:alarmEmail subscribed).
func deployAlarms(ctx *pulumi.Context, cfg config.Stack, s alarmSources, opts ...pulumi.ResourceOption) (*alarms.Alarms, error) {
	al, err := alarms.New(ctx, cfg.Name+"-alarms", &alarms.Args{
		Prefix: cfg.Name, TopicArn: cfg.AWS.AlarmTopicArn, Email: cfg.AWS.AlarmEmail, Alarms: fleetAlarms(cfg, s),
	}, opts...)
	if err != nil {
		return nil, err
	}
	ctx.Export("alarmTopicArn", al.TopicArn)
	ctx.Export("alarmNames", al.AlarmNames)
	return al, nil
}
