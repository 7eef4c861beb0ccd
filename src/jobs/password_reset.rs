//! The job that emails a password reset link (kind `auth.password_reset_email`, enqueued with
//! the reset request by `careline_store::password_resets::request`). Its payload is the
//! request's id only: the token is made here, right before the send, and only its SHA-256 is
//! stored, so the one token that works is the one in the email. The send follows the effect
//! pattern of docs/jobs.md, so a retry never sends twice; a request for an address with no
//! active account sends nothing and succeeds.

use super::{JobContext, JobError, Registry, RetryPolicy};
use crate::config::Config;
use crate::notify::email::{Email, Mailer};
use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::jobs::{self, Effect};
use careline_store::password_resets::{self, EMAIL_JOB, TOKEN_TTL};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The effect's name in `job_effects`.
const EFFECT: &str = "email";

#[derive(serde::Deserialize)]
struct Payload {
    reset_id: uuid::Uuid,
}

/// `registry` with the reset email kind added, sending as `config` says.
pub fn registered(mut registry: Registry, config: &Config) -> Registry {
    let mailer = Arc::new(crate::notify::email_sender(config));
    let base = Arc::new(link_base(config));
    registry
        .register(EMAIL_JOB, move |ctx: JobContext, p: Payload| {
            let (mailer, base) = (mailer.clone(), base.clone());
            async move { send(ctx, p, &mailer, &base).await }
        })
        // Retries over about 45 minutes: after an hour the request is stale anyway.
        .retry(RetryPolicy {
            base: Duration::from_secs(30),
            max: Duration::from_secs(900),
        })
        .timeout(Duration::from_secs(120));
    registry
}

/// Where the link points: `public_url`, else this server's own address (for a local setup).
pub fn link_base(config: &Config) -> String {
    match config.public_url.as_deref() {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let bind = &config.bind;
            let host = if let Some(port) = bind.strip_prefix("0.0.0.0:") {
                format!("localhost:{port}")
            } else if let Some(port) = bind.strip_prefix("[::]:") {
                format!("localhost:{port}")
            } else {
                bind.clone()
            };
            format!("http://{host}")
        }
    }
}

async fn send(
    ctx: JobContext,
    p: Payload,
    mailer: &Option<Result<Mailer, String>>,
    base: &str,
) -> Result<(), JobError> {
    let store = &ctx.store;
    let Some(reset) = password_resets::get(store, p.reset_id).await? else {
        return Err(JobError::permanent(
            "the password reset request is gone (pruned); nothing sent",
        ));
    };
    if reset.is_closed() {
        return Ok(());
    }
    let user = match reset.user_id {
        Some(uid) => careline_store::users::get(store, uid)
            .await?
            .filter(|u| u.is_active),
        None => None,
    };
    let Some(user) = user else {
        // No account, or a deactivated one: the request was answered like any other, and
        // nothing is sent.
        tracing::info!(reset = %reset.id, "password reset for no active account: no email sent");
        return Ok(());
    };
    if ctx.now >= reset.created_at + TOKEN_TTL {
        return Err(JobError::permanent(
            "the reset request is more than 60 minutes old and its email never went; the user \
             can ask again",
        ));
    }
    let mailer = match mailer {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            return Err(JobError::permanent(format!(
                "email settings unusable, password reset email not sent: {e}"
            )));
        }
        None => {
            return Err(JobError::permanent(
                "email is not configured (set smtp_url and email_from): password reset email \
                 not sent",
            ));
        }
    };
    match jobs::begin_effect(store, &ctx.job, EFFECT, ctx.now).await? {
        Effect::Done { .. } => return Ok(()),
        Effect::InDoubt { .. } => {
            return Err(JobError::permanent(
                "the reset email may have gone in an interrupted attempt; not sent again (the \
                 user can ask for another link)",
            ));
        }
        Effect::New => {}
    }
    let token = careline_crypto::random_token();
    if !password_resets::set_token(
        store,
        reset.id,
        &password_resets::token_hash(&token),
        ctx.now,
    )
    .await?
    {
        // Used or void meanwhile.
        jobs::abandon_effect(store, &ctx.job, EFFECT).await?;
        return Ok(());
    }
    let template = Template::built_in(NotificationKind::PasswordReset, Channel::Email)
        .ok_or_else(|| JobError::permanent("no built-in password reset email"))?;
    let values: BTreeMap<&str, String> = [
        ("user_name", user.full_name.clone()),
        ("reset_link", format!("{base}/reset-password?token={token}")),
        ("expires_minutes", TOKEN_TTL.num_minutes().to_string()),
    ]
    .into_iter()
    .collect();
    let rendered = template.render(&values).map_err(JobError::permanent)?;
    let email = Email {
        to: user.email.clone(),
        subject: rendered.subject.unwrap_or_default(),
        body: rendered.body,
        idempotency_key: ctx.job.idempotency_key.clone(),
    };
    match mailer.send(&email).await {
        Ok(sent) => {
            jobs::finish_effect(store, &ctx.job, EFFECT, Some(&sent.provider_id), ctx.now).await?;
            tracing::info!(reset = %reset.id, user = %user.id, "password reset email sent");
            Ok(())
        }
        Err(e) if e.nothing_sent() => {
            jobs::abandon_effect(store, &ctx.job, EFFECT).await?;
            if e.is_retryable() {
                Err(JobError::retry(format!("password reset email: {e}")))
            } else {
                Err(JobError::permanent(format!("password reset email: {e}")))
            }
        }
        // It may have gone: the next attempt finds the effect in doubt.
        Err(e) => Err(JobError::retry(format!("password reset email: {e}"))),
    }
}
