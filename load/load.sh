#!/usr/bin/env bash
# CareLine load benchmark (a benchmark, not a test): starts a freshly seeded
# `careline serve --demo`, drives it with wrk over loopback and reports throughput, latency
# percentiles, non-2xx responses, CPU use and the audit records written. docs/performance.md.
#
#   load/load.sh ENGINE [DURATION]      ENGINE: sqlite | postgres; DURATION: seconds (20)
#
# Phases (BENCH_OPS, default "status create"), each a BENCH_WARMUP-second warm-up (5) and then
# the measured DURATION:
#   status  GET  /api/v1/orders/10000001/status as doctor@demo (one durable audit record each)
#   create  POST /api/v1/ivrs, a new draft verification request each (one audit record each)
#   health  GET  /health: the HTTP floor (no authentication, no database, no audit)
#
# Knobs (environment):
#   BENCH_THREADS, BENCH_CONNS   wrk threads and connections (2, 32)
#   BENCH_WARMUP                 warm-up seconds per phase (5)
#   BENCH_LOG_LEVEL              server log level (info, the product default)
#   BENCH_PIN=1                  server on CPU 0, wrk on CPU 1 (default: all share all cores)
#   BENCH_BIN                    use this careline binary instead of `cargo build --release`
#   BENCH_PG_HOST/PORT/USER/PASSWORD   PostgreSQL (127.0.0.1 5432 careline_ci careline_ci)
#   BENCH_PG_PARAMS              URL query, e.g. sslmode=disable (default none: sqlx then uses
#                                TLS whenever the server offers it, loopback included)
#   BENCH_QUIET_WAIT=N           wait up to N s for the machine's other load to settle first
#   BENCH_PERF=1                 perf record -g the server (BENCH_PERF_OPTS) in each measured
#                                phase and print the hottest symbols (perf lowers the figures)
#   BENCH_PERF=stat              perf stat the server: CPU, context switches, fsync, sleeps
#   BENCH_KEEP=1                 keep the work directory and the PostgreSQL database
#
# Exit status: 0 for a clean run (every response 2xx, no socket errors, the audit trail grew by
# at least the successful requests, every created request has its creation record, the chain
# verifies); 1 when the run had errors; 2 on a usage or setup error. Whether the performance
# target is met is printed, not part of the status. Loopback traffic only; every step is bounded.
set -euo pipefail
# shellcheck source=load/lib.sh
source "$(dirname "$0")/lib.sh"

[[ $# -ge 1 && $# -le 2 ]] || usage
ENGINE=$1
DURATION=${2:-20}
[[ $ENGINE == sqlite || $ENGINE == postgres ]] || usage
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 600 ]] || { echo "DURATION must be 1..600 seconds" >&2; exit 2; }

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-32}
WARMUP=${BENCH_WARMUP:-5}
OPS=${BENCH_OPS:-status create}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
PIN=${BENCH_PIN:-0}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-careline_ci}
PG_PASSWORD=${BENCH_PG_PASSWORD:-careline_ci}
DEMO_EMAIL=doctor@demo.careline.test
DEMO_PASSWORD='Harbor-Light-2026!'
ORDER_NUMBER=10000001
TARGET_RPS=5000
TARGET_P99_US=20000

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk curl jq)" >&2; exit 2; }
done

# ---------------------------------------------------------------------------------------------
# Build (cargo only rebuilds what changed) unless a binary is given.
if [[ -n ${BENCH_BIN:-} ]]; then
  BIN=$BENCH_BIN
else
  say "building release binary (cargo build --release --bin careline)..."
  (cd "$ROOT" && timeout 1800 cargo build --release --quiet --bin careline)
  TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null | jq -r .target_directory)
  BIN=$TARGET_DIR/release/careline
