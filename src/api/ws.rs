//! Live events over WebSockets: `/ws/{channel}` and `/ws/user/{user_id}`, and
//! `POST /api/v1/ws/tickets` for clients that cannot send `Authorization` on the handshake
//! (browsers). A socket is authenticated like any request (`Caller`: a bearer token, or the
//! session cookie) or with a one-time ticket, refused when its Origin is another site's, and
//! closed when its session ends. docs/events.md has the message format, channels and close
//! codes.

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Caller, client_address};
use crate::events::{self, Close, Feed, Replay, Subscription, Ticket, Viewer};
use crate::state::AppState;
use axum::Json;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use careline_domain::audit::{AuditAction, AuditOutcome, AuditType};
use careline_domain::{Actor, Permission};
use careline_store::StoreError;
use careline_store::audit::AuditEvent;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// How often an open socket re-checks its session (revoked elsewhere, idle, deactivated) and
/// re-reads the user's downline. Same-node logouts close sockets at once.
const SESSION_CHECK: Duration = Duration::from_secs(30);
/// A send that takes longer than this means the client is not reading: drop it.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame a client may send (a chat message's body is at most 5000 characters).
const MAX_CLIENT_FRAME: usize = 32 * 1024;

/// The WebSocket routes. They are not in the OpenAPI document (it cannot describe them);
/// docs/events.md does.
pub fn socket_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/ws/user/{user_id}", axum::routing::get(user_socket))
        .route("/ws/{channel}", axum::routing::get(channel_socket))
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(issue_ticket))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WsTicket {
    /// Pass as `?ticket=` when opening a `/ws/...` socket, once, on any node.
    pub ticket: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Seconds the ticket stays valid.
    pub expires_in: i64,
}

/// A one-time ticket to open a WebSocket, for clients that cannot send `Authorization` on
/// the handshake. Valid once, for 30 seconds, on any node of the same database.
#[utoipa::path(post, path = "/api/v1/ws/tickets", tag = "events",
    responses((status = 201, body = WsTicket)), security(("bearer" = [])))]
