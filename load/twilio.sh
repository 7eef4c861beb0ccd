#!/usr/bin/env bash
# CareLine Twilio webhook benchmark (a benchmark, not a test): starts a freshly seeded
# `careline serve --demo` with the Twilio transport on, drives complete signed demo calls
# through /twilio/voice, /twilio/gather and /twilio/status with examples/twilio_load.rs, and
# reports webhook round trips per second, latency per endpoint and per call step, CPU per
# webhook and the audit records written. docs/performance.md, "Phone: call engine and Twilio
# webhooks".
#
#   load/twilio.sh ENGINE [CALLS] [CONCURRENCY]   ENGINE: sqlite | postgres; CALLS (2000),
#                                                  CONCURRENCY: calls in progress at once (16)
#
# Each call is 6 webhooks: voice; gather with Digits 1, 03141958, 2468 (PIN), 10000001; status
# completed. A warm-up of BENCH_WARMUP_CALLS calls (50) runs first and is not in the figures.
#
# Knobs (environment):
#   BENCH_WARMUP_CALLS           warm-up calls (50)
#   BENCH_THREADS                the load generator's tokio worker threads (1)
#   BENCH_LOG_LEVEL              server log level (info, the product default)
#   BENCH_PIN=1                  server on CPU 0, load generator on CPU 1 (default: all share)
#   BENCH_BIN                    use this careline binary instead of `cargo build --release`
#   BENCH_LOAD_BIN               use this twilio_load binary instead of building the example
#   BENCH_PG_HOST/PORT/USER/PASSWORD   PostgreSQL (127.0.0.1 5432 careline_ci careline_ci)
#   BENCH_PG_PARAMS              URL query, e.g. sslmode=disable (default none: sqlx then uses
#                                TLS whenever the server offers it, loopback included)
#   BENCH_QUIET_WAIT=N           wait up to N s for the machine's other load to settle first
#   BENCH_PERF=1                 perf record -g the server (BENCH_PERF_OPTS) during the measured
#                                run and print the hottest symbols (perf lowers the figures)
#   BENCH_PERF=stat              perf stat the server: CPU, context switches, fsync, sleeps
#   BENCH_TIMEOUT                seconds the measured run may take before it is stopped (900)
#   BENCH_KEEP=1                 keep the work directory and the PostgreSQL database
#
# Exit status: 0 for a clean run (every webhook 2xx with the expected TwiML, every call ended,
# every call event has its audit record, the chain verifies); 1 when the run had errors; 2 on a
# usage or setup error. Whether the 10 ms p99 target is met is printed, not part of the
# status. Loopback traffic only; every step is bounded.
set -euo pipefail
# shellcheck source=load/lib.sh
source "$(dirname "$0")/lib.sh"

[[ $# -ge 1 && $# -le 3 ]] || usage
ENGINE=$1
CALLS=${2:-2000}
CONC=${3:-16}
[[ $ENGINE == sqlite || $ENGINE == postgres ]] || usage
[[ $CALLS =~ ^[0-9]+$ && $CALLS -ge 1 && $CALLS -le 1000000 ]] || { echo "CALLS must be 1..1000000" >&2; exit 2; }
[[ $CONC =~ ^[0-9]+$ && $CONC -ge 1 && $CONC -le 1024 ]] || { echo "CONCURRENCY must be 1..1024" >&2; exit 2; }

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WARMUP_CALLS=${BENCH_WARMUP_CALLS:-50}
GEN_THREADS=${BENCH_THREADS:-1}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
PIN=${BENCH_PIN:-0}
RUN_TIMEOUT=${BENCH_TIMEOUT:-900}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-careline_ci}
PG_PASSWORD=${BENCH_PG_PASSWORD:-careline_ci}
PUBLIC_URL=https://careline.bench.test
AGENT_NUMBER=+15025550123
TARGET_P99_US=10000
WEBHOOKS_PER_CALL=6

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y curl jq)" >&2; exit 2; }
done

# ---------------------------------------------------------------------------------------------
# Build (cargo only rebuilds what changed) unless binaries are given.
if [[ -z ${BENCH_BIN:-} || -z ${BENCH_LOAD_BIN:-} ]]; then
  say "building release binaries (cargo build --release --bin careline --example twilio_load)..."
  (cd "$ROOT" && timeout 1800 cargo build --release --quiet --bin careline --example twilio_load)
  TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null | jq -r .target_directory)
