#!/usr/bin/env python3
"""Transcribe rendered prompts with an independent recognizer and score what it understood.

Used by load/intelligibility.sh. Input: a directory holding `manifest.tsv` (one line per
prompt: `id<TAB>reference words`) and `<id>.wav` files: 16 kHz mono 16-bit PCM that has already
been through 8 kHz G.711 µ-law, as a caller hears it. The reference is the words the voice was
asked to say, already normalised (digits as words, "N P I" as letters), so a word error is the
recogniser hearing something else, not a spelling difference.

Recogniser: CMU PocketSphinx 5 (PyPI `pocketsphinx`) with the en-us acoustic model, language
model and dictionary it ships, untouched. It is independent of every voice measured here, and
it is a weak recogniser on synthetic speech, so the figures are relative: compare a voice with
the raw espeak-ng reference measured the same way (the recogniser's ceiling on this kind of
voice), not with 100 %.

Output: one line per prompt and a summary, as a Markdown table when --markdown is given.
"""

import argparse
import os
import sys
import wave

# Words the recogniser's dictionary spells differently from our reference; compared after this.
EQUIVALENT = {
    "oh": "zero",
    "o": "zero",
    "okay": "ok",
}

DIGIT_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}


def words(text):
    out = []
    for w in text.lower().replace("-", " ").split():
        # PocketSphinx marks alternative pronunciations "word(2)"; letters may come as "n."
        w = w.split("(")[0].strip(".,;:!?'\"")
        if not w or w.startswith("<") or w.startswith("["):
            continue
        out.append(EQUIVALENT.get(w, w))
    return out


def align(ref, hyp):
    """Levenshtein alignment: (edits, matched reference indices)."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = d[i - 1][j - 1] + (0 if ref[i - 1] == hyp[j - 1] else 1)
            d[i][j] = min(sub, d[i - 1][j] + 1, d[i][j - 1] + 1)
    matched = set()
    i, j = n, m
    while i > 0 and j > 0:
        if ref[i - 1] == hyp[j - 1] and d[i][j] == d[i - 1][j - 1]:
            matched.add(i - 1)
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j - 1] + 1:
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return d[n][m], matched


def transcribe(decoder, path):
    with wave.open(path, "rb") as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"{path}: expected 16 kHz mono 16-bit PCM")
        data = w.readframes(w.getnframes())
    decoder.start_utt()
    decoder.process_raw(data, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--label", default="")
    ap.add_argument("--markdown", action="store_true", help="print per-prompt rows as Markdown")
    ap.add_argument("--summary-tsv", help="append `label<TAB>group<TAB>words<TAB>understood` here")
    args = ap.parse_args()

    from pocketsphinx import Decoder  # imported late so --help works without it

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    rows = []
    with open(os.path.join(args.dir, "manifest.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            pid, ref_text = line.split("\t", 1)
            hyp_text = transcribe(decoder, os.path.join(args.dir, pid + ".wav"))
            ref, hyp = words(ref_text), words(hyp_text)
            edits, matched = align(ref, hyp)
            digits = [i for i, w in enumerate(ref) if w in DIGIT_WORDS]
            digits_ok = sum(1 for i in digits if i in matched)
            rows.append((pid, len(ref), edits, len(digits), digits_ok, hyp_text))

    def group(pid):
        return "static" if pid.startswith("static") else "dynamic"

    if args.markdown:
        print("| prompt | words | understood | digits correct | heard |")
        print("|---|---|---|---|---|")
    for pid, n, edits, nd, dok, hyp in rows:
        share = max(0.0, 1 - edits / n) if n else 1.0
        dig = f"{dok}/{nd}" if nd else "–"
        if args.markdown:
            print(f"| {pid} | {n} | {share:.0%} | {dig} | {hyp} |")
        else:
            print(f"{pid:40} {n:3} words  understood {share:6.1%}  digits {dig:>6}  heard: {hyp}")

    print()
    for name, sel in (("static", "static"), ("dynamic", "dynamic"), ("all", None)):
        chosen = [r for r in rows if sel is None or group(r[0]) == sel]
        n = sum(r[1] for r in chosen)
        if not n:
            continue
        edits = sum(r[2] for r in chosen)
        nd = sum(r[3] for r in chosen)
        dok = sum(r[4] for r in chosen)
        understood = max(0.0, 1 - edits / n)
        digit_share = dok / nd if nd else float("nan")
        print(
            f"{args.label:14} {name:8} prompts {len(chosen):3}  words {n:5}  "
            f"understood (1 - WER) {understood:6.1%}  digits correct {digit_share:6.1%} ({dok}/{nd})"
        )
        if args.summary_tsv:
            with open(args.summary_tsv, "a", encoding="utf-8") as out:
                out.write(f"{args.label}\t{name}\t{len(chosen)}\t{n}\t{understood:.4f}\t{dok}\t{nd}\n")


if __name__ == "__main__":
    main()
