package aws

import (
	"github.com/otelfleet/otelfleet/components/aws/ingestdns"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AzureIngestOutput is the output of the azure stack that holds its gateway's ingest
// address (an IP or a hostname).
const AzureIngestOutput = "gatewayIngestHost"

// healthCheckKind is the ingest health check: a CloudWatch alarm on the target group's
// healthy hosts. Route 53's checkers cannot probe an internal NLB, and an internet-facing
// one must have source ranges (validation), which keep the checkers out too; the HTTP
// check of package ingestdns is for programs that expose an NLB to everyone.
const healthCheckKind = ingestdns.KindMetric

// deployIngestDNS publishes the ingest NLB: the DR failover pair (with otelfleet:drAzureStack)
// whose SECONDARY is the azure stack's gatewayIngestHost, read through a stack reference
// (only this stack references the other), and the regional latency record (with
// otelfleet:regionalRecordName).
func deployIngestDNS(ctx *pulumi.Context, cfg config.Stack, nlb ingestNLB, topic pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	a := cfg.AWS
	args := &ingestdns.Args{
		Prefix: cfg.Name, Region: a.Region, ZoneID: a.DRHostedZoneID, TTL: a.DRRecordTTL, Kind: healthCheckKind,
		Target:     ingestdns.Target{Host: nlb.Host, ZoneID: nlb.ZoneID, LoadBalancer: nlb.LoadBalancer, TargetGroup: nlb.TargetGroup},
		HealthPort: collector.PortHealthCheck, HealthPath: "/", AlarmTopic: topic,
	}
	if a.DRAzureStack != "" {
		ref, err := pulumi.NewStackReference(ctx, cfg.Name+"-dr-azure", &pulumi.StackReferenceArgs{Name: pulumi.String(a.DRAzureStack)})
		if err != nil {
			return err
		}
		args.Failover = &ingestdns.Failover{RecordName: a.DRRecordName, Secondary: ref.GetStringOutput(pulumi.String(AzureIngestOutput))}
	}
	if a.RegionalRecordName != "" {
		args.Latency = &ingestdns.Latency{RecordName: a.RegionalRecordName}
	}
	d, err := ingestdns.New(ctx, cfg.Name+"-ingest-dns", args, opts...)
	if err != nil {
		return err
	}
	ctx.Export("ingestHealthCheckId", d.HealthCheckID)
	if args.Failover != nil {
		window := ingestdns.FailoverWindow(args.Kind, a.DRRecordTTL)
		ctx.Export("otlpGlobalName", d.FailoverName)
		ctx.Export("otlpGlobalEndpoint", pulumi.Sprintf("%s:%d", d.FailoverName, collector.PortOTLPGRPC))
		ctx.Export("drFailoverWindowSeconds", pulumi.Int(window.Total()))
		ctx.Export("drFailoverWindow", pulumi.String(window.String()))
	}
	if args.Latency != nil {
		ctx.Export("otlpRegionalName", d.LatencyName)
	}
	return nil
}
