#!/usr/bin/env bash
# Gateway-tier benchmark on loopback, with the real cloud exporters, side by side in one run:
#   (a) the generated gateway of --stack, its exporters pointed at stand-ins of the cloud's
#       services (X-Ray, CloudWatch Logs, S3 / Application Insights: package standin)
#   (b) the seed's gateway for the same cloud (bench/seed-gateway-<cloud>.yaml, only its
#       invalid keys fixed), pointed at the same stand-ins
# telemetrygen sends the same load (--signal: traces, logs or metrics) straight to each gateway (mTLS to the generated
# one, as agents do; plaintext to the seed's, which has no TLS). With --feed agents (traces
# only) it goes through each gateway's own agent instead, as in production: the stack's
# DaemonSet agent (trace-id routing, 8192-span snappy batches over mTLS) in front of the
# generated gateway, the seed's agent (1024-span gzip batches, in plaintext: the seed's
# gateway has no TLS) in front of the seed's; the agents run beside the load generator and
# only the gateways are measured. --error-percent P (default
# 5) of the spans carry status ERROR, the rest none: the generated gateway samples as it
# would in production (the seeds ask for "智能采样" to cut transfer costs) — aws-prod's tail
# sampling keeps the errors and 20 % of the rest, azure-prod's probabilistic sampler 25 %
# of all. --error-percent 100 also marks every span sampling.priority=1, so both keep every
# span (the worst case, e.g. an error storm). Spans a sampler decided against are not lost;
# spans tail sampling had to drop before deciding (too many traces in memory) are. Per
# gateway it reports spans/s accepted, CPU-seconds (utime+stime over the load and the
# drain), CPU-seconds per million spans, spans per CPU-second, peak RSS (VmHWM) and spans
# lost (accepted and kept by the sampler, minus the distinct spans the stand-in received,
# plus every failed send or enqueue; spans received twice — a retried call had reached the
# backend — are counted apart), then
#   generated/seed gateway spans-per-cpu-second ratio: X.XX, lost: N
#
# With --overload F (e.g. 2) a third phase runs after the rounds: the generated gateway
# alone at F times the load, and reports its peak RSS against its memory_limiter ceiling,
# what it refused (the sender's to retry: agents do) and what it dropped (sent nowhere).
#
# With --signal logs or metrics the items are log records or metric points: "lost" is
# then what the CloudWatch Logs / Application Insights stand-in did not receive (metrics:
# what the backend's exporter did not report sent; EMF packs many points in one event),
# plus every failed send or enqueue.
#
#   bench/gateway.sh [--stack aws-prod] [--signal traces] [--duration 20] [--workers 8] [--rate 2000]
#                    [--batch-size 512] [--repeat 3] [--overload 2] [--error-percent 5] [--gateway-patch FILE]
#                    [--gateway-env K=V]... [--cpus N] [--feed direct|agents] [--profile DIR] [--keep]
#
# --cpus N runs both gateways on N CPUs only (taskset), as a pod's CPU limit would: with
# --overload the load then exceeds what the gateway sustains, and the overload line shows
# whether it refuses the excess (senders retry) or drops it.
#
# The line "calibration for these nodes: pulumi config set ..." gives the generated
# gateway's measured cost of the signal as the stack key the capacity model reads
# (gatewayCpuSecondsPerMillion{Spans,LogRecords,MetricPoints}): run the benchmark on the
# node type the gateways run on (with --cpus as their CPU limit) and set it, so the HPA
# floor and target come from your nodes rather than the development hosts. Spans are
# calibrated with --error-percent 100.
#
# --gateway-patch applies a YAML merge patch to the generated gateway before the rewrite,
# --gateway-env adds a variable to its environment (measure a candidate default).
#
# --profile writes a CPU profile of each gateway over its load window to
# DIR/<setup>-<round>.pprof (read them with `go tool pprof -top`; the window is the load's
# duration: a longer one outlives the generated gateway, stopped once it has drained).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stack=aws-prod signal=traces duration=20 workers=8 rate=2000 batch=512 repeat=3 overload=0 gateway_patch="" keep=0 profile=""
error_percent=5 feed=direct
gateway_env=()
run_prefix=() load_prefix=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack=$2; shift 2 ;;
    --signal) signal=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --overload) overload=$2; shift 2 ;;
    --error-percent) error_percent=$2; shift 2 ;;
    --feed) feed=$2; shift 2 ;;
    --gateway-patch) gateway_patch=$(realpath "$2"); shift 2 ;;
    --gateway-env) gateway_env+=("$2"); shift 2 ;;
    --cpus) run_prefix=(taskset -c "0-$(( $2 - 1 ))")
      # the load generator gets the other CPUs, if there are any
      if (( $(nproc) > $2 )); then load_prefix=(taskset -c "$2-$(( $(nproc) - 1 ))"); fi
      shift 2 ;;
    --profile) mkdir -p "$2"; profile=$(realpath "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

[[ $error_percent =~ ^[0-9]+$ ]] && (( error_percent <= 100 )) \
  || { echo "--error-percent $error_percent: allowed values are integers 0 to 100" >&2; exit 2; }
case $feed in
  direct) ;;
  agents) [[ $signal == traces ]] || { echo "--feed agents: --signal traces only (the seed's agent has no logs pipeline, and the stack's agent adds its node's metrics)" >&2; exit 2; } ;;
  *) echo "--feed $feed: allowed values are direct, agents" >&2; exit 2 ;;
