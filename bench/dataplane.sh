#!/usr/bin/env bash
# Data-plane benchmark on loopback, side by side in one run:
#   (a) the generated DaemonSet agent → the generated gateway → sink
#   (b) the seed's agent (bench/seed-agent.yaml)  → the generated gateway → sink
# Both agents get the same telemetrygen load (traces, fixed per-worker rate, fixed
# duration) and export over mTLS to the same gateway config and the same sink. The configs
# run as generated, through the end-to-end tests' loopback transform (bench/dataplane →
# loopback.Rewrite). Per collector process it reports spans/s, CPU-seconds (utime+stime
# from /proc/<pid>/stat: agents over the load + 2 s, the gateway over load and drain),
# CPU-seconds per million spans, spans per CPU-second, peak RSS (VmHWM) and spans lost
# (accepted by the agent, never counted by the sink), then the line
#   generated/seed spans-per-cpu-second ratio: X.XX, lost: N
# (the ratio is "n/a ..." when a run is too short for an agent to use one CPU tick)
#
#   bench/dataplane.sh [--stack aws-prod] [--duration 20] [--workers 8] [--rate 2000]
#                      [--batch-size 512] [--padding BYTES] [--repeat 3]
#                      [--agent-patch FILE] [--gateway-patch FILE] [--agent-env K=V]...
#                      [--profile DIR] [--idle 60] [--pin] [--overload 2] [--keep]
#
# --idle first measures the generated agent with no load for that many seconds (its node
# metric presets still scrape: host_metrics every 30 s; kubelet_stats and the Prometheus pod
# discovery need a kubelet and an API server and are left out here), so a node's baseline
# cost of the agent is printed beside its cost under load.
#
# --rate is per telemetrygen worker (its limiter tops out near 2000/s per worker; the
# achieved load is what the table shows). Traces carry status ERROR so the gateway's tail
# sampler keeps every one and "lost" counts only real losses. The default load stays below
# the generated gateway's tail-sampling capacity (num_traces / decision_wait); above it the
# gateway drops traces "too early" and the lost column says so. --agent-patch applies a
# YAML merge patch to the generated agent before the rewrite (measure a candidate default;
# examples in bench/variants/). --padding adds a span attribute of that many bytes (span
# size). --agent-env adds a variable to the generated agent's container environment (e.g.
# GOGC=400). --repeat alternates (a) and (b) and sums the runs. --profile writes a CPU
# profile of each agent over its load window to DIR/<setup>-<round>.pprof (both agents
# serve pprof on loopback; read them with `go tool pprof -top`). --pin runs the agent under
# test alone on CPU 0 and the gateway, sink and load generator on the other CPUs (taskset),
# so neither agent's CPU per span depends on what the gateway does to the shared cores
# (unpinned, the seed agent's gzip varies by ±20 % from run to run).
#
# --overload F adds a last phase: the generated agent alone under a CPU quota (a cgroup,
# as a pod's CPU limit holds it) of 1/F of the CPU the rounds' load cost it, so it is
# offered F times the load it sustains, the memory_limiter ceiling as generated. It
# reports the agent's peak RSS against that ceiling, what it refused (the senders' to
# retry: application SDKs do) and what it lost (accepted, never reached the sink):
#   agent at Fx: peak RSS X MiB against the memory_limiter ceiling of Y MiB; refused R, lost L
# It needs a writable cgroup CPU controller (v1 or v2; root on this machine has one).
#
# bench/dataplane.sh --tier gateway [ARGS...] runs the gateway tier with its real cloud
# exporters to the stand-ins instead: the same as bench/gateway.sh ARGS (see its header).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ${1:-} == --tier ]]; then
  case ${2:-} in
    agent) shift 2 ;;
    gateway) shift 2; exec bash bench/gateway.sh "$@" ;;
    *) echo "--tier ${2:-}: allowed values are agent, gateway" >&2; exit 2 ;;
  esac
fi

stack=aws-prod duration=20 workers=8 rate=2000 batch=512 padding=0 repeat=3 pin=0 agent_patch="" gateway_patch="" keep=0 profile="" idle=60 overload=0
agent_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --padding) padding=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --agent-patch) agent_patch=$(realpath "$2"); shift 2 ;;
    --gateway-patch) gateway_patch=$(realpath "$2"); shift 2 ;;
    --agent-env) agent_env+=("$2"); shift 2 ;;
    --profile) mkdir -p "$2"; profile=$(realpath "$2"); shift 2 ;;
    --pin) pin=1; shift ;;
    --overload) overload=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib.sh