pub async fn issue_ticket(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<WsTicket>)> {
    let (ticket, expires_at) = events::tickets::issue(
        &state.store,
        Ticket {
            user_id: caller.user_id(),
            role: caller.role(),
            session_id: caller.session_id,
        },
        caller.now,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(WsTicket {
            ticket,
            expires_at,
            expires_in: events::tickets::TICKET_TTL.num_seconds(),
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketQuery {
    ticket: Option<String>,
    /// The last `seq` the client saw: what came after it is sent first.
    since: Option<i64>,
}

async fn channel_socket(
    State(state): State<AppState>,
    Path(channel): Path<String>,
    req: Request,
) -> Response {
    let Some((feed, permission)) = events::path_feed(&channel) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "UNKNOWN_CHANNEL",
            "no such event channel; see docs/events.md",
        )
        .details(json!({"channels": ["ivrs", "orders", "shipping", "notifications", "dashboard", "chat", "calls", "user/{user_id}"]}))
        .into_response();
    };
    open(state, req, feed, permission, None).await
}

async fn user_socket(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    req: Request,
) -> Response {
    let Ok(user_id) = Uuid::parse_str(&user_id) else {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PATH_PARAMETER",
            "user_id must be a UUID",
        )
        .into_response();
    };
    open(state, req, Feed::Addressed, None, Some(user_id)).await
}

/// Who opened a socket, whichever way they authenticated.
struct Opener {
    actor: Actor,
    session_id: Uuid,
    address: Option<String>,
}

impl Opener {
    fn event(&self, t: AuditType, a: AuditAction, d: impl Into<String>) -> AuditEvent {
        AuditEvent::new(t, a, d)
            .agent(Some(self.actor.user_id), Some(self.actor.role.as_str()))
            .address(self.address.clone())
    }
}

/// Check Origin, authenticate, authorize, subscribe, upgrade — in that order, each refusal in
/// the API's JSON error form.
async fn open(
    state: AppState,
    req: Request,
    feed: Feed,
    permission: Option<Permission>,
    own_user: Option<Uuid>,
) -> Response {
    match open_inner(state, req, feed, permission, own_user).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn open_inner(
    state: AppState,
    req: Request,
    feed: Feed,
    permission: Option<Permission>,
    own_user: Option<Uuid>,
) -> Result<Response, ApiError> {
    let (mut parts, _) = req.into_parts();
    let address = client_address(&parts);
    if let Err(origin) = origin_allowed(&state, &parts) {
        state
            .audit(
                AuditEvent::new(
                    AuditType::SecurityAlert,
                    AuditAction::E,
                    "WebSocket refused: Origin of another site",
                )
                .outcome(AuditOutcome::MinorFailure)
                .address(address.clone()),
            )
            .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ORIGIN_NOT_ALLOWED",
            "this page's origin may not open CareLine's live events",
        )
        .details(json!({ "origin": origin })));
    }
    let ApiQuery(q) = ApiQuery::<SocketQuery>::from_request_parts(&mut parts, &state).await?;
    let opener = match &q.ticket {
        Some(t) => redeem(&state, t, address.clone()).await?,
        None => match Caller::from_request_parts(&mut parts, &state).await {
            Ok(c) => Opener {
                actor: c.actor,
                session_id: c.session_id,
                address: c.address,
            },
            Err(e) => {
                if e.code == "INVALID_TOKEN" {
                    state
                        .audit(
                            AuditEvent::new(
                                AuditType::SecurityAlert,
                                AuditAction::E,
                                "WebSocket refused: invalid access token",
                            )
                            .outcome(AuditOutcome::MinorFailure)
                            .address(address.clone()),
                        )
                        .await?;
                }
                return Err(e);
            }
        },
    };
    let allowed = permission.is_none_or(|p| opener.actor.can(p))
        && own_user.is_none_or(|u| u == opener.actor.user_id);
    if !allowed {
        state
            .audit(
                opener
                    .event(
                        AuditType::SecurityAlert,
                        AuditAction::E,
                        "WebSocket refused: channel not permitted",
                    )
                    .outcome(AuditOutcome::MinorFailure),
            )
            .await?;
        return Err(ApiError::forbidden(match own_user {
            Some(_) => "a user channel is only for its own user".to_string(),
            None => format!("the {} role may not follow this channel", opener.actor.role),
        }));
    }
    let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, &state)
        .await
        .map_err(|r| {
            ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                "WEBSOCKET_REQUIRED",
                format!("open this path as a WebSocket ({r})"),
            )
        })?;
    let sub = state
        .events
        .subscribe(Viewer {
            user_id: opener.actor.user_id,
            role: opener.actor.role,
            session_id: opener.session_id,
            feed,
        })
        .await
        .map_err(|e| ApiError::internal("event subscription", e))?;
    Ok(upgrade
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| serve(socket, state, sub, opener, q.since)))
}

/// A one-time ticket, if it is valid and its session still is.
async fn redeem(state: &AppState, t: &str, address: Option<String>) -> Result<Opener, ApiError> {
    let now = careline_store::stored_time(chrono::Utc::now());
    let ticket = match events::tickets::redeem(&state.store, t, now).await? {
        Some(ticket) => ticket,
        None => {
            state
                .audit(
                    AuditEvent::new(
                        AuditType::SecurityAlert,
                        AuditAction::E,
                        "WebSocket refused: unknown, used or expired ticket",
                    )
                    .outcome(AuditOutcome::MinorFailure)
                    .address(address),
                )
                .await?;
            return Err(ApiError::unauthorized(
                "INVALID_TICKET",
                "the ticket is unknown, used or expired; POST /api/v1/ws/tickets for a new one",
            ));
        }
    };
    if !session_live(state, ticket.session_id, ticket.user_id).await {
        return Err(ApiError::unauthorized(
            "SESSION_EXPIRED",
            "the session has ended; sign in again",
        ));
    }
    Ok(Opener {
        actor: Actor {
            user_id: ticket.user_id,
            role: ticket.role,
        },
        session_id: ticket.session_id,
        address,
    })
}

