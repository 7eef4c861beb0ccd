//! The JSGF grammar each dialogue step gives the recognizer, and the tools to check it.
//!
//! Every grammar has one public rule, `<utterance>`, uses lowercase words only (a–z with an
//! optional apostrophe, so each can be looked up in PocketSphinx's dictionary) and allows the
//! fillers "um", "uh" before and "please" after; the intent grammar also allows "i'd like to",
//! "i want to", "i need to". Every sentence a grammar allows is understood by this module's
//! parsers — a test expands each grammar and checks.
//!
//! [`tagged_grammar`] is the same grammar with JSGF tags (`{schedule}`, `{1}`, `{m=3}`) saying
//! what each choice means; [`grammar`] is it with the tags removed, for the recognizer.
//! [`expand`] lists a grammar's sentences (or a deterministic sample when there are too many)
//! with their tags: the tests here and the other engineer's accuracy suite use it.

use std::collections::BTreeSet;

use super::intent::name_words;
use crate::speech;

/// A dialogue step's kind, with the names it may hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// "How can I help you?": every intent, with the practice's providers and a few relative
    /// dates and parts of the day (no day of the month, no clock time: the date step's).
    Intent { providers: &'a [String] },
    /// A confirmation read back: yes or no.
    YesNo,
    /// A number typed on the keypad otherwise: digits one at a time.
    Digits,
    /// Verification: a date of birth.
    DateOfBirth,
    /// A day and time for an appointment.
    DateTime,
    /// One of the practice's providers.
    Provider { names: &'a [String] },
    /// One of the caller's medications.
    Medication { names: &'a [String] },
}

const HEADER: &str = "#JSGF V1.0;\ngrammar careline;\n";
const PRE: &str = "<pre> = um | uh;\n";
const LEAD: &str = "<lead> = i'd like to | i want to | i need to;\n";

fn alts(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(" | ")
}

fn spoken(s: &str) -> String {
    s.replace('-', " ").to_lowercase()
}

/// Rules for dates, parts of the day and clock times (shared by the intent and date steps).
fn when_rules() -> String {
    let mut g = String::new();
    let weekdays = alts(super::dates::WEEKDAYS.iter().map(|(w, _)| (*w).to_string()));
    let days = |n: u32| alts((1..=n).map(|d| spoken(&speech::ordinal_day(d))));
    let hours = alts((1..=12).map(speech::cardinal));
    g += &format!(
        "<weekday> = {weekdays};\n<d29> = {};\n<d30> = <d29> | thirtieth;\n<dayord> = <d30> | thirty first;\n<hour> = {hours};\n",
        days(29)
    );
    // Only days each month has, so every sentence names a real date.
    g += "<long> = january | march | may | july | august | october | december;\n\
          <short> = april | june | september | november;\n\
          <monthday> = <long> <dayord> | <short> <d30> | february <d29>;\n\
          <dayofmonth> = the <dayord> of <long> | the <d30> of <short> | the <d29> of february;\n";
    g += "<date> = today | tomorrow | the day after tomorrow | [this | next] <weekday> | on <weekday> \
          | <monthday> | [on] the <dayord> | [on] <dayofmonth> | next week | a week from <weekday> \
          | in two weeks;\n";
    g += "<part> = morning | afternoon | evening;\n";
    g += "<minutes> = o'clock | fifteen | thirty | forty five | oh five | ten | twenty;\n";
    g += "<clock> = <hour> [<minutes>] [a m | p m] | half past <hour> | quarter (past | to) <hour> | noon;\n";
    g += "<when> = <date> {date} [<part> {part}] [at <clock> {time}] | in the [early | late] <part> {part} \
          | at <clock> {time};\n";
    g
}

/// The few dates and parts of the day the intent step hears with an intent ("move my
/// appointment to next tuesday afternoon"): days named relative to today, no day of the month
/// and no clock time. The date-and-time step asks for those (`when_rules`): in the intent
/// grammar every month, ordinal and clock time made the recognizer's search several times
/// larger and slower than everything else together (docs/performance.md, "Speech"), and
/// callers who say them are still understood (the intent is heard; the rest is asked next).
fn intent_when_rules() -> String {
    let weekdays = alts(super::dates::WEEKDAYS.iter().map(|(w, _)| (*w).to_string()));
    format!(
        "<weekday> = {weekdays};\n\
         <date> = today | tomorrow | [this | next] <weekday> | on <weekday> | next week;\n\
         <part> = morning | afternoon | evening;\n\
         <when> = <date> {{date}} [<part> {{part}}] | in the [early | late] <part> {{part}};\n"
    )
}

fn intent_rules(providers: &[String]) -> String {
    let mut g = intent_when_rules();
    let names: Vec<String> = providers
        .iter()
        .map(|p| name_words(p).join(" "))
        .filter(|n| !n.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let with = if names.is_empty() {
        String::new()
    } else {
        g += &format!("<provider> = {};\n", alts(names));
        " [with doctor <provider> {provider}]".to_string()
    };
    g += "<appt> = an appointment | a follow up | a new appointment | a checkup;\n";
    // `<when>` once: the recognizer's grammar copies a rule at every reference.
    g += &format!(
        "<schedule> = [<lead>] ((book | schedule) <appt>{with} | make an appointment{with} | see the doctor) [<when>];\n"
    );
    g += "<reschedule> = [<lead>] (reschedule | move | change) my appointment [to <when>] | [<lead>] reschedule;\n";
    g += "<cancel> = [<lead>] cancel [my appointment] | [<lead>] cancel my appointment <date> {date};\n";
    g += "<inquiry> = when is my [next] appointment | [<lead>] check my appointments | do i have an appointment [<date> {date}];\n";
    g += "<lab> = [<lead>] (get | hear | check) my (lab results | test results | results) | lab results | test results;\n";
    g += "<refill> = [<lead>] (refill my prescription | get a refill | request a refill) | (i need | i'd like) a refill \
          | prescription refill | refill;\n";
    g += "<message> = [<lead>] leave a message [for my doctor] | [<lead>] leave an urgent message {urgent} [for my doctor] \
          | [<lead>] send a message to my doctor;\n";
    g += "<prior> = [<lead>] check [on] my prior authorization | prior authorization [status];\n";
    g += "<order> = [<lead>] check [on] my order | order status | where is my order;\n";
    g += "<insurance> = [<lead>] verify my insurance | insurance verification | [<lead>] check my insurance coverage;\n";
    g += "<hours> = what are your hours | office hours | directions | where are you located | what time do you (open | close);\n";
    g += "<agent> = [<lead>] (speak to | talk to) (a representative | an operator | an agent | a person | someone) \
          | representative | operator | agent;\n";
    g += "<emergency> = i have chest pain | i can't breathe | i'm bleeding heavily | i think i'm having a stroke \
          | i want to kill myself | it's an emergency;\n";
    g += "public <utterance> = [<pre>] (<schedule> {schedule} | <reschedule> {reschedule} | <cancel> {cancel} \
          | <inquiry> {inquiry} | <lab> {lab_results} | <refill> {prescription_refill} | <message> {message_provider} \
          | <prior> {prior_authorization} | <order> {order_status} | <insurance> {insurance_verification} \
          | <hours> {hours_and_directions} | <agent> {agent} | <emergency> {emergency}) [please];\n";
    g
}

fn yes_no_rules() -> String {
    "<yes> = yes | yeah | yep | yup | sure | correct | right | okay | absolutely | yes please | that's right \
     | that is correct | that's correct | go ahead;\n\
     <no> = no | nope | nah | no thanks | no thank you | not really | that's wrong | incorrect | that's not right;\n\
     public <utterance> = [<pre>] (<yes> {yes} | <no> {no}) [please];\n"
        .to_string()
}

fn digit_rules() -> String {
    let digits = alts((0..10).map(|d| format!("{} {{{d}}}", speech::cardinal(d))));
    let doubles = alts((0..10).map(|d| format!("{} {{{d}{d}}}", speech::cardinal(d))));
    format!(
        "<digit> = {digits} | oh {{0}};\n<double> = double ({doubles});\n\
         <item> = <digit> | <double>;\n\
         public <utterance> = [<pre>] <item>+ [please];\n"
    )
}

fn dob_rules() -> String {
    let months = alts(
        speech::MONTHS
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{} {{m={}}}", m.to_lowercase(), i + 1)),
    );
    let mnum = alts((1..=12).map(|m| format!("{} {{m={m}}}", speech::cardinal(m))));
    let mdigit = alts((1..=9).map(|m| format!("{} {{m={m}}}", speech::cardinal(m))));
    let dord = alts((1..=31).map(|d| format!("{} {{d={d}}}", spoken(&speech::ordinal_day(d)))));
    let dnum = alts((1..=31).map(|d| format!("{} {{d={d}}}", spoken(&speech::cardinal(d)))));
    let decades = alts((10..=99).map(|y| format!("{} {{y={}}}", spoken(&speech::cardinal(y)), y)));
    let digit = alts((0..10).map(|d| format!("{} {{{d}}}", speech::cardinal(d))));
    format!(
        "<month> = {months};\n<mnum> = {mnum} | oh ({mdigit});\n<dord> = {dord};\n<dnum> = {dnum};\n\
         <yy> = {decades} | oh (one {{y=1}} | two {{y=2}} | three {{y=3}} | five {{y=5}} | nine {{y=9}});\n\
         <year> = nineteen {{c=19}} <yy> | two thousand {{c=20}} [<digitword>] | <yy>;\n\
         <digitword> = one {{y=1}} | two {{y=2}} | five {{y=5}} | eight {{y=8}};\n\
         <digit> = {digit} | oh {{0}};\n\
         <digits> = <digit> <digit> <digit> <digit> <digit> <digit> <digit> <digit> {{digits}};\n\
         <dob> = <month> (<dord> | <dnum>) <year> | the <dord> of <month> <year> | <mnum> <dnum> <year> | <digits>;\n\
         public <utterance> = [<pre>] [my date of birth is | it's] <dob> [please];\n"
    )
}

fn date_time_rules() -> String {
    let mut g = when_rules();
    g += "public <utterance> = [<pre>] [how about | what about] <when> [please];\n";
    g
}

fn choice_rules(names: &[String], any: bool) -> String {
    let mut choices: Vec<String> = Vec::new();
    let lists: Vec<Vec<String>> = names.iter().map(|n| name_words(n)).collect();
    for (i, nw) in lists.iter().enumerate() {
        if nw.is_empty() {
            continue;
        }
        let mut forms = vec![nw.join(" ")];
        // The last word alone when no other name has it.
        if let Some(last) = nw.last()
            && nw.len() > 1
            && lists
                .iter()
                .enumerate()
                .all(|(j, o)| j == i || !o.contains(last))
        {
            forms.push(last.clone());
        }
        // Two names with the same words cannot be told apart: leave both out.
        if lists.iter().enumerate().any(|(j, o)| j != i && *o == *nw) {
            continue;
        }
        choices.push(format!("({}) {{n={i}}}", forms.join(" | ")));
    }
    let lead = if any { "[doctor]" } else { "[my | the]" };
    let none = if any {
        "any | anyone | no preference"
    } else {
        "none | neither"
    };
    let body = if choices.is_empty() {
        format!("({none}) {{none}}")
    } else {
        format!("{lead} ({}) | ({none}) {{none}}", choices.join(" | "))
    };
    format!("public <utterance> = [<pre>] ({body}) [please];\n")
}

/// The grammar for `step` with tags saying what each choice means.
pub fn tagged_grammar(step: &Step) -> String {
    let body = match step {
        Step::Intent { providers } => intent_rules(providers),
        Step::YesNo => yes_no_rules(),
        Step::Digits => digit_rules(),
        Step::DateOfBirth => dob_rules(),
        Step::DateTime => date_time_rules(),
        Step::Provider { names } => choice_rules(names, true),
        Step::Medication { names } => choice_rules(names, false),
    };
    let lead = if matches!(step, Step::Intent { .. }) {
        LEAD
    } else {
        ""
    };
    format!("{HEADER}{PRE}{lead}{body}")
}

/// The grammar for `step`, for the recognizer (JSGF, no tags).
pub fn grammar(step: &Step) -> String {
    strip_tags(&tagged_grammar(step))
}

/// A grammar without its `{…}` tags.
pub fn strip_tags(g: &str) -> String {
    let mut out = String::with_capacity(g.len());
    let mut depth = 0usize;
    for c in g.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // Tags leave doubled spaces behind; keep lines tidy.
    out.lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .map(|l| l.replace(" ;", ";").replace(" )", ")").replace(" ]", "]"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

// ---------------------------------------------------------------------------------------------
// A small JSGF reader: enough for the grammars above (alternatives, groups, optionals, `*`, `+`,
// rule references, tags).

#[derive(Debug, Clone)]
enum Node {
    Word(String),
    Ref(String),
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Opt(Box<Node>),
    Repeat(Box<Node>, bool),
    Tagged(Box<Node>, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Ref(String),
    Tag(String),
    Sym(char),
}

fn tokenize(body: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '<' => {
                chars.next();
                let name: String = chars.by_ref().take_while(|c| *c != '>').collect();
                out.push(Tok::Ref(name));
            }
            '{' => {
                chars.next();
                let tag: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push(Tok::Tag(tag));
            }
            '(' | ')' | '[' | ']' | '|' | '*' | '+' => {
                chars.next();
                out.push(Tok::Sym(c));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "()[]|*+<{".contains(c) {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                if w.is_empty() {
                    return Err(format!("unexpected {c:?}"));
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn alt(&mut self) -> Result<Node, String> {
        let mut options = vec![self.seq()?];
        while self.toks.get(self.pos) == Some(&Tok::Sym('|')) {
            self.pos += 1;
            options.push(self.seq()?);
        }
        Ok(if options.len() == 1 {
            options.remove(0)
        } else {
            Node::Alt(options)
        })
    }

    fn seq(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        loop {
            let mut item = match self.toks.get(self.pos).cloned() {
                Some(Tok::Word(w)) => {
                    self.pos += 1;
                    Node::Word(w)
                }
                Some(Tok::Ref(r)) => {
                    self.pos += 1;
                    Node::Ref(r)
                }
                Some(Tok::Sym(open @ ('(' | '['))) => {
                    self.pos += 1;
                    let inner = self.alt()?;
                    let close = if open == '(' { ')' } else { ']' };
                    if self.toks.get(self.pos) != Some(&Tok::Sym(close)) {
                        return Err(format!("missing {close}"));
                    }
                    self.pos += 1;
                    if open == '[' {
                        Node::Opt(Box::new(inner))
                    } else {
                        inner
                    }
                }
                _ => break,
            };
            loop {
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Sym('*')) => item = Node::Repeat(Box::new(item), false),
                    Some(Tok::Sym('+')) => item = Node::Repeat(Box::new(item), true),
                    Some(Tok::Tag(t)) => item = Node::Tagged(Box::new(item), t),
                    _ => break,
                }
                self.pos += 1;
            }
            items.push(item);
        }
        if items.is_empty() {
            return Err("empty sequence".into());
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Seq(items)
        })
    }
}

/// A grammar read into its rules; the public rule's name.
fn read(g: &str) -> Result<(std::collections::BTreeMap<String, Node>, String), String> {
    let mut rules = std::collections::BTreeMap::new();
    let mut public = None;
    for stmt in g.split(';') {
        let stmt = stmt.trim();
        if stmt.is_empty() || stmt.starts_with("#JSGF") || stmt.starts_with("grammar ") {
            continue;
        }
        let (head, body) = stmt
            .split_once('=')
            .ok_or_else(|| format!("no '=' in {stmt:?}"))?;
        let head = head.trim();
        let is_public = head.starts_with("public ");
        let name = head
            .trim_start_matches("public ")
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        let toks = tokenize(body)?;
        let mut p = Parser { toks, pos: 0 };
        let node = p.alt()?;
        if p.pos != p.toks.len() {
            return Err(format!("trailing input in rule {name}"));
        }
        if is_public {
            public = Some(name.clone());
        }
        rules.insert(name, node);
    }
    Ok((rules, public.ok_or("no public rule")?))
}

/// One sentence of a grammar: its words and the tags of the choices that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub tags: Vec<String>,
}

/// Deterministic pseudo-random numbers (SplitMix64), so samples are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if n == 0 { 0 } else { (z % n as u64) as usize }
    }
}

type Rules = std::collections::BTreeMap<String, Node>;

/// How many sentences `node` has, saturating (repeats count as many).
fn count(node: &Node, rules: &Rules, depth: usize) -> u128 {
    if depth > 64 {
        return u128::MAX;
    }
    match node {
        Node::Word(_) => 1,
        Node::Ref(r) => rules.get(r).map_or(0, |n| count(n, rules, depth + 1)),
        Node::Seq(items) => items.iter().fold(1u128, |acc, n| {
            acc.saturating_mul(count(n, rules, depth + 1))
        }),
        Node::Alt(options) => options.iter().fold(0u128, |acc, n| {
            acc.saturating_add(count(n, rules, depth + 1))
        }),
        Node::Opt(n) => count(n, rules, depth + 1).saturating_add(1),
        Node::Repeat(..) => u128::MAX,
        Node::Tagged(n, _) => count(n, rules, depth + 1),
    }
}

/// Every sentence of `node`, as (words, tags).
fn all(node: &Node, rules: &Rules, depth: usize) -> Vec<(Vec<String>, Vec<String>)> {
    if depth > 64 {
        return Vec::new();
    }
    match node {
        Node::Word(w) => vec![(vec![w.clone()], Vec::new())],
        Node::Ref(r) => rules
            .get(r)
            .map_or_else(Vec::new, |n| all(n, rules, depth + 1)),
        Node::Seq(items) => items.iter().fold(vec![(Vec::new(), Vec::new())], |acc, n| {
            let tails = all(n, rules, depth + 1);
            acc.iter()
                .flat_map(|(w, t)| {
                    tails.iter().map(move |(w2, t2)| {
                        (
                            w.iter().chain(w2).cloned().collect(),
                            t.iter().chain(t2).cloned().collect(),
                        )
                    })
                })
                .collect()
        }),
        Node::Alt(options) => options
            .iter()
            .flat_map(|n| all(n, rules, depth + 1))
            .collect(),
        Node::Opt(n) => {
            let mut v = vec![(Vec::new(), Vec::new())];
            v.extend(all(n, rules, depth + 1));
            v
        }
        Node::Repeat(n, _) => all(n, rules, depth + 1),
        Node::Tagged(n, tag) => all(n, rules, depth + 1)
            .into_iter()
            .map(|(w, mut t)| {
                t.push(tag.clone());
                (w, t)
            })
            .collect(),
    }
}

/// One random sentence of `node`.
fn sample(
    node: &Node,
    rules: &Rules,
    rng: &mut Rng,
    out: &mut (Vec<String>, Vec<String>),
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    match node {
        Node::Word(w) => out.0.push(w.clone()),
        Node::Ref(r) => {
            if let Some(n) = rules.get(r) {
                sample(n, rules, rng, out, depth + 1);
            }
        }
        Node::Seq(items) => items
            .iter()
            .for_each(|n| sample(n, rules, rng, out, depth + 1)),
        Node::Alt(options) => {
            // Pick an alternative in proportion to its size, so every sentence is about
            // equally likely, but give small alternatives a fair floor.
            let sizes: Vec<u128> = options
                .iter()
                .map(|n| count(n, rules, depth + 1).clamp(1, 1000))
                .collect();
            let total: u128 = sizes.iter().sum();
            let mut pick = rng.below(total as usize) as u128;
            for (n, size) in options.iter().zip(&sizes) {
                if pick < *size {
                    sample(n, rules, rng, out, depth + 1);
                    return;
                }
                pick -= size;
            }
        }
        Node::Opt(n) => {
            if rng.below(2) == 1 {
                sample(n, rules, rng, out, depth + 1);
            }
        }
        Node::Repeat(n, at_least_one) => {
            let times = rng.below(8) + usize::from(*at_least_one);
            for _ in 0..times {
                sample(n, rules, rng, out, depth + 1);
            }
        }
        Node::Tagged(n, tag) => {
            sample(n, rules, rng, out, depth + 1);
            out.1.push(tag.clone());
        }
    }
}

/// The sentences of a JSGF grammar with their tags: all of them when there are at most `max`,
/// else `max` samples drawn deterministically from `seed` (repeats are possible). An error says
/// what in the grammar could not be read.
pub fn expand(g: &str, max: usize, seed: u64) -> Result<Vec<Sentence>, String> {
    let (rules, public) = read(g)?;
    let root = rules.get(&public).ok_or("public rule missing")?;
    let mk = |(w, t): (Vec<String>, Vec<String>)| Sentence {
        text: w.join(" "),
        tags: t,
    };
    if count(root, &rules, 0) <= max as u128 {
        return Ok(all(root, &rules, 0).into_iter().map(mk).collect());
    }
    let mut rng = Rng(seed);
    Ok((0..max)
        .map(|_| {
            let mut out = (Vec::new(), Vec::new());
            sample(root, &rules, &mut rng, &mut out, 0);
            mk(out)
        })
        .collect())
}

/// Every word a grammar uses (its terminals), or an error if it cannot be read.
pub fn grammar_words(g: &str) -> Result<BTreeSet<String>, String> {
    fn walk(n: &Node, out: &mut BTreeSet<String>) {
        match n {
            Node::Word(w) => {
                out.insert(w.clone());
            }
            Node::Ref(_) => {}
            Node::Seq(v) | Node::Alt(v) => v.iter().for_each(|n| walk(n, out)),
            Node::Opt(n) | Node::Repeat(n, _) | Node::Tagged(n, _) => walk(n, out),
        }
    }
    let (rules, _) = read(g)?;
    let mut out = BTreeSet::new();
    rules.values().for_each(|n| walk(n, &mut out));
    Ok(out)
}

/// Every word the fixed grammars use (intent without providers, yes/no, digits, date of birth,
/// date and time). Provider and medication grammars add the names' words: take those with
/// [`grammar_words`].
pub fn vocabulary() -> BTreeSet<String> {
    [
        Step::Intent { providers: &[] },
        Step::YesNo,
        Step::Digits,
        Step::DateOfBirth,
        Step::DateTime,
    ]
    .iter()
    .flat_map(|s| grammar_words(&grammar(s)).unwrap_or_default())
    .collect()
}
