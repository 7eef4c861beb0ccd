//! The built-in voice: a bank of pre-recorded words and whole phrases, joined end to end.
//!
//! The bank is one file (`data/bank.clvb`, compiled into the binary) made at development time by
//! `examples/build_bank.rs` from Debian's flite (voice `cmu_us_rms`). It holds every word of the
//! built-in menu and of dynamic values (numbers, dates, amounts, statuses), the letters A–Z, and
//! every sentence of the built-in menu as one recording, so that a static prompt is said with a
//! sentence's own rhythm and intonation, and only dynamic text is joined word by word.
//!
//! File format, little-endian: the magic `CLVBANK\x02`; a `u32` entry count; per entry a `u16` key
//! length, the UTF-8 key, a `u8` codec, a `u32` offset into the data and a `u32` count of
//! samples; then the data. Codec 0 is 8 kHz G.711 µ-law, one byte a sample: what a call carries
//! anyway, so it adds no loss of its own, and it is used for whole phrases, where quality shows
//! most. Codec 1 is 8 kHz IMA ADPCM ([`crate::adpcm`]), half the size, used for single words,
//! which are many and short. Measured trade-off in README.md ("Storage").
//! Keys: a word in lower case ("seven"), a letter as `_` and the letter ("_n"), a phrase as its
//! tokens joined by spaces with `,` for a comma ("please enter your phone pin , followed by the
//! pound key").

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use careline_media::g711::{ulaw_decode, ulaw_encode};

use crate::adpcm;
use crate::audio::silence;
use crate::normalize::{Pause, Token};

const MAGIC: &[u8; 8] = b"CLVBANK\x02";

/// The speech level every unit is recorded at (RMS of its voiced frames), in dBFS: well below
/// full scale, as telephone networks expect, with room for peaks.
pub const LEVEL_DBFS: f64 = -20.0;
/// Silence between two units joined end to end, as between words said one by one with care.
pub const WORD_GAP_MS: u32 = 60;
/// Silence at a comma.
pub const SHORT_PAUSE_MS: u32 = 180;
/// Silence at the end of a sentence.
pub const LONG_PAUSE_MS: u32 = 400;

static BUILTIN: OnceLock<Bank> = OnceLock::new();

