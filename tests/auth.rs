//! Authentication through the real HTTP server: login, lockout, rate limiting, refresh-token
//! rotation and reuse detection, logout, idle logoff, the caller's profile, password changes
//! and the token checks every authenticated request goes through.

mod common;

use careline::auth::{Claims, SessionCache, SessionCheck, TokenKeys};
use careline::config::Config;
use careline_domain::Role;
use careline_store::audit::{AuditFilter, search};
use careline_store::entity::user_session;
use chrono::{Duration, Timelike, Utc};
use common::{PASSWORD, TestApp, error_code};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const NEW_PASSWORD: &str = "Quiet-Meadow-Lantern-91";

async fn login_json(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    common::split(app.login_response(email, password).await).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> (u16, Value) {
    let r = app
        .http
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .unwrap();
    common::split(r).await
}

/// A GET with a raw Authorization header (or none).
async fn get_with_header(app: &TestApp, path: &str, authorization: Option<&str>) -> (u16, Value) {
    let mut req = app.http.get(app.url(path));
    if let Some(h) = authorization {
        req = req.header("Authorization", h);
    }
    common::split(req.send().await.unwrap()).await
}

/// Move every session of `user_id` back in time, as if it had been idle since then.
async fn set_last_seen(app: &TestApp, user_id: Uuid, at: chrono::DateTime<Utc>) {
    let res = user_session::Entity::update_many()
        .col_expr(user_session::Column::LastSeenAt, at.into())
        .filter(user_session::Column::UserId.eq(user_id))
        .exec(app.store().db())
        .await
        .unwrap();
    assert!(res.rows_affected >= 1, "no session rows to age");
}

on_both_engines!(login_returns_tokens_and_user, |db| async move {
    let app = TestApp::spawn(db).await;
    let id = app
        .user("nurse.kim@careline.test", Role::Doctor, None)
        .await;

    let (status, body) = login_json(&app, "nurse.kim@careline.test", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 20)
    );
    assert_ne!(body["access_token"], body["refresh_token"]);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(body["user"]["id"], id.to_string());
    assert_eq!(body["user"]["email"], "nurse.kim@careline.test");
    assert_eq!(body["user"]["role"], "doctor");
    let text = body.to_string();
    assert!(
        !text.contains("password_hash") && !text.contains("$argon2"),
        "hash leaked: {text}"
    );

    // The access token works on an authenticated endpoint.
    let (status, me) = app
        .get(body["access_token"].as_str().unwrap(), "/api/v1/auth/me")
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], id.to_string());

    // Email matching ignores case and surrounding space.
    let (status, _) = login_json(&app, "  Nurse.Kim@CareLine.test ", PASSWORD).await;
    assert_eq!(status, 200);

    // Wrong password and unknown account answer identically.
    let (status, wrong) = login_json(&app, "nurse.kim@careline.test", "Not-The-Password-1").await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&wrong), "INVALID_CREDENTIALS");
    let (status, unknown) = login_json(&app, "nobody@careline.test", PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&unknown), "INVALID_CREDENTIALS");
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
    assert_eq!(wrong["error"]["details"], unknown["error"]["details"]);
    // Input no account could have is just another unknown account.
    for email in ["nurse.kim\u{0}@careline.test", "not an email", ""] {
        let (status, body) = login_json(&app, email, PASSWORD).await;
        assert_eq!(status, 401, "{email:?}: {body}");
        assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    }

    app.stop().await;
});

