#!/usr/bin/env bash
# Jasmin 0.11.1 beside smsgate: HTTP /send (:1401) -> RabbitMQ -> SMPP client -> SMPP sink (:2776),
# single-send load with wrk, then one RESULT line. Reuses the Redis (db 9) and RabbitMQ (own vhost)
# already running on 127.0.0.1; everything else is started here and stopped on exit.
#   bench/peers/jasmin.sh            env: CONNECTIONS (64), SINK_DELAY_MS (0), LOAD_SECONDS (10),
#                                         JASMIN_GIT_DIR (a clone of jookies/jasmin, for the AMQP spec)
#   JASMIN_LOAD=smpp bench/peers/jasmin.sh   instead of the HTTP load, a customer binds to
#                                         Jasmin's SMPP server (:2775) and submits ESME_COUNT
#                                         (20000) with a window of ESME_WINDOW (100)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
peer_init jasmin
CONNECTIONS="${CONNECTIONS:-64}"
JASMIN_GIT_DIR="${JASMIN_GIT_DIR:-/work/.mirror/jookies+jasmin/repo}"
VHOST=jasmin_bench
VENV="$WORK/venv"
ROOT="$WORK/root"

ensure_apt_packages wrk curl
if [[ ! -x "$VENV/bin/jasmind.py" ]]; then
  log "installing jasmin 0.11.1 into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'jasmin==0.11.1' >&2
fi

# A fresh config tree each run: jasmind reloads whatever a previous run persisted in store/.
rm -rf "$ROOT" "$WORK"/logs/*
mkdir -p "$ROOT/etc/jasmin/resource" "$ROOT/etc/jasmin/store" "$ROOT/var/log/jasmin"
# The wheel does not ship the AMQP 0-9-1 spec that txamqp needs; Jasmin's repository does.
git --git-dir="$JASMIN_GIT_DIR" show HEAD:misc/config/resource/amqp0-9-1.xml \
  >"$ROOT/etc/jasmin/resource/amqp0-9-1.xml" ||
  die "no AMQP spec: point JASMIN_GIT_DIR at a clone of github.com/jookies/jasmin"
sed -e "s#@ROOT@#$ROOT#g" -e 's/^dbid = 0$/dbid = 9/' -e "/^\[amqp-broker\]/a vhost = $VHOST" \
  "$SHARED_PEERS/jasmin/etc/jasmin.cfg" >"$ROOT/etc/jasmin/jasmin.cfg"

# Jasmin's queues are not durable, but a crashed run could leave messages behind: start from an
# empty vhost of our own rather than touching the broker's default one.
if rabbitmqctl -q list_vhosts | grep -qx "$VHOST"; then rabbitmqctl -q delete_vhost "$VHOST" >&2; fi
rabbitmqctl -q add_vhost "$VHOST" >&2
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >&2

start_sink 2776
start_bg jasmind env ROOT_PATH="$ROOT" "$VENV/bin/python" "$VENV/bin/jasmind.py" \
  -c "$ROOT/etc/jasmin/jasmin.cfg" --username jcliadmin --password jclipwd
wait_until 60 port_open 8990 || die "jasmind did not open jCli (see $WORK/logs/jasmind.out)"
wait_until 60 port_open 1401 || die "jasmind did not open its HTTP API"
python3 "$SHARED_PEERS/jasmin/jcli_setup.py" >"$WORK/logs/jcli_setup.out" 2>&1
wait_until 30 sink_bound || die "Jasmin's SMPP client did not bind to the sink"

# One warm-up message proves the route works; then 3 s of quiet so the sink's burst starts afresh.
smoke="$(curl -s 'http://127.0.0.1:1401/send?username=foo&password=bar&to=48510000000&content=warmup')"
[[ "$smoke" == Success* ]] || die "warm-up /send answered: $smoke"
wait_until 10 sink_reached 1 || die "warm-up message never reached the sink"
sleep 3

if [[ "${JASMIN_LOAD:-http}" == smpp ]]; then
  count="${ESME_COUNT:-20000}"
  window="${ESME_WINDOW:-100}"
  log "load: esme_bench.py, $count submit_sm with a window of $window to :2775"
  line="$(python3 "$SHARED_PEERS/jasmin/esme_bench.py" --port 2775 --user foo --password bar \
    --window "$window" --count "$count" | grep '^RESULT')" || die "esme_bench failed"
  log "$line"
  echo "RESULT peer=jasmin-smpp-server window=$window count=$count acknowledged_per_s=$(
    grep -o 'ack_rate=[0-9.]*' <<<"$line" | cut -d= -f2)"
  exit 0
fi

before="$(sink_total)"
run_load jasmin http://127.0.0.1:1401 "$CONNECTIONS"
report_load "$before" "$CONNECTIONS"
