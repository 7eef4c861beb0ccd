//! Minimal UAS on rsipstack 0.7.14 (evaluation only).
//!
//! env: SIP_ADDR (default 127.0.0.1), SIP_PORT (default 0 = free port; TCP uses the same port),
//!      BYE_AFTER_MS (default 2000, 0 = never), MAX_CALLS (default 100),
//!      TRUSTED (comma separated IPs; default: allow all), RING_MS (default 100)
use rsipstack::dialog::dialog::{Dialog, DialogState, DialogStateReceiver};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::DialogId;
use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Header, Method, StatusCode};
use rsipstack::transport::udp::{UdpConnection, UdpInner};
use rsipstack::transport::{SipAddr, TcpListenerConnection, TransportLayer};
use rsipstack::EndpointBuilder;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

mod lenient_udp;

fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

/// Very small SDP "negotiation": accept if the offer has PCMU(0) or PCMA(8) on m=audio.
fn answer_for(offer: &[u8], local_ip: &str) -> Option<String> {
    let offer = std::str::from_utf8(offer).ok()?;
    let m = offer.lines().find(|l| l.starts_with("m=audio"))?;
    let pts: Vec<&str> = m.split_whitespace().skip(3).collect();
    let codec = ["0", "8"].into_iter().find(|c| pts.contains(c))?;
    let dir = if offer.contains("a=sendonly") {
        "a=recvonly"
    } else if offer.contains("a=inactive") {
        "a=inactive"
    } else {
        "a=sendrecv"
    };
    let name = if codec == "0" { "PCMU" } else { "PCMA" };
    Some(format!(
        "v=0\r\no=careline 1 1 IN IP4 {ip}\r\ns=CareLine\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio 40000 RTP/AVP {codec} 101\r\na=rtpmap:{codec} {name}/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n{dir}\r\n", ip = local_ip
    ))
}

