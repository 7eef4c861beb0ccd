#!/usr/bin/env bash
# The voice agent over SIP with a real softphone: baresip calls the practice's line as
# Eleanor (demo data) and SPEAKS, its microphone a WAV of a synthetic caller (Piper's joe
# voice, on a phone line with hiss; tests/speech/synth.py), never keys:
#   "I need to move my appointment" … "june ninth nineteen fifty one" … "move it" … "yes"
# with pauses between, as a caller would leave for the questions (and talking over a prompt
# that allows barge-in stops it). CareLine runs with speech = true.
#
#   tests/baresip/speech.sh   (needs baresip, curl, jq, sqlite3, python3 and the test voices:
#                              tests/speech/install.sh)
#
# Checks: the call's events show four spoken answers understood, the caller verified by her
# spoken date of birth, and the appointment moved; the engine's replay has the four spoken
# inputs. Exits non-zero on any miss.
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

CFG=$WORK/baresip-speech
mkdir -p "$CFG"
# The caller's voice: the four sentences, with line hiss before, between and after.
printf '%s\n' \
  '{"id": "s0", "text": "I need to move my appointment"}' \
  '{"id": "s1", "text": "june ninth nineteen fifty one"}' \
  '{"id": "s2", "text": "move it"}' \
  '{"id": "s3", "text": "yes"}' >"$CFG/said.jsonl"
"$ROOT/tests/speech/synth.py" --in "$CFG/said.jsonl" --out "$CFG/voice" --voice piper-joe \
  --snr 25 --deterministic >/dev/null || fail "synth.py could not make the caller's voice"
python3 - "$CFG/voice/piper-joe/snr25" "$CFG/microphone.wav" <<'PY'
import random, struct, sys, wave
src, out = sys.argv[1], sys.argv[2]
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
# Seconds of hiss before each sentence: the welcome and each question take a few seconds
# to say; talking over a prompt that allows it is barge-in.
gaps = [3.0, 6.0, 7.0, 7.0]
samples = []
for i, g in enumerate(gaps):
    samples += hiss(g) + speech(i)
samples += hiss(20)
with wave.open(out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(struct.pack("<%dh" % len(samples), *[max(-32768, min(32767, s)) for s in samples]))
print("microphone %.1f s" % (len(samples) / 8000))
PY

read -r SIP_PORT CTRL_PORT < <(baresip_ports)
cat >"$CFG/config" <<EOF
poll_method		epoll
net_interface		127.0.0.1
sip_listen		127.0.0.1:$SIP_PORT
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
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$CTRL_PORT
EOF
echo "<sip:$PHONE@127.0.0.1>;regint=0;audio_codecs=pcmu;answermode=manual" >"$CFG/accounts"
: >"$CFG/contacts"

before=$(sip_calls "$DIR")
baresip -f "$CFG" >"$WORK/baresip-speech.log" 2>&1 </dev/null &
PIDS+=($!)
log "baresip speaks: SIP 127.0.0.1:$SIP_PORT, control 127.0.0.1:$CTRL_PORT"
python3 "$HERE/drive.py" call "127.0.0.1:$CTRL_PORT" "sip:$LINE@$NODE_SIP" wait:42 \
  >"$WORK/drive-speech.log" 2>&1 || {
  cat "$WORK/drive-speech.log" >&2
  tail -n 40 "$WORK/baresip-speech.log" >&2
  fail "the spoken baresip call did not go as planned"
}

call=$(new_call "$DIR" "$before") || fail "baresip's call was not recorded by the server"
expect_events "$API" "$ADMIN" "$call" authenticate/success move_appointment/success
events=$(call_events "$API" "$ADMIN" "$call")
log "events: $(tr '\n' ' ' <<<"$events")"
understood=$(grep -c '^speech/understood$' <<<"$events" || true)
[ "$understood" -ge 4 ] || fail "call $call: $understood spoken answers understood, not 4"
grep -q '^speech/not_understood$' <<<"$events" &&
  log "note: a sentence was asked again (speech/not_understood) before it was understood"
spoken=$(replay "$DIR" "$call" | grep -c 'speech' || true)
[ "$spoken" -ge 4 ] || fail "the replay of call $call has $spoken spoken inputs: $(replay "$DIR" "$call")"
log "spoken baresip call passed in $(($(date +%s) - T0)) s"
echo "baresip speech: 1 passed, 0 failed"
