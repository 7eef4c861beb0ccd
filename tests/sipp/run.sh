#!/usr/bin/env bash
# Real SIP calls from SIPp to `careline serve --demo`, and one from CareLine to SIPp, checked by
# what the server recorded.
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
#   reminder       CareLine calls out (`careline sip-dial`, the hidden test command) to SIPp as
#                  the trunk and the patient's phone (reminder_uas.xml): the demo patient keys
#                  her date of birth and 1 by RFC 2833, and her appointment is confirmed
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

# 6. An outbound reminder call, answered by SIPp, which keys the demo patient's (Eleanor
#    Brooks) date of birth and 1. Her appointment is booked first by a simulator call, so it
#    is requested, not yet confirmed.
REMINDED=+15125550142
REMINDED_DOB=06091951
PRACTICE=+15125550100
booking=$(cd "$DIR" && CARELINE_DATA_DIR="$DIR/data" NO_COLOR=1 CARELINE_LOG_LEVEL=warn \
  "$BIN" call --from "$REMINDED" --to "$PRACTICE" --keys "1 $REMINDED_DOB 1 1" 2>&1) ||
  fail "reminder: the booking call failed: $booking"
booked=$(grep -oE 'call [^ ]+ ended' <<<"$booking" | cut -d' ' -f2)
id=$(sqlite3 "$DIR/data/careline.db" \
  "select lower(hex(id)) from appointments where voice_booking_session = '$booked'")
[ ${#id} = 32 ] || fail "reminder: no appointment booked by call $booked: $booking"
APPOINTMENT=${id:0:8}-${id:8:4}-${id:12:4}-${id:16:4}-${id:20:12}
status=$(api "$API" GET "/api/v1/appointments/$APPOINTMENT" "$ADMIN" | jq -r .status)
[ "$status" = requested ] || fail "reminder: the booked appointment is $status, not requested"
python3 "$HERE/expand.py" "$HERE/reminder_uas.xml" "$WORK/reminder.xml" --via rfc2833 \
  --pcaps "$PCAPS" --work "$WORK" dob="$REMINDED_DOB" confirm=1
UAS=$(free_port)
sipp -sf "$WORK/reminder.xml" -m 1 -l 1 -nostdin -timeout 60s -timeout_error \
  -i 127.0.0.1 -p "$UAS" -mi 127.0.0.1 -mp "$(free_port)" \
  -trace_msg -message_file "$WORK/reminder.messages" \
  -trace_err -error_file "$WORK/reminder.errors" \
  -trace_screen -screen_file "$WORK/reminder.screen" >"$WORK/reminder.out" 2>&1 &
SIPP_PID=$!
PIDS+=("$SIPP_PID")
sleep 0.5
mkdir -p "$WORK/dialer"
dialed=$(cd "$WORK/dialer" && env CARELINE_DATA_DIR="$DIR/data" \
  CARELINE_SIP_LISTEN=127.0.0.1:0 CARELINE_SIP_RTP_PORTS=0 \
  CARELINE_SIP_TRUSTED='["127.0.0.0/8"]' CARELINE_SIP_TRUNK_URI="sip:127.0.0.1:$UAS" \
  CARELINE_LOG_FORMAT=text CARELINE_LOG_LEVEL="info,rsipstack=warn,careline::sip=debug" NO_COLOR=1 \
  "$BIN" sip-dial --to "$REMINDED" --from "$PRACTICE" --appointment "$APPOINTMENT" \
  2>"$WORK/dialer/careline.log") || fail "reminder: careline sip-dial failed: $dialed"
rc=0
wait "$SIPP_PID" || rc=$?
if [ "$rc" != 0 ]; then
  cat "$WORK/reminder.errors" >&2 2>/dev/null || true
  tail -n 40 "$WORK/reminder.out" >&2
  tail -n 120 "$WORK/reminder.messages" >&2 2>/dev/null || true
  fail "reminder: SIPp (the callee) exited $rc"
fi
call=$(sed -n 's/^answered //p' <<<"$dialed")
[ -n "$call" ] || fail "reminder: the call was not answered: $dialed"
expect_events "$API" "$ADMIN" "$call" call_started/success authenticate/success \
  appointment_reminder/confirmed call_ended/completed
status=$(api "$API" GET "/api/v1/appointments/$APPOINTMENT" "$ADMIN" | jq -r .status)
[ "$status" = confirmed ] || fail "reminder: the appointment is $status after the call, not confirmed"
keys=$((${#REMINDED_DOB} + 1))
got=$(grep -c "call=$call.*via=Rfc4733" "$WORK/dialer/careline.log" || true)
[ "$got" = "$keys" ] || fail "reminder: the dialer logged $got keys by RFC 2833, expected $keys"
if grep -qE '5125550142|512-555-0142' "$WORK/dialer/careline.log"; then
  fail "reminder: the callee's number is in the dialer's log"
fi
log "reminder: call $call answered by SIPp, verified by $got RFC 2833 keys, appointment $APPOINTMENT confirmed"
PASSED=$((PASSED + 1))

log "all SIPp calls passed in $(($(date +%s) - T0)) s"
echo "sipp: $PASSED passed, 0 failed"