#[tokio::main]
async fn main() -> rsipstack::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();

    let ip: IpAddr = env_or("SIP_ADDR", "127.0.0.1".parse().unwrap());
    let port: u16 = env_or("SIP_PORT", 0);
    let bye_after = env_or::<u64>("BYE_AFTER_MS", 2000);
    let ring_ms = env_or::<u64>("RING_MS", 100);
    let max_calls = env_or::<usize>("MAX_CALLS", 100);
    let trusted: Option<HashSet<IpAddr>> = std::env::var("TRUSTED").ok().map(|s| {
        s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
    });

    let token = CancellationToken::new();
    let transport_layer = TransportLayer::new(token.clone());

    // UDP: our own socket wrapped so malformed / unknown-method datagrams get a 400/501
    // (rsipstack drops unparseable datagrams silently, see REPORT.md).
    let std_sock = std::net::UdpSocket::bind(SocketAddr::new(ip, port))?;
    std_sock.set_nonblocking(true)?;
    let udp_sock = tokio::net::UdpSocket::from_std(std_sock)?;
    let local_udp = udp_sock.local_addr()?;
    let plain = std::env::var("PLAIN_UDP").is_ok();
    let conn: Arc<dyn rsipstack::platform::net::UdpSocket> = if plain {
        Arc::new(udp_sock) // rsipstack's own tokio impl: unparseable datagrams silently dropped
    } else {
        Arc::new(lenient_udp::LenientUdp::new(udp_sock))
    };
    let udp = UdpConnection::attach(
        UdpInner {
            conn,
            addr: SipAddr {
                r#type: Some(rsipstack::sip::Transport::Udp),
                addr: local_udp.into(),
            },
        },
        None,
        Some(token.child_token()),
    )
    .await;
    transport_layer.add_transport(udp.into());

    // TCP: rsipstack's listener binds only inside Endpoint::serve() and never learns the
    // real port of a :0 bind, so reuse the UDP port (and check it is free up-front,
    // because a bind failure inside serve() is only logged).
    let tcp_addr = SocketAddr::new(ip, local_udp.port());
    drop(std::net::TcpListener::bind(tcp_addr)?);
    let tcp = TcpListenerConnection::new(tcp_addr, None).await?;
    transport_layer.add_transport(tcp.into());

    if let Some(trusted) = trusted.clone() {
        let trusted = Arc::new(trusted);
        transport_layer.set_whitelist(move |ip: IpAddr| {
            let t = trusted.clone();
            async move { t.contains(&ip) }
        });
    }

    let endpoint = EndpointBuilder::new()
        .with_cancel_token(token.clone())
        .with_transport_layer(transport_layer)
        .with_user_agent("CareLine-eval/0.1")
        .with_allows(vec![
            Method::Invite,
            Method::Ack,
            Method::Bye,
            Method::Cancel,
            Method::Options,
            Method::Info,
            Method::Refer,
            Method::Notify,
        ])
        .build();
    println!("LISTENING udp={local_udp} tcp={tcp_addr}");

    let contact: rsipstack::sip::Uri = format!("sip:careline@{local_udp}").as_str().try_into()?;
    let mut incoming = endpoint.incoming_transactions()?;
    let dialog_layer = Arc::new(DialogLayer::new(endpoint.inner.clone()));
    let (state_sender, state_receiver) = dialog_layer.new_dialog_state_channel();
    let active = Arc::new(AtomicUsize::new(0));

    let dl = dialog_layer.clone();
    let act = active.clone();
    tokio::spawn(state_loop(dl, state_receiver, act, bye_after));

    let ep = endpoint.inner.clone();
    tokio::spawn(async move { ep.serve().await });

    let allow = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY";
    while let Some(mut tx) = incoming.recv().await {
        let method = tx.original.method;
        let src = tx.connection.as_ref().and_then(|c| c.get_remote_addr()).cloned();
        let has_to_tag = tx
            .original
            .to_header()
            .ok()
            .and_then(|t| t.tag().ok().flatten())
            .is_some();
        println!("<< {method} from {src:?} in_dialog={has_to_tag}");

        if has_to_tag {
            // in-dialog request
            match dialog_layer.match_dialog(&tx) {
                Some(mut d) => {
                    tokio::spawn(async move {
                        if let Err(e) = d.handle(&mut tx).await {
                            eprintln!("dialog handle error: {e}");
                        }
                    });
                }
                None => {
                    tx.reply(StatusCode::CallTransactionDoesNotExist).await.ok();
                }
            }
            continue;
        }

        match method {
            Method::Invite => {
                // Application-level admission control *before* any dialog exists.
                if let (Some(t), Some(s)) = (&trusted, &src) {
                    let ok = s.get_socketaddr().map(|a| t.contains(&a.ip())).unwrap_or(false);
                    if !ok {
                        tx.reply(StatusCode::Forbidden).await.ok();
                        continue;
                    }
                }
                if active.load(Ordering::SeqCst) >= max_calls {
                    tx.reply_with(
                        StatusCode::ServiceUnavailable,
                        vec![Header::RetryAfter("30".into())],
                        None,
                    )
                    .await
                    .ok();
                    continue;
                }
                let Some(answer) = answer_for(&tx.original.body, &ip.to_string()) else {
                    tx.reply(StatusCode::NotAcceptableHere).await.ok();
                    continue;
                };
                let dialog = match dialog_layer.get_or_create_server_invite(
                    &tx,
                    state_sender.clone(),
                    None,
                    Some(contact.clone()),
                ) {
                    Ok(d) => d,
                    Err(e) => {
                        eprintln!("create dialog failed: {e}");
                        tx.reply(StatusCode::BadRequest).await.ok();
                        continue;
                    }
                };
                active.fetch_add(1, Ordering::SeqCst);
                let d2 = dialog.clone();
                let mut d1 = dialog;
                // The INVITE server transaction only advances while someone polls
                // tx.receive() (inside handle()), so each INVITE needs a driver future.
                tokio::spawn(async move {
                    d1.handle(&mut tx).await.ok();
                });
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ring_ms)).await;
                    d2.ringing(None, None).ok();
                    tokio::time::sleep(Duration::from_millis(ring_ms)).await;
                    if d2.inner_state_can_answer() {
                        d2.accept(
                            Some(vec![Header::ContentType("application/sdp".into())]),
                            Some(answer.into_bytes()),
                        )
                        .ok();
                    }
                });
            }
            Method::Options => {
                tx.reply_with(
                    StatusCode::OK,
                    vec![Header::Allow(allow.into()), Header::Other("Accept".into(), "application/sdp".into())],
                    None,
                )
                .await
                .ok();
            }
            Method::Bye | Method::Info | Method::Refer | Method::Notify | Method::PRack | Method::Update => {
                tx.reply(StatusCode::CallTransactionDoesNotExist).await.ok();
            }
            _ => {
                // PUBLISH, MESSAGE, REGISTER, SUBSCRIBE...
                tx.reply_with(StatusCode::MethodNotAllowed, vec![Header::Allow(allow.into())], None)
                    .await
                    .ok();
            }
        }
    }
    Ok(())
}

trait CanAnswer {
    fn inner_state_can_answer(&self) -> bool;
}
impl CanAnswer for rsipstack::dialog::invite_dialog::InviteDialog {
    fn inner_state_can_answer(&self) -> bool {
        matches!(
            self.state(),
            DialogState::Calling(_) | DialogState::Trying(_) | DialogState::Early(_, _)
        )
    }
}