fi
BIN=${BENCH_BIN:-$TARGET_DIR/release/careline}
LOAD=${BENCH_LOAD_BIN:-$TARGET_DIR/release/examples/twilio_load}
[[ -x $BIN ]] || { echo "no careline binary at $BIN" >&2; exit 2; }
[[ -x $LOAD ]] || { echo "no twilio_load binary at $LOAD" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/careline-twilio-bench.XXXXXX")
DATA=$WORK/data
SERVER_LOG=$WORK/server.log
SERVER_PID=
PERF_PID=
PG_DB=
TOKEN=bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export CARELINE_DATA_DIR=$DATA
export CARELINE_BIND=127.0.0.1:0
# The startup line (careline::server, info) carries the port; keep it whatever the level.
export CARELINE_LOG_LEVEL="$LOG_LEVEL,careline::server=info"
export CARELINE_LOG_FORMAT=text NO_COLOR=1
export CARELINE_TWILIO_AUTH_TOKEN=$TOKEN
export CARELINE_PUBLIC_URL=$PUBLIC_URL
export CARELINE_AGENT_NUMBER=$AGENT_NUMBER
unset CARELINE_DATABASE_URL CARELINE_CONFIG CARELINE_KEYS CARELINE_KEYS_FILE

stop_perf() {
  if [[ -n $PERF_PID ]] && kill -0 "$PERF_PID" 2>/dev/null; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$PERF_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PERF_PID" 2>/dev/null && kill -KILL "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
  fi
  PERF_PID=
}

cleanup() {
  local rc=$?
  stop_perf
  stop_server
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    say "kept: $WORK${PG_DB:+ and database $PG_DB}"
  else
    [[ -n $PG_DB ]] && pg_admin dropdb --if-exists "$PG_DB" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $ENGINE == postgres ]]; then
  PG_DB=careline_twbench_$$_$RANDOM
  pg_admin createdb -O "$PG_USER" "$PG_DB"
  export CARELINE_DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB${BENCH_PG_PARAMS:+?$BENCH_PG_PARAMS}"
fi

# ---------------------------------------------------------------------------------------------
# Facts about the run.
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
hr
say "CareLine Twilio webhook benchmark — engine $ENGINE, $CALLS calls ($((CALLS * WEBHOOKS_PER_CALL)) webhooks), concurrency $CONC, after $WARMUP_CALLS warm-up calls"
say "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine    nproc=$NPROC cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')' mem=$(free -g | awk '/Mem:/{print $2}')GiB kernel=$(uname -r)"
say "load avg   $(cut -d' ' -f1-3 /proc/loadavg) (before the run)"
say "binaries   $BIN, $LOAD"
say "source     $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($(cd "$ROOT" && git status --porcelain -- src crates 2>/dev/null | wc -l) modified files under src/ crates/ in the working tree)"
say "load       twilio_load --concurrency $CONC --threads $GEN_THREADS (closed loop: each worker sends the next webhook when the reply arrives)"
if [[ $PIN == 1 ]]; then
  say "cpus       server pinned to CPU 0, load generator to CPU 1${PG_DB:+ (PostgreSQL unpinned)}"
else
  say "cpus       server, load generator${PG_DB:+ and PostgreSQL} share all $NPROC cores (no pinning)"
fi
say "log level  $LOG_LEVEL${BENCH_PERF:+ (perf profiling on: figures are lowered by it)}"
if [[ $ENGINE == postgres ]]; then
  say "postgres   url params '${BENCH_PG_PARAMS:-}' (none: sqlx's default sslmode=prefer, TLS when the server offers it)"
  say "postgres   $(pg_show "select version()" | cut -d' ' -f1-2), db $PG_DB, synchronous_commit=$(pg_show "show synchronous_commit"), fsync=$(pg_show "show fsync")"
else
  say "sqlite     $DATA/careline.db (WAL, synchronous=FULL)"
fi
hr

