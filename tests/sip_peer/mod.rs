//! A SIP phone for tests, in-process: raw SIP over UDP (so it can also send what a broken
//! phone would), RTP out (G.711 audio, RFC 4733 events) and RTP in, recorded with arrival
//! times. It answers the server's BYE, REFER and NOTIFY as a test tells it to.
#![allow(dead_code)]

use careline_media::dtmf::TelephoneEvent;
use careline_media::g711::Law;
use careline_media::rtp::{self, RtpHeader};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// A SIP message as text: first line, headers in order, body.
#[derive(Debug, Clone)]
pub struct Msg {
    pub first: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Msg {
    pub fn parse(data: &[u8]) -> Option<Msg> {
        let text = std::str::from_utf8(data).ok()?;
        let (head, body) = text.split_once("\r\n\r\n")?;
        let mut lines = head.split("\r\n");
        let first = lines.next()?.to_string();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Some(Msg {
            first,
            headers,
            body: body.to_string(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn status(&self) -> Option<u16> {
        let rest = self.first.strip_prefix("SIP/2.0 ")?;
        rest.split(' ').next()?.parse().ok()
    }

    pub fn method(&self) -> Option<&str> {
        (!self.first.starts_with("SIP/2.0")).then(|| self.first.split(' ').next().unwrap_or(""))
    }

    pub fn cseq_method(&self) -> String {
        self.header("CSeq")
            .and_then(|c| c.split_whitespace().nth(1))
            .unwrap_or("")
            .to_string()
    }

    /// The answer to this request, copying what a response must.
    pub fn response(&self, status: u16, reason: &str, to_tag: Option<&str>) -> String {
        let mut out = format!("SIP/2.0 {status} {reason}\r\n");
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            for v in self.all(name) {
                if name == "To"
                    && !v.contains("tag=")
                    && let Some(t) = to_tag
                {
                    out.push_str(&format!("To: {v};tag={t}\r\n"));
                    continue;
                }
                out.push_str(&format!("{name}: {v}\r\n"));
            }
        }
        out.push_str("Content-Length: 0\r\n\r\n");
        out
    }
}

/// What arrived on the phone's RTP port.
#[derive(Debug, Clone)]
pub struct Heard {
    pub at: Instant,
    pub header: RtpHeader,
    pub payload: Vec<u8>,
}

impl Heard {
    /// The packet's audio, as PCMA for payload type 8, else as µ-law.
    pub fn decode(&self, out: &mut Vec<i16>) {
        let law = if self.header.payload_type == 8 {
            Law::Alaw
        } else {
            Law::Ulaw
        };
        law.decode(&self.payload, out);
    }

    /// G.711 silence (both laws' zero codes decode to within a step of 0).
    pub fn is_silence(&self) -> bool {
        let mut pcm = Vec::new();
        self.decode(&mut pcm);
        pcm.iter().all(|s| s.abs() < 16)
    }
}

pub struct Peer {
    pub sip: Arc<UdpSocket>,
    pub rtp: Arc<UdpSocket>,
    pub server: SocketAddr,
    pub call_id: String,
    pub from_tag: String,
    pub to_tag: Option<String>,
    pub from_user: String,
    pub to_user: String,
    cseq: u32,
    /// Where the server wants its in-dialog requests (its Contact).
    pub remote_target: Option<String>,
    /// The server's RTP address from its answer.
    pub remote_rtp: Option<SocketAddr>,
    pub heard: Arc<Mutex<Vec<Heard>>>,
    /// Requests from the server not yet taken by `expect_request`.
    pub requests: VecDeque<Msg>,
    seq: u16,
    ts: u32,
    pub extra_invite_headers: Vec<String>,
}

impl Peer {
    pub async fn new(server: SocketAddr) -> Peer {
        let sip = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let rtp = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let heard = Arc::new(Mutex::new(Vec::new()));
        let (r, h) = (rtp.clone(), heard.clone());
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            while let Ok((n, _)) = r.recv_from(&mut buf).await {
                if let Ok(p) = rtp::parse(&buf[..n]) {
                    h.lock().unwrap().push(Heard {
                        at: Instant::now(),
                        header: p.header,
                        payload: p.payload.to_vec(),
                    });
                }
            }
        });
        Peer {
            sip,
            rtp,
            server,
            call_id: format!("{}@test", uuid::Uuid::new_v4().simple()),
            from_tag: format!("t{}", rand::random::<u32>()),
            to_tag: None,
            from_user: String::new(),
            to_user: String::new(),
            cseq: 0,
            remote_target: None,
            remote_rtp: None,
            heard,
            requests: VecDeque::new(),
            seq: 1000,
            ts: 5000,
            extra_invite_headers: Vec::new(),
        }
    }

    pub fn sip_addr(&self) -> SocketAddr {
        self.sip.local_addr().unwrap()
    }

    pub fn rtp_addr(&self) -> SocketAddr {
        self.rtp.local_addr().unwrap()
    }

    /// An SDP offer with these payload types (0, 8, 101…) and direction.
    pub fn offer(&self, payload_types: &[u8], direction: &str) -> String {
        let a = self.rtp_addr();
        let pts: Vec<String> = payload_types.iter().map(u8::to_string).collect();
        let mut s = format!(
            "v=0\r\no=test 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP {pts}\r\n",
            ip = a.ip(),
            port = a.port(),
            pts = pts.join(" ")
        );
        for pt in payload_types {
            match pt {
                0 => s.push_str("a=rtpmap:0 PCMU/8000\r\n"),
                8 => s.push_str("a=rtpmap:8 PCMA/8000\r\n"),
                18 => s.push_str("a=rtpmap:18 G729/8000\r\n"),
                101 => s.push_str("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"),
                _ => {}
            }
        }
        s.push_str(&format!("a={direction}\r\n"));
        s
    }

    fn branch() -> String {
        format!("z9hG4bK{}", rand::random::<u64>())
    }

    fn request(
        &mut self,
        method: &str,
        uri: &str,
        extra: &[String],
        body: &str,
        ct: &str,
    ) -> String {
        if method != "ACK" && method != "CANCEL" {
            self.cseq += 1;
        }
        let me = self.sip_addr();
        let to_tag = self
            .to_tag
            .as_ref()
            .map(|t| format!(";tag={t}"))
            .unwrap_or_default();
        let mut m = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch={}\r\nMax-Forwards: 70\r\n\
             From: <sip:{}@{me}>;tag={}\r\nTo: <sip:{}@{}>{to_tag}\r\nCall-ID: {}\r\n\
             CSeq: {} {method}\r\nContact: <sip:{}@{me}>\r\n",
            Self::branch(),
            self.from_user,
            self.from_tag,
            self.to_user,
            self.server,
            self.call_id,
            self.cseq,
            self.from_user,
        );
        for h in extra {
            m.push_str(h);
            m.push_str("\r\n");
        }
        if !body.is_empty() {
            m.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        m.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        m
    }

    pub async fn send_raw(&self, text: &str) {
        self.sip
            .send_to(text.as_bytes(), self.server)
            .await
            .unwrap();
    }

    /// The next message, or None after `wait`.
    pub async fn recv(&self, wait: Duration) -> Option<Msg> {
        let mut buf = vec![0u8; 65536];
        let (n, _) = tokio::time::timeout(wait, self.sip.recv_from(&mut buf))
            .await
            .ok()?
            .ok()?;
        Msg::parse(&buf[..n])
    }

    /// The final response to our request with this CSeq method; requests from the server
    /// arriving meanwhile are kept for `expect_request`.
    pub async fn final_response(&mut self, method: &str) -> Msg {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let m = self
                .recv(left)
                .await
                .unwrap_or_else(|| panic!("no final response to {method}"));
            let this_request = m
                .header("CSeq")
                .and_then(|c| c.split_whitespace().next())
                .and_then(|n| n.parse::<u32>().ok())
                == Some(self.cseq);
            match m.status() {
                Some(s) if s >= 200 && m.cseq_method() == method && this_request => return m,
                Some(_) => continue,
                None => self.requests.push_back(m),
            }
        }
    }

    /// Place the call: INVITE, then the final answer (ACK not sent yet).
    pub async fn invite(&mut self, from: &str, to: &str, sdp: &str) -> Msg {
        self.from_user = from.to_string();
        self.to_user = to.to_string();
        let uri = format!("sip:{to}@{}", self.server);
        let extra = self.extra_invite_headers.clone();
        let m = self.request("INVITE", &uri, &extra, sdp, "application/sdp");
        self.send_raw(&m).await;
        let resp = self.final_response("INVITE").await;
        if resp.status().is_some_and(|s| s >= 300) {
            // A refusal is acknowledged within the INVITE's transaction: its branch, its CSeq.
            let branch = m
                .lines()
                .find_map(|l| l.strip_prefix("Via: "))
                .unwrap_or("")
                .to_string();
            let ack = format!(
                "ACK {uri} SIP/2.0\r\nVia: {branch}\r\nMax-Forwards: 70\r\nFrom: {}\r\nTo: {}\r\n\
                 Call-ID: {}\r\nCSeq: {} ACK\r\nContent-Length: 0\r\n\r\n",
                resp.header("From").unwrap_or(""),
                resp.header("To").unwrap_or(""),
                self.call_id,
                self.cseq
            );
            self.send_raw(&ack).await;
        }
        if resp.status() == Some(200) {
            self.to_tag = resp
                .header("To")
                .and_then(|t| t.split("tag=").nth(1))
                .map(|t| t.split(';').next().unwrap_or(t).to_string());
            self.remote_target = resp.header("Contact").map(|c| {
                c.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or(c)
                    .to_string()
            });
            self.remote_rtp = rtp_address(&resp.body);
        }
        resp
    }

    pub async fn ack(&mut self) {
        self.ack_with("", "").await;
    }

    /// An ACK carrying a body: the answer to an offer the server made in its 200 (late offer).
    pub async fn ack_with(&mut self, body: &str, ct: &str) {
        let uri = self.target();
        let m = self.request("ACK", &uri, &[], body, ct);
        self.send_raw(&m).await;
    }

    fn target(&self) -> String {
        self.remote_target
            .clone()
            .unwrap_or_else(|| format!("sip:careline@{}", self.server))
    }

    /// An in-dialog request; returns the final response.
    pub async fn in_dialog(&mut self, method: &str, body: &str, ct: &str) -> Msg {
        let uri = self.target();
        let m = self.request(method, &uri, &[], body, ct);
        self.send_raw(&m).await;
        self.final_response(method).await
    }

    pub async fn bye(&mut self) -> Msg {
        self.in_dialog("BYE", "", "").await
    }

    /// A key by SIP INFO, `application/dtmf-relay`.
    pub async fn info_key(&mut self, key: char) -> u16 {
        let body = format!("Signal={key}\r\nDuration=160\r\n");
        self.in_dialog("INFO", &body, "application/dtmf-relay")
            .await
            .status()
            .unwrap()
    }

    /// A request from the server (BYE, REFER, NOTIFY…), waiting up to `wait`.
    pub async fn expect_request(&mut self, method: &str, wait: Duration) -> Option<Msg> {
        let until = Instant::now() + wait;
        loop {
            if let Some(i) = self
                .requests
                .iter()
                .position(|m| m.method() == Some(method))
            {
                return self.requests.remove(i);
            }
            let left = until.checked_duration_since(Instant::now())?;
            let m = self.recv(left).await?;
            if m.method().is_some() {
                self.requests.push_back(m);
            }
        }
    }

    pub async fn respond(&self, req: &Msg, status: u16, reason: &str) {
        self.send_raw(&req.response(status, reason, None)).await;
    }

    /// One RTP packet to the server.
    async fn rtp_packet(&mut self, pt: u8, marker: bool, ts: u32, payload: &[u8]) {
        let mut p = Vec::new();
        RtpHeader {
            marker,
            payload_type: pt,
            sequence: self.seq,
            timestamp: ts,
            ssrc: 0x1234,
        }
        .write(&mut p);
        p.extend_from_slice(payload);
        self.seq = self.seq.wrapping_add(1);
        let to = self.remote_rtp.expect("the server's RTP address");
        self.rtp.send_to(&p, to).await.unwrap();
    }

    /// A key as RFC 4733 events the way phones send them: updates while held, then the end
    /// packet three times, all with the event's timestamp.
    pub async fn rtp_key(&mut self, key: char) {
        let event = "0123456789*#ABCD".find(key).expect("a key") as u8;
        let ts = self.ts;
        for (i, end) in [false, false, false, true, true, true]
            .into_iter()
            .enumerate()
        {
            let ev = TelephoneEvent {
                event,
                end,
                volume: 10,
                duration: 160 * (i as u16 + 1).min(4),
            };
            self.rtp_packet(101, i == 0, ts, &ev.to_bytes()).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.ts = self.ts.wrapping_add(160 * 8);
    }

    /// Audio as PCMU, paced at 20 ms.
    pub async fn rtp_audio(&mut self, pcm: &[i16]) {
        for chunk in pcm.chunks(160) {
            let mut payload = Vec::new();
            Law::Ulaw.encode(chunk, &mut payload);
            let ts = self.ts;
            self.rtp_packet(0, false, ts, &payload).await;
            self.ts = self.ts.wrapping_add(160);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Audio from the server decoded (by its payload type: PCMA for 8, else µ-law), in
    /// arrival order.
    pub fn heard_audio(&self) -> Vec<i16> {
        let mut out = Vec::new();
        for h in self.heard.lock().unwrap().iter() {
            h.decode(&mut out);
        }
        out
    }

    /// Wait until the server sends sound (not G.711 silence): its first prompt started, so
    /// the call listens for keys (the server drops keys that arrive before it has played
    /// anything).
    pub async fn wait_sound(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if self.heard.lock().unwrap().iter().any(|h| !h.is_silence()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Wait until the server has sent sound and then `quiet` of silence: its prompt ended.
    pub async fn wait_prompt_end(&self, quiet: Duration, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let start = self.heard.lock().unwrap().len();
        while Instant::now() < until {
            {
                let h = self.heard.lock().unwrap();
                let recent = &h[start.min(h.len())..];
                let loud = recent.iter().rposition(|p| !p.is_silence());
                if let Some(i) = loud {
                    let last_loud = recent[i].at;
                    if last_loud.elapsed() >= quiet && recent.len() > i + 1 {
                        return true;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

/// The connection address and port of an SDP answer's audio.
pub fn rtp_address(sdp: &str) -> Option<SocketAddr> {
    let ip = sdp
        .lines()
        .find_map(|l| l.strip_prefix("c=IN IP4 "))?
        .trim()
        .to_string();
    let port = sdp
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))?
        .split_whitespace()
        .next()?;
    format!("{ip}:{port}").parse().ok()
}
