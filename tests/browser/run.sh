#!/usr/bin/env bash
# The dashboard in a real browser: starts `careline serve --demo` on a free port with its own
# data, then runs the Playwright scenarios in tests/browser/*.spec.js against it with Debian's
# chromium (never `playwright install`, which downloads a browser). Screenshots of every page
# land in tests/browser/test-results/.
#
#   tests/browser/run.sh     (needs node + npm, chromium at /usr/bin/chromium or $CHROMIUM)
#
# PEERS_BIN names the careline binary to use (CI passes the one the tests built); without it
# the debug binary is built.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
log() { printf '[browser] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

command -v node >/dev/null || fail "node is not installed (apt-get install nodejs npm)"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "no chromium at $CHROMIUM (apt-get install --no-install-recommends chromium)"

if [ -n "${PEERS_BIN:-}" ]; then
  BIN=$PEERS_BIN
else
  (cd "$ROOT" && cargo build --locked --bin careline >&2) || fail "cargo build failed"
  BIN=$ROOT/target/debug/careline
fi

# The packages from the npm registry, exactly as locked; no browser download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d "$HERE/node_modules/@playwright/test" ]; then
  log "npm ci"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

WORK=$(mktemp -d)
# Stop whichever server is running now (a scenario may have restarted it, so it is named by
# the pid file, not by $!), and keep the script's own exit status.
cleanup() {
  local status=$? pid
  pid=$(cat "$WORK/pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BROWSER_BASE_URL="http://127.0.0.1:$PORT"
export BROWSER_SERVER_LOG="$WORK/careline.log"

start_server() {
  (
    cd "$WORK"
    exec env CARELINE_DATA_DIR="$WORK/data" CARELINE_BIND="127.0.0.1:$PORT" \
      CARELINE_SIP_LISTEN=127.0.0.1:0 CARELINE_SIP_RTP_PORTS=0 \
      CARELINE_LOG_FORMAT=text NO_COLOR=1 "$BIN" serve --demo
  ) >>"$BROWSER_SERVER_LOG" 2>&1 &
  echo $! >"$WORK/pid"
  for _ in $(seq 1 300); do
    kill -0 "$(cat "$WORK/pid")" 2>/dev/null || fail "careline exited during start-up: $(tail -5 "$BROWSER_SERVER_LOG")"
    curl -fs "$BROWSER_BASE_URL/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "careline did not answer on $BROWSER_BASE_URL within 60 s"
}
start_server
log "careline at $BROWSER_BASE_URL (pid $(cat "$WORK/pid"))"

# A scenario that restarts the server (reconnect without losing an event) stops and starts it
# through these scripts, which the spec runs with the same environment.
export BROWSER_STOP="$WORK/stop.sh" BROWSER_START="$WORK/start.sh"
cat >"$BROWSER_STOP" <<STOP
#!/usr/bin/env bash
kill \$(cat "$WORK/pid"); while kill -0 \$(cat "$WORK/pid") 2>/dev/null; do sleep 0.1; done
STOP
cat >"$BROWSER_START" <<START
#!/usr/bin/env bash
cd "$WORK"
env CARELINE_DATA_DIR="$WORK/data" CARELINE_BIND="127.0.0.1:$PORT" CARELINE_SIP_LISTEN=127.0.0.1:0 \\
  CARELINE_SIP_RTP_PORTS=0 CARELINE_LOG_FORMAT=text NO_COLOR=1 "$BIN" serve >>"$BROWSER_SERVER_LOG" 2>&1 &
echo \$! >"$WORK/pid"
for _ in \$(seq 1 300); do curl -fs "$BROWSER_BASE_URL/health" >/dev/null 2>&1 && exit 0; sleep 0.2; done
exit 1
START
chmod +x "$BROWSER_STOP" "$BROWSER_START"

cd "$HERE"
T0=$(date +%s)
if ! npx --no-install playwright test "$@"; then
  log "server log (last 40 lines):"
  tail -40 "$BROWSER_SERVER_LOG" >&2
  exit 1
fi
log "browser scenarios passed in $(($(date +%s) - T0)) s; screenshots in tests/browser/test-results/"
