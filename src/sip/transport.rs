//! The SIP listeners: UDP and TCP on one address and port, built on rsipstack's transport
//! layer with the two repairs `docs/sip-evaluation.md` calls for. rsipstack silently drops a
//! request it cannot parse (an unknown method, a broken header); RFC 3261 §8.2 wants an
//! answer, so a UDP wrapper answers those itself (501 or 400), and an inspector answers 400
//! to a parsed request whose transaction key cannot be built (a bad CSeq, no Via branch).

use super::wire;
use rsipstack::platform::net::UdpSocket as PlatformUdpSocket;
use rsipstack::sip::SipMessage;
use rsipstack::transaction::endpoint::TransportEventInspector;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transport::udp::{UdpConnection, UdpInner};
use rsipstack::transport::{SipAddr, TcpListenerConnection, TransportEvent, TransportLayer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_util::sync::CancellationToken;

/// Bad requests seen (answered or dropped), for `/metrics`.
pub static MALFORMED: AtomicU64 = AtomicU64::new(0);

/// The UDP socket under rsipstack's UDP transport, answering what rsipstack would drop.
struct LenientUdp {
    socket: tokio::net::UdpSocket,
}

#[async_trait::async_trait]
impl PlatformUdpSocket for LenientUdp {
    async fn recv_from(&self, buf: &mut [u8]) -> rsipstack::Result<(usize, SocketAddr)> {
        loop {
            let (len, addr) = self.socket.recv_from(buf).await?;
            let packet = &buf[..len];
            // Keep-alives (CRLF) are rsipstack's to handle.
            if packet.iter().all(u8::is_ascii_whitespace) || SipMessage::try_from(packet).is_ok() {
                return Ok((len, addr));
            }
            MALFORMED.fetch_add(1, Ordering::Relaxed);
            if let Some(answer) = wire::error_response(packet, rand::random()) {
                let _ = self.socket.send_to(&answer, addr).await;
            }
            // Never the datagram itself: it may name a patient.
            tracing::debug!(%addr, bytes = len, "unparseable SIP datagram");
        }
    }

    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> rsipstack::Result<usize> {
        Ok(self.socket.send_to(buf, addr).await?)
    }

    fn local_addr(&self) -> rsipstack::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }
}

/// The header the inspector stamps on every request with the address it came from, so the
/// INVITE handler can apply the allow-list; a copy arriving from the network is removed.
pub const PEER_HEADER: &str = "X-CareLine-Peer";

/// Sees every message before rsipstack's transactions do: answers 400 to requests it cannot
/// make a transaction of, and stamps requests with their source address.
pub struct Inspector;

#[async_trait::async_trait]
impl TransportEventInspector for Inspector {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        let TransportEvent::Incoming(SipMessage::Request(mut req), conn, from) = event else {
            return Some(event);
        };
        req.headers.retain(|h| {
            !matches!(h, rsipstack::sip::Header::Other(n, _) if n.eq_ignore_ascii_case(PEER_HEADER))
        });
        if TransactionKey::from_request(&req, TransactionRole::Server).is_ok() {
            if let Ok(peer) = from.get_socketaddr() {
                req.headers.push(rsipstack::sip::Header::Other(
                    PEER_HEADER.into(),
                    peer.ip().to_string(),
                ));
            }
            return Some(TransportEvent::Incoming(
                SipMessage::Request(req),
                conn,
                from,
            ));
        }
        MALFORMED.fetch_add(1, Ordering::Relaxed);
        let answer = wire::error_response(req.to_string().as_bytes(), rand::random())
            .and_then(|b| SipMessage::try_from(b.as_slice()).ok());
        if let Some(answer) = answer {
            // For a known method the wire helper says 400, which is right here.
            let _ = conn.send(answer, Some(&from)).await;
        }
        None
    }
}

/// A UDP socket on `addr` whose port is also free for TCP. rsipstack binds TCP only inside
/// `Endpoint::serve()` and only logs a failure there, so the TCP port is tried here first, to
/// fail start-up with a clear message. With port 0 the UDP port the system picks may be taken
/// for TCP; another is tried then.
fn bind_pair(addr: SocketAddr) -> Result<std::net::UdpSocket, String> {
    let attempts = if addr.port() == 0 { 20 } else { 1 };
    let mut last = String::new();
    for _ in 0..attempts {
        let udp = std::net::UdpSocket::bind(addr)
            .map_err(|e| format!("SIP cannot listen on udp {addr}: {e}"))?;
        let local = udp.local_addr().map_err(|e| e.to_string())?;
        match std::net::TcpListener::bind(local) {
            Ok(tcp) => {
                drop(tcp);
                return Ok(udp);
            }
            Err(e) => last = format!("SIP cannot listen on tcp {local}: {e}"),
        }
    }
    Err(last)
}

/// Bind UDP and TCP on `addr` (TCP on the port UDP got when `addr`'s port is 0) and add both
/// to a new transport layer.
pub async fn listen(
    addr: SocketAddr,
    cancel: &CancellationToken,
) -> Result<(TransportLayer, SocketAddr), String> {
    let layer = TransportLayer::new(cancel.clone());
    let std_socket = bind_pair(addr)?;
    std_socket
        .set_nonblocking(true)
        .map_err(|e| e.to_string())?;
    let socket = tokio::net::UdpSocket::from_std(std_socket).map_err(|e| e.to_string())?;
    let local = socket.local_addr().map_err(|e| e.to_string())?;
    let udp = UdpConnection::attach(
        UdpInner {
            conn: Arc::new(LenientUdp { socket }),
            addr: SipAddr {
                r#type: Some(rsipstack::sip::Transport::Udp),
                addr: local.into(),
            },
        },
        None,
        Some(cancel.child_token()),
    )
    .await;
    layer.add_transport(udp.into());
    let tcp = TcpListenerConnection::new(local, None)
        .await
        .map_err(|e| format!("SIP cannot listen on tcp {local}: {e}"))?;
    layer.add_transport(tcp.into());
    Ok((layer, local))
}
