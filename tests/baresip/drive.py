#!/usr/bin/env python3
"""Drive baresip through its control socket (ctrl_tcp), and judge a recording.

    drive.py call HOST:PORT SIP_URI PLAN...
    drive.py speech WAV MIN_SECONDS [LAST_SECONDS LAST_MIN]

call: dial SIP_URI, wait for the call to be established, follow PLAN, hang up, and quit
baresip. PLAN items, in order:
    wait:SECONDS         let the call run (prompts play)
    keys:DIGITS@GAP      press each key (sndcode), GAP seconds apart
    cmd:COMMAND[=PARAMS] any other control command (hold, resume…)
Exits non-zero if the call is not established, or ends before we hang up.

speech: exit non-zero unless WAV (16-bit PCM, mono) holds at least MIN_SECONDS of sound
well above the noise floor, broken up the way speech is (many separate bursts) rather than
one tone, and, given LAST_SECONDS, at least LAST_MIN seconds of sound in its last
LAST_SECONDS (what was said after the last key). Prints what it measured.

ctrl_tcp speaks JSON in netstrings: {"command": "dial", "params": "sip:…", "token": "…"},
answered by {"response": true, "ok": true, "token": "…"}; events arrive as
{"event": true, "type": "CALL_ESTABLISHED", …}.
"""

import json
import math
import socket
import struct
import sys
import time
import wave


class Ctrl:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection((host, int(port)), timeout=1)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(0.1)
        self.buf = b""
        self.events = []
        self.token = 0

    def _read(self, timeout):
        end = time.time() + timeout
        out = []
        while True:
            while True:
                colon = self.buf.find(b":")
                if colon < 0:
                    break
                n = int(self.buf[:colon])
                if len(self.buf) < colon + 1 + n + 1:
                    break
                msg = json.loads(self.buf[colon + 1 : colon + 1 + n])
                self.buf = self.buf[colon + 1 + n + 1 :]
                out.append(msg)
            if out or time.time() >= end:
                return out
            try:
                data = self.sock.recv(65536)
                if not data:
                    raise SystemExit("baresip closed its control socket")
                self.buf += data
            except socket.timeout:
                pass

    def pump(self, timeout):
        """Messages for `timeout` seconds; events are printed and kept."""
        end = time.time() + timeout
        got = []
        while time.time() < end:
            for m in self._read(max(0.0, end - time.time())):
                if m.get("event"):
                    print("  event %s %s" % (m.get("type"), m.get("param", "")), flush=True)
                    self.events.append(m)
                got.append(m)
        return got

    def command(self, command, params=""):
        self.token += 1
        token = str(self.token)
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self.sock.sendall(b"%d:%s," % (len(body), body))
        end = time.time() + 5
        answer = None
        while answer is None and time.time() < end:
            # Every message of a batch is kept: an event can arrive with the answer.
            for m in self._read(end - time.time()):
                if m.get("event"):
                    print("  event %s %s" % (m.get("type"), m.get("param", "")), flush=True)
                    self.events.append(m)
                elif m.get("response") and m.get("token") == token:
                    answer = m
        if answer is None:
            raise SystemExit("no answer from baresip to %s" % command)
        if not answer.get("ok"):
            raise SystemExit("baresip refused %s %s: %s" % (command, params, answer))
        return answer

    def wait_event(self, kinds, timeout):
        end = time.time() + timeout
        while time.time() < end:
            for e in self.events:
                if e.get("type") in kinds:
                    return e
            self.pump(0.1)
        return None

    def closed(self):
        return any(e.get("type") == "CALL_CLOSED" for e in self.events)


def call(addr, uri, plan):
    c = Ctrl(addr)
    print("dial %s" % uri, flush=True)
    c.command("dial", uri)
    e = c.wait_event({"CALL_ESTABLISHED", "CALL_CLOSED"}, 15)
    if e is None or e["type"] != "CALL_ESTABLISHED":
        raise SystemExit("the call was not established: %s" % e)
    for step in plan:
        kind, _, arg = step.partition(":")
        if kind == "wait":
            c.pump(float(arg))
        elif kind == "keys":
            keys, _, gap = arg.partition("@")
            for k in keys:
                print("  key %s" % k, flush=True)
                c.command("sndcode", k)
                c.pump(float(gap or 0.4))
        elif kind == "cmd":
            command, _, params = arg.partition("=")
            print("  %s %s" % (command, params), flush=True)
            c.command(command, params)
        else:
            raise SystemExit("unknown plan step %r" % step)
        if c.closed():
            raise SystemExit("the call ended before we hung up (at %s)" % step)
    print("hangup", flush=True)
    c.command("hangup")
    if c.wait_event({"CALL_CLOSED"}, 10) is None:
        raise SystemExit("no CALL_CLOSED after hangup")
    try:
        c.command("quit")
    except SystemExit:
        pass


def speech(path, min_seconds, last_seconds=0.0, last_min=0.0):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SystemExit("%s: not 16-bit PCM" % path)
        rate, channels = w.getframerate(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(raw) // 2), raw)[::channels]
    frame = rate // 50  # 20 ms
    levels = []
    for i in range(0, len(samples) - frame + 1, frame):
        chunk = samples[i : i + frame]
        rms = math.sqrt(sum(s * s for s in chunk) / frame)
        levels.append(20 * math.log10(max(rms, 1.0) / 32768.0))
    total = len(samples) / rate
    if not levels:
        raise SystemExit("%s: empty recording" % path)
    # Sound: 20 ms frames louder than -45 dBFS (silence and comfort noise are far below).
    loud = [lv > -45.0 for lv in levels]
    active = sum(loud) * 0.02
    bursts = sum(1 for a, b in zip([False] + loud, loud) if b and not a)
    peak = max(levels)
    print(
        "%s: %.1f s recorded at %d Hz, %.1f s of sound in %d bursts, loudest 20 ms %.1f dBFS"
        % (path, total, rate, active, bursts, peak)
    )
    problems = []
    if active < min_seconds:
        problems.append("only %.1f s of sound (expected at least %.1f s)" % (active, min_seconds))
    if bursts < 5:
        problems.append("%d bursts of sound: speech has pauses between words and prompts" % bursts)
    if active > 0.98 * total:
        problems.append("sound all the way through: a tone or noise, not prompts")
    if last_seconds:
        tail = loud[-int(last_seconds * 50) :]
        heard = sum(tail) * 0.02
        print("  %.1f s of sound in the last %.1f s" % (heard, last_seconds))
        if heard < last_min:
            problems.append(
                "only %.1f s of sound in the last %.1f s (expected %.1f s)" % (heard, last_seconds, last_min)
            )
    if problems:
        raise SystemExit("%s: %s" % (path, "; ".join(problems)))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "call":
        call(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) in (4, 6) and sys.argv[1] == "speech":
        speech(sys.argv[2], *[float(a) for a in sys.argv[3:]])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