# How busy the machine is without us (other users' builds and tests share these cores).
wait_for_quiet
say "background $BG cores busy before the run (other processes on this machine)"

# ---------------------------------------------------------------------------------------------
# Start the server on a free loopback port and wait for /ready.
start_server
say "server     pid $SERVER_PID at $BASE ($(grep -oE 'ready_ms=[0-9]+' "$SERVER_LOG" | head -1)), public URL $PUBLIC_URL"

# Read-only SQL against the run's database (sqlite3 CLI or psql); empty output when unavailable.
db_query() {
  if [[ $ENGINE == sqlite ]]; then
    command -v sqlite3 >/dev/null && sqlite3 -readonly "$DATA/careline.db" "$1" 2>/dev/null || true
  else
    pg_show "$1" 2>/dev/null || true
  fi
}

# run_load CALLS OUTFILE: the load generator, bounded, its CPU time measured by /usr/bin/time.
run_load() {
  local calls=$1 out=$2 conc=$CONC
  (( conc > calls )) && conc=$calls
  local cmd=("$LOAD" --url "$BASE" --public-url "$PUBLIC_URL" --token "$TOKEN" --calls "$calls"
    --concurrency "$conc" --threads "$GEN_THREADS" --from +15025550142 --to +15025550100)
  [[ $PIN == 1 ]] && cmd=(taskset -c 1 "${cmd[@]}")
  local rc=0
  if [[ -x /usr/bin/time ]]; then
    timeout "$RUN_TIMEOUT" /usr/bin/time -f 'GENCPU %U %S' -o "$out.time" "${cmd[@]}" >"$out" 2>"$out.err" || rc=$?
  else
    timeout "$RUN_TIMEOUT" "${cmd[@]}" >"$out" 2>"$out.err" || rc=$?
  fi
  return $rc
}

declare -a ERRORS=()
FAILED=0
AUDIT_START=$(audit_count)
say "audit      $AUDIT_START records before the load (seed)"

# ---------------------------------------------------------------------------------------------
# Warm-up (the server's caches, the pools' connections, the load generator's connections).
hr
WRC=0
run_load "$WARMUP_CALLS" "$WORK/warmup" || WRC=$?
wline=$(grep '^TWILIO_BENCH ' "$WORK/warmup" || true)
[[ -n $wline ]] || { say "warm-up produced no result (exit $WRC):"; cat "$WORK/warmup" "$WORK/warmup.err"; exit 1; }
say "warm-up: $(field "$wline" calls_ok) of $WARMUP_CALLS calls ok, $(field "$wline" errors) errors, p99 $(ms "$(field "$wline" all_p99_us)") ms"
(( WRC == 0 )) || { fail "warm-up: $(field "$wline" errors) errors"; grep -E '^  error:' "$WORK/warmup" | head -5 || true; }

# ---------------------------------------------------------------------------------------------
# The measured run.
hr
read -r m0_busy m0_total < <(machine_ticks)
s0=$(cpu_ticks "$SERVER_PID"); p0=$(pg_ticks)
if [[ -n ${BENCH_PERF:-} ]] && command -v perf >/dev/null; then
  if [[ $BENCH_PERF == stat ]]; then
    perf stat -e task-clock,context-switches,cpu-migrations,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_clock_nanosleep,syscalls:sys_enter_nanosleep \
      -p "$SERVER_PID" -o "$WORK/perf.stat" >/dev/null 2>&1 &
  else
    perf record -q ${BENCH_PERF_OPTS:--F 499 -g} -p "$SERVER_PID" -o "$WORK/perf.data" >/dev/null 2>&1 &
  fi
  PERF_PID=$!
  sleep 0.5
fi
RC=0
run_load "$CALLS" "$WORK/run" || RC=$?
stop_perf
read -r m1_busy m1_total < <(machine_ticks)
s1=$(cpu_ticks "$SERVER_PID"); p1=$(pg_ticks)
line=$(grep '^TWILIO_BENCH ' "$WORK/run" || true)
[[ -n $line ]] || { say "the measured run produced no result (exit $RC; 124 = timed out after $RUN_TIMEOUT s):"; cat "$WORK/run" "$WORK/run.err"; exit 1; }

