#!/usr/bin/env bash
# The voice agent over SIP with a real softphone: baresip calls the practice's line as
# Eleanor (demo data) and SPEAKS, its microphone a WAV of a synthetic caller (Piper's joe
# voice, on a phone line with hiss; tests/speech/synth.py). CareLine runs with speech = true.
#   1. Moving an appointment, all by voice:
#      "I need to move my appointment" … "june ninth nineteen fifty one" … "move it" … "yes"
#      with pauses between, as a caller would leave for the questions.
#   2. Barge-in and the keypad on the same call: "I'd like to check my lab results" said over
#      the welcome (it stops the prompt), then the date of birth keyed (RFC 4733 events).
#
#   tests/baresip/speech.sh   (needs baresip, curl, jq, sqlite3, python3 and the test voices:
#                              tests/speech/install.sh)
#
# Checks: call 1's events show four spoken answers understood, the caller verified by her
# spoken date of birth, and the appointment moved; the engine's replay has the four spoken
# inputs. Call 2's events show the request understood, the caller verified by keys and her
# result given; the server counted a barge-in. Exits non-zero on any miss.
source "$(dirname "$0")/../sipp/lib.sh"

need baresip baresip-core
MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
for m in g711 aufile aubridge menu ctrl_tcp account; do
  [ -f "$MODULES/$m.so" ] || fail "baresip module $m not in $MODULES"
done
HERE=$ROOT/tests/baresip
LINE=+15125550100
PHONE=+15125550142
"$ROOT/tests/speech/synth.py" --check --voice piper-joe >/dev/null ||
  fail "the test voices are missing: run tests/speech/install.sh"

BIN=$(careline_bin)
start_node speech CARELINE_SPEECH=true
API=$NODE_HTTP
DIR=$NODE_DIR
ADMIN=$(login "$API" admin@demo.careline.test)

