//! Grammars: what a caller may say at one dialogue step, as JSGF. [`Grammar`] builds valid JSGF
//! from plain phrases, so callers never write its syntax by hand; [`jsgf_words`] reads the words
//! out of any JSGF so they can be checked against the dictionary before PocketSphinx sees them
//! (it fails on an unknown word with nothing but a log line, and logging is off).

use std::collections::BTreeSet;

use crate::SpeechError;

/// A grammar accepting exactly one of a list of phrases.
///
/// ```
/// use careline_speech::Grammar;
/// let g = Grammar::one_of("intent", &["I need a Refill", "lab results", "move my appointment"]);
/// assert_eq!(g.phrases()[0], "i need a refill");
/// assert!(g.to_jsgf().contains("public <intent> = i need a refill | lab results | move my appointment;"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grammar {
    name: String,
    phrases: Vec<String>,
}

impl Grammar {
    /// One of `phrases`, each normalized by [`normalize_phrase`]; phrases that normalize to
    /// nothing, and repeats, are dropped. `name` becomes the JSGF rule's name; characters JSGF
    /// does not allow in one become `_`.
    pub fn one_of<S: AsRef<str>>(name: &str, phrases: &[S]) -> Grammar {
        let mut g = Grammar {
            name: rule_name(name),
            phrases: Vec::new(),
        };
        for p in phrases {
            g.add(p.as_ref());
        }
        g
    }

    /// Adds another phrase (normalized; ignored if empty or already there).
    pub fn add(&mut self, phrase: &str) -> &mut Grammar {
        let p = normalize_phrase(phrase);
        if !p.is_empty() && !self.phrases.contains(&p) {
            self.phrases.push(p);
        }
        self
    }

    /// The phrases, normalized, in the order given.
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// Every distinct word of every phrase.
    pub fn words(&self) -> BTreeSet<&str> {
        self.phrases.iter().flat_map(|p| p.split(' ')).collect()
    }

    /// The grammar as JSGF V1.0 text, with one public rule. An empty grammar is `<VOID>`,
    /// which matches nothing (and [`Decoder::with_grammar`](crate::Decoder::with_grammar)
    /// refuses it).
    pub fn to_jsgf(&self) -> String {
        let body = if self.phrases.is_empty() {
            "<VOID>".to_owned()
        } else {
            self.phrases.join(" | ")
        };
        format!(
            "#JSGF V1.0;\ngrammar {name};\npublic <{name}> = {body};\n",
            name = self.name
        )
    }
}

impl std::fmt::Display for Grammar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_jsgf())
    }
}

/// A phrase as the dictionary spells it: lower case; letters, digits and apostrophes inside a
/// word kept ("can't", "o'clock"); everything else (hyphens, punctuation, JSGF operators)
/// a word break; single spaces. Digits are kept as digits, so "4" stays "4" and is reported
/// as an unknown word rather than silently dropped: spell numbers out ("four").
pub fn normalize_phrase(phrase: &str) -> String {
    let lower = phrase.to_lowercase();
    let mut words = Vec::new();
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        let w = raw.trim_matches('\'');
        if !w.is_empty() {
            words.push(w);
        }
    }
    words.join(" ")
}

fn rule_name(name: &str) -> String {
    let n: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if n.is_empty() { "phrase".to_owned() } else { n }
}

/// The distinct words (terminals) a JSGF grammar uses, in order of first use, after checking
/// what PocketSphinx would otherwise accept silently or get wrong: no `import` (it would read
/// grammar files from disk), every rule referenced is defined, at least one public rule.
///
/// Comments, `<rule>` references, `{tags}`, `/weights/` and the operators `| ( ) [ ] * +`
/// are skipped; a quoted token is one word, as in JSGF.
pub fn jsgf_words(jsgf: &str) -> Result<Vec<String>, SpeechError> {
    let text = strip_comments(jsgf);
    let mut words: Vec<String> = Vec::new();
    let mut defined = BTreeSet::new();
    let mut referenced = BTreeSet::new();
    let mut public = false;
    for statement in split_statements(&text) {
        let s = statement.trim();
        if s.is_empty() || s.starts_with("#JSGF") || s.starts_with("grammar ") {
            continue;
        }
        if s.starts_with("import ") || s.starts_with("import<") {
            return Err(SpeechError::Grammar(
                "imports are not supported: put every rule in one grammar".into(),
            ));
        }
        let Some((head, body)) = s.split_once('=') else {
            return Err(SpeechError::Grammar(format!(
                "not a rule definition: {}",
                clip(s)
            )));
        };
        let head = head.trim();
        let (is_public, name) = match head.strip_prefix("public") {
            Some(rest) if rest.starts_with(char::is_whitespace) => (true, rest.trim()),
            _ => (false, head),
        };
        let name = name
            .strip_prefix('<')
            .and_then(|n| n.strip_suffix('>'))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| SpeechError::Grammar(format!("bad rule name: {}", clip(head))))?;
        public |= is_public;
        defined.insert(name.to_owned());
        scan_body(body, &mut words, &mut referenced);
    }
    if !public {
        return Err(SpeechError::Grammar("no public rule".into()));
    }
    for r in &referenced {
        if !defined.contains(r) && r != "NULL" && r != "VOID" {
            return Err(SpeechError::Grammar(format!(
                "rule <{r}> is used but not defined"
            )));
        }
    }
    Ok(words)
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Removes `/* … */` and `// …` comments (not inside quotes).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut prev = ' ';
            for c in chars.by_ref() {
                if prev == '*' && c == '/' {
                    break;
                }
                prev = c;
            }
            out.push(' ');
            continue;
        } else if !quoted && c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            out.push('\n');
            continue;
        }
        out.push(c);
    }
    out
}

