#!/usr/bin/env bash
# CareLine SIP load benchmark (a benchmark, not a test): SIPp places CALLS calls at RATE per
# second into `careline serve --demo` (SQLite), each held HOLD seconds with RTP both ways (SIPp
# streams PCMU audio in, CareLine sends its prompts and then 20 ms silence packets out), then
# hangs up. Reports calls held at once, failed calls, call setup time (INVITE to 200) p50/p99
# from SIPp's own response-time trace, RTP packets CareLine sent more than 5 ms after their
# slot (its own counter, /metrics), and the server's CPU and memory per call.
# docs/performance.md, "SIP and RTP".
#
#   load/sip_load.sh [CALLS] [RATE] [HOLD]   CALLS (1000), RATE calls/s (100), HOLD s (30)
#   BENCH_TARGET=sipp load/sip_load.sh …     the same load against SIPp's own UAS with
#                                             -rtp_echo, as the reference
#
# Knobs (environment): BENCH_BIN (a careline binary instead of cargo build --release),
# BENCH_KEEP=1 (keep the work directory), BENCH_SIP_PORT (free port), BENCH_MEDIA_THREADS,
# BENCH_RECORD=1 (the practice records every call: reports the recording's rows and bytes).
# Needs sipp (Debian sip-tester) and python3. Loopback only. Exit 1 when a call failed.
set -euo pipefail
# shellcheck source=load/lib.sh
source "$(dirname "$0")/lib.sh"

CALLS=${1:-1000}
RATE=${2:-100}
HOLD=${3:-30}
TARGET=${BENCH_TARGET:-careline}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v sipp >/dev/null || { say "sipp is not installed (apt-get install sip-tester)"; exit 2; }

WORK=$(mktemp -d /tmp/careline-sipload.XXXXXX)
SERVER_PID=
SERVER_LOG=$WORK/server.log
cleanup() {
  stop_server
  [[ -n ${BENCH_KEEP:-} ]] && say "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SIP_PORT=${BENCH_SIP_PORT:-$(free_udp_port)}
HTTP_PORT=$(free_udp_port)

# The caller's audio: one second of a 300 Hz tone as raw µ-law, looped by SIPp.
python3 - "$WORK/caller.ulaw" <<'PY'
import math, sys
def ulaw(s):
    s = max(-32635, min(32635, s)); sign = 0x80 if s < 0 else 0; s = abs(s) + 0x84
    exp = 7
    for e in range(7, -1, -1):
        if s & (0x4000 >> (7 - e)): exp = e; break
    mant = (s >> (exp + 3)) & 0x0F
    return (~(sign | (exp << 4) | mant)) & 0xFF
open(sys.argv[1], "wb").write(bytes(ulaw(int(3000 * math.sin(2 * math.pi * 300 * i / 8000))) for i in range(8000)))
PY
sed -e "s#AUDIO_FILE#$WORK/caller.ulaw#" -e "s#HOLD_MS#$((HOLD * 1000))#" \
  "$ROOT/load/sipp/load_uac.xml" > "$WORK/load_uac.xml"

if [[ $TARGET == careline ]]; then
  if [[ -n ${BENCH_BIN:-} ]]; then BIN=$BENCH_BIN; else
    (cd "$ROOT" && cargo build --release --quiet) ; BIN=$ROOT/target/release/careline
  fi
  # The menu with long timeouts, so a caller who listens and presses nothing is not sent
  # to an agent during the hold.
  sed -e 's/^first_digit_timeout_secs = .*/first_digit_timeout_secs = 3600/' \
      -e 's/^inactivity_timeout_secs = .*/inactivity_timeout_secs = 3600/' \
      -e 's/^max_call_secs = .*/max_call_secs = 7200/' \
      -e 's/^max_timeouts = .*/max_timeouts = 100/' \
      "$ROOT/crates/careline-call/src/default_ivr.toml" > "$WORK/ivr.toml"
  if [[ -n ${BENCH_RECORD:-} ]]; then
    printf '\n[practice.recording]\nenabled = true\nretention_days = 1\n' >> "$WORK/ivr.toml"
  fi
  (cd "$WORK" && CARELINE_DATA_DIR=$WORK/data CARELINE_BIND=127.0.0.1:$HTTP_PORT \
    CARELINE_SIP_LISTEN=127.0.0.1:$SIP_PORT CARELINE_SIP_RTP_PORTS=20000-40000 \
    CARELINE_SIP_MAX_CALLS=$((CALLS + 100)) CARELINE_IVR_FILE=$WORK/ivr.toml \
    CARELINE_SIP_MEDIA_THREADS=${BENCH_MEDIA_THREADS:-0} CARELINE_LOG_LEVEL=warn \
    exec "$BIN" serve --demo > "$SERVER_LOG" 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$HTTP_PORT/ready" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG"; exit 2; }
    sleep 0.1
  done
  SERVER_NAME="careline (pid $SERVER_PID, $(git -C "$ROOT" rev-parse --short HEAD))"
else
  (cd "$WORK" && exec sipp -sn uas -rtp_echo -i 127.0.0.1 -p "$SIP_PORT" -bg >/dev/null 2>&1) || true
  sleep 1
  SERVER_PID=$(pgrep -n -f "sipp -sn uas -rtp_echo -i 127.0.0.1 -p $SIP_PORT")
  SERVER_NAME="sipp -sn uas -rtp_echo (pid $SERVER_PID)"
fi

metric() { curl -fs "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$SERVER_PID/status"; }

say "server: $SERVER_NAME"
say "load: $CALLS calls at $RATE/s, each held ${HOLD} s with RTP both ways; SIPp on the same 2 cores"
ticks0=$(cpu_ticks "$SERVER_PID"); rss0=$(rss_kb)
late0=0; sent0=0
if [[ $TARGET == careline ]]; then late0=$(metric careline_rtp_packets_late_total); sent0=$(metric careline_rtp_packets_sent_total); fi

(cd "$WORK" && sipp -sf "$WORK/load_uac.xml" -s +15025550100 -i 127.0.0.1 -mi 127.0.0.1 \
  -m "$CALLS" -r "$RATE" -l "$CALLS" -trace_rtt -rtt_freq 1 -trace_stat -fd 1 -trace_err \
  -max_socket 4096 -rtp_threadtasks 50 -timeout $((HOLD + CALLS / RATE + 60))s \
  -timeout_error -nostdin -bg "127.0.0.1:$SIP_PORT" >/dev/null 2>&1) || true # -bg exits 99
sleep 1
SIPP_PID=$(pgrep -n -f "sipp -sf $WORK/load_uac.xml")

# Peak: all calls placed and held.
peak_at=$((CALLS / RATE + HOLD / 2))
sleep "$peak_at"
ticks_peak=$(cpu_ticks "$SERVER_PID"); rss_peak=$(rss_kb)
held=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="CurrentCall") c=i} END{print $c}' "$WORK"/load_uac_*_.csv 2>/dev/null || echo "?")
while kill -0 "$SIPP_PID" 2>/dev/null; do sleep 1; done
ticks1=$(cpu_ticks "$SERVER_PID")