async fn state_loop(
    dialog_layer: Arc<DialogLayer>,
    mut rx: DialogStateReceiver,
    active: Arc<AtomicUsize>,
    bye_after: u64,
) {
    let mut confirmed_once: HashSet<DialogId> = HashSet::new();
    while let Some(st) = rx.recv().await {
        match st {
            DialogState::Confirmed(id, _) => {
                if confirmed_once.insert(id.clone()) {
                    println!("== confirmed {id}");
                    if let Ok(target) = std::env::var("REFER_TO") {
                        // blind transfer: REFER, then BYE on refusal; on acceptance wait for NOTIFY
                        let dl = dialog_layer.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            if let Some(Dialog::Invite(d)) = dl.get_dialog(&id) {
                                let r = d.refer(format!("<{target}>").as_str(), None, None).await;
                                let code = r.as_ref().ok().and_then(|o| o.as_ref()).map(|resp| u16::from(resp.status_code.clone()));
                                println!("== REFER {id} -> {code:?}");
                                if !matches!(code, Some(200..=299)) {
                                    println!(">> BYE after refused REFER {id}");
                                    d.bye().await.ok();
                                }
                            }
                        });
                        continue;
                    }
                    if bye_after > 0 {
                        let dl = dialog_layer.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(bye_after)).await;
                            if let Some(Dialog::Invite(d)) = dl.get_dialog(&id) {
                                if d.state().is_confirmed() {
                                    println!(">> BYE {id}");
                                    if let Err(e) = d.bye().await {
                                        eprintln!("bye failed: {e}");
                                    }
                                }
                            }
                        });
                    }
                }
            }
            DialogState::Info(id, req, handle) => {
                let ct = req
                    .headers
                    .iter()
                    .find_map(|h| match h {
                        Header::ContentType(c) => Some(c.value().to_string()),
                        _ => None,
                    })
                    .unwrap_or_default();
                println!(
                    "== INFO {id} content-type={ct} body={:?}",
                    String::from_utf8_lossy(&req.body)
                );
                handle.reply(StatusCode::OK).await.ok();
            }
            DialogState::Options(id, _req, handle) => {
                println!("== in-dialog OPTIONS {id}");
                handle.reply(StatusCode::OK).await.ok();
            }
            DialogState::Updated(id, req, handle) => {
                // re-INVITE (hold/resume) or UPDATE
                println!("== {} (re-INVITE/UPDATE) {id}", req.method);
                match answer_for(&req.body, "127.0.0.1") {
                    Some(sdp) if req.method == Method::Invite => {
                        handle
                            .respond(
                                StatusCode::OK,
                                Some(vec![Header::ContentType("application/sdp".into())]),
                                Some(sdp.into_bytes()),
                            )
                            .await
                            .ok();
                    }
                    _ => {
                        handle.reply(StatusCode::OK).await.ok();
                    }
                }
            }
            DialogState::Notify(id, req, handle) => {
                // rsipstack's ReferStatus::parse only looks at Header::Other, but the parser
                // yields Header::Event / Header::SubscriptionState, so it always returns None.
                let lib = rsipstack::dialog::dialog::ReferStatus::parse(&req);
                let st = lib.clone().or_else(|| own_refer_status(&req));
                println!("   (rsipstack ReferStatus::parse -> {lib:?})");
                println!("== NOTIFY {id} refer_status={st:?} body={:?}", String::from_utf8_lossy(&req.body));
                handle.reply(StatusCode::OK).await.ok();
                if let Some(st) = st {
                    if st.is_terminated {
                        if let Some(Dialog::Invite(d)) = dialog_layer.get_dialog(&id) {
                            let d = d.clone();
                            tokio::spawn(async move {
                                // handle.reply() only queues the 200 for the transaction task; give it
                                // a moment so our BYE does not overtake the NOTIFY's 200 on the wire.
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                println!(">> BYE after transfer {}", d.id());
                                d.bye().await.ok();
                            });
                        }
                    }
                }
            }
            DialogState::Refer(_, _, handle) | DialogState::Message(_, _, handle) | DialogState::Publish(_, _, handle) => {
                handle.reply(StatusCode::MethodNotAllowed).await.ok();
            }
            DialogState::Terminated(id, reason) => {
                println!("== terminated {id} {reason:?}");
                if dialog_layer.get_dialog(&id).is_some() {
                    dialog_layer.remove_dialog(&id);
                    active.fetch_sub(1, Ordering::SeqCst);
                }
                confirmed_once.remove(&id);
            }
            other => {
                tracing::debug!("state {other}");
            }
        }
    }
}

fn own_refer_status(req: &rsipstack::sip::Request) -> Option<rsipstack::dialog::dialog::ReferStatus> {
    let event = req.headers.iter().find_map(|h| match h {
        Header::Event(e) => Some(e.value().to_ascii_lowercase()),
        _ => None,
    })?;
    if !event.starts_with("refer") {
        return None;
    }
    let sub = req.headers.iter().find_map(|h| match h {
        Header::SubscriptionState(v) => Some(v.value().to_ascii_lowercase()),
        _ => None,
    })?;
    let body = std::str::from_utf8(&req.body).ok()?;
    let code: u16 = body.lines().find(|l| l.starts_with("SIP/2.0"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(rsipstack::dialog::dialog::ReferStatus {
        status_code: StatusCode::from(code),
        is_terminated: sub.starts_with("terminated"),
    })
}