fi
[[ -x $BIN ]] || { echo "no careline binary at $BIN" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/careline-bench.XXXXXX")
DATA=$WORK/data
SERVER_LOG=$WORK/server.log
SERVER_PID=
PG_DB=
export CARELINE_DATA_DIR=$DATA
export CARELINE_BIND=127.0.0.1:0
# The startup line (careline::server, info) carries the port; keep it whatever the level.
export CARELINE_LOG_LEVEL="$LOG_LEVEL,careline::server=info"
export CARELINE_LOG_FORMAT=text NO_COLOR=1
export CARELINE_ACCESS_TOKEN_TTL_SECS=3600   # no token expiry during a run
export CARELINE_REFRESH_TOKEN_TTL_SECS=7200
unset CARELINE_DATABASE_URL CARELINE_CONFIG CARELINE_KEYS CARELINE_KEYS_FILE

cleanup() {
  local rc=$?
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
  PG_DB=careline_bench_$$_$RANDOM
  pg_admin createdb -O "$PG_USER" "$PG_DB"
  export CARELINE_DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB${BENCH_PG_PARAMS:+?$BENCH_PG_PARAMS}"
fi

# ---------------------------------------------------------------------------------------------
# Facts about the run.
CLK_TCK=$(getconf CLK_TCK)
NPROC=$(nproc)
hr
say "CareLine load benchmark — engine $ENGINE, ${DURATION}s per phase after ${WARMUP}s warm-up"
say "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine    nproc=$NPROC cpu='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')' mem=$(free -g | awk '/Mem:/{print $2}')GiB kernel=$(uname -r)"
say "load avg   $(cut -d' ' -f1-3 /proc/loadavg) (before the run)"
say "binary     $BIN"
say "source     $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($(cd "$ROOT" && git status --porcelain -- src crates 2>/dev/null | wc -l) modified files under src/ crates/ in the working tree)"
say "wrk        $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2) -t$THREADS -c$CONNS --latency"
if [[ $PIN == 1 ]]; then
  say "cpus       server pinned to CPU 0, wrk to CPU 1${PG_DB:+ (PostgreSQL unpinned)}"
else
  say "cpus       server, wrk${PG_DB:+ and PostgreSQL} share all $NPROC cores (no pinning)"
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
say "server     pid $SERVER_PID at $BASE ($(grep -oE 'ready_ms=[0-9]+' "$SERVER_LOG" | head -1))"

api() { curl -fsS --max-time 10 -H "Authorization: Bearer $TOKEN" "$@"; }
TOKEN=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
  -d "$(jq -nc --arg e "$DEMO_EMAIL" --arg p "$DEMO_PASSWORD" '{email:$e,password:$p}')" \
  "$BASE/api/v1/auth/login" | jq -er .access_token)
PATIENT_ID=$(api "$BASE/api/v1/patients" | jq -er '[.items[] | select(.status == "active")][0].id')
read -r PRODUCT_ID SIZE_ID < <(api "$BASE/api/v1/products" \
  | jq -er '[.items[] | select(.is_active) | {p: .id, s: ([.sizes[] | select(.is_active)][0].id)} | select(.s != null)][0] | "\(.p) \(.s)"')
api "$BASE/api/v1/orders/$ORDER_NUMBER/status" | jq -e '.order_number' >/dev/null
BODY=$(jq -nc --arg pat "$PATIENT_ID" --arg prod "$PRODUCT_ID" --arg size "$SIZE_ID" \
  '{patient_id:$pat, diagnosis_codes:["E11.621"], products:[{product_id:$prod, sizes:[{product_size_id:$size, quantity:2}]}]}')
# One request by hand, so a broken body fails here with the server's message, not 32 000 times.
curl -sS --max-time 10 -o "$WORK/probe.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "$BODY" "$BASE/api/v1/ivrs" >"$WORK/probe.code"
[[ $(cat "$WORK/probe.code") == 201 ]] || { say "POST /api/v1/ivrs answered $(cat "$WORK/probe.code"): $(cat "$WORK/probe.json")"; exit 2; }
say "ids        order $ORDER_NUMBER, patient $PATIENT_ID, product $PRODUCT_ID size $SIZE_ID"

export BENCH_DIR BENCH_TOKEN=$TOKEN BENCH_ORDER=$ORDER_NUMBER BENCH_BODY=$BODY

# Read-only SQL against the run's database (sqlite3 CLI or psql); empty output when unavailable.
db_query() {
  if [[ $ENGINE == sqlite ]]; then
    command -v sqlite3 >/dev/null && sqlite3 -readonly "$DATA/careline.db" "$1" 2>/dev/null || true
  else
    PGPASSWORD=$PG_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -Atc "$1" 2>/dev/null || true
  fi
}
# Verification requests in the database without their "verification request created" record.
unaudited_creates() {
  if [[ $ENGINE == sqlite ]]; then
    db_query "SELECT count(*) FROM ivr_requests r WHERE NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.entity_type = 'verification_request' AND a.description = 'verification request created' AND replace(a.entity_id, '-', '') = lower(hex(r.id)))"
  else
    db_query "SELECT count(*) FROM ivr_requests r WHERE NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.entity_type = 'verification_request' AND a.description = 'verification request created' AND a.entity_id = r.id::text)"
  fi
}

# run_wrk SCRIPT SECONDS OUTFILE: wrk with its CPU time measured by /usr/bin/time when present.
run_wrk() {
  local script=$1 secs=$2 out=$3 url=$BASE
  local cmd=(wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s --latency -s "$BENCH_DIR/$script" "$url")
  [[ $PIN == 1 ]] && cmd=(taskset -c 1 "${cmd[@]}")
  if [[ -x /usr/bin/time ]]; then
    timeout $((secs + 60)) /usr/bin/time -f 'WRKCPU %U %S' -o "$out.time" "${cmd[@]}" >"$out" 2>"$out.err" || true
  else
    timeout $((secs + 60)) "${cmd[@]}" >"$out" 2>"$out.err" || true
  fi
}

declare -a ROWS=() ERRORS=()
FAILED=0
TOTAL_OK=0
AUDIT_START=$(audit_count)
UNAUDITED_START=$(unaudited_creates)
say "audit      $AUDIT_START records before the load (seed, login, discovery)"

op_script() {
  case $1 in
    status) echo order_status.lua ;;
    create) echo create_request.lua ;;
    health) echo health.lua ;;
    *) echo "unknown op $1 (status, create, health)" >&2; exit 2 ;;
  esac
}
op_audits() { [[ $1 != health ]]; }