stat=$(ls "$WORK"/load_uac_*_.csv | head -1)
col() { awk -F';' -v n="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i; next} {v=$c} END{print v}' "$stat"; }
ok=$(col "SuccessfulCall(C)"); failed=$(col "FailedCall(C)"); max_held=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="CurrentCall") c=i; next} {if($c>m) m=$c} END{print m+0}' "$stat")
rtt=$(ls "$WORK"/load_uac_*_rtt.csv | head -1)
# SIPp writes response times in whole milliseconds.
read -r p50 p99 pmax < <(awk -F';' 'NR>1 && $2 != "" {print $2}' "$rtt" | sort -n |
  awk '{a[NR]=$1} END{i=int(NR*0.5); if(i<1)i=1; j=int(NR*0.99); if(j<1)j=1; print a[i], a[j], a[NR]}')

hz=$(getconf CLK_TCK)
cpu_peak_ms_per_s=$(awk -v t=$((ticks_peak - ticks0)) -v s="$peak_at" -v hz="$hz" 'BEGIN{printf "%.0f", t/hz*1000/s}')
hr
say "calls: $ok successful, $failed failed; most held at once: $max_held (at the peak sample: $held)"
say "setup (INVITE to 200, SIPp rtd): p50 $p50 ms, p99 $p99 ms, max $pmax ms"
say "server CPU: $(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" 'BEGIN{printf "%.1f", t/hz}') s in all; ${cpu_peak_ms_per_s} ms per second over the ramp and hold ($(awk -v c="$cpu_peak_ms_per_s" -v n="$max_held" 'BEGIN{printf "%.3f", (n>0? c/n : 0)}') ms CPU per held call per second)"
say "server memory: $((rss0 / 1024)) MB before, $((rss_peak / 1024)) MB at the peak ($(awk -v a="$rss0" -v b="$rss_peak" -v n="$max_held" 'BEGIN{printf "%.1f", (n>0? (b-a)/n : 0)}') KB per held call)"
if [[ $TARGET == careline ]]; then
  late=$(( $(metric careline_rtp_packets_late_total) - late0 ))
  sent=$(( $(metric careline_rtp_packets_sent_total) - sent0 ))
  say "RTP sent by CareLine: $sent packets, $late more than 5 ms late; latest ever: $(metric careline_rtp_max_send_lateness_seconds) s"
  if [[ -n ${BENCH_RECORD:-} ]]; then
    sleep 3 # the last pieces are written after the BYE
    read -r pieces bytes secs < <(sqlite3 -separator ' ' "$WORK/data/careline.db" \
      "SELECT count(*), coalesce(sum(length(audio_enc)), 0), coalesce(sum(duration_ms), 0) / 1000 FROM call_recordings")
    calls_rec=$(sqlite3 "$WORK/data/careline.db" "SELECT count(DISTINCT call_id) FROM call_recordings")
    say "recorded: $calls_rec calls, $pieces pieces, $secs s of audio, $((bytes / 1024 / 1024)) MB sealed ($(awk -v b="$bytes" -v s="$secs" 'BEGIN{printf "%.1f", (s>0? b/s/1024 : 0)}') KB per call-second)"
  fi
fi
[[ ${failed:-1} == 0 ]]
