//! A stand-in for Twilio's side of a Media Stream (Twilio cannot reach this machine): a
//! WebSocket client that speaks Twilio's documented messages (`connected`, `start`, `media`
//! every 20 ms in real time, `dtmf`, `mark` echoes, `stop`) to `/twilio/media`, signed like
//! Twilio signs the upgrade. The caller's audio is sent paced as a phone line sends it: line
//! hiss when the caller is quiet, their sentence when they speak.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What CareLine sent on the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum FromAgent {
    /// Reply audio (μ-law bytes), and when it arrived.
    Media {
        bytes: usize,
        at: Instant,
    },
    Mark(String),
    Clear,
    /// The socket closed (code).
    Closed(Option<u16>),
}

enum ToLine {
    Say(Vec<u8>),
    Text(String),
    Stop,
}

/// One call's stream, as Twilio would hold it.
pub struct TwilioStream {
    to_line: mpsc::UnboundedSender<ToLine>,
    from_agent: mpsc::UnboundedReceiver<FromAgent>,
    pub stream_sid: String,
    /// When the caller's last sentence finished being sent.
    spoke_until: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
}

/// A prompt as heard: how much audio, and the mark that closed it.
#[derive(Debug, Clone)]
pub struct Heard {
    pub bytes: usize,
    pub mark: Option<String>,
    pub first_audio: Option<Instant>,
    pub cleared: bool,
    pub closed: bool,
}

impl TwilioStream {
    /// Open the stream for `call_sid` at `ws_url` (ws://…/twilio/media), signed for
    /// `signed_url` (the wss:// URL CareLine named in its TwiML) with `token`.
    pub async fn open(ws_url: &str, signed_url: &str, token: &str, call_sid: &str) -> TwilioStream {
        let mut request = ws_url.into_client_request().unwrap();
        let sig =
            careline::twilio::signature::expected_signature(token.as_bytes(), signed_url, &[]);
        request
            .headers_mut()
            .insert("X-Twilio-Signature", sig.parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the media stream accepts a signed upgrade");
        let (mut sink, mut source) = ws.split();
        let stream_sid = format!("MZ{}", uuid::Uuid::new_v4().simple());
        let hello = [
            serde_json::json!({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
            serde_json::json!({
                "event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
                "start": {
                    "accountSid": "AC0123456789abcdef0123456789abcdef",
                    "streamSid": stream_sid, "callSid": call_sid, "tracks": ["inbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                    "customParameters": {}
                }
            }),
        ];
        for m in hello {
            sink.send(Message::Text(m.to_string().into()))
                .await
                .unwrap();
        }
        let (to_line, mut line_rx) = mpsc::unbounded_channel::<ToLine>();
        let (agent_tx, from_agent) = mpsc::unbounded_channel();
        let spoke_until = std::sync::Arc::new(std::sync::Mutex::new(None));
        let spoke = spoke_until.clone();
        let sid = stream_sid.clone();
        tokio::spawn(async move {
            let hiss = super::speech::hiss(1000);
            let mut hiss_at = 0;
            let mut speaking: Vec<u8> = Vec::new();
            let mut seq: u64 = 2;
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        let frame: Vec<u8> = if speaking.is_empty() {
                            let f: Vec<u8> = (0..160).map(|i| hiss[(hiss_at + i) % hiss.len()]).collect();
                            hiss_at = (hiss_at + 160) % hiss.len();
                            f
                        } else {
                            let n = speaking.len().min(160);
                            let mut f: Vec<u8> = speaking.drain(..n).collect();
                            f.resize(160, 0xff);
                            if speaking.is_empty() {
                                *spoke.lock().unwrap() = Some(Instant::now());
                            }
                            f
                        };
                        let m = serde_json::json!({
                            "event": "media", "sequenceNumber": seq.to_string(), "streamSid": sid,
                            "media": {"track": "inbound", "chunk": seq.to_string(),
                                      "timestamp": ((seq - 2) * 20).to_string(),
                                      "payload": STANDARD.encode(&frame)}
                        });
                        seq += 1;
                        if sink.send(Message::Text(m.to_string().into())).await.is_err() {
                            let _ = agent_tx.send(FromAgent::Closed(None));
                            return;
                        }
                    }
                    cmd = line_rx.recv() => match cmd {
                        Some(ToLine::Say(audio)) => speaking.extend(audio),
                        Some(ToLine::Text(t)) => {
                            let _ = sink.send(Message::Text(t.into())).await;
                        }
                        Some(ToLine::Stop) | None => {
                            let m = serde_json::json!({"event": "stop", "sequenceNumber": seq.to_string(), "streamSid": sid, "stop": {}});
                            let _ = sink.send(Message::Text(m.to_string().into())).await;
                            let _ = sink.close().await;
                            return;
                        }
                    },
                    m = source.next() => match m {
                        Some(Ok(Message::Text(t))) => {
                            let v: serde_json::Value = serde_json::from_str(t.as_str()).expect("CareLine sends JSON");
                            assert_eq!(v["streamSid"], sid.as_str(), "every message names the stream");
                            let e = match v["event"].as_str() {
                                Some("media") => {
                                    let payload = STANDARD.decode(v["media"]["payload"].as_str().unwrap()).unwrap();
                                    FromAgent::Media { bytes: payload.len(), at: Instant::now() }
                                }
                                Some("mark") => FromAgent::Mark(v["mark"]["name"].as_str().unwrap().to_string()),
                                Some("clear") => FromAgent::Clear,
                                other => panic!("CareLine sent an unknown event {other:?}"),
                            };
                            let _ = agent_tx.send(e);
                        }
                        Some(Ok(Message::Binary(_))) => panic!("Twilio refuses binary frames (31950)"),
                        Some(Ok(Message::Close(f))) => {
                            let _ = agent_tx.send(FromAgent::Closed(f.map(|f| u16::from(f.code))));
                            return;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            let _ = agent_tx.send(FromAgent::Closed(None));
                            return;
                        }
                    },
                }
            }
        });
        TwilioStream {
            to_line,
            from_agent,
            stream_sid,
            spoke_until,
        }
    }

    /// Wait for CareLine's next prompt: its audio up to the mark that ends it (or a clear, or
    /// the stream closing). Twilio echoes a mark once the audio before it has played; this
    /// caller has "heard" it when it arrives, so the mark is echoed at once.
    pub async fn prompt(&mut self, within: Duration) -> Heard {
        self.prompt_then(within, true).await
    }

    /// As [`prompt`](Self::prompt), but the mark is not echoed: the prompt is still
    /// "playing" (the caller may talk over it).
    pub async fn prompt_playing(&mut self, within: Duration) -> Heard {
        self.prompt_then(within, false).await
    }

    /// CareLine's whole turn: its next prompt (within `within`) and every prompt after it
    /// until the line has been quiet for `quiet`, as one: the bytes of them all, the first
    /// audio's time, the last mark. A reply is often several prompts ("You are verified." then
    /// the appointment), and the welcome too; a caller who speaks after `prompt` alone may be
    /// answering the first of them while the rest still arrive.
    pub async fn turn(&mut self, within: Duration, quiet: Duration) -> Heard {
        let mut heard = self.prompt(within).await;
        while !heard.closed {
            let Some(next) = self.prompt_within(quiet, true).await else {
                break;
            };
            heard.bytes += next.bytes;
            heard.mark = next.mark.or(heard.mark);
            heard.first_audio = heard.first_audio.or(next.first_audio);
            heard.cleared |= next.cleared;
            heard.closed = next.closed;
        }
        heard
    }

    async fn prompt_then(&mut self, within: Duration, echo: bool) -> Heard {
        match self.prompt_within(within, echo).await {
            Some(heard) => heard,
            None => panic!("no prompt from CareLine within {within:?}"),
        }
    }

    /// The next prompt, or `None` when nothing at all came within `within`.
    async fn prompt_within(&mut self, within: Duration, echo: bool) -> Option<Heard> {
        let mut heard = Heard {
            bytes: 0,
            mark: None,
            first_audio: None,
            cleared: false,
            closed: false,
        };
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let Ok(e) = tokio::time::timeout_at(deadline, self.from_agent.recv()).await else {
                if heard.bytes == 0 && !heard.cleared {
                    return None;
                }
                panic!("a prompt from CareLine did not end within {within:?}: {heard:?}");
            };
            match e {
                Some(FromAgent::Media { bytes, at }) => {
                    heard.bytes += bytes;
                    heard.first_audio.get_or_insert(at);
                }
                Some(FromAgent::Mark(name)) => {
                    if echo {
                        self.echo_mark(&name);
                    }
                    heard.mark = Some(name);
                    return Some(heard);
                }
                Some(FromAgent::Clear) => heard.cleared = true,
                Some(FromAgent::Closed(_)) | None => {
                    heard.closed = true;
                    return Some(heard);
                }
            }
        }
    }

