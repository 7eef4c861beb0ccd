//! The terminal softphone (`careline call`): places a call into the engine through the same
//! path a Twilio webhook takes, prints what the caller would hear and the call events as they
//! are stored, and takes keys or words from the keyboard or from a script given up front.
//! Typed words go in as a recognizer's result would (`Input::Speech`), so spoken dialogues are
//! tried without audio.

use crate::calls::{Calls, Turn};
use careline_call::engine::{Input, Keys, Output, TransferTarget};
use careline_store::Store;
use careline_store::calls::CallEventRow;
use chrono::Utc;
use std::time::Duration;

/// One line of what happened, in order.
#[derive(Debug, Clone)]
pub enum Line {
    Say(String),
    Prompt {
        max_digits: u32,
        terminator: Option<char>,
        timeout_ms: u32,
        /// The step understands words too.
        words: bool,
    },
    Keys(String),
    /// Words the caller said (typed, in the simulator).
    Said(String),
    Transfer(String),
    /// The engine asked for a person and there is no agent line to send the caller to.
    NoTransfer(String),
    Hangup,
    Event(CallEventRow),
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Line::Say(t) => write!(f, "  say    {t}"),
            Line::Prompt {
                max_digits,
                terminator,
                timeout_ms,
                words,
            } => {
                write!(f, "  keys?  up to {max_digits}")?;
                if let Some(t) = terminator {
                    write!(f, ", end with {t}")?;
                }
                if *words {
                    write!(f, ", or words")?;
                }
                write!(f, " ({} s)", timeout_ms / 1000)
            }
            Line::Said(w) => write!(f, "> \"{w}\""),
            Line::Keys(k) if k.is_empty() => write!(f, "> (no keys: timeout)"),
            Line::Keys(k) => write!(f, "> {k}"),
            Line::Transfer(to) => write!(f, "  ->     transferred to {to}"),
            Line::NoTransfer(reason) => write!(
                f,
                "  ->     not transferred ({reason}): no agent_number is configured, the call ends"
            ),
            Line::Hangup => write!(f, "  ->     hung up"),
            Line::Event(e) => {
                write!(f, "  event  {} {}", e.action, e.result)?;
                if let Some(c) = &e.error_code {
                    write!(f, " [{c}]")?;
                }
                Ok(())
            }
        }
    }
}

/// A finished simulated call.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub call_id: String,
    pub lines: Vec<Line>,
    pub ended: bool,
    pub events: Vec<CallEventRow>,
}

impl Transcript {
    /// Everything the caller heard, joined.
    pub fn heard(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| match l {
                Line::Say(t) => Some(t.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn has_event(&self, action: &str, result: &str) -> bool {
        self.events
            .iter()
            .any(|e| e.action == action && e.result == result)
    }

    pub fn error_codes(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| e.error_code.clone())
            .collect()
    }
}

/// The simulator's session: the call id, what it has printed, where its events are.
pub struct Session<'a> {
    calls: &'a Calls,
    store: &'a Store,
    pub call_id: String,
    pub lines: Vec<Line>,
    events_seen: usize,
    step: i32,
    ended: bool,
    /// The timeout of the open prompt, for the interactive mode.
    pub open_timeout_ms: Option<u32>,
    echo: bool,
    /// Where a transfer to "an agent" goes (`agent_number`); `None` ends the call as Twilio
    /// does, with no representative available.
    agent_number: Option<String>,
    /// A fixed clock for scripted tests: each input one second after the last. `None` is
    /// the wall clock.
    clock: Option<chrono::DateTime<Utc>>,
}

impl<'a> Session<'a> {
    /// Place the call. `echo` prints each line as it happens (the interactive softphone).
    pub async fn dial(
        calls: &'a Calls,
        store: &'a Store,
        call: Dial<'_>,
        echo: bool,
        clock: Option<chrono::DateTime<Utc>>,
    ) -> Result<Session<'a>, String> {
        let Dial {
            from,
            to,
            agent_number,
        } = call;
        let call_id = format!("SIM{}", uuid::Uuid::new_v4().simple());
        let mut s = Session {
            calls,
            store,
            call_id: call_id.clone(),
            lines: Vec::new(),
            events_seen: 0,
            step: 0,
            ended: false,
            open_timeout_ms: None,
            echo,
            agent_number: agent_number.map(str::to_string),
            clock,
        };
        let now = s.tick();
        let turn = calls
            .start("simulator", &call_id, from, to, now)
            .await
            .map_err(|e| e.to_string())?;
        s.show(turn).await?;
        Ok(s)
    }