/// Splits at `;` outside quotes and braces.
fn split_statements(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut braces) = (0, false, 0u32);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '{' if !quoted => braces += 1,
            '}' if !quoted => braces = braces.saturating_sub(1),
            ';' if !quoted && braces == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(&text[start..]);
    }
    out
}

fn scan_body(body: &str, words: &mut Vec<String>, referenced: &mut BTreeSet<String>) {
    let mut chars = body.chars().peekable();
    let push = |w: String, words: &mut Vec<String>| {
        if !w.is_empty() && !words.contains(&w) {
            words.push(w);
        }
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '|' | '(' | ')' | '[' | ']' | '*' | '+' => {}
            '<' => {
                let r: String = chars.by_ref().take_while(|&c| c != '>').collect();
                referenced.insert(r.trim().to_owned());
            }
            '{' => {
                let _: String = chars.by_ref().take_while(|&c| c != '}').collect();
            }
            '/' => {
                let _: String = chars.by_ref().take_while(|&c| c != '/').collect();
            }
            '"' => {
                let w: String = chars.by_ref().take_while(|&c| c != '"').collect();
                push(w, words);
            }
            c => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || "|()[]*+<{/\"".contains(n) {
                        break;
                    }
                    w.push(n);
                    chars.next();
                }
                push(w, words);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_normalized_and_deduplicated() {
        let g = Grammar::one_of(
            "yes no!",
            &["Yes", "  yes ", "No, thank-you.", "", "can't", "'quoted'"],
        );
        assert_eq!(g.phrases(), ["yes", "no thank you", "can't", "quoted"]);
        assert!(
            g.to_jsgf()
                .contains("public <yes_no_> = yes | no thank you | can't | quoted;")
        );
        assert_eq!(
            g.words().into_iter().collect::<Vec<_>>(),
            ["can't", "no", "quoted", "thank", "yes", "you"]
        );
    }

    #[test]
    fn a_built_grammar_reads_back_to_its_words() {
        let g = Grammar::one_of("intent", &["refill", "lab results", "move my appointment"]);
        let words = jsgf_words(&g.to_jsgf()).unwrap();
        assert_eq!(
            words,
            ["refill", "lab", "results", "move", "my", "appointment"]
        );
    }

    #[test]
    fn words_come_out_of_handwritten_jsgf() {
        let jsgf = r#"#JSGF V1.0;
            /** a comment; with a semicolon */
            grammar goforward;
            public <move> = go forward ten meters;   // trailing
            public <move2> = go <direction> <distance> [meter | meters] {tag;x} /2.5/ "new york";
            <direction> = forward | backward;
            <distance> = one | two+ | (three)*;"#;
        let words = jsgf_words(jsgf).unwrap();
        assert_eq!(
            words,
            [
                "go", "forward", "ten", "meters", "meter", "new york", "backward", "one", "two",
                "three"
            ]
        );
    }

    #[test]
    fn undefined_rules_imports_and_missing_public_rules_are_refused() {
        let undefined = "#JSGF V1.0; grammar g; public <a> = go <where>;";
        assert!(
            jsgf_words(undefined)
                .unwrap_err()
                .to_string()
                .contains("<where>")
        );
        let import = "#JSGF V1.0; grammar g; import <other.*>; public <a> = go;";
        assert!(
            jsgf_words(import)
                .unwrap_err()
                .to_string()
                .contains("import")
        );
        let private = "#JSGF V1.0; grammar g; <a> = go;";
        assert!(
            jsgf_words(private)
                .unwrap_err()
                .to_string()
                .contains("public")
        );
    }

    #[test]
    fn an_empty_grammar_is_void() {
        let g = Grammar::one_of::<&str>("nothing", &[]);
        assert!(g.to_jsgf().contains("<VOID>"));
        assert!(jsgf_words(&g.to_jsgf()).unwrap().is_empty());
    }
}