    /// The caller starts saying `audio` (μ-law), paced at 20 ms a frame.
    pub fn say(&self, audio: Vec<u8>) {
        *self.spoke_until.lock().unwrap() = None;
        let _ = self.to_line.send(ToLine::Say(audio));
    }

    /// When the caller's last sentence finished going out.
    pub fn spoke_until(&self) -> Option<Instant> {
        *self.spoke_until.lock().unwrap()
    }

    /// A key pressed on the phone, as Twilio reports it.
    pub fn key(&self, digit: char) {
        let m = serde_json::json!({"event": "dtmf", "streamSid": self.stream_sid, "sequenceNumber": "0",
            "dtmf": {"track": "inbound_track", "digit": digit.to_string()}});
        let _ = self.to_line.send(ToLine::Text(m.to_string()));
    }

    /// Anything at all, as a text frame (malformed messages).
    pub fn raw(&self, text: &str) {
        let _ = self.to_line.send(ToLine::Text(text.to_string()));
    }

    /// Twilio's echo of a mark: the audio before it has played (or was cleared).
    pub fn echo_mark(&self, name: &str) {
        let m = serde_json::json!({"event": "mark", "streamSid": self.stream_sid, "sequenceNumber": "0",
            "mark": {"name": name}});
        let _ = self.to_line.send(ToLine::Text(m.to_string()));
    }

    /// The caller hangs up: Twilio sends `stop` and closes.
    pub fn hang_up(&self) {
        let _ = self.to_line.send(ToLine::Stop);
    }
}
