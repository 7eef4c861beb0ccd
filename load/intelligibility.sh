#!/usr/bin/env bash
# How much of CareLine's prompts a listener understands, measured rather than guessed
# (docs/performance.md, "Prompts: intelligibility").
#
# Renders the standard prompts (every English prompt of the built-in menu, and prompts with
# order numbers digit by digit, dates, amounts and percentages filled in as the call engine
# fills them) with crates/careline-voice/examples/render.rs, passes them through 8 kHz G.711
# µ-law and back, upsamples to 16 kHz, transcribes them with CMU PocketSphinx 5.1.1 and its
# bundled en-us model (an independent recogniser), and reports 1 − WER per prompt and overall,
# and the share of digits heard right.
#
# Usage: load/intelligibility.sh [ENGINE...]
#   bank        the default build's voice (word bank, no system packages)
#   flite       the `flite` feature (Debian's flite, voice rms, on whole texts)
#   espeak      the `espeak` feature (Debian's espeak-ng)
#   raw-flite   Debian's flite on the prompt text as written, whole, nothing of ours in between
#   raw-espeak  the same with espeak-ng: references for what the recogniser makes of each voice
# With no ENGINE: all of them whose programs are installed.
#
# Needs python3; installs pocketsphinx==5.1.1 from PyPI if it is missing. flite and espeak-ng
# come from Debian (apt-get install flite espeak-ng); engines whose program is missing are
# skipped. Per-prompt transcripts go to $OUT (default: a new directory under /tmp).

set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
[[ ${1:-} == -h || ${1:-} == --help ]] && usage

OUT=${OUT:-$(mktemp -d /tmp/careline-intelligibility.XXXXXX)}
mkdir -p "$OUT"
ENGINES=("$@")
if [[ ${#ENGINES[@]} -eq 0 ]]; then
  ENGINES=(bank)
  command -v flite >/dev/null && ENGINES+=(flite raw-flite)
  command -v espeak-ng >/dev/null && ENGINES+=(espeak raw-espeak)
fi

if ! python3 -c 'import pocketsphinx' 2>/dev/null; then
  echo "installing pocketsphinx 5.1.1 from PyPI"
  python3 -m pip install --quiet 'pocketsphinx==5.1.1'
fi

FEATURES=()
for e in "${ENGINES[@]}"; do
  case $e in
    flite) FEATURES+=(flite) ;;
    espeak) FEATURES+=(espeak) ;;
    bank | raw-flite | raw-espeak) ;;
    *) echo "unknown engine $e" >&2; usage ;;
  esac
done
FEATURE_ARG=()
if [[ ${#FEATURES[@]} -gt 0 ]]; then
  FEATURE_ARG=(--features "$(IFS=,; echo "${FEATURES[*]}")")
fi
nice -n 10 cargo build --quiet --release -p careline-voice --example render "${FEATURE_ARG[@]}"
RENDER=target/release/examples/render

SUMMARY=$OUT/summary.tsv
: >"$SUMMARY"
for e in "${ENGINES[@]}"; do
  program=
  case $e in
    flite | raw-flite) program=flite ;;
    espeak | raw-espeak) program=espeak-ng ;;
  esac
  if [[ -n $program ]] && ! command -v "$program" >/dev/null; then
    echo "skipping $e: $program is not installed"
    continue
  fi
  dir=$OUT/$e
  rm -rf "$dir"
  "$RENDER" "$dir" --engine "$e"
  python3 load/intelligibility.py "$dir" --label "$e" --summary-tsv "$SUMMARY" | tee "$OUT/$e.txt" | tail -4
done

echo
echo "| voice | prompts | words | understood (1 − WER), static | dynamic | all | digits heard right |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' '
  { share[$1, $2] = sprintf("%.1f %%", 100 * $5); if ($2 == "all") { p[$1] = $3; w[$1] = $4; d[$1] = $6 "/" $7 " (" sprintf("%.1f %%", $7 ? 100 * $6 / $7 : 0) ")" } ; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  END { for (i = 1; i <= n; i++) { e = order[i]; printf "| %s | %s | %s | %s | %s | %s | %s |\n", e, p[e], w[e], share[e, "static"], share[e, "dynamic"], share[e, "all"], d[e] } }
' "$SUMMARY"
echo
echo "transcripts: $OUT/ENGINE.txt"
