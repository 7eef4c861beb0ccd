#!/usr/bin/env bash
# A real softphone calls CareLine: baresip, headless, driven through its control socket.
#
#   tests/baresip/run.sh      (needs baresip from Debian's baresip-core, curl, jq, sqlite3, python3)
#
# It starts a CareLine (`serve --demo`, own SQLite database, free loopback ports), creates a
# patient and a shipped order through the REST API, and writes a baresip configuration with
# no sound card: the microphone is a silent WAV (aufile), the speaker a null device
# (aubridge), and the sndfile module records what the phone heard to a WAV. Then it dials
# the main line, presses 1, the date of birth and the order number with # (sndcode on the
# ctrl_tcp socket), listens, and hangs up.
#
# Checks: (a) the server's events for the call show the keys worked (menu_selection/success,
# authenticate/success, check_order_status/success, call_ended/caller_hangup, in order), the
# call was the test patient's, the engine read out the order's status ("Order <number> is on
# its way… by U P S", from its replay), and all 18 keys arrived as RFC 2833 events; (b) the
# recording of what the phone heard holds speech-like sound (many bursts, several seconds,
# and the status being read after the last key), not silence, and is as long as the call.
# (c) The practice records its calls ([practice.recording]): the call's recording, fetched
# through the REST API as a WAV, is as long as the call, holds the phone's microphone (a
# steady tone) on the left except while the date of birth was keyed (masked), and CareLine's
# prompts on the right.
# Exits non-zero on any miss.
source "$(dirname "$0")/../sipp/lib.sh"

need baresip baresip-core
MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
for m in g711 aufile aubridge sndfile menu ctrl_tcp account; do
  [ -f "$MODULES/$m.so" ] || fail "baresip module $m not in $MODULES"
done
HERE=$ROOT/tests/baresip
LINE=+15025550100
PHONE=+15025550162
DOB=1947-06-25
DOB_KEYS=06251947

BIN=$(careline_bin)
# The built-in menu, with recording on.
cp "$ROOT/crates/careline-call/src/default_ivr.toml" "$WORK/ivr.toml"
printf '\n[practice.recording]\nenabled = true\nretention_days = 7\n' >>"$WORK/ivr.toml"
start_node baresip CARELINE_IVR_FILE="$WORK/ivr.toml"
API=$NODE_HTTP
DIR=$NODE_DIR
create_caller "$API" "$PHONE" "$DOB"
ADMIN=$(login "$API" admin@demo.careline.test)

# baresip's configuration: its own directory, no sound card, no registration.
CFG=$WORK/baresip
mkdir -p "$CFG/recordings"
# baresip also listens for SIP over TLS, on the SIP port + 1; the control port must not be that.
read -r SIP_PORT CTRL_PORT < <(baresip_ports)
BARESIP_SIP=127.0.0.1:$SIP_PORT
CTRL=127.0.0.1:$CTRL_PORT
python3 - "$CFG/microphone.wav" <<'PY'
import sys, wave
import math, struct
with wave.open(sys.argv[1], "wb") as w:  # 2 minutes of a steady 1 kHz tone, 8 kHz mono
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    second = b"".join(struct.pack("<h", int(4000 * math.sin(2 * math.pi * 1000 * i / 8000))) for i in range(8000))
    w.writeframes(second * 120)
PY
cat >"$CFG/config" <<EOF
poll_method		epoll
net_interface		127.0.0.1
sip_listen		$BARESIP_SIP
call_local_timeout	120
call_max_calls		1
audio_player		aubridge,careline-test
audio_source		aufile,$CFG/microphone.wav
audio_alert		aubridge,careline-test
audio_level		no
ausrc_format		s16
auplay_format		s16
jitter_buffer_delay	5-10
rtp_timeout		0
module_path		$MODULES
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		$CTRL
snd_path		$CFG/recordings
EOF
# The caller's number is the account's user; calls only (no REGISTER), G.711 u-law.
echo "<sip:$PHONE@127.0.0.1>;regint=0;audio_codecs=pcmu;answermode=manual" >"$CFG/accounts"
: >"$CFG/contacts"

before=$(sip_calls "$DIR")
baresip -f "$CFG" >"$WORK/baresip.log" 2>&1 </dev/null &
PIDS+=($!)
BARESIP_PID=$!
log "baresip: SIP $BARESIP_SIP, control $CTRL, pid $BARESIP_PID"

