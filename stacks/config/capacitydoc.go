package config

// capacityModelDoc is docs/config.md's last section: what the gatewayExpected* keys and
// gatewayOutageToBuffer feed (stacks/plan.gatewayCapacity, components/capacity).
const capacityModelDoc = `
## Capacity model

The gateway tier is sized from what it costs to carry each signal, measured with
` + "`bench/gateway.sh`" + ` (the generated gateway, its real exporters sending to loopback stand-ins of
the cloud's services) in CPU-seconds per million items. Spans are costed in the worst case, every
span kept by the sampler (as in an error storm, when the load matters most); with a
production mix (5 % errors: aws-prod's tail sampling keeps 24 %, azure-prod's 25 %) a span
costs about a third of that:

| stack's cloud | spans | log records | metric points |
|---|---|---|---|
| aws (X-Ray + S3 archive + CloudWatch Logs + EMF, tail sampling, redaction) | 98.6 | 29.0 | 12.2 |
| azure (Application Insights, probabilistic sampling, redaction) | 63.0 | 29.0 | 22.0 |
| kubernetes (OTLP upstream) | aws's figures, as an upper bound | | |

From these, the stack's expected peak load (` + "`gatewayExpectedSpansPerSecond`" + `,
` + "`gatewayExpectedLogRecordsPerSecond`" + `, ` + "`gatewayExpectedMetricPointsPerSecond`" + `, over the whole tier)
and the gateway pod's resources, ` + "`synth`" + ` prints (and the stack output ` + "`gatewayCapacity`" + ` holds):

- **cores at load**: Σ load × cost. **One pod's capacity**: its CPU limit ÷ cost, per signal.
- **HPA CPU target**: ` + "`gatewayHpaCpuPercent`" + `, lowered when (a) a pod at the target could not take 1.5× its
  load before reaching its CPU limit (the minute a scale-up takes), or (b) the spans tail
  sampling holds for its decision wait (about 2 KiB each in memory) would push a pod at the
  target past the memory_limiter's soft limit (60 % of the memory limit, less 200 MiB baseline).
- **HPA minimum**: ⌈cores at load ÷ (CPU request × target)⌉ + ` + "`gatewayPdbMaxUnavailable`" + ` (the load is
  still carried while a drain takes pods away), never below ` + "`gatewayHpaMinReplicas`" + `. More than
  ` + "`gatewayHpaMaxReplicas`" + ` is refused, naming that key (without the HPA: ` + "`gatewayReplicas`" + `).
- **Queue for an outage**: with ` + "`gatewayPersistentQueue`" + `, every exporter whose queue is on disk keeps
  its own copy of what it could not send (on AWS: traces twice — X-Ray's queue hop and the S3
  archive —, logs twice, metrics once). Over ` + "`gatewayOutageToBuffer`" + ` at the expected load, spread over
  the HPA minimum, each pod needs Σ load × item size × copies × outage ÷ pods (item sizes
  assumed: 600 B per span, 400 B per log record, 100 B per metric point of OTLP protobuf). A
  ` + "`gatewayQueueStorageSize`" + ` whose queue share (3/4) holds less is refused, naming the size needed.

The costs are the higher of two 2-core development hosts of the same kind, measured with the
benchmark's small spans (the faster host measured aws 68.4/20.9/9.2 and azure
38.5/16.9/13.6: the same code costs up to 1.7× as much from host to host): faster nodes do
better, and instrumented spans are bigger. **Calibrate on your nodes**: run
the benchmark on the node type the gateways use, with their CPU limit, once per signal —

    bench/gateway.sh --stack aws-prod --cpus 1 --error-percent 100
    bench/gateway.sh --stack aws-prod --cpus 1 --signal logs
    bench/gateway.sh --stack aws-prod --cpus 1 --signal metrics

— each ends with a line such as
` + "`calibration for these nodes: pulumi config set --stack aws-prod otelfleet:gatewayCpuSecondsPerMillionSpans 61.3`" + `:
set those keys (` + "`gatewayCpuSecondsPerMillionSpans`" + `, ` + "`gatewayCpuSecondsPerMillionLogRecords`" + `,
` + "`gatewayCpuSecondsPerMillionMetricPoints`" + `; 0 or unset keeps the table's figure) and the model
uses them; ` + "`synth`" + ` prints the costs it used and which the stack gave. Without an expected
load, the configured HPA is kept as it is.
`
