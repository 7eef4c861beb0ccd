#!/usr/bin/env bash
# Shared by the benchmark scripts (load/load.sh, load/twilio.sh): output, the server's start
# and stop, the PostgreSQL helpers, CPU sampling and the audit count. Sourced, not run; the
# functions read the calling script's variables (BIN, SERVER_LOG, PIN, PG_*, DATA …).

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

say() { printf '%s\n' "$*"; }

hr() { say "------------------------------------------------------------------------------"; }

fail() { FAILED=1; ERRORS+=("$1"); }

field() { grep -oE "(^| )$2=[^ ]+" <<<"$1" | head -1 | cut -d= -f2; }

ms() { awk -v us="$1" 'BEGIN{printf "%.2f", us/1000}'; }

pg_admin() {
  # Create/drop databases as the postgres superuser when we can, else as the CREATEDB role.
  if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- "$@" -h "$PG_HOST" -p "$PG_PORT"
  else
    PGPASSWORD=$PG_PASSWORD "$@" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER"
  fi
}

# One value from this run's PostgreSQL database.
pg_show() { PGPASSWORD=$PG_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -Atc "$1"; }

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      say "server did not stop within 30 s of SIGTERM; killing it"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

background_cores() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6}' /proc/stat)
  sleep 2
  read -r b1 t1 < <(awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6}' /proc/stat)
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$(nproc)" 'BEGIN{printf "%.2f", (t>0? b/t*n : 0)}'
}

audit_count() {
  # Records in the chain, via `careline audit verify` (reads the same data dir / database).
  local out
  out=$(timeout 300 "$BIN" audit verify 2>&1) || { say "audit verify failed: $out" >&2; return 1; }
  grep -oE 'audit chain intact: [0-9]+ records' <<<"$out" | grep -oE '[0-9]+' | head -1
}

cpu_ticks() { # CPU ticks (user+system) of a pid, summed over its threads
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

pg_ticks() { # this run's PostgreSQL backends plus the cluster's WAL writer (shared with others)
  local t=0 p
  [[ -n $PG_DB ]] || { echo 0; return; }
  for p in $(pgrep -f "^postgres: .*($PG_DB|walwriter)" || true); do t=$((t + $(cpu_ticks "$p"))); done
  echo $t
}

machine_ticks() { # busy and total ticks, all cores
  awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; total=busy+$5+$6; print busy, total}' /proc/stat
}

# Wait (up to BENCH_QUIET_WAIT seconds) for other load on the machine to settle; sets BG.
wait_for_quiet() {
  BG=$(background_cores)
  if [[ -n ${BENCH_QUIET_WAIT:-} ]]; then
    local deadline=$((SECONDS + BENCH_QUIET_WAIT))
    while awk -v c="$BG" 'BEGIN{exit !(c > 0.25)}' && (( SECONDS < deadline )); do
      sleep 3; BG=$(background_cores)
    done
  fi
}

# Start `careline serve --demo` on a free loopback port and wait for /ready; sets SERVER_PID
# and BASE.
start_server() {
  if [[ $PIN == 1 ]]; then
    taskset -c 0 "$BIN" serve --demo >"$SERVER_LOG" 2>&1 &
  else
    "$BIN" serve --demo >"$SERVER_LOG" 2>&1 &
  fi
  SERVER_PID=$!
  BASE=
  for _ in $(seq 1 1200); do
    kill -0 "$SERVER_PID" 2>/dev/null || { say "server exited during startup:"; tail -20 "$SERVER_LOG"; exit 2; }
    BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$SERVER_LOG" | head -1 || true)
    [[ -n $BASE ]] && curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1 && break
    BASE=
    sleep 0.1
  done
  [[ -n $BASE ]] || { say "server not ready within 120 s:"; tail -20 "$SERVER_LOG"; exit 2; }
}
