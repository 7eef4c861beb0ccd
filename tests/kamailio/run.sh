#!/usr/bin/env bash
# Calls through Kamailio to two CareLine nodes, with the shipped proxy configuration
# (deploy/kamailio/kamailio.cfg: dispatcher round-robin, Record-Route, loose routing).
#
#   tests/kamailio/run.sh     (needs kamailio, sipp from sip-tester, curl, jq, sqlite3, python3)
#
# Two nodes (`careline serve --demo`, each with its own SQLite database: a real site shares
# one PostgreSQL database) trust loopback, where the proxy is. The same patient and order are
# created on both through the REST API. Kamailio runs in the foreground on a free port with a
# dispatcher.list naming the two nodes. Then, all through the proxy:
#
#   order-status   SIPp walks verification and an order-status lookup (keys by INFO) and hangs
#                  up. Checks: the call landed on exactly one node, whose events show it worked;
#                  CareLine's 200 carried the proxy's Record-Route; the caller's BYE went by the
#                  proxy (Route header; Kamailio loose-routed it) and reached the node.
#   server-bye     the caller presses 0, and (no agent line) CareLine says so and hangs up. It
#                  lands on the other node (round-robin). Checks: CareLine's BYE came through the
#                  proxy (Kamailio routed it; two Vias, the proxy's on top), and its events.
#   failover       node B is stopped; two more calls both land on node A, one of them after
#                  Kamailio gave up on B.
source "$(dirname "$0")/../sipp/lib.sh"

need sipp sip-tester
need kamailio kamailio
HERE=$ROOT/tests/sipp
LINE=+15025550100
PHONE=+15025550163
DOB=1939-12-08
DOB_KEYS=12081939
PASSED=0

BIN=$(careline_bin)
start_node node-a
A_API=$NODE_HTTP A_SIP=$NODE_SIP A_DIR=$NODE_DIR A_PID=$NODE_PID
start_node node-b
B_API=$NODE_HTTP B_SIP=$NODE_SIP B_DIR=$NODE_DIR B_PID=$NODE_PID
create_caller "$B_API" "$PHONE" "$DOB"
B_PATIENT=$PATIENT_ID B_ORDER=$ORDER_NUMBER
create_caller "$A_API" "$PHONE" "$DOB"
A_PATIENT=$PATIENT_ID A_ORDER=$ORDER_NUMBER
# The scenario's keys are fixed before the call, so the order must have one number on both.
[ "$A_ORDER" = "$B_ORDER" ] || fail "the test order is $A_ORDER on node A but $B_ORDER on node B"
A_ADMIN=$(login "$A_API" admin@demo.careline.test)
B_ADMIN=$(login "$B_API" admin@demo.careline.test)

# Kamailio, in the foreground, logging to stderr, everything in $WORK/kamailio.
KDIR=$WORK/kamailio
mkdir -p "$KDIR/run"
KPORT=$(free_port)
PROXY=127.0.0.1:$KPORT
cat >"$KDIR/dispatcher.list" <<EOF
1 sip:$A_SIP 0 0
1 sip:$B_SIP 0 0
EOF
kamailio -f "$ROOT/deploy/kamailio/kamailio.cfg" -DD -E -m 64 -M 8 \
  -A "LISTEN=udp:$PROXY" -A "DISPATCHER_LIST=\"$KDIR/dispatcher.list\"" \
  -Y "$KDIR/run" -P "$KDIR/kamailio.pid" -w "$KDIR" >"$KDIR/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS+=("$KAM_PID")
# Ready when it answers OPTIONS addressed to itself.
python3 - "$KPORT" <<'PY' || fail "kamailio did not start: $(tail -n 20 "$KDIR/kamailio.log")"
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.2)
me = "127.0.0.1:%d" % s.getsockname()[1]
for i in range(100):
    msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKready%d\r\n"
           "From: <sip:probe@%s>;tag=p%d\r\nTo: <sip:127.0.0.1:%d>\r\nCall-ID: ready%d@test\r\n"
           "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (port, me, i, me, i, port, i))
    s.sendto(msg.encode(), ("127.0.0.1", port))
    try:
        if s.recv(4096).startswith(b"SIP/2.0 200"):
            sys.exit(0)
    except socket.timeout:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
log "kamailio: $PROXY, dispatching to $A_SIP and $B_SIP, pid $KAM_PID"

# which_node BEFORE_A BEFORE_B: "a CALL_ID" or "b CALL_ID" for the one new call on either node.
which_node() {
  local a b
  a=$(new_call "$A_DIR" "$1" || true)
  b=$(new_call "$B_DIR" "$2" || true)
  if [ -n "$a" ] && [ -z "$b" ]; then
    echo "a $a"
  elif [ -n "$b" ] && [ -z "$a" ]; then
    echo "b $b"
  else
    fail "expected the call on exactly one node; node A: '${a}', node B: '${b}'"
  fi
}

# The messages SIPp sent or received, one per paragraph, that start with START.
sipp_messages() {
  awk -v start="$2" 'BEGIN { RS = "-----------------------------------------------" }
    { sub(/^[^\n]*\n[^\n]*\n\n?/, ""); if (index($0, start) == 1) print $0 "\n====" }' "$1"
}

