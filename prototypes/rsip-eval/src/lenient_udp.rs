//! Workaround: rsipstack's UDP serve loop drops datagrams that fail to parse (including any
//! request whose method is not one of its 14 known methods) without answering. This wrapper
//! sits under UdpConnection (via the public `platform::net::UdpSocket` seam) and answers
//! such requests itself: 501 for an unknown method, 400 otherwise, when Via/From/To/Call-ID/CSeq
//! can be found; anything else is discarded.
use rsipstack::platform::net::UdpSocket as PlatformUdpSocket;
use std::net::SocketAddr;

pub struct LenientUdp {
    sock: tokio::net::UdpSocket,
}

impl LenientUdp {
    pub fn new(sock: tokio::net::UdpSocket) -> Self {
        Self { sock }
    }
}

const KNOWN: &[&str] = &[
    "ACK", "BYE", "CANCEL", "INFO", "INVITE", "MESSAGE", "NOTIFY", "OPTIONS", "PRACK", "PUBLISH",
    "REFER", "REGISTER", "SUBSCRIBE", "UPDATE",
];

fn error_response(pkt: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(pkt);
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n");
    let first = lines.next()?;
    let mut parts = first.split(' ');
    let method = parts.next()?;
    let _uri = parts.next()?;
    if parts.next()? != "SIP/2.0" || method.is_empty() || method == "ACK" {
        return None; // a response, garbage, or an ACK (never answered)
    }
    let (code, reason) = if KNOWN.contains(&method.to_ascii_uppercase().as_str()) {
        (400, "Bad Request")
    } else {
        (501, "Not Implemented")
    };
    let mut out = format!("SIP/2.0 {code} {reason}\r\n");
    let mut have = [false; 5];
    for l in lines {
        let Some((name, value)) = l.split_once(':') else { continue };
        let n = name.trim().to_ascii_lowercase();
        let idx = match n.as_str() {
            "via" | "v" => 0,
            "from" | "f" => 1,
            "to" | "t" => 2,
            "call-id" | "i" => 3,
            "cseq" => 4,
            _ => continue,
        };
        have[idx] = true;
        let value = value.trim();
        if idx == 2 && !value.contains(";tag=") {
            out.push_str(&format!("{}: {};tag=err{}\r\n", name.trim(), value, rand_tag()));
        } else {
            out.push_str(&format!("{}: {}\r\n", name.trim(), value));
        }
    }
    if !have.iter().all(|h| *h) {
        return None;
    }
    out.push_str("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY\r\nContent-Length: 0\r\n\r\n");
    Some(out.into_bytes())
}

fn rand_tag() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

#[async_trait::async_trait]
impl PlatformUdpSocket for LenientUdp {
    async fn recv_from(&self, buf: &mut [u8]) -> rsipstack::Result<(usize, SocketAddr)> {
        loop {
            let (len, addr) = self.sock.recv_from(buf).await?;
            let pkt = &buf[..len];
            if pkt.iter().all(|b| b.is_ascii_whitespace()) {
                return Ok((len, addr)); // keep-alives handled by rsipstack
            }
            if rsipstack::sip::SipMessage::try_from(pkt).is_ok() {
                return Ok((len, addr));
            }
            match error_response(pkt) {
                Some(resp) => {
                    println!("<< unparseable request from {addr}: answered {}", String::from_utf8_lossy(&resp[..12]));
                    self.sock.send_to(&resp, addr).await.ok();
                }
                None => println!("<< unparseable datagram from {addr} ({len} bytes): dropped"),
            }
        }
    }
    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> rsipstack::Result<usize> {
        Ok(self.sock.send_to(buf, addr).await?)
    }
    fn local_addr(&self) -> rsipstack::Result<SocketAddr> {
        Ok(self.sock.local_addr()?)
    }
}