t=$SECONDS
python3 "$HERE/drive.py" call "$CTRL" "sip:$LINE@$NODE_SIP" \
  wait:2 keys:1@0.4 wait:0.8 "keys:$DOB_KEYS@0.4" wait:1.5 "keys:$ORDER_NUMBER#@0.4" wait:9 \
  >"$WORK/drive.log" 2>&1 || {
  cat "$WORK/drive.log" >&2
  tail -n 40 "$WORK/baresip.log" >&2
  fail "the baresip call did not go as planned"
}
CALL_SECONDS=$((SECONDS - t))
cat "$WORK/drive.log" >&2
for _ in $(seq 1 50); do
  kill -0 "$BARESIP_PID" 2>/dev/null || break
  sleep 0.1
done

# (a) What the server did.
call=$(new_call "$DIR" "$before") || fail "baresip's call was not recorded by the server"
# baresip sends its keys as RFC 2833 telephone-events (payload type 101 in its offer).
check_order_call baresip "$API" "$ADMIN" "$DIR" "$call" Rfc4733
events=$(call_events "$API" "$ADMIN" "$call")
log "events: $(tr '\n' ' ' <<<"$events")"

# (b) What the phone heard: sndfile's recording of the decoded audio from CareLine.
heard=$(ls "$CFG"/recordings/*-dec.wav 2>/dev/null | head -n 1) || true
[ -n "$heard" ] || fail "baresip recorded nothing (no *-dec.wav in $CFG/recordings)"
cp "$heard" "$WORK/heard.wav"
# At least 6 s of speech in all, and the order's status read out after the last key: sound
# for at least 4 of the last 7 seconds.
python3 "$HERE/drive.py" speech "$WORK/heard.wav" 6 7 4 ||
  fail "what baresip heard is not speech (kept in $WORK/heard.wav)"
# Not longer than the call: the recording is of this call.
python3 - "$WORK/heard.wav" "$CALL_SECONDS" <<'PY' || fail "the recording does not match the call's length"
import sys, wave
with wave.open(sys.argv[1]) as w:
    seconds = w.getnframes() / w.getframerate()
call = float(sys.argv[2])
print("recording %.1f s, call %.0f s" % (seconds, call))
sys.exit(0 if 0.5 * call <= seconds <= call + 3 else 1)
PY
# (c) The call's recording, as staff would fetch it.
expect_events "$API" "$ADMIN" "$call" recording/started recording/saved
curl -fsS -H "authorization: Bearer $ADMIN" "http://$API/api/v1/calls/$call/recording" \
  -o "$WORK/recorded.wav" || fail "GET /api/v1/calls/$call/recording failed"
python3 - "$WORK/recorded.wav" "$CALL_SECONDS" <<'PY' || fail "the call's recording is not what the call was (kept in $WORK/recorded.wav)"
import struct, sys, wave
with wave.open(sys.argv[1]) as w:
    assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, 8000, 2), w.getparams()
    frames = w.readframes(w.getnframes())
samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
left, right = samples[0::2], samples[1::2]
seconds = len(left) / 8000
call = float(sys.argv[2])
def blocks(side):  # mean magnitude of each 100 ms
    return [sum(abs(s) for s in side[i:i + 800]) / 800 for i in range(0, len(side) - 799, 800)]
def longest_quiet(levels):
    best = run = 0
    for l in levels:
        run = run + 1 if l < 100 else 0
        best = max(best, run)
    return best / 10
lb, rb = blocks(left), blocks(right)
phone = sum(l > 1000 for l in lb) / 10
prompts = sum(l > 300 for l in rb) / 10
masked = longest_quiet(lb)
print("recording %.1f s (call %.0f s): phone's tone %.1f s, longest masked stretch %.1f s, prompts %.1f s"
      % (seconds, call, phone, masked, prompts))
ok = 0.5 * call <= seconds <= call + 3 and phone >= 0.4 * seconds and masked >= 2.0 and prompts >= 6
sys.exit(0 if ok else 1)
PY
log "baresip call passed in $(($(date +%s) - T0)) s"
echo "baresip: 1 passed, 0 failed"