on_both_engines!(repeated_failures_lock_the_account, |db| async move {
    let config = Config {
        login_max_failures: 3,
        ..common::test_config()
    };
    let app = TestApp::spawn_with(db, config).await;
    let id = app.user("lock.me@careline.test", Role::Doctor, None).await;
    let other = app
        .user("bystander@careline.test", Role::Doctor, None)
        .await;

    for n in 1..=3 {
        let (status, body) = login_json(&app, "lock.me@careline.test", "Wrong-Password-99").await;
        assert_eq!(status, 401, "attempt {n}: {body}");
        assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    }
    // Now even the right password is refused — with the very answer a made-up email gets
    // after as many tries, so a lockout never tells that the account exists.
    let (status, body) = login_json(&app, "lock.me@careline.test", PASSWORD).await;
    for n in 1..=4 {
        let (s, b) = login_json(&app, "nobody.here@careline.test", "Wrong-Password-99").await;
        assert_eq!(s, 401, "made-up email, attempt {n}: {b}");
        if n == 4 {
            assert_eq!(status, s, "{body} vs {b}");
            assert_eq!(body, b, "a locked account answers like an unknown one");
        }
    }
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "the message tells a locked-out user to wait: {body}"
    );

    // The lock is per account: another user logs in fine.
    let (status, _) = login_json(&app, "bystander@careline.test", PASSWORD).await;
    assert_eq!(status, 200);

    let alerts = search(
        app.store(),
        &AuditFilter {
            event_type: Some("security-alert".into()),
            entity_type: Some("user".into()),
            entity_id: Some(id.to_string()),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap();
    assert_eq!(alerts.total, 1, "one lock, one alert: {:?}", alerts.items);
    let alert = &alerts.items[0];
    assert_eq!(alert.agent_user_id, Some(id));
    assert!(
        alert.description.contains("locked"),
        "{}",
        alert.description
    );
    assert!(alert.outcome > 0, "a lock is a failure outcome");
    let for_other = search(
        app.store(),
        &AuditFilter {
            event_type: Some("security-alert".into()),
            entity_id: Some(other.to_string()),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap();
    assert_eq!(for_other.total, 0);

    app.stop().await;
});

on_both_engines!(
    login_attempts_are_rate_limited_per_address,
    |db| async move {
        let config = Config {
            login_rate_per_minute: 3,
            ..common::test_config()
        };
        let app = TestApp::spawn_with(db, config).await;
        app.user("busy@careline.test", Role::Doctor, None).await;

        // The limiter counts per calendar minute; start well inside one so all four attempts
        // land in the same window.
        let second = Utc::now().second();
        if second > 45 {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
        }
        for n in 1..=3 {
            let (status, body) = login_json(&app, "busy@careline.test", "Wrong-Password-99").await;
            assert_eq!(status, 401, "attempt {n}: {body}");
        }
        // The fourth is refused before the credentials are even looked at: right password or not.
        let (status, body) = login_json(&app, "busy@careline.test", PASSWORD).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(error_code(&body), "RATE_LIMITED");
        let wait = body["error"]["details"]["retry_after_seconds"]
            .as_i64()
            .unwrap();
        assert!((1..=60).contains(&wait), "retry_after_seconds {wait}");

        app.stop().await;
    }
);

on_both_engines!(
    refresh_rotates_and_reuse_revokes_the_session,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("rotate@careline.test", Role::Doctor, None).await;
        let (_, first) = login_json(&app, "rotate@careline.test", PASSWORD).await;
        let old_refresh = first["refresh_token"].as_str().unwrap().to_string();

        let (status, second) = refresh(&app, &old_refresh).await;
        assert_eq!(status, 200, "{second}");
        let new_access = second["access_token"].as_str().unwrap().to_string();
        let new_refresh = second["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(new_refresh, old_refresh);
        assert_eq!(second["user"]["email"], "rotate@careline.test");
        let (status, _) = app.get(&new_access, "/api/v1/auth/me").await;
        assert_eq!(status, 200, "the new access token works");

        // Presenting the used refresh token again: someone copied it.
        let (status, body) = refresh(&app, &old_refresh).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "REFRESH_TOKEN_REUSED");

        // The whole session is gone: the new access token and the new refresh token both fail,
        // at once, without waiting for the session cache to re-read the database.
        let (status, body) = app.get(&new_access, "/api/v1/auth/me").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "SESSION_EXPIRED");
        let (status, body) = refresh(&app, &new_refresh).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "SESSION_EXPIRED");

        // An unknown refresh token is simply invalid.
        let (status, body) = refresh(&app, "not-a-refresh-token").await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "INVALID_TOKEN");

        // Reuse was recorded as a security alert.
        let alerts = search(
            app.store(),
            &AuditFilter {
                event_type: Some("security-alert".into()),
                entity_type: Some("session".into()),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
        assert!(
            alerts
                .items
                .iter()
                .any(|a| a.description.contains("reused")),
            "{:?}",
            alerts.items
        );

        app.stop().await;
    }
);

on_both_engines!(
    a_session_refreshed_repeatedly_keeps_working,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("longday@careline.test", Role::Doctor, None).await;
        let (_, mut pair) = login_json(&app, "longday@careline.test", PASSWORD).await;
        for _ in 0..3 {
            let (status, next) = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
            assert_eq!(status, 200, "{next}");
            pair = next;
        }
        let (status, _) = app
            .get(pair["access_token"].as_str().unwrap(), "/api/v1/auth/me")
            .await;
        assert_eq!(status, 200);
        app.stop().await;
    }
);