    fn tick(&mut self) -> chrono::DateTime<Utc> {
        match &mut self.clock {
            Some(t) => {
                *t += chrono::Duration::seconds(1);
                *t
            }
            None => Utc::now(),
        }
    }

    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Keys for the open prompt, as a whole entry (what Twilio's `<Gather>` posts); empty is
    /// a timeout. A trailing `#` is the terminator.
    pub async fn press(&mut self, keys: &str) -> Result<(), String> {
        self.push(Line::Keys(keys.to_string()));
        let input = Input::Gathered {
            keys: Keys::new(keys),
        };
        let now = self.tick();
        let turn = self
            .calls
            .feed(&self.call_id, Some(self.step), input, now)
            .await
            .map_err(|e| e.to_string())?;
        self.show(turn).await
    }

    /// Words for the open prompt, as a recognizer would hand them over.
    pub async fn speak(&mut self, words: &str) -> Result<(), String> {
        self.push(Line::Said(words.to_string()));
        let input = Input::Speech {
            text: Keys::new(words),
            confidence: None,
        };
        let now = self.tick();
        let turn = self
            .calls
            .feed(&self.call_id, Some(self.step), input, now)
            .await
            .map_err(|e| e.to_string())?;
        self.show(turn).await
    }

    /// One entry of a script: keys or words.
    pub async fn enter(&mut self, entry: &Entry) -> Result<(), String> {
        match entry {
            Entry::Keys(k) => self.press(k).await,
            Entry::Words(w) => self.speak(w).await,
        }
    }

    pub async fn hang_up(&mut self) -> Result<(), String> {
        if self.ended {
            return Ok(());
        }
        let now = self.tick();
        let turn = self
            .calls
            .feed(&self.call_id, None, Input::Hangup, now)
            .await
            .map_err(|e| e.to_string())?;
        self.show(turn).await?;
        self.ended = true;
        Ok(())
    }

    fn push(&mut self, line: Line) {
        if self.echo {
            println!("{line}");
        }
        self.lines.push(line);
    }

    async fn show(&mut self, turn: Turn) -> Result<(), String> {
        self.step = turn.step;
        self.ended = turn.ended;
        self.open_timeout_ms = None;
        let mut no_target = false;
        for o in turn.outputs {
            match o {
                Output::Say { text, .. } => self.push(Line::Say(text)),
                Output::Gather(g) => {
                    self.open_timeout_ms = Some(g.first_timeout_ms);
                    self.push(Line::Prompt {
                        max_digits: g.max_digits,
                        terminator: g.terminator,
                        timeout_ms: g.first_timeout_ms,
                        words: g.listen.is_some(),
                    });
                }
                Output::Transfer { target, reason } => {
                    // As the Twilio transport renders it: a transfer to "an agent" dials
                    // agent_number, and without one the caller is told nobody is available.
                    match (target, self.agent_number.clone()) {
                        (TransferTarget::Number(n), _) => {
                            self.push(Line::Transfer(format!("{n} ({reason})")))
                        }
                        (TransferTarget::Extension(e), Some(n)) => self.push(Line::Transfer(
                            format!("extension {e} through the agent line {n} ({reason})"),
                        )),
                        (TransferTarget::Agent, Some(n)) => {
                            self.push(Line::Transfer(format!("the agent line {n} ({reason})")))
                        }
                        (TransferTarget::Agent | TransferTarget::Extension(_), None) => {
                            self.push(Line::Say(
                                crate::twilio::routes::NO_REPRESENTATIVE.to_string(),
                            ));
                            self.push(Line::NoTransfer(reason));
                            no_target = true;
                        }
                    }
                    // The softphone leaves the call once it is handed over.
                    self.open_timeout_ms = None;
                }
                Output::Hangup => self.push(Line::Hangup),
                Output::Event(_) | Output::Request(_) => {}
            }
        }
        if no_target {
            // The engine recorded "transferred"; as on SIP, the record also says it was not.
            let now = self.tick();
            self.calls
                .transport_event(&self.call_id, "transfer", "no_target", None, now)
                .await
                .map_err(|e| e.to_string())?;
        }
        let events = careline_store::calls::call_events(self.store, &self.call_id)
            .await
            .map_err(|e| e.to_string())?;
        for e in events.into_iter().skip(self.events_seen) {
            self.events_seen += 1;
            self.push(Line::Event(e));
        }
        Ok(())
    }

    /// Whether the caller can still press keys (not transferred, not ended).
    pub fn awaiting_keys(&self) -> bool {
        !self.ended && self.open_timeout_ms.is_some()
    }

    pub async fn finish(mut self) -> Result<Transcript, String> {
        self.hang_up().await?;
        let events = careline_store::calls::call_events(self.store, &self.call_id)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Transcript {
            call_id: self.call_id,
            lines: self.lines,
            ended: self.ended,
            events,
        })
    }
}