/// Why a bank file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("malformed word bank: {0}")]
pub struct BankError(&'static str);

/// Recordings by key; see the module documentation.
#[derive(Debug)]
pub struct Bank {
    data: Cow<'static, [u8]>,
    /// Key → (codec, start of its block in `data`, samples).
    index: HashMap<String, (Codec, usize, usize)>,
    /// The most tokens in one phrase: how far ahead a lookup has to try.
    longest_phrase: usize,
}

impl Bank {
    /// The bank compiled into this crate.
    pub fn builtin() -> &'static Bank {
        BUILTIN.get_or_init(|| {
            // The file is generated and checked by this crate's tests; failing here is a
            // build defect, not a run-time condition.
            Bank::parse(Cow::Borrowed(include_bytes!("../data/bank.clvb")))
                .expect("the built-in word bank is malformed")
        })
    }

    pub fn parse(data: Cow<'static, [u8]>) -> Result<Bank, BankError> {
        let mut r = Reader { buf: &data, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(BankError("not a CareLine word bank"));
        }
        let count = r.u32()? as usize;
        let mut raw = Vec::with_capacity(count);
        for _ in 0..count {
            let key_len = r.u16()? as usize;
            let key = std::str::from_utf8(r.take(key_len)?)
                .map_err(|_| BankError("key is not UTF-8"))?
                .to_string();
            let codec = match r.take(1)?[0] {
                0 => Codec::Ulaw,
                1 => Codec::Adpcm,
                _ => return Err(BankError("unknown codec")),
            };
            let offset = r.u32()? as usize;
            let samples = r.u32()? as usize;
            raw.push((key, codec, offset, samples));
        }
        let base = r.pos;
        let mut index = HashMap::with_capacity(count);
        let mut longest_phrase = 1;
        for (key, codec, offset, samples) in raw {
            let start = base + offset;
            let len = codec.encoded_len(samples);
            if start.checked_add(len).is_none_or(|end| end > data.len()) {
                return Err(BankError("entry outside the data"));
            }
            longest_phrase = longest_phrase.max(key.split(' ').count());
            index.insert(key, (codec, start, samples));
        }
        Ok(Bank {
            data,
            index,
            longest_phrase,
        })
    }

    /// The entries' keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// How much audio the bank holds, in samples.
    pub fn samples(&self) -> usize {
        self.index.values().map(|(_, _, samples)| samples).sum()
    }

    /// Whether the bank can say this word (lower case) as a word.
    pub fn has_word(&self, word: &str) -> bool {
        self.index.contains_key(word)
    }

    /// One entry as 8 kHz PCM.
    pub fn get(&self, key: &str) -> Option<Vec<i16>> {
        let &(codec, start, samples) = self.index.get(key)?;
        let block = &self.data[start..start + codec.encoded_len(samples)];
        Some(match codec {
            Codec::Ulaw => block.iter().map(|&c| ulaw_decode(c)).collect(),
            Codec::Adpcm => adpcm::decode(block, samples),
        })
    }

    /// The words that this bank would have to spell out letter by letter.
    pub fn unknown(&self, tokens: &[Token]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in tokens {
            if let Token::Word(w) = t
                && !self.has_word(w)
                && !out.contains(w)
            {
                out.push(w.clone());
            }
        }
        out
    }

    /// Says `tokens`: the longest stretches the bank has as whole phrases, the rest word by
    /// word, unknown words letter by letter, with silence for pauses.
    pub fn say(&self, tokens: &[Token]) -> Vec<i16> {
        let mut out = Vec::new();
        let mut after_unit = false;
        let mut i = 0;
        while i < tokens.len() {
            if let Token::Pause(p) = tokens[i] {
                let ms = match p {
                    Pause::Short => SHORT_PAUSE_MS,
                    Pause::Long => LONG_PAUSE_MS,
                };
                out.extend(silence(ms));
                after_unit = false;
                i += 1;
                continue;
            }
            let (units, used) = self.longest_match(&tokens[i..]);
            for unit in units {
                if after_unit {
                    out.extend(silence(WORD_GAP_MS));
                }
                out.extend(unit);
                after_unit = true;
            }
            i += used;
        }
        out
    }

    /// The audio for the longest phrase starting at `tokens[0]`, or for that one token alone
    /// (possibly spelled, hence several units), and how many tokens it covers.
    fn longest_match(&self, tokens: &[Token]) -> (Vec<Vec<i16>>, usize) {
        // A phrase never crosses a sentence end and never starts or ends with a pause.
        let sentence = tokens
            .iter()
            .position(|t| *t == Token::Pause(Pause::Long))
            .unwrap_or(tokens.len());
        for len in (2..=self.longest_phrase.min(sentence)).rev() {
            if matches!(tokens[len - 1], Token::Pause(_)) {
                continue;
            }
            if let Some(pcm) = self.get(&phrase_key(&tokens[..len])) {
                return (vec![pcm], len);
            }
        }
        let units = match &tokens[0] {
            Token::Word(w) => match self.get(w) {
                Some(pcm) => vec![pcm],
                None => w
                    .chars()
                    .filter_map(|c| self.get(&letter_key(c.to_ascii_uppercase())))
                    .collect(),
            },
            Token::Letter(c) => self.get(&letter_key(*c)).into_iter().collect(),
            Token::Pause(_) => Vec::new(),
        };
        (units, 1)
    }
}

/// The key of a letter said by name: "_n".
pub fn letter_key(c: char) -> String {
    format!("_{}", c.to_lowercase())
}

/// The key of a run of tokens; see the module documentation.
pub fn phrase_key(tokens: &[Token]) -> String {
    let parts: Vec<String> = tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) => w.clone(),
            Token::Letter(c) => letter_key(*c),
            Token::Pause(Pause::Short) => ",".to_string(),
            Token::Pause(Pause::Long) => ".".to_string(),
        })
        .collect();
    parts.join(" ")
}