on_both_engines!(logout_ends_the_session_at_once, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("leaving@careline.test", Role::Doctor, None).await;
    let (_, pair) = login_json(&app, "leaving@careline.test", PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();
    let other_session = app.token("leaving@careline.test").await;

    let r = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    let (status, body) = app.get(access, "/api/v1/auth/me").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), "SESSION_EXPIRED");
    // Its refresh token is dead too.
    let (status, body) = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), "SESSION_EXPIRED");
    // Logging out of one session leaves the user's other sessions alone.
    let (status, _) = app.get(&other_session, "/api/v1/auth/me").await;
    assert_eq!(status, 200);

    app.stop().await;
});

#[test]
fn the_session_cache_logs_off_idle_sessions() {
    let cache = SessionCache::default();
    let now = Utc::now();
    let idle = Duration::seconds(careline::config::Config::default().idle_timeout_secs);
    let session = careline_store::users::Session {
        id: Uuid::now_v7(),
        user_id: Uuid::now_v7(),
        created_at: now - Duration::minutes(30),
        last_seen_at: now - Duration::minutes(16),
        expires_at: now + Duration::hours(4),
        revoked_at: None,
    };
    cache.load(&session, now);
    assert!(matches!(
        cache.check(session.id, now, idle),
        SessionCheck::Idle
    ));
    // Once logged off it stays off, even if it is used again at once.
    assert!(matches!(
        cache.check(session.id, now, idle),
        SessionCheck::Ended
    ));

    // A session seen 14 minutes ago is still active.
    let fresh = careline_store::users::Session {
        id: Uuid::now_v7(),
        last_seen_at: now - Duration::minutes(14),
        ..session.clone()
    };
    cache.load(&fresh, now);
    assert!(matches!(
        cache.check(fresh.id, now, idle),
        SessionCheck::Active { .. }
    ));

    // A revoked row loads as ended; an unknown session must be read from the database.
    let revoked = careline_store::users::Session {
        id: Uuid::now_v7(),
        last_seen_at: now,
        revoked_at: Some(now),
        ..session.clone()
    };
    cache.load(&revoked, now);
    assert!(matches!(
        cache.check(revoked.id, now, idle),
        SessionCheck::Ended
    ));
    assert!(matches!(
        cache.check(Uuid::now_v7(), now, idle),
        SessionCheck::NeedsLoad
    ));

    // A revocation stays put even when a row read before it is loaded afterwards (a refresh
    // racing a reuse of its own token), whether or not the session was cached at the time.
    for cached_before in [true, false] {
        let stale = careline_store::users::Session {
            id: Uuid::now_v7(),
            last_seen_at: now,
            revoked_at: None,
            ..session.clone()
        };
        if cached_before {
            cache.load(&stale, now);
        }
        cache.revoke(stale.id, now);
        cache.load(&stale, now);
        assert!(
            matches!(cache.check(stale.id, now, idle), SessionCheck::Ended),
            "cached before: {cached_before}"
        );
    }
}

