//! Text to the words a person would say: numerals, amounts, dates, times and codes become words,
//! punctuation becomes pauses.
//!
//! The call engine already writes most values as words (see `careline_call::speech`), and reads
//! codes as space-separated single characters ("1 0 0 0, 0 0 0 1"). This module makes the rest of
//! what a practice may type into a prompt speakable the same way: "24 hours", "$25.50", "20%",
//! "3/14/2026", "9:30 AM", "dial 911" (a run of five or more digits, or one with a leading zero, is
//! a code and read digit by digit; shorter numbers are quantities). US English throughout.
//!
//! The result is a list of [`Token`]s. Every word is lower case and free of hyphens, so that
//! "twenty-one" and "twenty one" look up the same recordings in the word bank.

/// One unit of speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A word, lower case ("seven", "provider's").
    Word(String),
    /// A letter said by its name ("N" in "N P I"), upper case.
    Letter(char),
    /// A pause: at a comma (short) or the end of a sentence (long).
    Pause(Pause),
}

/// How long a pause punctuation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pause {
    Short,
    Long,
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

const SCALES: [&str; 5] = ["", "thousand", "million", "billion", "trillion"];

pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Titles people never spell out.
const ABBREVIATIONS: [(&str, &str); 4] = [
    ("dr", "doctor"),
    ("mr", "mister"),
    ("mrs", "missus"),
    ("ms", "miz"),
];

/// A whole number in words, US style, as separate words: 1250 → "one thousand two hundred fifty".
/// Numbers of a quadrillion and up are read digit by digit: nobody says them on a phone line.
pub fn cardinal_words(n: u64) -> Vec<String> {
    if n >= 1_000_000_000_000_000 {
        return n.to_string().chars().map(digit_word).collect();
    }
    if n == 0 {
        return vec![ONES[0].to_string()];
    }
    let mut groups = Vec::new();
    let mut rest = n;
    for scale in SCALES {
        let group = rest % 1000;
        rest /= 1000;
        if group != 0 {
            let mut words = below_thousand(group);
            if !scale.is_empty() {
                words.push(scale.to_string());
            }
            groups.push(words);
        }
        if rest == 0 {
            break;
        }
    }
    groups.reverse();
    groups.concat()
}

fn below_thousand(n: u64) -> Vec<String> {
    let mut words = Vec::new();
    if n >= 100 {
        words.push(ONES[(n / 100) as usize].to_string());
        words.push("hundred".to_string());
    }
    if !n.is_multiple_of(100) {
        words.extend(below_hundred(n % 100));
    }
    words
}

fn below_hundred(n: u64) -> Vec<String> {
    let n = (n % 100) as usize;
    if n < 20 {
        return vec![ONES[n].to_string()];
    }
    let mut words = vec![TENS[n / 10].to_string()];
    if !n.is_multiple_of(10) {
        words.push(ONES[n % 10].to_string());
    }
    words
}

/// An ordinal in words: 1 → "first", 22 → "twenty second", 100 → "one hundredth".
pub fn ordinal_words(n: u64) -> Vec<String> {
    let mut words = cardinal_words(n);
    if let Some(last) = words.pop() {
        let ord = match last.as_str() {
            "one" => "first".to_string(),
            "two" => "second".to_string(),
            "three" => "third".to_string(),
            "five" => "fifth".to_string(),
            "eight" => "eighth".to_string(),
            "nine" => "ninth".to_string(),
            "twelve" => "twelfth".to_string(),
            other => match other.strip_suffix('y') {
                Some(stem) => format!("{stem}ieth"),
                None => format!("{other}th"),
            },
        };
        words.push(ord);
    }
    words
}

/// A year as people say it: 2026 → "twenty twenty six", 1905 → "nineteen oh five",
/// 2005 → "two thousand five".
pub fn year_words(y: u64) -> Vec<String> {
    if !(1000..=9999).contains(&y) || y % 1000 < 10 {
        return cardinal_words(y);
    }
    let mut words = below_hundred(y / 100);
    match y % 100 {
        0 => words.push("hundred".to_string()),
        low @ 1..=9 => {
            words.push("oh".to_string());
            words.push(ONES[low as usize].to_string());
        }
        low => words.extend(below_hundred(low)),
    }
    words
}

fn digit_word(c: char) -> String {
    ONES[c.to_digit(10).unwrap_or(0) as usize].to_string()
}

/// The words of `text` with punctuation as pauses. `known` says whether the voice has a word; it
/// decides whether an all-capitals word ("PIN", "NPI") is said as a word or spelled.
pub fn tokens(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<Token> {
    let mut out = Normalizer {
        out: Vec::new(),
        known,
    };
    let chunks: Vec<&str> = text.split_whitespace().collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.chunk(chunk, chunks.get(i + 1).copied());
    }
    out.finish()
}

