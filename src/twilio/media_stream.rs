//! Twilio Media Streams' messages: the JSON text frames of a bidirectional stream
//! (`<Connect><Stream>`). Twilio sends `connected`, `start`, `media`, `dtmf`, `mark` and
//! `stop`; CareLine sends `media` (the reply audio), `mark` (echoed once the audio before it
//! has played) and `clear` (drop the audio not yet played: barge-in). Field names are the ones
//! in Twilio's Media Streams reference.
//!
//! [`parse`] reads whatever the network brings: anything malformed, oversized or unknown is an
//! error value, never a panic (fuzzed by `fuzz/fuzz_targets/media_stream.rs`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The largest text frame accepted: Twilio's media frames are 20 ms (160 bytes of μ-law,
/// about 400 bytes of JSON); `start` carries at most a few custom parameters.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The largest decoded media payload accepted (one second of 8 kHz μ-law).
pub const MAX_PAYLOAD_BYTES: usize = 8000;

/// One message from Twilio.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    Connected,
    Start(Start),
    Media(Media),
    /// A key the caller pressed (`dtmf.digit`).
    Dtmf {
        digit: char,
    },
    /// One of our marks, played (or cleared).
    Mark {
        name: String,
    },
    Stop,
}

/// The stream's `start` message.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub stream_sid: String,
    pub call_sid: String,
    pub encoding: String,
    pub sample_rate: u32,
    pub channels: u32,
    /// The `<Parameter>`s of the `<Stream>` verb.
    pub parameters: BTreeMap<String, String>,
}

/// Caller audio: 8 kHz μ-law.
#[derive(Clone, PartialEq)]
pub struct Media {
    /// The message's `sequenceNumber` (Twilio numbers every message of a stream from 1).
    pub sequence: Option<u64>,
    /// `inbound` (the caller) or `outbound`.
    pub track: String,
    pub payload: Vec<u8>,
}

/// The caller's voice: `Debug` shows only its length.
impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("sequence", &self.sequence)
            .field("track", &self.track)
            .field("payload_bytes", &self.payload.len())
            .finish()
    }
}

/// Why a message was refused. Names the problem, never the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error("the message is larger than {MAX_MESSAGE_BYTES} bytes")]
    TooLarge,
    #[error("the message is not JSON")]
    NotJson,
    #[error("the message has no known event")]
    UnknownEvent,
    #[error("the {0} message is missing a field")]
    Missing(&'static str),
    #[error("the media payload is not base64 or is too long")]
    BadPayload,
    #[error("the dtmf digit is not a phone key")]
    BadDigit,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    event: String,
    #[serde(default)]
    sequence_number: Option<String>,
    #[serde(default)]
    stream_sid: Option<String>,
    #[serde(default)]
    start: Option<RawStart>,
    #[serde(default)]
    media: Option<RawMedia>,
    #[serde(default)]
    dtmf: Option<RawDtmf>,
    #[serde(default)]
    mark: Option<RawMark>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStart {
    #[serde(default)]
    stream_sid: Option<String>,
    call_sid: String,
    #[serde(default)]
    media_format: Option<RawFormat>,
    #[serde(default)]
    custom_parameters: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFormat {
    encoding: String,
    sample_rate: u32,
    channels: u32,
}

#[derive(Deserialize)]
struct RawMedia {
    #[serde(default)]
    track: Option<String>,
    payload: String,
}

#[derive(Deserialize)]
struct RawDtmf {
    digit: String,
}

#[derive(Deserialize)]
struct RawMark {
    name: String,
}

/// Reads one text frame.
pub fn parse(text: &str) -> Result<Inbound, StreamError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(StreamError::TooLarge);
    }
    let raw: Raw = serde_json::from_str(text).map_err(|_| StreamError::NotJson)?;
    match raw.event.as_str() {
        "connected" => Ok(Inbound::Connected),
        "start" => {
            let s = raw.start.ok_or(StreamError::Missing("start"))?;
            let stream_sid = s
                .stream_sid
                .or(raw.stream_sid)
                .ok_or(StreamError::Missing("start"))?;
            // Twilio's default and only inbound format; a stream that says otherwise is
            // refused by the session rather than misheard.
            let f = s.media_format.unwrap_or(RawFormat {
                encoding: "audio/x-mulaw".into(),
                sample_rate: 8000,
                channels: 1,
            });
            Ok(Inbound::Start(Start {
                stream_sid,
                call_sid: s.call_sid,
                encoding: f.encoding,
                sample_rate: f.sample_rate,
                channels: f.channels,
                parameters: s.custom_parameters,
            }))
        }
        "media" => {
            let m = raw.media.ok_or(StreamError::Missing("media"))?;
            // Base64 is 4 characters for 3 bytes: anything longer decodes past the limit.
            if m.payload.len() > MAX_PAYLOAD_BYTES.div_ceil(3) * 4 {
                return Err(StreamError::BadPayload);
            }
            let payload = STANDARD
                .decode(m.payload.as_bytes())
                .map_err(|_| StreamError::BadPayload)?;
            Ok(Inbound::Media(Media {
                sequence: raw.sequence_number.and_then(|s| s.parse().ok()),
                track: m.track.unwrap_or_else(|| "inbound".into()),
                payload,
            }))
        }
        "dtmf" => {
            let d = raw.dtmf.ok_or(StreamError::Missing("dtmf"))?;
            let mut chars = d.digit.chars();
            match (chars.next(), chars.next()) {
                (Some(c @ ('0'..='9' | '*' | '#' | 'A'..='D')), None) => {
                    Ok(Inbound::Dtmf { digit: c })
                }
                _ => Err(StreamError::BadDigit),
            }
        }
        "mark" => {
            let m = raw.mark.ok_or(StreamError::Missing("mark"))?;
            Ok(Inbound::Mark { name: m.name })
        }
        "stop" => Ok(Inbound::Stop),
        _ => Err(StreamError::UnknownEvent),
    }
}