/// Whether the page that opens the socket is ours: no Origin (not a browser), or one whose
/// host is the request's Host, `public_url`'s, or listed in `ws_allowed_origins`. A browser
/// always sends Origin on a WebSocket handshake, and a page of another site cannot forge it:
/// this is what stops that page from riding the user's session cookie.
fn origin_allowed(state: &AppState, parts: &Parts) -> Result<(), String> {
    let Some(origin) = parts.headers.get(axum::http::header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("").trim_end_matches('/');
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let same_host = origin_host.is_some_and(|o| !host.is_empty() && o.eq_ignore_ascii_case(host));
    let public = state
        .config
        .public_url
        .as_deref()
        .is_some_and(|p| same_origin(p, origin));
    let listed = state
        .config
        .ws_allowed_origins
        .iter()
        .any(|a| same_origin(a, origin));
    if same_host || public || listed {
        Ok(())
    } else {
        Err(origin.chars().take(200).collect())
    }
}

/// `scheme://host[:port]` of a URL compared with an Origin.
fn same_origin(url: &str, origin: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    format!("{scheme}://{host}").eq_ignore_ascii_case(origin)
}

/// Whether a session may still receive events: not revoked, expired or idle, and its user
/// the same. Does not count as activity.
async fn session_live(state: &AppState, sid: Uuid, user_id: Uuid) -> bool {
    use crate::auth::SessionCheck;
    let now = careline_store::stored_time(chrono::Utc::now());
    let idle = state.idle_timeout();
    let mut check = state.sessions.peek(sid, now, idle);
    if matches!(check, SessionCheck::NeedsLoad) {
        match careline_store::users::get_session(&state.store, sid).await {
            Ok(Some(s)) if s.user_id == user_id => {
                state.sessions.load(&s, now);
                check = state.sessions.peek(sid, now, idle);
            }
            Ok(_) => return false,
            // A database hiccup does not end a session; the next check decides.
            Err(e) => {
                tracing::warn!(error = %e, "WebSocket session check failed");
                return true;
            }
        }
    }
    matches!(check, SessionCheck::Active { .. })
}

/// Frames a client may send.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientFrame {
    Ping,
    Ack {
        #[allow(dead_code)]
        seq: i64,
    },
    Message {
        subject: String,
        id: String,
        body: String,
    },
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn send_json(sink: &mut Sink, v: serde_json::Value) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(v.to_string().into()))).await,
        Ok(Ok(()))
    )
}

async fn close(sink: &mut Sink, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        sink.send(Message::Close(Some(frame))),
    )
    .await;
}

/// One open socket: replay what the client missed, then forward live events until either
/// side ends it.
async fn serve(
    socket: WebSocket,
    state: AppState,
    mut sub: Subscription,
    opener: Opener,
    since: Option<i64>,
) {
    let (mut sink, mut stream) = socket.split();
    let mut last = sub.from_seq;
    if let Some(since) = since {
        match sub.replay(&state.store, since).await {
            Ok(Replay::Events(list)) => {
                for e in &list {
                    if !send_json(&mut sink, events::message(e)).await {
                        return;
                    }
                }
                last = last.max(since);
            }
            Ok(Replay::Reset) => {
                let reset = json!({"seq": sub.from_seq, "event": "RESET", "channel": null, "id": null, "at": chrono::Utc::now()});
                if !send_json(&mut sink, reset).await {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "WebSocket replay failed");
                close(&mut sink, 1011, "replay failed; reconnect").await;
                return;
            }
        }
    }
    let mut check =
        tokio::time::interval_at(tokio::time::Instant::now() + SESSION_CHECK, SESSION_CHECK);
    loop {
        tokio::select! {
            biased;
            _ = sub.closed.changed() => {
                let why = (*sub.closed.borrow()).unwrap_or(Close::TOO_SLOW);
                close(&mut sink, why.code, why.reason).await;
                return;
            }
            e = sub.events.recv() => match e {
                Some(e) => {
                    if e.seq <= last {
                        continue;
                    }
                    last = e.seq;
                    if !send_json(&mut sink, events::message(&e)).await {
                        return;
                    }
                }
                None => {
                    let why = (*sub.closed.borrow()).unwrap_or(Close::TOO_SLOW);
                    close(&mut sink, why.code, why.reason).await;
                    return;
                }
            },
            frame = stream.next() => {
                let Some(Ok(frame)) = frame else { return };
                let refusal = match frame {
                    Message::Text(t) => client_frame(&state, &sub, &opener, &mut sink, t.as_str()).await,
                    Message::Binary(_) => Some((1003, "binary frames are not accepted")),
                    Message::Close(_) => return,
                    Message::Ping(_) | Message::Pong(_) => None,
                };
                if let Some((code, reason)) = refusal {
                    close(&mut sink, code, reason).await;
                    return;
                }
            }
            _ = check.tick() => {
                if !session_live(&state, opener.session_id, opener.actor.user_id).await {
                    close(&mut sink, Close::SESSION_ENDED.code, Close::SESSION_ENDED.reason).await;
                    return;
                }
                if let Err(e) = sub.refresh(&state.store).await {
                    tracing::warn!(error = %e, "WebSocket downline refresh failed");
                }
            }
        }
    }
}