/// The words alone, as they will be heard: letters as their upper-case selves. For references
/// in the intelligibility benchmark and for engines that take text.
pub fn spoken_text(tokens: &[Token]) -> String {
    let mut s = String::new();
    for t in tokens {
        match t {
            Token::Word(w) => {
                if !s.is_empty() && !s.ends_with(' ') {
                    s.push(' ');
                }
                s.push_str(w);
            }
            Token::Letter(c) => {
                if !s.is_empty() && !s.ends_with(' ') {
                    s.push(' ');
                }
                s.push(*c);
            }
            Token::Pause(Pause::Short) => s.push(','),
            Token::Pause(Pause::Long) => s.push('.'),
        }
    }
    s
}

struct Normalizer<'a> {
    out: Vec<Token>,
    known: &'a dyn Fn(&str) -> bool,
}

impl Normalizer<'_> {
    fn word(&mut self, w: impl Into<String>) {
        self.out.push(Token::Word(w.into()));
    }

    fn words(&mut self, ws: Vec<String>) {
        self.out.extend(ws.into_iter().map(Token::Word));
    }

    fn pause(&mut self, p: Pause) {
        match self.out.last_mut() {
            // Nothing said yet: a pause there is only silence before the first word.
            None => {}
            Some(Token::Pause(prev)) => *prev = (*prev).max(p),
            Some(_) => self.out.push(Token::Pause(p)),
        }
    }

    fn finish(mut self) -> Vec<Token> {
        // The text ends a sentence whatever its last mark: "Main menu" and "Hold on," too.
        match self.out.last_mut() {
            None => {}
            Some(Token::Pause(p)) => *p = Pause::Long,
            Some(_) => self.out.push(Token::Pause(Pause::Long)),
        }
        self.out
    }

    /// The word before the current one, across a comma but not a sentence end: for context
    /// ("March 14, 2026", "dial 911").
    fn last_word(&self) -> Option<&str> {
        self.out.iter().rev().find_map(|t| match t {
            Token::Word(w) => Some(Some(w.as_str())),
            Token::Letter(_) => Some(None),
            Token::Pause(Pause::Short) => None,
            Token::Pause(Pause::Long) => Some(None),
        })?
    }

    /// One whitespace-separated piece of text, with its leading and trailing punctuation.
    fn chunk(&mut self, chunk: &str, next: Option<&str>) {
        let chunk = chunk.replace(['\u{2019}', '\u{2018}'], "'");
        let lead: &[char] = &['(', '[', '"', '\'', '\u{201c}', '\u{201d}'];
        let trail: &[char] = &[
            '.', ',', ';', ':', '!', '?', ')', ']', '"', '\'', '\u{201c}', '\u{201d}',
        ];
        let core = chunk.trim_start_matches(lead);
        let body = core.trim_end_matches(trail);
        let tail = &core[body.len()..];

        // "Dr." is a title, not a sentence end; "a.m." is two letters.
        let lower = body.to_lowercase();
        if let Some((_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == lower) {
            self.word(*full);
            let tail = tail.strip_prefix('.').unwrap_or(tail);
            self.trailing(tail);
            return;
        }
        if matches!(lower.as_str(), "a.m" | "p.m" | "am" | "pm")
            && (lower.contains('.') || self.after_time())
        {
            self.out.push(Token::Letter(
                lower.chars().next().map_or('A', |c| c.to_ascii_uppercase()),
            ));
            self.out.push(Token::Letter('M'));
            self.trailing(tail);
            return;
        }
        self.body(body, next);
        self.trailing(tail);
    }

    fn after_time(&self) -> bool {
        // "9:30 am" / "9 am": the previous token is a number word.
        matches!(self.out.last(), Some(Token::Word(w)) if is_number_word(w) || w == "o'clock")
    }

    fn trailing(&mut self, tail: &str) {
        if tail.contains(['.', '!', '?']) {
            self.pause(Pause::Long);
        } else if tail.contains([',', ';', ':']) {
            self.pause(Pause::Short);
        }
    }

    fn body(&mut self, body: &str, next: Option<&str>) {
        if body.is_empty() {
            return;
        }
        if body
            .chars()
            .all(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}'))
        {
            self.pause(Pause::Short);
            return;
        }
        if let Some(amount) = body.strip_prefix('$')
            && let Some(words) = money(amount)
        {
            self.words(words);
            return;
        }
        if let Some(number) = body.strip_suffix('%')
            && let Some(mut words) = decimal(number)
        {
            words.push("percent".to_string());
            self.words(words);
            return;
        }
        if let Some(words) = self.numeric(body, next) {
            self.words(words);
            return;
        }
        // Split on in-word separators: "twenty-one", "follow-up", "555-0100", "1/2".
        let parts: Vec<&str> = body
            .split(['-', '/', '_', '\u{2013}', '\u{2014}'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() > 1 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
            // Digit groups joined by dashes are a phone number or a code: "555-0100".
            let words = parts.concat().chars().map(digit_word).collect();
            self.words(words);
            return;
        }
        if parts.len() > 1 {
            for p in parts {
                self.body(p, None);
            }
            return;
        }
        for piece in split_symbols(body) {
            match piece {
                Piece::Symbol(w) => self.word(w),
                Piece::Text(t) => self.text(&t, next),
            }
        }
    }

    /// Plain numbers, ordinals, times and dates; `None` if `body` is not one of them.
    fn numeric(&mut self, body: &str, next: Option<&str>) -> Option<Vec<String>> {
        if let Some(date) = date(body) {
            return Some(date);
        }
        if let Some(time) = time(body, next) {
            return Some(time);
        }
        if let Some(ord) = ordinal(body) {
            return Some(ord);
        }
        if body.contains(',') && body.chars().all(|c| c.is_ascii_digit() || c == ',') {
            // "1,250": thousands separators mean a quantity.
            let groups: Vec<&str> = body.split(',').collect();
            let well_formed = groups[0].len() <= 3
                && !groups[0].is_empty()
                && groups[1..].iter().all(|g| g.len() == 3);
            if well_formed {
                return body.replace(',', "").parse().ok().map(cardinal_words);
            }
        }
        if body.chars().all(|c| c.is_ascii_digit()) {
            return Some(self.integer(body));
        }
        if body.contains('.') && body.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return decimal(body);
        }
        None
    }

    /// A run of digits: a code (digit by digit) or a quantity (in words).
    fn integer(&self, digits: &str) -> Vec<String> {
        let last = self.last_word();
        // A number to dial is read digit by digit whatever its length: "dial 911".
        let dialled = last.is_some_and(|w| matches!(w, "dial" | "call" | "extension" | "ext"));
        let code = digits.len() >= 5 || (digits.len() > 1 && digits.starts_with('0'));
        if code || dialled {
            return digits.chars().map(digit_word).collect();
        }
        let n: u64 = digits.parse().unwrap_or(0);
        let after_month = last.is_some_and(|w| MONTHS.contains(&w));
        // "March 14" is the fourteenth; after a month or a day, four digits are a year.
        if after_month && (1..=31).contains(&n) && digits.len() <= 2 {
            return ordinal_words(n);
        }
        let in_date = after_month || last.is_some_and(is_ordinal_word);
        if digits.len() == 4 && in_date {
            return year_words(n);
        }
        cardinal_words(n)
    }

    /// Letters and words: the text between symbols.
    fn text(&mut self, t: &str, next: Option<&str>) {
        if t.chars().all(|c| c.is_ascii_digit()) {
            let words = self.integer(t);
            self.words(words);
            return;
        }
        let has_digit = t.chars().any(|c| c.is_ascii_digit());
        if has_digit {
            // A code like "1Z99" or "A1": every character on its own.
            for c in t.chars() {
                if c.is_ascii_digit() {
                    self.word(digit_word(c));
                } else if c.is_alphabetic() {
                    self.out.push(Token::Letter(c.to_ascii_uppercase()));
                }
            }
            return;
        }
        let lower = t.to_lowercase();
        let chars: Vec<char> = t.chars().collect();
        if chars.len() == 1 {
            let c = chars[0];
            if !c.is_alphabetic() {
                return;
            }
            // "a" is the article; "A" next to other single letters or digits is the letter,
            // as in "A M" or "1 A 2"; "I" is the same sound either way.
            let beside_code = self.out.last().is_some_and(is_code_token)
                || next.is_some_and(|n| {
                    let n = n.trim_matches(|c: char| !c.is_alphanumeric());
                    n.chars().count() == 1
                });
            if c == 'a' || (c == 'A' && !beside_code) {
                self.word("a");
            } else if c == 'I' && !beside_code {
                self.word("i");
            } else {
                self.out.push(Token::Letter(c.to_ascii_uppercase()));
            }
            return;
        }
        let all_caps = chars.iter().all(|c| c.is_uppercase());
        if all_caps && chars.len() <= 6 && !(self.known)(&lower) {
            // An acronym the voice has no word for ("NPI", "DHL"): spell it.
            for c in chars {
                self.out.push(Token::Letter(c));
            }
            return;
        }
        self.word(lower.trim_matches('\''));
    }
}

