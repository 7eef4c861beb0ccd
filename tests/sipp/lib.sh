# Helpers for the real-peer tests (tests/sipp, tests/baresip, tests/kamailio); sourced, not run.
# They build CareLine, start nodes on free loopback ports with the demo data, create test data
# through the REST API, and read back what the server did (call events, the engine's replay).
#
# Settings (environment):
#   PEERS_BIN           use this careline binary instead of building one
#   PEERS_PROFILE       cargo profile to build (default: debug, which `cargo test` has built)
#   KEEP=1              keep the work directory (logs, traces, databases) after the run
# (Not CARELINE_*: CareLine reads every CARELINE_ variable as a setting and refuses unknown ones.)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/careline-peers.XXXXXX")
PIDS=()
T0=$(date +%s)

log() { printf '[%3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }

fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  for f in "$WORK"/*/careline.log; do
    [ -f "$f" ] || continue
    printf -- '--- warnings and errors, then the last lines, of %s\n' "$f" >&2
    grep -aE ' (WARN|ERROR) ' "$f" | grep -v 'DEVELOPMENT KEYS' | tail -n 20 >&2 || true
    printf -- '...\n' >&2
    tail -n 15 "$f" >&2
  done
  KEEP=1
  exit 1
}

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    printf 'work directory kept: %s\n' "$WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (Debian package: $2)"
}

need curl curl
need jq jq
need sqlite3 sqlite3
need python3 python3

# The careline binary: $PEERS_BIN, or a build of the workspace's (a no-op after `cargo test`).
careline_bin() {
  if [ -n "${PEERS_BIN:-}" ]; then
    printf '%s\n' "$PEERS_BIN"
    return
  fi
  local profile=${PEERS_PROFILE:-debug} flag=() dir=debug
  if [ "$profile" = release ]; then flag=(--release); dir=release; fi
  (cd "$ROOT" && nice -n 10 cargo build --locked "${flag[@]}" --bin careline >&2) ||
    fail "cargo build failed"
  printf '%s\n' "$ROOT/target/$dir/careline"
}

# A free port on loopback (UDP and TCP both free at the time of asking).
free_port() {
  python3 - <<'PY'
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
PY
}

# start_node NAME [VAR=VALUE...]: `careline serve --demo` in $WORK/NAME with its own SQLite
# database, HTTP and SIP on free loopback ports, RTP on any free port, loopback trusted, and
# keys logged with how they came (careline::sip at debug). Extra variables override (CARELINE_DATABASE_URL, CARELINE_SIP_AGENT_URI...). Sets
# NODE_DIR, NODE_HTTP (host:port), NODE_SIP (host:port), NODE_PID.
start_node() {
  local name=$1
  shift
  NODE_DIR=$WORK/$name
  mkdir -p "$NODE_DIR"
  # The working directory is the node's own, so no careline.toml or ivr.toml of the
  # caller's is picked up.
  (
    cd "$NODE_DIR"
    exec env CARELINE_DATA_DIR="$NODE_DIR/data" \
      CARELINE_BIND=127.0.0.1:0 \
      CARELINE_SIP_LISTEN=127.0.0.1:0 \
      CARELINE_SIP_RTP_PORTS=0 \
      CARELINE_SIP_TRUSTED='["127.0.0.0/8"]' \
      CARELINE_LOG_FORMAT=text \
      CARELINE_LOG_LEVEL="info,rsipstack=warn,careline::sip=debug" \
      NO_COLOR=1 \
      "$@" "$BIN" serve --demo
  ) >"$NODE_DIR/careline.log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  echo "$NODE_PID" >"$NODE_DIR/pid"
  local line
  for _ in $(seq 1 600); do
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      fail "careline ($name) exited during start-up"
    fi
    if grep -q 'CareLine is serving' "$NODE_DIR/careline.log" &&
      grep -q 'SIP is listening' "$NODE_DIR/careline.log"; then
      break
    fi
    sleep 0.2
  done
  line=$(grep -m1 'SIP is listening' "$NODE_DIR/careline.log" | sed 's/\x1b\[[0-9;]*m//g') ||
    fail "careline ($name) did not start SIP within 120 s"
  NODE_SIP=$(grep -oE 'local=[0-9.]+:[0-9]+' <<<"$line" | head -n1 | cut -d= -f2)
  line=$(grep -m1 'CareLine is serving' "$NODE_DIR/careline.log" | sed 's/\x1b\[[0-9;]*m//g')
  NODE_HTTP=$(grep -oE 'addr=[0-9.]+:[0-9]+' <<<"$line" | head -n1 | cut -d= -f2)
  [ -n "$NODE_SIP" ] && [ -n "$NODE_HTTP" ] ||
    fail "careline ($name): cannot read the SIP and HTTP addresses from its log"
  log "careline $name: HTTP $NODE_HTTP, SIP $NODE_SIP (udp+tcp), pid $NODE_PID"
}

# api BASE METHOD PATH TOKEN [JSON]: the response body; fails the test on HTTP 4xx/5xx.
api() {
  local base=$1 method=$2 path=$3 token=$4 body=${5:-} out status
  local args=(-sS -X "$method" "http://$base$path" -H 'content-type: application/json' -w '\n%{http_code}')
  [ -n "$token" ] && args+=(-H "authorization: Bearer $token")
  [ -n "$body" ] && args+=(--data "$body")
  out=$(curl "${args[@]}") || fail "$method $path: curl failed"
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  [ "$status" -lt 400 ] || fail "$method $path: HTTP $status: $out"
  printf '%s' "$out"
}

# login BASE EMAIL: an access token for a demo account.
login() {
  local token
  token=$(api "$1" POST /api/v1/auth/login "" \
    "$(jq -nc --arg e "$2" '{email: $e, password: "Harbor-Light-2026!"}')" | jq -r .access_token)
  [ -n "$token" ] && [ "$token" != null ] || fail "no token for $2"
  printf '%s' "$token"
}

# create_caller BASE PHONE DOB(YYYY-MM-DD): a new patient of the demo doctor (Dr. Lee) with this
# phone and date of birth, and an order for them taken all the way to shipped, through the
# REST API as each role would. No PIN: phone PINs are set only by the demo seed today, so the
# caller verifies with the date of birth alone. Sets PATIENT_ID and ORDER_NUMBER.
create_caller() {
  local base=$1 phone=$2 dob=$3
  local doctor specialist distributor shipping products product size request order
  doctor=$(login "$base" doctor@demo.careline.test)
  specialist=$(login "$base" specialist@demo.careline.test)
  distributor=$(login "$base" distributor@demo.careline.test)
  shipping=$(login "$base" shipping@demo.careline.test)
  PATIENT_ID=$(api "$base" POST /api/v1/patients "$doctor" "$(jq -nc --arg p "$phone" --arg d "$dob" '{
      first_name: "Rosalind", last_name: "Okafor", date_of_birth: $d, phone: $p,
      address: {line1: "12 Bardstown Rd", city: "Louisville", state: "KY", postal_code: "40204"},
      insurance: [{payer_name: "Humana", member_id: "HUM-55-0161", is_primary: true}]
    }')" | jq -r .id)
  [ -n "$PATIENT_ID" ] && [ "$PATIENT_ID" != null ] || fail "patient not created"
  products=$(api "$base" GET /api/v1/products "$doctor")
  product=$(jq -r '(.items // .)[0].id' <<<"$products")
  size=$(jq -r '(.items // .)[0].sizes[0].id' <<<"$products")
  [ "$product" != null ] && [ "$size" != null ] || fail "no demo product with a size: $products"
  request=$(api "$base" POST /api/v1/ivrs "$doctor" "$(jq -nc --arg pa "$PATIENT_ID" --arg p "$product" --arg s "$size" '{
      patient_id: $pa, diagnosis_codes: ["E11.621"],
      products: [{product_id: $p, sizes: [{product_size_id: $s, quantity: 4}]}]
    }')" | jq -r .id)
  api "$base" POST "/api/v1/ivrs/$request/submit" "$doctor" '{}' >/dev/null
  api "$base" POST "/api/v1/ivrs/$request/start-review" "$specialist" '{}' >/dev/null
  api "$base" POST "/api/v1/ivrs/$request/approve" "$specialist" '{"coverage": {
      "deductible_cents": 0, "copay_cents": 1500, "coinsurance_percent": 20,
      "out_of_pocket_max_cents": 300000, "prior_auth_required": false, "prior_auth_number": null}}' >/dev/null
  order=$(api "$base" POST /api/v1/orders "$doctor" "$(jq -nc --arg r "$request" '{ivr_request_id: $r}')")
  ORDER_NUMBER=$(jq -r .order_number <<<"$order")
  [[ "$ORDER_NUMBER" =~ ^[0-9]+$ ]] || fail "no order number: $order"
  api "$base" POST "/api/v1/orders/$ORDER_NUMBER/approve" "$distributor" '{}' >/dev/null
  api "$base" POST "/api/v1/orders/$ORDER_NUMBER/process" "$shipping" '{}' >/dev/null
  api "$base" POST "/api/v1/orders/$ORDER_NUMBER/ship" "$shipping" \
    '{"carrier": "UPS", "tracking_number": "1Z5R89390357567127"}' >/dev/null
  local status
  status=$(api "$base" GET "/api/v1/orders/$ORDER_NUMBER" "$doctor" | jq -r .status)
  [ "$status" = shipped ] || fail "order $ORDER_NUMBER is $status, not shipped"
  log "test data: patient $PATIENT_ID (phone $phone, born $dob, no PIN), order $ORDER_NUMBER shipped by UPS"
}

# sip_calls DIR: the SIP calls in a node's SQLite database, oldest first.
sip_calls() {
  sqlite3 "$1/data/careline.db" "select call_id from ivr_calls where transport = 'sip' order by started_at"
}

# new_call DIR BEFORE: the one call id in DIR's database that is not in the list BEFORE.
new_call() {
  local dir=$1 before=$2 ids
  ids=$(comm -13 <(sort <<<"$before") <(sip_calls "$dir" | sort))
  [ -n "$ids" ] || return 1
  [ "$(wc -l <<<"$ids")" = 1 ] || fail "expected one new SIP call, found: $ids"
  printf '%s' "$ids"
}

# call_events BASE TOKEN CALL_ID: "action/result" lines, in order, from the REST API.
call_events() {
  api "$1" GET "/api/v1/calls/$3/events" "$2" | jq -r '.[] | "\(.action)/\(.result)"'
}

# call_patient BASE TOKEN CALL_ID: the patient the server identified in the call (the call
# must be a SIP call).
call_patient() {
  local view
  view=$(api "$1" GET "/api/v1/calls/$3" "$2")
  [ "$(jq -r .transport <<<"$view")" = sip ] || fail "call $3 is not a SIP call: $view"
  jq -r .patient_id <<<"$view"
}

# expect_events BASE TOKEN CALL_ID EVENT...: wait (up to 10 s) until every EVENT
# ("action/result") is among the call's events; fail, listing them, if one never comes.
expect_events() {
  local base=$1 token=$2 call=$3
  shift 3
  local events missing
  for _ in $(seq 1 50); do
    events=$(call_events "$base" "$token" "$call")
    missing=()
    for e in "$@"; do
      grep -qxF "$e" <<<"$events" || missing+=("$e")
    done
    [ ${#missing[@]} = 0 ] && return 0
    sleep 0.2
  done
  fail "call $call: no ${missing[*]}; its events were:
$events"
}

# replay DIR CALL_ID: what the engine did in the call, as `careline call replay` shows it.
replay() {
  (cd "$1" && CARELINE_DATA_DIR="$1/data" NO_COLOR=1 "$BIN" call replay "$2" 2>&1)
}

# sipp_call NAME SCENARIO TARGET [SIPP ARGS...]: one SIPp call to TARGET (host:port) from
# $PHONE to $LINE, traced to $WORK/NAME.*; fails the run unless SIPp says the call passed.
sipp_call() {
  local name=$1 scenario=$2 target=$3
  shift 3
  local t=$SECONDS rc=0
  sipp -sf "$scenario" "$target" -m 1 -l 1 -nostdin -timeout 60s -timeout_error \
    -i 127.0.0.1 -p "$(free_port)" -mi 127.0.0.1 -mp "$(free_port)" \
    -set caller "$PHONE" -set line "$LINE" \
    -trace_msg -message_file "$WORK/$name.messages" \
    -trace_err -error_file "$WORK/$name.errors" \
    -trace_screen -screen_file "$WORK/$name.screen" \
    "$@" >"$WORK/$name.out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    printf -- '--- SIPp (%s) exited %s; its errors:\n' "$name" "$rc" >&2
    cat "$WORK/$name.errors" >&2 2>/dev/null || true
    tail -n 40 "$WORK/$name.out" >&2
    printf -- '--- SIP messages:\n' >&2
    tail -n 120 "$WORK/$name.messages" >&2 2>/dev/null || true
    fail "SIPp call '$name' failed"
  fi
  log "$name: SIPp passed ($((SECONDS - t)) s)"
}

# check_order_call NAME BASE TOKEN DIR CALL_ID VIA: what the server did in an order-status
# call of the test caller (PATIENT_ID, ORDER_NUMBER from create_caller; DOB_KEYS): the events
# in order with no failed step, the caller identified, the order's status read out (the
# engine's replay), and every key received by VIA (Rfc4733, Info) and no other way.
check_order_call() {
  local name=$1 base=$2 token=$3 dir=$4 call=$5 via=$6
  expect_events "$base" "$token" "$call" menu_selection/success authenticate/success \
    check_order_status/success call_ended/caller_hangup
  local events order
  events=$(call_events "$base" "$token" "$call")
  order=$(grep -xE 'call_started/.*|menu_selection/success|authenticate/success|check_order_status/success|call_ended/caller_hangup' <<<"$events" |
    sed 's|/.*||' | uniq | tr '\n' ' ')
  [ "$order" = "call_started menu_selection authenticate check_order_status call_ended " ] ||
    fail "$name: events out of order: $order
$events"
  if grep -qE '^(authenticate|check_order_status)/(failure|failed|not_found|locked)' <<<"$events"; then
    fail "$name: a failed step before success:
$events"
  fi
  local patient
  patient=$(call_patient "$base" "$token" "$call")
  [ "$patient" = "$PATIENT_ID" ] || fail "$name: the call was identified as '$patient', not the test patient $PATIENT_ID"
  # What the caller was told: the engine's outputs, replayed from the stored inputs.
  local said spoken
  said=$(replay "$dir" "$call")
  spoken=$(grep -m1 -oE 'Order [0-9 ,]+ is on its way' <<<"$said" | tr -cd '0-9') ||
    fail "$name: the engine never said the order is on its way:
$said"
  [ "$spoken" = "$ORDER_NUMBER" ] || fail "$name: the engine read out order $spoken, not $ORDER_NUMBER"
  grep -q 'by U P S' <<<"$said" || fail "$name: the carrier was not said:
$said"
  # Every key of the call (1, the date of birth, the order number and #) arrived the way
  # the scenario sent it, and no other way.
  local keys=$((1 + ${#DOB_KEYS} + ${#ORDER_NUMBER} + 1)) got other
  got=$(grep -c "call=$call.*via=$via" "$dir/careline.log" || true)
  other=$(grep "call=$call" "$dir/careline.log" | grep ' key ' | grep -vc "via=$via" || true)
  [ "$got" = "$keys" ] && [ "$other" = 0 ] ||
    fail "$name: the server logged $got keys by $via (expected $keys) and $other by other ways"
  log "$name: call $call: verified, order $ORDER_NUMBER read out as shipped by UPS, $got keys by $via"
}

# baresip_ports: "SIP CTRL", two free loopback ports for a baresip: SIP (whose +1, baresip's
# TLS port, is free too) and its control socket (neither of those).
baresip_ports() {
  python3 - <<'PY'
import socket
def free(port=0):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); t = socket.socket()
    try:
        u.bind(("127.0.0.1", port)); t.bind(("127.0.0.1", u.getsockname()[1]))
        return u.getsockname()[1]
    except OSError:
        return None
while True:
    sip = free()
    if sip and sip < 65534 and free(sip + 1):
        break
while True:
    ctrl = free()
    if ctrl and ctrl not in (sip, sip + 1):
        break
print(sip, ctrl)
PY
}