say "load generator output:"
grep -vE '^TWILIO_BENCH ' "$WORK/run" | sed 's/^/  /'
[[ -s $WORK/run.err ]] && { say "  stderr:"; grep -v '^ *GENCPU' "$WORK/run.err" | head -8 | sed 's/^/    /'; }
if [[ -s $WORK/perf.stat ]]; then
  say "perf stat of the server over the measured run:"
  grep -E 'task-clock|context-switches|cpu-migrations|fsync|fdatasync|nanosleep|seconds time' "$WORK/perf.stat" | sed 's/^ */  /' || true
fi
if [[ -s $WORK/perf.data ]]; then
  say "hottest symbols in the server (perf, self time):"
  perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -30 | sed 's/^/  /' || true
fi

webhooks=$(field "$line" webhooks); errors=$(field "$line" errors); secs=$(field "$line" secs)
calls_ok=$(field "$line" calls_ok)
(( RC == 0 )) || fail "measured run: exit $RC, $errors errors, $calls_ok of $CALLS calls completed"
wall_ticks=$(awk -v s="$secs" -v t="$CLK_TCK" 'BEGIN{print s*t}')
srv_cores=$(awk -v d=$((s1 - s0)) -v w="$wall_ticks" 'BEGIN{printf "%.2f", d/w}')
pg_cores=$(awk -v d=$((p1 - p0)) -v w="$wall_ticks" 'BEGIN{printf "%.2f", d/w}')
all_cores=$(awk -v b=$((m1_busy - m0_busy)) -v t=$((m1_total - m0_total)) -v n="$NPROC" 'BEGIN{printf "%.2f", (t>0? b/t*n : 0)}')
srv_us=$(awk -v d=$((s1 - s0)) -v t="$CLK_TCK" -v n="$webhooks" 'BEGIN{printf "%.0f", (n>0? d/t*1e6/n : 0)}')
pg_us=$(awk -v d=$((p1 - p0)) -v t="$CLK_TCK" -v n="$webhooks" 'BEGIN{printf "%.0f", (n>0? d/t*1e6/n : 0)}')
gen_cores=-; gen_us=-
if [[ -s $WORK/run.time ]]; then
  gen_cores=$(awk -v s="$secs" '/GENCPU/{printf "%.2f", ($2+$3)/s}' "$WORK/run.time")
  gen_us=$(awk -v n="$webhooks" '/GENCPU/{printf "%.0f", (n>0? ($2+$3)*1e6/n : 0)}' "$WORK/run.time")
fi

say "run: $(field "$line" webhooks_per_s) webhooks/s, $(field "$line" calls_per_s) calls/s, $webhooks webhooks in ${secs}s, $errors errors"
for ep in all voice gather status; do
  say "run: $(printf '%-6s' "$ep") p50 $(ms "$(field "$line" "${ep}_p50_us")") ms, p90 $(ms "$(field "$line" "${ep}_p90_us")") ms, p99 $(ms "$(field "$line" "${ep}_p99_us")") ms, max $(ms "$(field "$line" "${ep}_max_us")") ms ($(field "$line" "${ep}_n") webhooks)"
done
say "run: CPU in cores — server $srv_cores, postgres $pg_cores, load generator $gen_cores, whole machine $all_cores of $NPROC"
say "run: CPU per webhook — server $srv_us µs${PG_DB:+, postgres $pg_us µs}, load generator $gen_us µs"
P99=$(field "$line" all_p99_us)
if (( P99 < TARGET_P99_US )); then
  say "run: TARGET MET (every webhook p99 $(ms "$P99") ms < $((TARGET_P99_US / 1000)) ms)"
else
  say "run: TARGET NOT MET (every webhook p99 $(ms "$P99") ms, target < $((TARGET_P99_US / 1000)) ms)"
fi
for ep in voice gather status; do
  p=$(field "$line" "${ep}_p99_us")
  (( p < TARGET_P99_US )) || say "run: $ep p99 $(ms "$p") ms is over the target"
done