for op in $OPS; do
  script=$(op_script "$op")
  hr
  before=$(audit_count)
  # Warm-up (counted in the audit check, not in the figures).
  run_wrk "$script" "$WARMUP" "$WORK/$op.warmup"
  wline=$(grep '^BENCH ' "$WORK/$op.warmup" || true)
  [[ -n $wline ]] || { say "warm-up of $op produced no result:"; cat "$WORK/$op.warmup" "$WORK/$op.warmup.err"; exit 1; }
  w_ok=$(field "$wline" ok); w_bad=$(field "$wline" non2xx)
  say "$op warm-up: ${WARMUP}s, $w_ok ok, $w_bad non-2xx"

  read -r m0_busy m0_total < <(machine_ticks)
  s0=$(cpu_ticks "$SERVER_PID"); p0=$(pg_ticks)
  PERF_PID=
  if [[ -n ${BENCH_PERF:-} ]] && command -v perf >/dev/null; then
    if [[ $BENCH_PERF == stat ]]; then
      perf stat -e task-clock,context-switches,cpu-migrations,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_clock_nanosleep,syscalls:sys_enter_nanosleep \
        -p "$SERVER_PID" -o "$WORK/$op.perf.stat" -- sleep "$DURATION" >/dev/null 2>&1 &
    else
      perf record -q ${BENCH_PERF_OPTS:--F 499 -g} -p "$SERVER_PID" -o "$WORK/$op.perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    fi
    PERF_PID=$!
  fi
  run_wrk "$script" "$DURATION" "$WORK/$op.run"
  [[ -n $PERF_PID ]] && wait "$PERF_PID" || true
  read -r m1_busy m1_total < <(machine_ticks)
  s1=$(cpu_ticks "$SERVER_PID"); p1=$(pg_ticks)
  line=$(grep '^BENCH ' "$WORK/$op.run" || true)
  [[ -n $line ]] || { say "run of $op produced no result:"; cat "$WORK/$op.run" "$WORK/$op.run.err"; exit 1; }
  after=$(audit_count)

  say "$op: wrk output"
  grep -vE '^BENCH ' "$WORK/$op.run" | sed 's/^/  /'
  if [[ -s $WORK/$op.run.err ]]; then
    say "  first non-2xx responses / wrk messages:"; sed 's/^/    /' "$WORK/$op.run.err" | grep -v '^ *WRKCPU' | head -8
  fi

  if [[ -s $WORK/$op.perf.stat ]]; then
    say "$op: perf stat of the server over the measured phase:"
    grep -E 'task-clock|context-switches|cpu-migrations|fsync|fdatasync|nanosleep|seconds time' "$WORK/$op.perf.stat" | sed 's/^ */  /' || true
  fi
  if [[ -s $WORK/$op.perf.data ]]; then
    say "$op: hottest symbols in the server (perf, self time):"
    perf report -i "$WORK/$op.perf.data" --no-children --sort dso,sym --stdio 2>/dev/null \
      | grep -E '^ +[0-9.]+%' | head -25 | sed 's/^/  /' || true
  fi
  ok=$(field "$line" ok); bad=$(field "$line" non2xx); codes=$(field "$line" codes)
  sockerr=$(( $(field "$line" sock_connect) + $(field "$line" sock_read) + $(field "$line" sock_write) + $(field "$line" sock_timeout) ))
  secs=$(field "$line" secs)
  # CPU use during the measured phase, in cores (1.00 = one core busy all the time).
  wall_ticks=$(awk -v s="$secs" -v t="$CLK_TCK" 'BEGIN{print s*t}')
  srv_cores=$(awk -v d=$((s1 - s0)) -v w="$wall_ticks" 'BEGIN{printf "%.2f", d/w}')
  pg_cores=$(awk -v d=$((p1 - p0)) -v w="$wall_ticks" 'BEGIN{printf "%.2f", d/w}')
  all_cores=$(awk -v b=$((m1_busy - m0_busy)) -v t=$((m1_total - m0_total)) -v n="$NPROC" 'BEGIN{printf "%.2f", (t>0? b/t*n : 0)}')
  # Server CPU per successful request: robust to other load on the machine, unlike req/s.
  srv_us=$(awk -v d=$((s1 - s0)) -v t="$CLK_TCK" -v n="$ok" 'BEGIN{printf "%.0f", (n>0? d/t*1e6/n : 0)}')
  pg_us=$(awk -v d=$((p1 - p0)) -v t="$CLK_TCK" -v n="$ok" 'BEGIN{printf "%.0f", (n>0? d/t*1e6/n : 0)}')
  wrk_cores=-
  if [[ -s $WORK/$op.run.time ]]; then
    wrk_cores=$(awk -v s="$secs" '/WRKCPU/{printf "%.2f", ($2+$3)/s}' "$WORK/$op.run.time")
  fi

  written=$((after - before))
  expected=$((w_ok + ok))
  verdict=ok
  if op_audits "$op"; then
    if (( written < expected )); then verdict="MISSING $((expected - written))"; fail "$op: $((expected - written)) acknowledged requests without audit record"; fi
  fi
  (( bad + w_bad > 0 )) && fail "$op: $((bad + w_bad)) non-2xx responses"
  (( sockerr > 0 )) && fail "$op: $sockerr socket errors/timeouts"
  op_audits "$op" && TOTAL_OK=$((TOTAL_OK + expected))

  say "$op: $(field "$line" ok_rps) ok req/s ($(field "$line" rps) all), p50 $(ms "$(field "$line" p50_us)") ms, p90 $(ms "$(field "$line" p90_us)") ms, p99 $(ms "$(field "$line" p99_us)") ms, max $(ms "$(field "$line" max_us)") ms"
  say "$op: $ok ok, $bad non-2xx (${codes}), $sockerr socket errors/timeouts"
  if op_audits "$op"; then
    say "$op: audit records written $written for $expected successful requests (warm-up + run): $verdict"
  fi
  say "$op: CPU in cores — server $srv_cores, postgres $pg_cores, wrk $wrk_cores, whole machine $all_cores of $NPROC"
  say "$op: CPU per successful request — server $srv_us µs${PG_DB:+, postgres $pg_us µs}"
  if [[ $op == status ]]; then
    p99=$(field "$line" p99_us); rps=$(field "$line" ok_rps)
    if awk -v r="$rps" -v p="$p99" -v tr=$TARGET_RPS -v tp=$TARGET_P99_US 'BEGIN{exit !(r >= tr && p < tp)}'; then
      say "status: TARGET MET (>= $TARGET_RPS ok req/s with p99 < $((TARGET_P99_US / 1000)) ms)"
    else
      say "status: TARGET NOT MET (>= $TARGET_RPS ok req/s with p99 < $((TARGET_P99_US / 1000)) ms)"
    fi
  fi
  aw=$written; op_audits "$op" || aw="-"
  cpu_req="$srv_us"; [[ -n $PG_DB ]] && cpu_req="$srv_us + $pg_us"
  ROWS+=("| $ENGINE | $op | $CONNS | $(field "$line" ok_rps) | $(ms "$(field "$line" p50_us)") | $(ms "$(field "$line" p90_us)") | $(ms "$(field "$line" p99_us)") | $(ms "$(field "$line" max_us)") | $((bad + sockerr)) | $aw | $srv_cores / $pg_cores / $wrk_cores / $all_cores | $cpu_req |")