# spoken_call NAME GAPS SENTENCE... -- PLAN...: baresip dials the practice's line as Eleanor,
# its microphone the SENTENCEs in Piper's voice with line hiss, each after the seconds of hiss
# GAPS (space-separated) gives, then 20 s of hiss; drive.py follows PLAN (tests/baresip/
# drive.py) and hangs up. Sets CALL to the call's id.
spoken_call() {
  local name=$1 gaps=$2 cfg=$WORK/baresip-$1 i=0 plan=()
  shift 2
  mkdir -p "$cfg"
  : >"$cfg/said.jsonl"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    jq -nc --arg id "s$i" --arg text "$1" '{id: $id, text: $text}' >>"$cfg/said.jsonl"
    i=$((i + 1))
    shift
  done
  [ $# -gt 0 ] && shift
  plan=("$@")
  "$ROOT/tests/speech/synth.py" --in "$cfg/said.jsonl" --out "$cfg/voice" --voice piper-joe \
    --snr 25 --deterministic >/dev/null || fail "synth.py could not make the caller's voice"
  python3 - "$cfg/voice/piper-joe/snr25" "$cfg/microphone.wav" "$gaps" <<'PY'
import random, struct, sys, wave
src, out, gaps = sys.argv[1], sys.argv[2], [float(g) for g in sys.argv[3].split()]
def ulaw(b):  # G.711 u-law to 16-bit linear
    b = ~b & 0xFF
    t = ((b & 0x0F) << 3) + 0x84
    t <<= (b & 0x70) >> 4
    return (0x84 - t) if b & 0x80 else (t - 0x84)
def speech(i):
    with open(f"{src}/s{i}.wav", "rb") as f:
        data = f.read()
    at = data.index(b"data") + 8
    return [ulaw(b) for b in data[at:]]
rng = random.Random(7)
def hiss(seconds):
    return [int(rng.gauss(0, 30)) for _ in range(int(seconds * 8000))]
samples = []
for i, g in enumerate(gaps):
    samples += hiss(g) + speech(i)
samples += hiss(20)
with wave.open(out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(struct.pack("<%dh" % len(samples), *[max(-32768, min(32767, s)) for s in samples]))
print("microphone %.1f s" % (len(samples) / 8000))
PY

  local sip_port ctrl_port before pid
  read -r sip_port ctrl_port < <(baresip_ports)
  cat >"$cfg/config" <<CONFIG
poll_method		epoll
net_interface		127.0.0.1
sip_listen		127.0.0.1:$sip_port
call_local_timeout	120
call_max_calls		1
audio_player		aubridge,careline-test
audio_source		aufile,$cfg/microphone.wav
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
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl_port
CONFIG
  echo "<sip:$PHONE@127.0.0.1>;regint=0;audio_codecs=pcmu;answermode=manual" >"$cfg/accounts"
  : >"$cfg/contacts"

  before=$(sip_calls "$DIR")
  baresip -f "$cfg" >"$WORK/baresip-$name.log" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  log "baresip speaks ($name): SIP 127.0.0.1:$sip_port, control 127.0.0.1:$ctrl_port"
  python3 "$HERE/drive.py" call "127.0.0.1:$ctrl_port" "sip:$LINE@$NODE_SIP" "${plan[@]}" \
    >"$WORK/drive-$name.log" 2>&1 || {
    cat "$WORK/drive-$name.log" >&2
    tail -n 40 "$WORK/baresip-$name.log" >&2
    fail "the spoken baresip call ($name) did not go as planned"
  }
  wait "$pid" 2>/dev/null || true
  CALL=$(new_call "$DIR" "$before") || fail "baresip's call ($name) was not recorded by the server"
}

# barge_ins: how many times callers' speech has stopped a prompt on this node.
barge_ins() {
  curl -sS "http://$API/metrics" | awk '/^careline_speech_barge_ins(_total)? / {print $2; exit}'
}

# 1. Moving an appointment by voice. The welcome and each question take a few seconds to
# say: the sentences come after 3, 6, 7 and 7 seconds of hiss.
spoken_call move "3 6 7 7" \
  "I need to move my appointment" "june ninth nineteen fifty one" "move it" "yes" \
  -- wait:42
call=$CALL
expect_events "$API" "$ADMIN" "$call" authenticate/success move_appointment/success
events=$(call_events "$API" "$ADMIN" "$call")
log "events: $(tr '\n' ' ' <<<"$events")"
understood=$(grep -c '^speech/understood$' <<<"$events" || true)
[ "$understood" -ge 4 ] || fail "call $call: $understood spoken answers understood, not 4"
grep -q '^speech/not_understood$' <<<"$events" &&
  log "note: a sentence was asked again (speech/not_understood) before it was understood"
spoken=$(replay "$DIR" "$call" | grep -c 'speech' || true)
[ "$spoken" -ge 4 ] || fail "the replay of call $call has $spoken spoken inputs: $(replay "$DIR" "$call")"
log "spoken call (move) passed in $(($(date +%s) - T0)) s"

# 2. Barge-in, then keys: the request is said one second into the welcome, which must stop
# for it; the date of birth is keyed once the question has been asked.
barged=$(barge_ins)
spoken_call keys "1" "I'd like to check my lab results" -- wait:9 keys:06091951@0.3 wait:9
call=$CALL
expect_events "$API" "$ADMIN" "$call" speech/understood authenticate/success lab_results/success
events=$(call_events "$API" "$ADMIN" "$call")
log "events: $(tr '\n' ' ' <<<"$events")"
after=$(barge_ins)
[ "${after:-0}" -gt "${barged:-0}" ] ||
  fail "call $call: no barge-in counted (careline_speech_barge_ins $barged -> $after)"
replay "$DIR" "$call" | grep -qi 'key' ||
  fail "the replay of call $call has no keyed input: $(replay "$DIR" "$call")"
log "spoken call (barge-in, keys) passed in $(($(date +%s) - T0)) s"
echo "baresip speech: 2 passed, 0 failed"