# 1. An order-status call through the proxy, keys by INFO, the caller hangs up.
python3 "$HERE/expand.py" "$HERE/order_status.xml" "$WORK/order-status.xml" --via info \
  menu=1 dob="$DOB_KEYS" order="$A_ORDER#"
before_a=$(sip_calls "$A_DIR")
before_b=$(sip_calls "$B_DIR")
sipp_call order-status "$WORK/order-status.xml" "$PROXY"
landed=$(which_node "$before_a" "$before_b")
read -r first call <<<"$landed"
if [ "$first" = a ]; then
  PATIENT_ID=$A_PATIENT ORDER_NUMBER=$A_ORDER
  check_order_call order-status "$A_API" "$A_ADMIN" "$A_DIR" "$call" Info
  node_sip=$A_SIP
else
  PATIENT_ID=$B_PATIENT ORDER_NUMBER=$B_ORDER
  check_order_call order-status "$B_API" "$B_ADMIN" "$B_DIR" "$call" Info
  node_sip=$B_SIP
fi
# CareLine's answer carried the proxy's Record-Route back to the caller...
ok=$(sipp_messages "$WORK/order-status.messages" "SIP/2.0 200 OK" | awk '/^CSeq: .* INVITE/ { inv = 1 } /^Record-Route: <sip:127\.0\.0\.1:'"$KPORT"';lr/ { rr = 1 } /^====/ { if (inv && rr) print "yes"; inv = rr = 0 }')
[ "$ok" = yes ] || fail "order-status: CareLine's 200 to the INVITE has no Record-Route of the proxy:
$(sipp_messages "$WORK/order-status.messages" "SIP/2.0 200 OK" | head -n 20)"
# ...so the caller's BYE named the proxy in its Route and was sent to it,
sipp_messages "$WORK/order-status.messages" "BYE " | grep -q "^Route: <sip:127\.0\.0\.1:$KPORT;lr" ||
  fail "order-status: the caller's BYE has no Route through the proxy"
# ...and Kamailio routed it on to the node that had the call (which recorded the hangup).
grep -q "in-dialog BYE routed to sip:careline@$node_sip" "$KDIR/kamailio.log" ||
  fail "order-status: Kamailio did not route the BYE to the node $node_sip:
$(grep -E 'in-dialog|new call' "$KDIR/kamailio.log")"
log "order-status: landed on node $first ($node_sip); Record-Route and the BYE went by the proxy"
PASSED=$((PASSED + 1))

# 2. The server hangs up: its BYE must follow the route set, through the proxy.
python3 "$HERE/expand.py" "$HERE/server_hangup.xml" "$WORK/server-bye.xml" --via info menu=0
before_a=$(sip_calls "$A_DIR")
before_b=$(sip_calls "$B_DIR")
sipp_call server-bye "$WORK/server-bye.xml" "$PROXY"
landed=$(which_node "$before_a" "$before_b")
read -r second call <<<"$landed"
[ "$second" != "$first" ] || fail "server-bye: round-robin sent both calls to node $first"
if [ "$second" = a ]; then
  base=$A_API token=$A_ADMIN node_sip=$A_SIP
else
  base=$B_API token=$B_ADMIN node_sip=$B_SIP
fi
expect_events "$base" "$token" "$call" menu_selection/success transfer_to_agent/requested \
  transfer/no_target
bye=$(sipp_messages "$WORK/server-bye.messages" "BYE ")
vias=$(grep -c '^Via:' <<<"$bye" || true)
top=$(grep -m1 '^Via:' <<<"$bye")
[ "$vias" = 2 ] && grep -q "127\.0\.0\.1:$KPORT" <<<"$top" ||
  fail "server-bye: CareLine's BYE did not come through the proxy (expected 2 Vias, the proxy's on top):
$bye"
grep -q "in-dialog BYE routed to sip:$PHONE@127.0.0.1" "$KDIR/kamailio.log" ||
  fail "server-bye: Kamailio did not route CareLine's BYE to the caller"
log "server-bye: landed on node $second ($node_sip); CareLine's BYE came through the proxy"
PASSED=$((PASSED + 1))

# 3. Failover: node B stops; the next two calls (one of which is B's turn) land on A.
kill "$B_PID"
wait "$B_PID" 2>/dev/null || true
python3 "$HERE/expand.py" "$HERE/order_status.xml" "$WORK/failover.xml" --via info \
  menu= dob= order=
for n in 1 2; do
  before_a=$(sip_calls "$A_DIR")
  sipp_call "failover-$n" "$WORK/failover.xml" "$PROXY"
  call=$(new_call "$A_DIR" "$before_a") || fail "failover-$n: the call did not land on node A"
  expect_events "$A_API" "$A_ADMIN" "$call" call_started/success call_ended/caller_hangup
done
grep -q "node did not take the call; trying sip:$A_SIP" "$KDIR/kamailio.log" ||
  fail "failover: Kamailio never moved a call from node B to node A:
$(grep -E 'new call|trying' "$KDIR/kamailio.log")"
log "failover: with node B down, both calls were answered by node A"
PASSED=$((PASSED + 1))

log "all calls through Kamailio passed in $(($(date +%s) - T0)) s"
echo "kamailio: $PASSED passed, 0 failed"