done

# ---------------------------------------------------------------------------------------------
# Stop the server, then check the whole trail against what was acknowledged.
hr
stop_server
set +e
VERIFY_OUT=$(timeout 300 "$BIN" audit verify 2>&1)
VERIFY_RC=$?
set -e
AUDIT_END=$(grep -oE 'audit chain intact: [0-9]+ records' <<<"$VERIFY_OUT" | grep -oE '[0-9]+' | head -1 || true)
if [[ $VERIFY_RC -ne 0 || -z $AUDIT_END ]]; then
  say "audit verify FAILED (exit $VERIFY_RC): $VERIFY_OUT"
  fail "audit chain does not verify"
else
  GREW=$((AUDIT_END - AUDIT_START))
  if (( GREW >= TOTAL_OK )); then
    say "audit      chain intact after stop: $AUDIT_END records; grew by $GREW for $TOTAL_OK acknowledged requests: ok"
  else
    say "audit      chain intact after stop: $AUDIT_END records; grew by $GREW for $TOTAL_OK acknowledged requests: MISSING $((TOTAL_OK - GREW))"
    fail "audit trail grew by less than the acknowledged requests"
  fi
fi
# Every request the load created must have its creation record (the demo data's own requests were
# not made through the API and are excluded by counting from the state before the load).
UNAUDITED_END=$(unaudited_creates)
if [[ -n $UNAUDITED_START && -n $UNAUDITED_END ]]; then
  GAP=$((UNAUDITED_END - UNAUDITED_START))
  if (( GAP > 0 )); then
    say "audit      GAP: $GAP verification request(s) committed without their 'verification request created' record"
    fail "audit gap: $GAP created verification requests have no creation record"
  else
    say "audit      every verification request created during the load has its creation record"
  fi
else
  say "audit      (per-request creation check skipped: no sqlite3/psql client)"
fi
# Server warnings and errors, other than the expected one about generated development keys.
WARNINGS=$(grep -iE ' (ERROR|WARN) ' "$SERVER_LOG" | grep -iv 'development keys' || true)
if [[ -n $WARNINGS ]]; then
  say "server log: $(wc -l <<<"$WARNINGS") warning/error lines, first ones:"
  head -5 <<<"$WARNINGS" | cut -c1-200 | sed 's/^/  /'
fi

hr
say "| engine | operation | conns | ok req/s | p50 ms | p90 ms | p99 ms | max ms | errors | audit records | CPU cores server / pg / wrk / machine | CPU µs per request (server + pg) |"
say "|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do say "$r"; done
hr
if [[ $FAILED == 0 ]]; then
  say "RESULT: clean run (all responses 2xx, no socket errors, every acknowledged request audited, chain intact)"
else
  say "RESULT: RUN HAD ERRORS:"
  for e in "${ERRORS[@]}"; do say "  - $e"; done
fi
exit $FAILED