fn is_code_token(t: &Token) -> bool {
    match t {
        Token::Letter(_) => true,
        Token::Word(w) => ONES[..10].contains(&w.as_str()),
        Token::Pause(_) => false,
    }
}

fn is_number_word(w: &str) -> bool {
    ONES.contains(&w) || TENS.contains(&w) || w == "hundred"
}

fn is_ordinal_word(w: &str) -> bool {
    (1..=31).any(|d| ordinal_words(d).last().is_some_and(|o| o == w))
}

enum Piece {
    Symbol(&'static str),
    Text(String),
}

/// Splits out symbols a caller hears as words ("#" → "pound", "&" → "and") and drops other
/// punctuation inside a word, keeping apostrophes ("provider's").
fn split_symbols(body: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut cur = String::new();
    for c in body.chars() {
        let symbol = match c {
            '#' => Some("pound"),
            '*' => Some("star"),
            '&' => Some("and"),
            '+' => Some("plus"),
            '@' => Some("at"),
            '=' => Some("equals"),
            _ => None,
        };
        if let Some(s) = symbol {
            if !cur.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut cur)));
            }
            pieces.push(Piece::Symbol(s));
        } else if c.is_alphanumeric() || c == '\'' {
            cur.push(c);
        } else if !cur.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        pieces.push(Piece::Text(cur));
    }
    pieces
}