esac
case $signal in
  traces) item=spans ;;
  logs) item=log_records ;;
  metrics) item=metric_points ;;
  *) echo "--signal $signal: allowed values are traces, logs, metrics" >&2; exit 2 ;;
esac
# shellcheck source=bench/lib.sh
source bench/lib.sh
overload_factor "$overload"
bench_init "$stack"
go build -o "$work/dataplane" ./bench/dataplane
args=(-tier gateway -synth "$work/synth" -out "$work/cfg")
[[ -n $gateway_patch ]] && args+=(-gateway-patch "$gateway_patch")
"$work/dataplane" "${args[@]}" >"$work/standins.log" 2>&1 &
pids+=("$!")
for _ in $(seq 300); do [[ -f $work/cfg/ready ]] && break; sleep 0.1; done
[[ -f $work/cfg/ready ]] || { cat "$work/standins.log" >&2; log "the stand-ins did not start"; exit 1; }
# shellcheck source=/dev/null
source "$work/cfg/ports.sh"
if (( ${#gateway_env[@]} > 0 )); then printf '%s\n' "${gateway_env[@]}" >>"$work/cfg/gateway.env"; fi
for c in gateway seed agent seedagent; do validate "$c"; done

# The stand-ins' count of this signal's items (metrics: none, EMF packs many points in one
# event; X-Ray: distinct spans, received counts resent ones again), and the exporter that
# must have sent them all.
counted=arrived; [[ $signal == logs ]] && counted=log_events
stand_in_count() { curl -fsS "http://127.0.0.1:$COUNTS_PORT/" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
arrived() { stand_in_count "$counted"; }
received() { local n; n=$(stand_in_count received); echo "${n:-$(arrived)}"; }
case $CLOUD/$signal in
  aws/traces) backend=awsxray ;;
  aws/logs) backend=awscloudwatchlogs ;;
  aws/metrics) backend=awsemf ;;
  azure/*) backend=azure_monitor ;;
esac
if [[ $signal == metrics ]]; then arrived() { echo 0; }; fi
# queued_metric PORT NAME: NAME summed over the exporters with their own sending queue
# ($QUEUED_EXPORTERS, collector.QueuedExporters).
queued_metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v re="$QUEUED_EXPORTERS" '
    index($1, n "{") == 1 && match($0, /exporter="[^"]*"/) {
      e = substr($0, RSTART + 10, RLENGTH - 11); if (e ~ re) s += $NF }
    END {printf "%d\n", s}'
}
# component_metric PORT NAME LABEL=VALUE: NAME summed over the series with that label
# (the gateway's queue hops re-receive what they forward: count the otlp receiver only).
component_metric() { curl -fsS "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v e="$3" 'index($1, n "{") == 1 && index($0, e) {s += $NF} END {printf "%d\n", s}'; }
tls_client=(--ca-cert "$work/cfg/tls/client/ca.crt" --client-cert "$work/cfg/tls/client/tls.crt" --client-key "$work/cfg/tls/client/tls.key" --mtls)

# send_load SETUP PORT FACTOR TLS-FLAGS...: telemetrygen's load for one phase. Traces: two
# generators side by side, --error-percent of the rate with status ERROR, the rest unset.
spans_per_trace=2 # telemetrygen's parent + --child-spans 1
send_load() {
  local setup=$1 port=$2 factor=$3; shift 3
  local common=(--otlp-endpoint "127.0.0.1:$port" "$@" --service bench --workers $(( workers * factor ))
    --batch-size "$batch" --duration "${duration}s")
  (( error_percent == 100 )) && common+=(--telemetry-attributes sampling.priority=1)
  local runs=("--rate $rate")
  if [[ $signal == traces ]]; then
    common+=(--child-spans $(( spans_per_trace - 1 )))
    runs=()
    local err; err=$(awk -v r="$rate" -v p="$error_percent" 'BEGIN {printf "%g", r * p / 100}')
    (( error_percent > 0 )) && runs+=("--rate $err --status-code Error")
    (( error_percent < 100 )) && runs+=("--rate $(awk -v r="$rate" -v e="$err" 'BEGIN {printf "%g", r - e}') --status-code Unset")
  fi
  local i gen=()
  for i in "${!runs[@]}"; do
    # shellcheck disable=SC2086 # each run's flags split on purpose
    ${load_prefix[@]+"${load_prefix[@]}"} "$telemetrygen" "$signal" "${common[@]}" ${runs[$i]} \
      >"$work/telemetrygen-$setup-$i.log" 2>&1 &
    gen+=("$!")
  done
  for i in "${gen[@]}"; do wait "$i" || log "telemetrygen exited non-zero ($setup); see --keep logs"; done
}
# expected SETUP METRICS-PORT ACCEPTED: the items the backend must receive. For the generated
# gateway's traces, what its sampler kept: tail sampling once it decided on every trace
# (until then: everything accepted, so the drain keeps waiting), the probabilistic sampler
# per span as they pass.
expected() {
  if [[ $1 != generated || $signal != traces ]]; then echo "$3"; return; fi
  local tail=otelcol_processor_tail_sampling_global_count_traces_sampled
  local head=otelcol_processor_probabilistic_sampler_count_traces_sampled
  local decided; decided=$(metric "$2" "$tail")
  if (( decided > 0 )); then
    if (( decided * spans_per_trace >= $3 )); then
      # A trace the load generator cut off at its end has one span, not two: never expect
      # more than was accepted.
      local kept=$(( $(component_metric "$2" "$tail" 'sampled="true"') * spans_per_trace ))
      echo $(( kept < $3 ? kept : $3 ))
    else echo "$3"; fi
  elif (( $(metric "$2" "$head") > 0 )); then component_metric "$2" "$head" 'sampled="true"'
  else echo "$3"; fi
}

# agent_flush AGENT-METRICS-PORT GATEWAY-METRICS-PORT: once the load has stopped, waits
# until the gateway accepted every span the agent accepted (the seed's agent batches for up
# to 10 s) or nothing moved for 60 s (an agent the gateway refused retries after up to
# ~45 s: max_interval 30 s plus jitter); sets $agent_short to what never reached the gateway.
agent_flush() {
  local want got last=-1 still=0
  want=$(component_metric "$1" otelcol_receiver_accepted_spans 'receiver="otlp"')
  for _ in $(seq 300); do
    got=$(component_metric "$2" otelcol_receiver_accepted_spans 'receiver="otlp"')
    (( got >= want )) && break
    if (( got == last )); then still=$((still + 1)); (( still >= 60 )) && break; else still=0 last=$got; fi
    sleep 1
  done
  agent_short=$(( want > got ? want - got : 0 ))
}

run_phase() { # setup port metrics-port health-port pprof-port round factor
  local setup=$1 port=$2 mport=$3 hport=$4 pport=$5 round=$6 factor=${7:-1}
  rm -rf "$work/cfg/queue-$setup"
  mkdir -p "$work/cfg/queue-$setup"
  local name=$setup; [[ $setup == generated ]] && name=gateway
  start "$name" "$hport"; local gw=$started
  local tls=(--otlp-insecure); [[ $setup == generated ]] && tls=("${tls_client[@]}")
  local ag="" agent_metrics agent_short=0
  if [[ $feed == agents ]]; then
    # The gateway's own agent takes the load, on the load generator's CPUs.
    local agent=seedagent; [[ $setup == generated ]] && agent=agent
    local otlp=${agent^^}_OTLP; port=${!otlp}; tls=(--otlp-insecure)
    agent_metrics=${agent^^}_METRICS
    local saved=("${run_prefix[@]}"); run_prefix=("${load_prefix[@]}")
    local health=${agent^^}_HEALTH; start "$agent" "${!health}"; ag=$started
    run_prefix=("${saved[@]}")
  fi
  local before before_all g0; before=$(arrived); before_all=$(received); g0=$(cpu_ticks "$gw")
  local sampler
  ( while kill -0 "$gw" 2>/dev/null; do rss_kb "$gw"; sleep 0.5; done ) >"$work/rss-$setup" 2>/dev/null &
  sampler=$!
  if [[ -n $profile ]]; then
    curl -fsS -o "$profile/$setup-$round.pprof" "http://127.0.0.1:$pport/debug/pprof/profile?seconds=$duration" &
  fi
  send_load "$setup" "$port" "$factor" "${tls[@]}"
  if [[ -n $ag ]]; then agent_flush "${!agent_metrics}" "$mport"; fi
  local accepted refused; accepted=$(component_metric "$mport" "otelcol_receiver_accepted_$item" 'receiver="otlp"')
  refused=$(component_metric "$mport" "otelcol_receiver_refused_$item" 'receiver="otlp"')
  # Drain: until the backend has what the gateway accepted (and its sampler kept), or
  # nothing moved for 15 s with the queues empty (tail sampling waits before deciding).
  local sent=0 got=0 want=0 last=-1 still=0
  for _ in $(seq 180); do
    sent=$(component_metric "$mport" "otelcol_exporter_sent_$item" "exporter=\"$backend\"")
    got=$(( $(arrived) - before ))
    [[ $signal == metrics ]] && got=$sent
    want=$(expected "$setup" "$mport" "$accepted")
    (( got >= want )) && break
    # Stalled: nothing arrived for 15 s and nothing waits in a queue (a queue hop retrying
    # a timed-out X-Ray call is not a stall).
    if (( got == last )); then
      still=$((still + 1))
      (( still >= 15 && $(metric "$mport" otelcol_exporter_queue_size) == 0 )) && break
    else still=0; last=$got; fi
    sleep 1
  done
  # Lost for good: what the exporters with their own queue gave up on or could not queue
  # (the exporters behind a queue hop fail attempts the hop retries: not counted, as in
  # the dropping-data alarm).
  local failed; failed=$(( $(queued_metric "$mport" "otelcol_exporter_send_failed_$item") + $(queued_metric "$mport" "otelcol_exporter_enqueue_failed_$item") ))
  local g1; g1=$(cpu_ticks "$gw")
  local key=$setup; (( factor > 1 )) && key=overload
  add "$key.spans" "$accepted"; add "$key.refused" "$refused"; add "$key.failed" "$failed"
  local early; early=$(( $(metric "$mport" otelcol_processor_tail_sampling_sampling_trace_dropped_too_early) * spans_per_trace ))
  local dup=0; [[ $signal == traces ]] && dup=$(( $(received) - before_all - got ))
  add "$key.lost" $(( (want > got ? want - got : 0) + failed + early + agent_short )); add "$key.dup" "$dup"
  [[ $setup == generated && $signal == traces ]] && add "$key.kept" "$(expected "$setup" "$mport" "$accepted")"
  add "$key.ticks" $(( g1 - g0 )); add "$key.load_ms" $(( duration * 1000 ))
  maxof "$key.hwm" "$(hwm_kb "$gw")"
  log "$setup x$factor: accepted $accepted $item in ${duration}s, refused $refused, $backend sent $sent, arrived $got (+$dup resent), failed $failed, dropped before a sampling decision $early, never left the agent $agent_short, $(( g1 - g0 )) ticks"
  if [[ -n $ag ]]; then stop "$ag"; fi
  stop "$gw"; kill "$sampler" 2>/dev/null || true
}

for r in $(seq "$repeat"); do
  log "round $r/$repeat"
  run_phase generated "$GATEWAY_OTLP" "$GATEWAY_METRICS" "$GATEWAY_HEALTH" "$GATEWAY_PPROF" "$r"
  run_phase seed "$SEED_OTLP" "$SEED_METRICS" "$SEED_HEALTH" "$SEED_PPROF" "$r"
done
if (( overload > 1 )); then
  log "overload: the generated gateway at ${overload}x the load"
  run_phase generated "$GATEWAY_OTLP" "$GATEWAY_METRICS" "$GATEWAY_HEALTH" "$GATEWAY_PPROF" overload "$overload"
fi

feed_note="straight to each gateway"; [[ $feed == agents ]] && feed_note="through each gateway's own agent"
printf '\nstack %s (%s), gateway tier with the real exporters to stand-ins, %s x %ss of telemetrygen '"$signal"' %s (%s workers x rate %s, batch %s)%s\n' \
  "$stack" "$CLOUD" "$repeat" "$duration" "$feed_note" "$workers" "$rate" "$batch" "${gateway_patch:+, gateway patch $(basename "$gateway_patch")}${gateway_env[*]:+, gateway env ${gateway_env[*]}}${run_prefix[*]:+, gateways on ${run_prefix[*]}}"
row_header "$item"
for s in generated seed; do
  row "($s) gateway" "${tot[$s.spans]}" "${tot[$s.ticks]}" "${tot[$s.load_ms]}" "${tot[$s.hwm]}" "${tot[$s.lost]}"
done
if [[ $signal == traces ]]; then
  printf 'spans with status ERROR: %s %%; the generated gateway kept (its sampler) %s of %s spans (%s %%), the seed sends all\n' \
    "$error_percent" "${tot[generated.kept]:-0}" "${tot[generated.spans]}" "$(( ${tot[generated.kept]:-0} * 100 / (${tot[generated.spans]} > 0 ? ${tot[generated.spans]} : 1) ))"
fi
printf 'refused at the gateway: generated %s, seed %s; failed sends: generated %s, seed %s\n' \
  "${tot[generated.refused]}" "${tot[seed.refused]}" "${tot[generated.failed]}" "${tot[seed.failed]}"
if (( overload > 1 )); then
  ceiling=$(limiter_ceiling_mib "$work/cfg/gateway.yaml")
  row "(generated) at ${overload}x" "${tot[overload.spans]}" "${tot[overload.ticks]}" "${tot[overload.load_ms]}" "${tot[overload.hwm]}" "${tot[overload.lost]}"
  printf 'at %sx: peak RSS %s MiB against the memory_limiter ceiling of %s MiB; refused (the senders retry) %s, lost %s\n' \
    "$overload" "$(( ${tot[overload.hwm]} / 1024 ))" "${ceiling:-?}" "${tot[overload.refused]}" "${tot[overload.lost]}"
  [[ $signal == traces ]] && printf 'at %sx: spans the backend received twice (a retried call had reached it: delivery is at least once) %s\n' \
    "$overload" "${tot[overload.dup]}"
fi
# The capacity model's cost of this signal on this machine (stacks/plan, the
# gatewayCpuSecondsPerMillion* keys): spans are costed with every span kept.
declare -A cost_key=([traces]=Spans [logs]=LogRecords [metrics]=MetricPoints)
if [[ $signal != traces || $error_percent == 100 ]]; then
  awk -v n="${tot[generated.spans]}" -v t="${tot[generated.ticks]}" -v clk="$(getconf CLK_TCK)" -v k="${cost_key[$signal]}" -v s="$stack" \
    'BEGIN { if (n > 0 && t > 0) printf "calibration for these nodes: pulumi config set --stack %s otelfleet:gatewayCpuSecondsPerMillion%s %.1f\n", s, k, t / clk * 1e6 / n }'
else
  echo "calibration: run with --error-percent 100 (the capacity model costs a span with every span kept)"
fi
awk -v gn="${tot[generated.spans]}" -v gt="${tot[generated.ticks]}" -v sn="${tot[seed.spans]}" -v st="${tot[seed.ticks]}" \
  -v lost=$(( ${tot[generated.lost]} + ${tot[seed.lost]} )) \
  'BEGIN { r = (gt > 0 && st > 0 && sn > 0) ? sprintf("%.2f", (gn / gt) / (sn / st)) : "n/a (a gateway used under one CPU tick: run longer)"
          printf "generated/seed gateway '"$item"'-per-cpu-second ratio: %s, lost: %d\n", r, lost }'