/// How an entry's audio is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Ulaw,
    Adpcm,
}

impl Codec {
    fn encoded_len(self, samples: usize) -> usize {
        match self {
            Codec::Ulaw => samples,
            Codec::Adpcm => adpcm::encoded_len(samples),
        }
    }

    fn id(self) -> u8 {
        match self {
            Codec::Ulaw => 0,
            Codec::Adpcm => 1,
        }
    }
}

/// Writes a bank file from 8 kHz PCM entries (for the generator and tests).
pub fn encode(entries: &[(String, Codec, Vec<i16>)]) -> Vec<u8> {
    let mut sorted: Vec<&(String, Codec, Vec<i16>)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut head = Vec::new();
    let mut data = Vec::new();
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for (key, codec, pcm) in sorted {
        head.extend_from_slice(&(key.len() as u16).to_le_bytes());
        head.extend_from_slice(key.as_bytes());
        head.push(codec.id());
        head.extend_from_slice(&(data.len() as u32).to_le_bytes());
        head.extend_from_slice(&(pcm.len() as u32).to_le_bytes());
        match codec {
            Codec::Ulaw => data.extend(pcm.iter().map(|&s| ulaw_encode(s))),
            Codec::Adpcm => data.extend(adpcm::encode(pcm)),
        }
    }
    head.extend(data);
    head
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BankError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(BankError("truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16, BankError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, BankError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize, amp: f32) -> Vec<i16> {
        (0..n)
            .map(|i| ((i as f32 * 0.5).sin() * amp) as i16)
            .collect()
    }

    fn small_bank() -> Bank {
        let entries = vec![
            ("press".to_string(), Codec::Adpcm, tone(800, 8000.0)),
            ("one".to_string(), Codec::Adpcm, tone(401, 8000.0)),
            ("press one".to_string(), Codec::Ulaw, tone(1000, 8000.0)),
            ("_n".to_string(), Codec::Ulaw, tone(300, 8000.0)),
            ("_o".to_string(), Codec::Adpcm, tone(200, 8000.0)),
        ];
        Bank::parse(Cow::Owned(encode(&entries))).expect("parses")
    }

    fn w(s: &str) -> Token {
        Token::Word(s.into())
    }

    #[test]
    fn round_trips_through_the_file_format() {
        let bank = small_bank();
        assert_eq!(bank.get("press").map(|p| p.len()), Some(800));
        assert_eq!(bank.get("one").map(|p| p.len()), Some(401));
        assert_eq!(bank.get("press one").map(|p| p.len()), Some(1000));
        assert!(bank.has_word("one"));
        assert!(!bank.has_word("two"));
        assert_eq!(bank.longest_phrase, 2);
        assert!(Bank::parse(Cow::Owned(b"CLVBANK\x02\x05\0\0\0".to_vec())).is_err());
        assert!(Bank::parse(Cow::Owned(b"RIFF".to_vec())).is_err());
    }

    #[test]
    fn whole_phrases_beat_words_and_unknown_words_are_spelled() {
        let bank = small_bank();
        let gap = (8 * WORD_GAP_MS) as usize;
        // "press one" is one phrase: no gap inside.
        assert_eq!(bank.say(&[w("press"), w("one")]).len(), 1000);
        // Alone, each is a unit with a gap between.
        assert_eq!(bank.say(&[w("one"), w("one")]).len(), 401 + gap + 401);
        // Across a comma the words are separate units.
        let comma = (8 * SHORT_PAUSE_MS) as usize;
        assert_eq!(
            bank.say(&[w("press"), Token::Pause(Pause::Short), w("one")])
                .len(),
            800 + comma + 401
        );
        // "no" is not in the bank: spelled N, O.
        assert_eq!(bank.say(&[w("no")]).len(), 300 + gap + 200);
        assert_eq!(
            bank.unknown(&[w("no"), w("one"), w("no")]),
            vec!["no".to_string()]
        );
    }
}
