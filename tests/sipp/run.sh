#!/usr/bin/env bash
# Real SIP calls from SIPp to `careline serve --demo`, checked by what the server recorded.
#
#   tests/sipp/run.sh            (needs sipp from Debian's sip-tester, curl, jq, sqlite3, python3)
#
# It starts a CareLine with its own SQLite database on free loopback ports, creates a patient
# and a shipped order for them through the REST API, then places these calls:
#
#   options        OPTIONS: 200 with Allow
#   no-codec       an INVITE offering G.729 only: 488, and no call started
#   rfc2833        order status with every key an RFC 2833 event from SIPp's shipped captures
#   info           the same call with every key a SIP INFO (application/dtmf-relay)
#   info-tcp       the INFO call over TCP
#
# After each call it asks the REST API for the call's events (menu_selection/success,
# authenticate/success, check_order_status/success, call_ended/caller_hangup, in that order),
# checks the call was the test patient's, that the engine spoke the order's status (its
# replay: "Order <number> is on its way… by U P S"), and that the keys came the way the call
# sent them (the server's own log). Any miss fails the run, which exits non-zero.
source "$(dirname "$0")/lib.sh"

need sipp sip-tester
PCAPS=${SIPP_PCAPS:-/usr/share/sip-tester}
[ -f "$PCAPS/dtmf_2833_1.pcap" ] || fail "no DTMF captures in $PCAPS (dpkg -L sip-tester | grep pcap)"
HERE=$ROOT/tests/sipp
LINE=+15025550100 # the demo's main line
PHONE=+15025550161
DOB=1951-03-14
DOB_KEYS=03141951 # as the keypad gives it: MMDDYYYY
PASSED=0

BIN=$(careline_bin)
start_node sipp
API=$NODE_HTTP
SIP=$NODE_SIP
DIR=$NODE_DIR
create_caller "$API" "$PHONE" "$DOB"
ADMIN=$(login "$API" admin@demo.careline.test)

# 1. OPTIONS.
sipp_call options "$HERE/options.xml" "$SIP"
PASSED=$((PASSED + 1))

# 2. No common codec: 488, and nothing recorded.
before=$(sip_calls "$DIR")
sipp_call no-codec "$HERE/no_common_codec.xml" "$SIP"
if new_call "$DIR" "$before" >/dev/null; then
  fail "no-codec: a call was started for an INVITE that got 488"
fi
PASSED=$((PASSED + 1))

# 3–5. Order status with keys by RFC 2833, by INFO, and by INFO over TCP.
for run in "rfc2833 rfc2833 udp Rfc4733" "info info udp Info" "info-tcp info tcp Info"; do
  read -r name via transport logged <<<"$run"
  python3 "$HERE/expand.py" "$HERE/order_status.xml" "$WORK/$name.xml" --via "$via" \
    --pcaps "$PCAPS" --work "$WORK" menu=1 dob="$DOB_KEYS" order="$ORDER_NUMBER#"
  before=$(sip_calls "$DIR")
  if [ "$transport" = tcp ]; then
    sipp_call "$name" "$WORK/$name.xml" "$SIP" -t t1
  else
    sipp_call "$name" "$WORK/$name.xml" "$SIP"
  fi
  call=$(new_call "$DIR" "$before") || fail "$name: SIPp passed but the server recorded no call"
  check_order_call "$name" "$API" "$ADMIN" "$DIR" "$call" "$logged"
  PASSED=$((PASSED + 1))
done

log "all SIPp calls passed in $(($(date +%s) - T0)) s"
echo "sipp: $PASSED passed, 0 failed"
