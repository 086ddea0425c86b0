# Shared by the bench scripts (sourced). The caller sets: work (its temp dir, configs in
# $work/cfg), otelcol (the collector binary), and an array pids; optionally an array
# run_prefix the collectors start under (e.g. taskset -c 0).

# bench_init STACK: the binaries (the test command's, else the cached builds), a temp dir
# $work removed at exit with every collector started (kept with keep=1), and the stack
# rendered offline into $work/synth.
bench_init() {
  otelcol=${OTELFLEET_OTELCOL:-$(bash tools/otelcol.sh 2>/dev/null | tail -n1)}
  telemetrygen=${OTELFLEET_TELEMETRYGEN:-$(bash tools/telemetrygen.sh 2>/dev/null | tail -n1)}
  work=$(mktemp -d)
  pids=() cgroups=()
  trap bench_cleanup EXIT
  log "rendering stack $1"
  go run . synth --stack "$1" --out "$work/synth" >/dev/null
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in "${cgroups[@]}"; do rmdir "$d" 2>/dev/null || true; done
  if [[ ${keep:-0} == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
}

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
# metric PORT NAME: the sum of every series of NAME on a collector's Prometheus endpoint.
metric() { curl -fsS "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 {s += $NF} END {printf "%d\n", s}'; }
envfile() { local f=$work/cfg/$1.env; if [[ -f $f ]]; then grep -v '^$' "$f" || true; fi; }

started=0
start() { # name health-port: runs the collector, sets $started to its pid, waits for health
  local name=$1 health=$2 e
  mapfile -t e < <(envfile "$name")
  env "${e[@]}" ${run_prefix[@]+"${run_prefix[@]}"} "$otelcol" --config="$work/cfg/$name.yaml" >>"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  started=$pid
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$health/" >/dev/null 2>&1 && return
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$work/$name.log" >&2
  log "$name did not become healthy"; exit 1
}
stop() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }
validate() { # name: the real collector validates $work/cfg/<name>.yaml with its environment
  local e
  mapfile -t e < <(envfile "$1")
  env "${e[@]}" "$otelcol" validate --config="$work/cfg/$1.yaml" >/dev/null 2>"$work/validate-$1.log" \
    || { cat "$work/validate-$1.log" >&2; log "$1.yaml does not validate"; exit 1; }
}

# Totals: keys "<setup>.<field>".
declare -A tot
add() { tot[$1]=$(( ${tot[$1]:-0} + $2 )); }
maxof() { if (( $2 > ${tot[$1]:-0} )); then tot[$1]=$2; fi; }

row() { # label items ticks load_ms hwm_kb lost
  awk -v l="$1" -v n="$2" -v t="$3" -v ms="$4" -v h="$5" -v lost="$6" -v clk="$(getconf CLK_TCK)" 'BEGIN {
    cpu = t / clk
    printf "%-30s %10.0f %9.2f %12.2f %14.0f %9.0f %7s\n", l, n / (ms / 1000), cpu, (n > 0 ? cpu * 1e6 / n : 0), (cpu > 0 ? n / cpu : 0), h / 1024, lost }'
}
row_header() { # [item name, default spans]
  local i=${1:-spans}
  printf '%-30s %10s %9s %12s %14s %9s %7s\n' "setup / process" "$i/s" "CPU-s" "CPU-s/1M" "$i/CPU-s" "peakMiB" "lost"
}

# limiter_ceiling_mib CONFIG: the memory_limiter's limit_mib in a collector config.
limiter_ceiling_mib() { sed -n 's/^ *limit_mib: *\([0-9]*\).*/\1/p' "$1" | head -n1; }

# overload_factor F: exits unless F is 0 (no overload phase) or an integer from 2 to 10.
overload_factor() {
  [[ $1 =~ ^[0-9]+$ ]] && { (( $1 == 0 )) || (( $1 >= 2 && $1 <= 10 )); } \
    || { echo "--overload $1: allowed values are integers 2 to 10 (0: no overload phase)" >&2; exit 2; }
}

# cpu_limit PID CORES: moves the process into a new cgroup whose CPU quota is CORES CPUs (at
# least 1 % of one: the quota set is left in $limited_cores), as a container's CPU limit
# holds it; bench_cleanup removes the cgroup.
cpu_limit() {
  local pid=$1 cores=$2 quota dir
  quota=$(awk -v c="$cores" 'BEGIN { q = int(c * 100000); print (q < 1000 ? 1000 : q) }')
  if [[ -f /sys/fs/cgroup/cgroup.subtree_control ]]; then # cgroup v2
    dir=/sys/fs/cgroup/otelfleet-bench-$$-${#cgroups[@]}
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir "$dir" && echo "$quota 100000" >"$dir/cpu.max"
  elif [[ -d /sys/fs/cgroup/cpu ]]; then # cgroup v1
    dir=/sys/fs/cgroup/cpu/otelfleet-bench-$$-${#cgroups[@]}
    mkdir "$dir" && echo 100000 >"$dir/cpu.cfs_period_us" && echo "$quota" >"$dir/cpu.cfs_quota_us"
  else
    log "no cgroup CPU controller at /sys/fs/cgroup: cannot limit a collector's CPU"; return 1
  fi || { log "cannot create the cgroup $dir (a CPU quota needs root and a writable cgroup fs)"; return 1; }
  cgroups+=("$dir")
  echo "$pid" >"$dir/cgroup.procs"
  limited_cores=$(awk -v q="$quota" 'BEGIN { printf "%.4f", q / 100000 }')
}