/// Split a script into entries: whitespace or commas separate them; `-` (or `w`) is a
/// timeout with no keys.
pub fn parse_script(script: &str) -> Result<Vec<Entry>, String> {
    script
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t == "-" || t.eq_ignore_ascii_case("w") {
                Ok(Entry::Keys(String::new()))
            } else if t
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
            {
                Ok(Entry::Keys(t.to_string()))
            } else {
                Err(format!(
                    "script entry '{t}' is not keypad keys (0-9, *, #) or - for a timeout"
                ))
            }
        })
        .collect()
}

/// What the caller does at a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Keypad keys; empty is a timeout.
    Keys(String),
    /// Words, as if spoken.
    Words(String),
}

/// Split a spoken script into entries at `|`: an entry of keypad keys (or `-` for a timeout)
/// is pressed, anything else is said ("I need to move my appointment | 06091951 | move it").
pub fn parse_said(script: &str) -> Result<Vec<Entry>, String> {
    let entries: Vec<Entry> = script
        .split('|')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match parse_script(t) {
            Ok(mut keys) if keys.len() == 1 => keys.remove(0),
            _ => Entry::Words(t.to_string()),
        })
        .collect();
    if entries.is_empty() {
        return Err("the script has no entries (separate them with |)".into());
    }
    Ok(entries)
}

/// Who calls which line, and where that line's transfers to a person go.
#[derive(Debug, Clone, Copy)]
pub struct Dial<'s> {
    /// The caller ID; `None` is a withheld number.
    pub from: Option<&'s str>,
    /// The number dialed; it selects the territory.
    pub to: &'s str,
    /// The configuration's `agent_number`.
    pub agent_number: Option<&'s str>,
}

/// A scripted call: dial, press or say each entry while the call takes them, hang up.
pub async fn run_script(
    calls: &Calls,
    store: &Store,
    call: Dial<'_>,
    script: &[Entry],
    echo: bool,
    clock: Option<chrono::DateTime<Utc>>,
) -> Result<Transcript, String> {
    let mut s = Session::dial(calls, store, call, echo, clock).await?;
    for entry in script {
        if !s.awaiting_keys() {
            break;
        }
        s.enter(entry).await?;
    }
    s.finish().await
}

/// The interactive softphone: lines from standard input are entries; an empty line or the
/// prompt's timeout is "no keys"; `h` hangs up.
pub async fn run_interactive(
    calls: &Calls,
    store: &Store,
    call: Dial<'_>,
) -> Result<Transcript, String> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    println!(
        "calling {} from {} ...",
        call.to,
        call.from.unwrap_or("a withheld number")
    );
    println!("(type keys or words and Enter; an empty line or waiting is a timeout; h hangs up)");
    let mut s = Session::dial(calls, store, call, true, None).await?;
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    while s.awaiting_keys() {
        let wait = Duration::from_millis(u64::from(s.open_timeout_ms.unwrap_or(5000)) + 2000);
        match tokio::time::timeout(wait, stdin.next_line()).await {
            Err(_) => s.press("").await?,
            Ok(Ok(Some(line))) => {
                let line = line.trim();
                if line.eq_ignore_ascii_case("h") {
                    break;
                }
                match parse_script(line) {
                    Ok(entries) if entries.is_empty() => s.press("").await?,
                    Ok(entries) => {
                        for e in entries {
                            if !s.awaiting_keys() {
                                break;
                            }
                            s.enter(&e).await?;
                        }
                    }
                    // Not keys: words, as if spoken.
                    Err(_) => s.speak(line).await?,
                }
            }
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(format!("reading the keyboard: {e}")),
        }
    }
    let t = s.finish().await?;
    println!(
        "call {} ended; replay it with: careline call replay {}",
        t.call_id, t.call_id
    );
    Ok(t)
}