/// Reply audio for the caller: 8 kHz μ-law bytes as a `media` message.
pub fn media(stream_sid: &str, ulaw: &[u8]) -> String {
    serde_json::json!({
        "event": "media",
        "streamSid": stream_sid,
        "media": { "payload": STANDARD.encode(ulaw) },
    })
    .to_string()
}

/// A `mark`: Twilio sends it back once the audio sent before it has played.
pub fn mark(stream_sid: &str, name: &str) -> String {
    serde_json::json!({
        "event": "mark",
        "streamSid": stream_sid,
        "mark": { "name": name },
    })
    .to_string()
}

/// `clear`: drop the audio not yet played (Twilio then returns the pending marks).
pub fn clear(stream_sid: &str) -> String {
    serde_json::json!({ "event": "clear", "streamSid": stream_sid }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_documented_messages_parse() {
        let start = r#"{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"step":"3"}},"streamSid":"MZ1"}"#;
        let Inbound::Start(s) = parse(start).unwrap() else {
            panic!("not a start");
        };
        assert_eq!(s.stream_sid, "MZ1");
        assert_eq!(s.call_sid, "CA1");
        assert_eq!(s.sample_rate, 8000);
        assert_eq!(s.parameters.get("step").map(String::as_str), Some("3"));
        let media = r#"{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"/////w=="},"streamSid":"MZ1"}"#;
        assert_eq!(
            parse(media).unwrap(),
            Inbound::Media(Media {
                sequence: Some(3),
                track: "inbound".into(),
                payload: vec![0xff; 4],
            })
        );
        let dtmf = r#"{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}"#;
        assert_eq!(parse(dtmf).unwrap(), Inbound::Dtmf { digit: '1' });
        let mark =
            r#"{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"p1"}}"#;
        assert_eq!(parse(mark).unwrap(), Inbound::Mark { name: "p1".into() });
        assert_eq!(
            parse(r#"{"event":"stop","sequenceNumber":"5","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"}"#).unwrap(),
            Inbound::Stop
        );
        assert_eq!(
            parse(r#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#).unwrap(),
            Inbound::Connected
        );
    }

    #[test]
    fn bad_messages_are_errors() {
        assert_eq!(parse("not json"), Err(StreamError::NotJson));
        assert_eq!(parse(r#"{"event":"nope"}"#), Err(StreamError::UnknownEvent));
        assert_eq!(
            parse(r#"{"event":"media"}"#),
            Err(StreamError::Missing("media"))
        );
        assert_eq!(
            parse(r#"{"event":"media","media":{"payload":"***"}}"#),
            Err(StreamError::BadPayload)
        );
        let long = format!(
            r#"{{"event":"media","media":{{"payload":"{}"}}}}"#,
            "A".repeat(20_000)
        );
        assert_eq!(parse(&long), Err(StreamError::BadPayload));
        assert_eq!(
            parse(r#"{"event":"dtmf","dtmf":{"digit":"12"}}"#),
            Err(StreamError::BadDigit)
        );
        assert_eq!(
            parse(&" ".repeat(MAX_MESSAGE_BYTES + 1)),
            Err(StreamError::TooLarge)
        );
    }

    #[test]
    fn outbound_messages_are_twilio_shaped() {
        let m: serde_json::Value = serde_json::from_str(&media("MZ1", &[0xff, 0x7f])).unwrap();
        assert_eq!(m["event"], "media");
        assert_eq!(m["streamSid"], "MZ1");
        assert_eq!(m["media"]["payload"], "/38=");
        let m: serde_json::Value = serde_json::from_str(&mark("MZ1", "p2")).unwrap();
        assert_eq!(m["mark"]["name"], "p2");
        let m: serde_json::Value = serde_json::from_str(&clear("MZ1")).unwrap();
        assert_eq!(m["event"], "clear");
    }
}