on_both_engines!(refreshing_an_idle_session_fails, |db| async move {
    let app = TestApp::spawn(db).await;
    let id = app.user("idle@careline.test", Role::Doctor, None).await;
    let (_, pair) = login_json(&app, "idle@careline.test", PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();

    set_last_seen(&app, id, Utc::now() - Duration::minutes(20)).await;
    let (status, body) = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), "SESSION_EXPIRED");
    // The refusal ended the session, and this node forgets it at once.
    let (status, body) = app.get(access, "/api/v1/auth/me").await;
    assert_eq!(status, 401, "{body}");
    let row = user_session::Entity::find()
        .filter(user_session::Column::UserId.eq(id))
        .one(app.store().db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.revoked_at.is_some());

    // A session idle for less than the timeout refreshes normally.
    let (_, pair) = login_json(&app, "idle@careline.test", PASSWORD).await;
    let sid_rows = user_session::Entity::update_many()
        .col_expr(
            user_session::Column::LastSeenAt,
            (Utc::now() - Duration::minutes(10)).into(),
        )
        .filter(user_session::Column::UserId.eq(id))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(app.store().db())
        .await
        .unwrap();
    assert_eq!(sid_rows.rows_affected, 1);
    let (status, body) = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");

    app.stop().await;
});

on_both_engines!(me_reads_and_updates_the_profile, |db| async move {
    let app = TestApp::spawn(db).await;
    let id = app
        .user("profile@careline.test", Role::Salesperson, None)
        .await;
    let token = app.token("profile@careline.test").await;

    let (status, me) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["id"], id.to_string());
    assert_eq!(me["role"], "salesperson");
    assert!(me["phone"].is_null());

    let (status, me) = app
        .put(
            &token,
            "/api/v1/auth/me",
            json!({"full_name": "  Pat Profile ", "phone": "(502) 555-0142"}),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["full_name"], "Pat Profile");
    assert_eq!(me["phone"], "+15025550142");
    let (_, again) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(again["full_name"], "Pat Profile");
    assert_eq!(again["phone"], "+15025550142");

    // A bad phone is refused with the field named, and nothing changes.
    let (status, body) = app
        .put(
            &token,
            "/api/v1/auth/me",
            json!({"full_name": "Someone Else", "phone": "call me maybe"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "VALIDATION_ERROR");
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["phone"]);
    let (_, unchanged) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(unchanged["full_name"], "Pat Profile");

    let (status, body) = app
        .put(
            &token,
            "/api/v1/auth/me",
            json!({"full_name": "Pat\u{0}Profile"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "full_name");

    // null clears the phone; the role cannot be changed here.
    let (status, me) = app
        .put(&token, "/api/v1/auth/me", json!({"phone": null}))
        .await;
    assert_eq!(status, 200, "{me}");
    assert!(me["phone"].is_null());
    let (status, body) = app
        .put(&token, "/api/v1/auth/me", json!({"role": "admin"}))
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, me) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(me["role"], "salesperson");

    app.stop().await;
});

on_both_engines!(change_password_checks_and_ends_sessions, |db| async move {
    let app = TestApp::spawn(db).await;
    app.user("changer@careline.test", Role::Doctor, None).await;
    let token = app.token("changer@careline.test").await;
    let path = "/api/v1/auth/change-password";

    let (status, body) = app
        .post(
            &token,
            path,
            json!({"current_password": "Not-My-Password-7", "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");

    let (status, body) = app
        .post(
            &token,
            path,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "VALIDATION_ERROR");
    let problems = body["error"]["details"]["fields"].as_array().unwrap();
    assert!(problems.len() >= 2, "every broken rule is listed: {body}");
    assert!(problems.iter().all(|p| p["field"] == "new_password"));
    assert!(
        problems
            .iter()
            .any(|p| p["message"].as_str().unwrap().contains("at least 12"))
    );

    // Neither refusal changed anything.
    let (status, _) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(status, 200);

    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    let (status, body) = app.get(&token, "/api/v1/auth/me").await;
    assert_eq!(status, 401, "the old session ends: {body}");
    assert_eq!(error_code(&body), "SESSION_EXPIRED");
    let (status, body) = login_json(&app, "changer@careline.test", PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    let (status, body) = login_json(&app, "changer@careline.test", NEW_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .get(body["access_token"].as_str().unwrap(), "/api/v1/auth/me")
        .await;
    assert_eq!(status, 200);

    app.stop().await;
});

on_both_engines!(
    requests_without_a_valid_token_are_refused,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let id = app.user("guarded@careline.test", Role::Admin, None).await;
        let path = "/api/v1/patients";

        let (status, body) = get_with_header(&app, path, None).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "AUTHENTICATION_REQUIRED");
        let (status, body) = get_with_header(&app, path, Some("Basic Zm9vOmJhcg==")).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "AUTHENTICATION_REQUIRED");
        let (status, body) = get_with_header(&app, path, Some("Bearer garbage.not.jwt")).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "INVALID_TOKEN");
        let (status, body) = get_with_header(&app, path, Some("Bearer")).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "AUTHENTICATION_REQUIRED");

        // A well-formed token for a real user and a real session, signed with another key.
        let real = app.token("guarded@careline.test").await;
        let (status, _) = app.get(&real, path).await;
        assert_eq!(status, 200);
        let now = Utc::now().timestamp();
        let payload = real.split('.').nth(1).unwrap();
        let claims: Claims = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims.sub, id);
        let forged = TokenKeys::new(&[0x5a; 32]).issue(&claims).unwrap();
        let (status, body) = app.get(&forged, path).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "INVALID_TOKEN");

        // Signed with the server's own key but expired.
        let server_keys = TokenKeys::new(app.db.keys.token_secret());
        let expired = server_keys
            .issue(&Claims {
                iat: now - 3600,
                exp: now - 600,
                ..claims.clone()
            })
            .unwrap();
        let (status, body) = app.get(&expired, path).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "TOKEN_EXPIRED");

        // Signed with the server's key for a session that does not exist.
        let orphan = server_keys
            .issue(&Claims {
                sid: Uuid::now_v7(),
                ..claims.clone()
            })
            .unwrap();
        let (status, body) = app.get(&orphan, path).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(&body), "SESSION_EXPIRED");

        app.stop().await;
    }
);