/// "12.5" → "twelve point five", "0.05" → "zero point zero five", "20" → "twenty".
fn decimal(s: &str) -> Option<Vec<String>> {
    let s = s.replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut words = cardinal_words(whole.parse().unwrap_or(0));
    if !frac.is_empty() {
        words.push("point".to_string());
        words.extend(frac.chars().map(digit_word));
    }
    Some(words)
}

/// "$1,250.50" (without the "$") → "one thousand two hundred fifty dollars and fifty cents".
fn money(s: &str) -> Option<Vec<String>> {
    let s = s.replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !(frac.is_empty() || (frac.len() == 2 && frac.chars().all(|c| c.is_ascii_digit()))) {
        return None;
    }
    let dollars: u64 = whole.parse().ok()?;
    let cents: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let mut words = Vec::new();
    if dollars > 0 || cents == 0 {
        words.extend(cardinal_words(dollars));
        words.push(if dollars == 1 { "dollar" } else { "dollars" }.to_string());
    }
    if cents > 0 {
        if dollars > 0 {
            words.push("and".to_string());
        }
        words.extend(cardinal_words(cents));
        words.push(if cents == 1 { "cent" } else { "cents" }.to_string());
    }
    Some(words)
}

/// "1st", "22nd", "3rd", "14th".
fn ordinal(s: &str) -> Option<Vec<String>> {
    let lower = s.to_ascii_lowercase();
    let digits = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &lower[digits.len()..];
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !matches!(suffix, "st" | "nd" | "rd" | "th") {
        return None;
    }
    Some(ordinal_words(digits.parse().ok()?))
}

/// "9:30" → "nine thirty", "9:05" → "nine oh five", "9:00" → "nine o'clock" (or just "nine"
/// when "AM"/"PM" follows, as people say it).
fn time(s: &str, next: Option<&str>) -> Option<Vec<String>> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u64 = h.parse().ok()?;
    let m: u64 = m.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    let mut words = cardinal_words(h);
    let meridiem = next.is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        let n = n.trim_end_matches(['.', ',', ';', '!', '?']);
        matches!(n, "am" | "pm" | "a.m" | "p.m")
    });
    match m {
        0 if !meridiem => words.push("o'clock".to_string()),
        0 => {}
        1..=9 => {
            words.push("oh".to_string());
            words.push(ONES[m as usize].to_string());
        }
        _ => words.extend(below_hundred(m)),
    }
    Some(words)
}

