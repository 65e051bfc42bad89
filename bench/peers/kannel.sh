#!/usr/bin/env bash
# Kannel 1.4.5 beside smsgate: HTTP sendsms (smsbox :13113) -> bearerbox -> SMPP sink (:12800),
# single-send load with wrk, then one RESULT line. Root, Debian; everything on 127.0.0.1.
#   bench/peers/kannel.sh            env: CONNECTIONS (64), KANNEL_MAX_PENDING_SUBMITS (100),
#                                         SINK_DELAY_MS (0), LOAD_SECONDS (10)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
peer_init kannel
CONNECTIONS="${CONNECTIONS:-64}"
STATUS_URL="http://127.0.0.1:13100/cgi-bin/status.txt?password=adminpw"

ensure_apt_packages kannel wrk curl

# Kannel's file store survives restarts; a previous run's queue must not leak into this one.
rm -f "$WORK"/kannel.store* "$WORK"/logs/*
sed -e "s/@MPS@/${KANNEL_MAX_PENDING_SUBMITS:-100}/" -e "s#@WORK@/kannel#$WORK#g" \
  "$SHARED_PEERS/kannel/kannel.conf.tmpl" >"$WORK/kannel.conf"

start_sink 12800
# -v 2: at the default level Kannel logs every PDU, which would be what we measure.
start_bg bearerbox bearerbox -v 2 kannel.conf
sink_online() { curl -s "$STATUS_URL" | grep -q 'sink\[sink\].*online'; }
wait_until 30 sink_online || die "bearerbox did not bind to the sink (see $WORK/logs)"
start_bg smsbox smsbox -v 2 kannel.conf
wait_until 30 port_open 13113 || die "smsbox did not open sendsms port 13113"
sleep 1

before="$(sink_total)"
run_load kannel http://127.0.0.1:13113 "$CONNECTIONS"
report_load "$before" "$CONNECTIONS"
