# Shared by the peer scripts (sourced, not run): process bookkeeping, the SMPP sink, the wrk load
# and the RESULT line. Every process a peer script starts is recorded here and stopped by PID on
# exit, whatever way the script exits.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED_PEERS="${SHARED_PEERS:-/work/shared/peers}"
SINK_SCRIPT="$SHARED_PEERS/jasmin/smpp_sink.py"
LOAD_SECONDS="${LOAD_SECONDS:-10}"
LOAD_THREADS="${LOAD_THREADS:-2}"
DRAIN_TIMEOUT_S="${DRAIN_TIMEOUT_S:-180}"

STARTED_PIDS=()

log() { echo "[$PEER] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# peer_init NAME: a clean work dir for this run (bench/.work/NAME unless PEER_WORK is set).
peer_init() {
  PEER="$1"
  WORK="${PEER_WORK:-$BENCH_DIR/.work/$PEER}"
  mkdir -p "$WORK/logs"
  trap stop_started EXIT
  trap 'exit 130' INT TERM
}

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -q >&2
    # policy-rc.d on this machine keeps the packages' own services from starting.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

# start_bg NAME COMMAND...: run in the background from $WORK, output to logs/NAME.out.
start_bg() {
  local name="$1"; shift
  (cd "$WORK" && exec "$@") >"$WORK/logs/$name.out" 2>&1 &
  STARTED_PIDS+=("$!")
  echo "$!" >"$WORK/$name.pid"
  log "started $name (pid $!)"
}

stop_started() {
  local i pid
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${STARTED_PIDS[$i]}"
    kill -0 "$pid" 2>/dev/null || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 10 s, killing it"
      kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.25 s until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_sink() {
  SINK_LOG="$WORK/logs/sink.out"
  start_bg sink python3 "$SINK_SCRIPT" --host 127.0.0.1 --port "$1" --delay-ms "${SINK_DELAY_MS:-0}"
  wait_until 10 port_open "$1" || die "SMPP sink did not listen on port $1"
}

sink_bound() { grep -q "^bind from" "$SINK_LOG"; }

# The sink prints a cumulative "total=" once a second while submit_sm keep arriving.
sink_total() { awk 'match($0, /total=[0-9]+/) {v = substr($0, RSTART + 6, RLENGTH - 6)} END {print v + 0}' "$SINK_LOG"; }

# Its burst_rate is measured from the first to the last submit_sm of a burst (a burst starts after
# 2 s without traffic), so the load must not start within 2 s of a warm-up message.
sink_burst_rate() { awk 'match($0, /burst_rate=[0-9.]+/) {v = substr($0, RSTART + 11, RLENGTH - 11)} END {print v + 0}' "$SINK_LOG"; }

sink_reached() { (($(sink_total) >= $1)); }

field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2; exit}'; }

# run_load TARGET BASE_URL CONNECTIONS: wrk with bench/load/send.lua, sets LOAD_SUMMARY.
run_load() {
  log "load: wrk -t$LOAD_THREADS -c$3 -d${LOAD_SECONDS}s against $2"
  # As in wrk.py: a 30 s timeout keeps slow answers in the latency histogram.
  LOAD_SUMMARY="$(wrk -t"$LOAD_THREADS" -c"$3" -d"${LOAD_SECONDS}s" --latency --timeout 30s \
    -s "$BENCH_DIR/load/send.lua" "$2" -- "$1" | grep '^SUMMARY')" || die "wrk failed"
  log "$LOAD_SUMMARY"
}

# report_load SINK_BEFORE CONNECTIONS: wait for the accepted messages to reach the sink, then print
# a DETAIL line, the RESULT line and write bench/results/PEER-TIMESTAMP.json.
report_load() {
  local before="$1" conns="$2" accepted p99 rate received drained=true
  accepted="$(field accepted "$LOAD_SUMMARY")"
  if ! wait_until "$DRAIN_TIMEOUT_S" sink_reached $((before + accepted)); then
    drained=false
    log "sink got $(($(sink_total) - before)) of $accepted after ${DRAIN_TIMEOUT_S} s"
  fi
  sleep 1.5 # the sink's reporter prints its final line within a second
  received=$(($(sink_total) - before))
  rate="$(sink_burst_rate)"
  p99="$(field p99_ms "$LOAD_SUMMARY")"
  echo "DETAIL peer=$PEER connections=$conns sink_received=$received drained=$drained $LOAD_SUMMARY"
  echo "RESULT peer=$PEER accepted_per_s=$(field accepted_per_s "$LOAD_SUMMARY") p99_ms=$p99 reaching_sink_per_s=$rate"
  write_json "$conns" "$received" "$drained" "$rate"
}

write_json() {
  local out
  mkdir -p "$BENCH_DIR/results"
  out="$BENCH_DIR/results/$PEER-$(date -u +%Y%m%dT%H%M%SZ).json"
  python3 - "$out" "$PEER" "$1" "$2" "$3" "$4" "$LOAD_SUMMARY" <<'PY'
import json, os, sys
out, peer, conns, received, drained, rate, summary = sys.argv[1:]
load = {k: float(v) for k, v in (kv.split("=") for kv in summary.split()[1:])}
result = {
    "peer": peer,
    "connections": int(conns),
    "accepted_per_s": load["accepted_per_s"],
    "p99_ms": load["p99_ms"],
    "reaching_sink_per_s": float(rate),
    "sink_received": int(received),
    "drained": drained == "true",
    "load": load,
    "cpus": os.cpu_count(),
}
with open(out, "w") as f:
    json.dump(result, f, indent=2)
PY
  log "wrote $out"
}