/// "2026-11-24", "11/24/2026" and "11/24" → "november twenty fourth[, twenty twenty six]".
fn date(s: &str) -> Option<Vec<String>> {
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        if y.len() != 4 {
            return None;
        }
        (Some(y), m, d)
    } else {
        match s.split('/').collect::<Vec<_>>()[..] {
            [m, d, y] if y.len() == 4 || y.len() == 2 => (Some(y), m, d),
            [m, d] => (None, m, d),
            _ => return None,
        }
    };
    let all_digits =
        |p: &str| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit());
    if !all_digits(m) || !all_digits(d) {
        return None;
    }
    let month: usize = m.parse().ok()?;
    let day: u64 = d.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut words = vec![MONTHS[month - 1].to_string()];
    words.extend(ordinal_words(day));
    if let Some(y) = y {
        if !y.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut year: u64 = y.parse().ok()?;
        if y.len() == 2 {
            year += 2000;
        }
        words.extend(year_words(year));
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> String {
        spoken_text(&tokens(text, &|w| w == "pin"))
    }

    #[test]
    fn numbers_become_words() {
        assert_eq!(said("7"), "seven.");
        assert_eq!(said("Press 1 for help"), "press one for help.");
        assert_eq!(said("24 hours"), "twenty four hours.");
        assert_eq!(said("1,250 steps"), "one thousand two hundred fifty steps.");
        assert_eq!(said("twenty-one"), "twenty one.");
        assert_eq!(said("101"), "one hundred one.");
        assert_eq!(said("12.5"), "twelve point five.");
    }

    #[test]
    fn codes_are_read_digit_by_digit() {
        assert_eq!(
            said("1 0 0 0, 0 0 0 1"),
            "one zero zero zero, zero zero zero one."
        );
        assert_eq!(said("10000001"), "one zero zero zero zero zero zero one.");
        assert_eq!(said("dial 911"), "dial nine one one.");
        assert_eq!(said("911"), "nine hundred eleven.");
        assert_eq!(said("dial 9 1 1"), "dial nine one one.");
        assert_eq!(said("0142"), "zero one four two.");
        assert_eq!(said("1Z99"), "one Z nine nine.");
        assert_eq!(said("555-0100"), "five five five zero one zero zero.");
    }

    #[test]
    fn amounts_and_percentages() {
        assert_eq!(said("$25.50"), "twenty five dollars and fifty cents.");
        assert_eq!(said("$1"), "one dollar.");
        assert_eq!(said("$0.01"), "one cent.");
        assert_eq!(said("$1,250"), "one thousand two hundred fifty dollars.");
        assert_eq!(said("20%"), "twenty percent.");
        assert_eq!(said("12.5%"), "twelve point five percent.");
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            said("2026-11-24"),
            "november twenty fourth twenty twenty six."
        );
        assert_eq!(said("3/14/1958"), "march fourteenth nineteen fifty eight.");
        assert_eq!(said("on 3/14"), "on march fourteenth.");
        assert_eq!(
            said("March 14, 2026"),
            "march fourteenth, twenty twenty six."
        );
        assert_eq!(said("the 1st"), "the first.");
        assert_eq!(said("9:30 AM"), "nine thirty A M.");
        assert_eq!(said("9:00 p.m."), "nine P M.");
        assert_eq!(said("9:05"), "nine oh five.");
        assert_eq!(said("at 10:00"), "at ten o'clock.");
    }

    #[test]
    fn letters_acronyms_and_articles() {
        assert_eq!(said("your N P I number"), "your N P I number.");
        assert_eq!(said("your NPI"), "your N P I.");
        assert_eq!(said("your PIN"), "your pin.");
        assert_eq!(said("A wound care visit"), "a wound care visit.");
        assert_eq!(said("nine A M"), "nine A M.");
        assert_eq!(said("by U P S"), "by U P S.");
        assert_eq!(said("I am"), "i am.");
    }

    #[test]
    fn punctuation_becomes_pauses() {
        let t = tokens("Hello, world. Goodbye!", &|_| true);
        assert_eq!(
            t,
            vec![
                Token::Word("hello".into()),
                Token::Pause(Pause::Short),
                Token::Word("world".into()),
                Token::Pause(Pause::Long),
                Token::Word("goodbye".into()),
                Token::Pause(Pause::Long),
            ]
        );
        assert_eq!(said("Dr. Lee"), "doctor lee.");
        assert_eq!(said("...,"), "");
        assert_eq!(said("Press # or *"), "press pound or star.");
        assert_eq!(said("provider\u{2019}s office"), "provider's office.");
        assert_eq!(said("Hold on,"), "hold on.");
    }

    #[test]
    fn ordinals_and_years() {
        assert_eq!(ordinal_words(22).join(" "), "twenty second");
        assert_eq!(ordinal_words(31).join(" "), "thirty first");
        assert_eq!(ordinal_words(12).join(" "), "twelfth");
        assert_eq!(ordinal_words(20).join(" "), "twentieth");
        assert_eq!(year_words(2026).join(" "), "twenty twenty six");
        assert_eq!(year_words(2005).join(" "), "two thousand five");
        assert_eq!(year_words(1905).join(" "), "nineteen oh five");
        assert_eq!(year_words(1900).join(" "), "nineteen hundred");
    }
}