source bench/lib.sh
overload_factor "$overload"
bench_init "$stack"
args=(-synth "$work/synth" -out "$work/cfg")
[[ -n $agent_patch ]] && args+=(-agent-patch "$agent_patch")
[[ -n $gateway_patch ]] && args+=(-gateway-patch "$gateway_patch")
go run ./bench/dataplane "${args[@]}"
# shellcheck source=/dev/null
source "$work/cfg/ports.sh"
if (( ${#agent_env[@]} > 0 )); then printf '%s\n' "${agent_env[@]}" >>"$work/cfg/agent.env"; fi

for c in sink gateway agent seed; do validate "$c"; done

clk=$(getconf CLK_TCK)
span_attrs=(--telemetry-attributes sampling.priority=1)
if (( padding > 0 )); then span_attrs+=(--telemetry-attributes "padding=\"$(head -c "$padding" /dev/zero | tr '\0' x)\""); fi
idle_ticks=0 idle_hwm=0
agent_prefix=() rest_prefix=()
if (( pin )); then
  (( $(nproc) >= 2 )) || { echo "--pin needs at least 2 CPUs" >&2; exit 2; }
  agent_prefix=(taskset -c 0) rest_prefix=(taskset -c "1-$(( $(nproc) - 1 ))")
fi

run_phase() { # setup agent-config otlp-port metrics-port health-port pprof-port round [cpu-quota]
  local setup=$1 agent=$2 port=$3 mport=$4 hport=$5 pport=$6 round=$7 quota=${8:-}
  rm -rf "$work/cfg/queue"
  local sink gw ag
  run_prefix=("${rest_prefix[@]}")
  start sink "$SINK_HEALTH"; sink=$started
  start gateway "$GATEWAY_HEALTH"; gw=$started
  run_prefix=("${agent_prefix[@]}")
  start "$agent" "$hport"; ag=$started
  if [[ -n $quota ]]; then cpu_limit "$ag" "$quota" || exit 1; fi
  if [[ $setup == generated && $round == 1 && $idle -gt 0 ]]; then
    local i0; i0=$(cpu_ticks "$ag")
    sleep "$idle"
    idle_ticks=$(( $(cpu_ticks "$ag") - i0 )); idle_hwm=$(hwm_kb "$ag")
    log "generated agent idle for ${idle}s: $idle_ticks ticks, peak RSS $(( idle_hwm / 1024 )) MiB"
  fi
  local a0 g0 s0; a0=$(cpu_ticks "$ag"); g0=$(cpu_ticks "$gw"); s0=$(cpu_ticks "$sink")
  if [[ -n $profile ]]; then
    curl -fsS -o "$profile/$setup-$round.pprof" "http://127.0.0.1:$pport/debug/pprof/profile?seconds=$duration" &
  fi
  ${rest_prefix[@]+"${rest_prefix[@]}"} "$telemetrygen" traces --otlp-endpoint "127.0.0.1:$port" --otlp-insecure --service bench \
    --workers "$workers" --rate "$rate" --batch-size "$batch" --duration "${duration}s" \
    --status-code Error "${span_attrs[@]}" >"$work/telemetrygen-$setup.log" 2>&1 \
    || log "telemetrygen exited non-zero ($setup); see --keep logs"
  # The agent's work ends with the load (plus its batch timeout): its CPU is read 2 s
  # later, so its idle ticks during the gateway's drain do not count. The gateway's and
  # sink's CPU is read after the drain.
  sleep 2
  local a1; a1=$(cpu_ticks "$ag")
  local accepted refused; accepted=$(metric "$mport" otelcol_receiver_accepted_spans); refused=$(metric "$mport" otelcol_receiver_refused_spans)
  # Drain: until the sink has everything, or nothing moved for 12 s (tail sampling waits 10 s).
  local got=0 last=-1 still=0
  for _ in $(seq 120); do
    got=$(metric "$SINK_METRICS" otelcol_receiver_accepted_spans)
    (( got >= accepted )) && break
    if (( got == last )); then still=$((still + 1)); (( still >= 12 )) && break; else still=0; last=$got; fi
    sleep 1
  done
  local g1 s1; g1=$(cpu_ticks "$gw"); s1=$(cpu_ticks "$sink")
  add "$setup.spans" "$accepted"; add "$setup.refused" "$refused"; add "$setup.lost" $(( accepted - got ))
  add "$setup.agent_ticks" $(( a1 - a0 )); add "$setup.gw_ticks" $(( g1 - g0 )); add "$setup.sink_ticks" $(( s1 - s0 ))
  add "$setup.load_ms" $(( duration * 1000 ))
  maxof "$setup.agent_hwm" "$(hwm_kb "$ag")"; maxof "$setup.gw_hwm" "$(hwm_kb "$gw")"
  log "$setup: accepted $accepted spans in ${duration}s, refused $refused, arrived $got, agent $(( a1 - a0 )) ticks, gateway $(( g1 - g0 )) ticks"
  stop "$ag"; stop "$gw"; stop "$sink"
}

for r in $(seq "$repeat"); do
  log "round $r/$repeat"
  run_phase generated agent "$AGENT_OTLP" "$AGENT_METRICS" "$AGENT_HEALTH" "$AGENT_PPROF" "$r"
  run_phase seed seed "$SEED_OTLP" "$SEED_METRICS" "$SEED_HEALTH" "$SEED_PPROF" "$r"
done

if (( overload > 1 )); then
  # The agent's CPU per second of the rounds' load, over F: it then sustains 1/F of the load.
  quota=$(awk -v t="${tot[generated.agent_ticks]}" -v clk="$clk" -v ms="${tot[generated.load_ms]}" -v f="$overload" \
    'BEGIN { printf "%.4f", t / clk / (ms / 1000) / f }')
  log "overload: the generated agent under a CPU quota of $quota cores (1/${overload} of what the load cost it)"
  run_phase overload agent "$AGENT_OTLP" "$AGENT_METRICS" "$AGENT_HEALTH" "$AGENT_PPROF" 1 "$quota"
fi

printf '\nstack %s, %s x %ss of telemetrygen traces (%s workers x rate %s, batch %s, padding %s B)%s%s%s\n' \
  "$stack" "$repeat" "$duration" "$workers" "$rate" "$batch" "$padding" "${agent_prefix[*]:+, agents pinned to CPU 0}" \
  "${agent_patch:+, agent patch $(basename "$agent_patch")}${agent_env[*]:+, agent env ${agent_env[*]}}" "${gateway_patch:+, gateway patch $(basename "$gateway_patch")}"
row_header
for s in generated seed; do
  row "($s) agent" "${tot[$s.spans]}" "${tot[$s.agent_ticks]}" "${tot[$s.load_ms]}" "${tot[$s.agent_hwm]}" "${tot[$s.lost]}"
  row "($s) gateway" "${tot[$s.spans]}" "${tot[$s.gw_ticks]}" "${tot[$s.load_ms]}" "${tot[$s.gw_hwm]}" "-"
done
printf 'refused at the agent: generated %s, seed %s\n' "${tot[generated.refused]}" "${tot[seed.refused]}"
if (( overload > 1 )); then
  ceiling=$(limiter_ceiling_mib "$work/cfg/agent.yaml")
  row "(generated) agent at ${overload}x" "${tot[overload.spans]}" "${tot[overload.agent_ticks]}" "${tot[overload.load_ms]}" "${tot[overload.agent_hwm]}" "${tot[overload.lost]}"
  printf 'agent at %sx (CPU quota %s cores): peak RSS %s MiB against the memory_limiter ceiling of %s MiB; refused %s, lost %s\n' \
    "$overload" "$limited_cores" "$(( ${tot[overload.agent_hwm]} / 1024 ))" "${ceiling:-?}" "${tot[overload.refused]}" "${tot[overload.lost]}"
fi
if (( idle > 0 )); then
  awk -v t="$idle_ticks" -v s="$idle" -v h="$idle_hwm" -v clk="$clk" \
    'BEGIN { printf "generated agent on an idle node (metric presets on, %ds): %.1f millicores, peak RSS %.0f MiB\n", s, 1000 * t / clk / s, h / 1024 }'
fi
awk -v gn="${tot[generated.spans]}" -v gt="${tot[generated.agent_ticks]}" -v sn="${tot[seed.spans]}" -v st="${tot[seed.agent_ticks]}" \
  -v lost=$(( ${tot[generated.lost]} + ${tot[seed.lost]} )) \
  'BEGIN { r = (gt > 0 && st > 0 && sn > 0) ? sprintf("%.2f", (gn / gt) / (sn / st)) : "n/a (an agent used under one CPU tick: run longer)"
          printf "generated/seed spans-per-cpu-second ratio: %s, lost: %d\n", r, lost }'