/// Handle one text frame. `Some` closes the socket with that code and reason.
async fn client_frame(
    state: &AppState,
    sub: &Subscription,
    opener: &Opener,
    sink: &mut Sink,
    text: &str,
) -> Option<(u16, &'static str)> {
    let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
        return Some((
            1007,
            "malformed frame: expected {\"type\":\"ping\"|\"ack\"|\"message\",…}",
        ));
    };
    let reply = match frame {
        ClientFrame::Ping => json!({"type": "pong"}),
        ClientFrame::Ack { .. } => return None,
        ClientFrame::Message { subject, id, body } => {
            if sub.viewer().feed != Feed::Channels(vec![careline_store::outbox::channel::CHAT]) {
                error_frame("NOT_ALLOWED_HERE", "send messages on /ws/chat")
            } else {
                chat_message(state, opener, &subject, &id, &body).await
            }
        }
    };
    if send_json(sink, reply).await {
        None
    } else {
        Some((1011, "send failed"))
    }
}

fn error_frame(code: &str, message: &str) -> serde_json::Value {
    json!({"type": "error", "error": {"code": code, "message": message, "details": {}}})
}

/// A message posted on `/ws/chat`: stored in the verification request's conversation like
/// `POST /api/v1/ivrs/{id}/messages`, and audited the same way. Orders have no conversation
/// of their own, so an order subject is refused with an error frame.
async fn chat_message(
    state: &AppState,
    opener: &Opener,
    subject: &str,
    id: &str,
    body: &str,
) -> serde_json::Value {
    match subject {
        "ivr" => {}
        "order" => {
            return error_frame(
                "NO_ORDER_THREAD",
                "orders have no message thread; write on the order's verification request",
            );
        }
        _ => return error_frame("INVALID_SUBJECT", "subject must be \"ivr\" or \"order\""),
    }
    if !opener.actor.can(Permission::VerificationMessage) {
        return error_frame(
            "FORBIDDEN",
            &format!("the {} role may not send messages", opener.actor.role),
        );
    }
    let Ok(request_id) = Uuid::parse_str(id) else {
        return error_frame(
            "VALIDATION_ERROR",
            "id must be a verification request's UUID",
        );
    };
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return error_frame("VALIDATION_ERROR", "body must be 1 to 5000 characters");
    }
    let now = careline_store::stored_time(chrono::Utc::now());
    match careline_store::verification::add_message(
        &state.store,
        &opener.actor,
        request_id,
        body,
        now,
    )
    .await
    {
        Ok(m) => {
            let audited = state
                .audit(
                    opener
                        .event(
                            AuditType::Rest,
                            AuditAction::C,
                            "verification request message sent (WebSocket)",
                        )
                        .entity("verification_request", request_id),
                )
                .await;
            if audited.is_err() {
                return error_frame(
                    "SYSTEM_ERROR",
                    "an internal error occurred; it has been logged",
                );
            }
            json!({"type": "stored", "subject": "ivr", "id": request_id, "message_id": m.id})
        }
        Err(StoreError::NotFound(_)) => error_frame(
            "VERIFICATION_REQUEST_NOT_FOUND",
            "no such verification request among yours",
        ),
        Err(e) => {
            tracing::error!(error = %e, "WebSocket chat message failed");
            error_frame(
                "SYSTEM_ERROR",
                "an internal error occurred; it has been logged",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            "https://care.example.com/app",
            "https://care.example.com"
        ));
        assert!(!same_origin(
            "https://care.example.com",
            "https://evil.example.com"
        ));
        assert!(!same_origin(
            "https://care.example.com",
            "http://care.example.com"
        ));
        assert!(!same_origin(
            "https://care.example.com:8443",
            "https://care.example.com"
        ));
    }

    #[test]
    fn client_frames_parse_strictly() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ping"}"#).is_ok());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ack","seq":4}"#).is_ok());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"nope"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>("not json").is_err());
    }
}