# ---------------------------------------------------------------------------------------------
# Stop the server, then check the calls and the audit trail.
hr
stop_server
TOTAL_CALLS=$((WARMUP_CALLS + CALLS))
ENDED=$(db_query "SELECT count(*) FROM ivr_calls WHERE status = 'ended'")
NOT_ENDED=$(db_query "SELECT count(*) FROM ivr_calls WHERE status <> 'ended'")
EVENTS=$(db_query "SELECT count(*) FROM ivr_call_events")
CALL_AUDITS=$(db_query "SELECT count(*) FROM audit_logs WHERE entity_type = 'call'")
if [[ -n $ENDED && -n $EVENTS && -n $CALL_AUDITS ]]; then
  say "calls      $ENDED ended, $NOT_ENDED not ended, of $TOTAL_CALLS made (warm-up + run); $EVENTS call events, $(awk -v e="$EVENTS" -v c="$TOTAL_CALLS" 'BEGIN{printf "%.1f", e/c}') per call"
  (( ENDED >= TOTAL_CALLS )) || fail "only $ENDED of $TOTAL_CALLS calls ended"
  (( NOT_ENDED == 0 )) || fail "$NOT_ENDED calls did not end"
  if (( CALL_AUDITS >= EVENTS )); then
    say "audit      $CALL_AUDITS call audit records for $EVENTS call events: ok"
  else
    say "audit      $CALL_AUDITS call audit records for $EVENTS call events: MISSING $((EVENTS - CALL_AUDITS))"
    fail "$((EVENTS - CALL_AUDITS)) call events without their audit record"
  fi
else
  say "calls      (per-call checks skipped: no sqlite3/psql client)"
fi
set +e
VERIFY_OUT=$(timeout 300 "$BIN" audit verify 2>&1)
VERIFY_RC=$?
set -e
AUDIT_END=$(grep -oE 'audit chain intact: [0-9]+ records' <<<"$VERIFY_OUT" | grep -oE '[0-9]+' | head -1 || true)
if [[ $VERIFY_RC -ne 0 || -z $AUDIT_END ]]; then
  say "audit verify FAILED (exit $VERIFY_RC): $VERIFY_OUT"
  fail "audit chain does not verify"
else
  say "audit      chain intact after stop: $AUDIT_END records, grew by $((AUDIT_END - AUDIT_START)) ($(awk -v g=$((AUDIT_END - AUDIT_START)) -v c="$TOTAL_CALLS" 'BEGIN{printf "%.1f", g/c}') per call)"
fi
# Server warnings and errors, other than the expected one about generated development keys.
WARNINGS=$(grep -iE ' (ERROR|WARN) ' "$SERVER_LOG" | grep -iv 'development keys' || true)
if [[ -n $WARNINGS ]]; then
  say "server log: $(wc -l <<<"$WARNINGS") warning/error lines, first ones:"
  head -5 <<<"$WARNINGS" | cut -c1-200 | sed 's/^/  /'
fi

hr
cpu_hook="$srv_us"; [[ -n $PG_DB ]] && cpu_hook="$srv_us + $pg_us"
say "| engine | calls | conc | webhooks/s | calls/s | p50 ms | p90 ms | p99 ms | max ms | voice p50/p99 | gather p50/p99 | status p50/p99 | errors | CPU cores server / pg / gen / machine | CPU µs per webhook (server + pg) |"
say "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
say "| $ENGINE | $CALLS | $CONC | $(field "$line" webhooks_per_s) | $(field "$line" calls_per_s) | $(ms "$(field "$line" all_p50_us)") | $(ms "$(field "$line" all_p90_us)") | $(ms "$P99") | $(ms "$(field "$line" all_max_us)") | $(ms "$(field "$line" voice_p50_us)") / $(ms "$(field "$line" voice_p99_us)") | $(ms "$(field "$line" gather_p50_us)") / $(ms "$(field "$line" gather_p99_us)") | $(ms "$(field "$line" status_p50_us)") / $(ms "$(field "$line" status_p99_us)") | $errors | $srv_cores / $pg_cores / $gen_cores / $all_cores | $cpu_hook |"
hr
if [[ $FAILED == 0 ]]; then
  say "RESULT: clean run (every webhook 2xx with the expected TwiML, every call ended, every call event audited, chain intact)"
else
  say "RESULT: RUN HAD ERRORS:"
  for e in "${ERRORS[@]}"; do say "  - $e"; done
fi
exit $FAILED