on_both_engines!(
    a_refresh_token_raced_against_itself_works_once,
    |db| async move {
        let app = TestApp::spawn(db).await;
        app.user("raced@careline.test", Role::Doctor, None).await;
        let (_, pair) = login_json(&app, "raced@careline.test", PASSWORD).await;
        let token = pair["refresh_token"].as_str().unwrap().to_string();

        // The legitimate client and a thief present the same refresh token at the same time.
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (http, url, token) = (
                app.http.clone(),
                app.url("/api/v1/auth/refresh"),
                token.clone(),
            );
            tasks.spawn(async move {
                let r = http
                    .post(url)
                    .json(&json!({ "refresh_token": token }))
                    .send()
                    .await
                    .unwrap();
                common::split(r).await
            });
        }
        let mut winners = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (status, body) = done.unwrap();
            match status {
                200 => winners.push(body),
                401 => assert!(
                    ["REFRESH_TOKEN_REUSED", "SESSION_EXPIRED"].contains(&error_code(&body)),
                    "{body}"
                ),
                other => panic!("refresh answered {other}: {body}"),
            }
        }
        assert!(
            winners.len() <= 1,
            "{} refreshes of one token succeeded",
            winners.len()
        );
        // The token was presented more than once, so the session is treated as stolen and ended:
        // whatever pair a winner got no longer works.
        for w in &winners {
            let (status, _) = app
                .get(w["access_token"].as_str().unwrap(), "/api/v1/auth/me")
                .await;
            assert_eq!(status, 401);
            let (status, _) = refresh(&app, w["refresh_token"].as_str().unwrap()).await;
            assert_eq!(status, 401);
        }

        app.stop().await;
    }
);

on_both_engines!(
    parallel_password_guesses_still_lock_the_account,
    |db| async move {
        let config = Config {
            login_max_failures: 5,
            ..common::test_config()
        };
        let app = TestApp::spawn_with(db, config).await;
        app.user("guessed@careline.test", Role::Doctor, None).await;

        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let (http, url) = (app.http.clone(), app.url("/api/v1/auth/login"));
            tasks.spawn(async move {
                let body =
                    json!({"email": "guessed@careline.test", "password": "Wrong-Guess-4242"});
                common::split(http.post(url).json(&body).send().await.unwrap()).await
            });
        }
        while let Some(done) = tasks.join_next().await {
            let (status, body) = done.unwrap();
            assert_eq!(status, 401, "{body}");
            assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
        }
        // Five failures, however they interleaved, are five failures.
        let (status, body) = login_json(&app, "guessed@careline.test", PASSWORD).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "INVALID_CREDENTIALS");

        app.stop().await;
    }
);
