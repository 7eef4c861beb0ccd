//! Staff's own notification preferences through the API, on both engines, on the demo
//! practice: the defaults (no texts until consent, email on, English), a round trip, texts
//! refused without a phone (422 naming `notify_sms`) and their consent recorded when turned on,
//! a language that is not a tag refused, an admin changing another user's (and nobody else
//! may), and a STOP from a number that is both a patient's and a member of staff's stopping
//! texts to both. How escalation honours them is in tests/escalation.rs.

mod common;

use careline_store::entity::user;
use common::receivers::{SID, TOKEN as TWILIO_TOKEN};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

const CHEN: &str = "dr.chen@demo.careline.test";
const PATEL: &str = "dr.patel@demo.careline.test";
const ADMIN: &str = "admin@demo.careline.test";
const NURSE: &str = "nurse@demo.careline.test";
const ELEANOR: &str = "+15125550142";
const PUBLIC: &str = "https://careline.example.test";
const PREFS: &str = "/api/v1/me/notification-preferences";

async fn user_by_email(app: &TestApp, email: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.store().db())
        .await
        .unwrap()
        .unwrap()
}

fn fields(err: &serde_json::Value) -> Vec<String> {
    err["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

on_both_engines!(
    each_user_sets_their_own_and_texts_need_a_phone,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let chen = app.token(CHEN).await;

        // The defaults: no texts until he says so, email, English.
        let (status, prefs) = app.get(&chen, PREFS).await;
        assert_eq!(status, 200, "{prefs}");
        assert_eq!(
            prefs,
            json!({"notify_sms": false, "notify_email": true, "language": "en",
                   "sms_consent_at": null, "sms_opted_out_at": null, "has_phone": false})
        );

        // Texts without a phone on the account: refused, naming the field; nothing changed.
        let (status, err) = app
            .put(
                &chen,
                PREFS,
                json!({"notify_sms": true, "notify_email": false}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(error_code(&err), "VALIDATION_ERROR");
        assert_eq!(fields(&err), ["notify_sms"]);
        let (_, unchanged) = app.get(&chen, PREFS).await;
        assert_eq!(unchanged, prefs);

        // A language that is not a tag.
        let (status, err) = app
            .put(&chen, PREFS, json!({"language": "Spanish please"}))
            .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(fields(&err), ["language"]);

        // With a phone: texts on (consent recorded), email off, Mexican Spanish; read back.
        let (status, me) = app
            .put(&chen, "/api/v1/auth/me", json!({"phone": "(512) 555-0162"}))
            .await;
        assert_eq!(status, 200, "{me}");
        let (status, saved) = app
            .put(
                &chen,
                PREFS,
                json!({"notify_sms": true, "notify_email": false, "language": "es-MX"}),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["notify_sms"], true);
        assert_eq!(saved["notify_email"], false);
        assert_eq!(saved["language"], "es-mx");
        assert_eq!(saved["has_phone"], true);
        let consent = saved["sms_consent_at"].as_str().expect("consent recorded");
        let (_, read) = app.get(&chen, PREFS).await;
        assert_eq!(read, saved);
        // Saving again with texts still on keeps the first consent's time.
        let (_, again) = app.put(&chen, PREFS, json!({"notify_sms": true})).await;
        assert_eq!(again["sms_consent_at"], consent);
        // Off, then on again: a new consent.
        let (_, off) = app.put(&chen, PREFS, json!({"notify_sms": false})).await;
        assert_eq!(off["notify_sms"], false);
        let (_, on) = app.put(&chen, PREFS, json!({"notify_sms": true})).await;
        assert!(on["sms_consent_at"].as_str().unwrap() >= consent);

        // Another user's are their own.
        let nurse = app.token(NURSE).await;
        let (status, hers) = app.get(&nurse, PREFS).await;
        assert_eq!(status, 200);
        assert_eq!(hers["notify_sms"], false);
        assert_eq!(hers["language"], "en");

        // The audit says consent was given, by whom and for whom.
        let chen_id = user_by_email(&app, CHEN).await.id;
        let admin = app.token(ADMIN).await;
        let (status, log) = app
            .get(
                &admin,
                &format!("/api/v1/admin/audit-logs?entity_type=user&entity_id={chen_id}"),
            )
            .await;
        assert_eq!(status, 200, "{log}");
        assert!(log.to_string().contains("texts consented to"), "{log}");
        app.stop().await;
    }
);

on_both_engines!(
    an_admin_changes_another_users_and_nobody_else_may,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let admin = app.token(ADMIN).await;
        let patel = user_by_email(&app, PATEL).await;
        let path = format!("/api/v1/users/{}/notification-preferences", patel.id);

        let (status, err) = app.put(&admin, &path, json!({"notify_sms": true})).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(fields(&err), ["notify_sms"]);
        let (status, saved) = app
            .put(
                &admin,
                &path,
                json!({"notify_email": false, "language": "es"}),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        let (status, read) = app.get(&admin, &path).await;
        assert_eq!(status, 200);
        assert_eq!(read, saved);
        assert_eq!(read["notify_email"], false);
        assert_eq!(read["language"], "es");
        let (_, his) = app.get(&app.token(PATEL).await, PREFS).await;
        assert_eq!(his, saved, "what he sees of his own");

        // A doctor may not change a colleague's; an unknown user is not found.
        let chen = app.token(CHEN).await;
        let (status, err) = app.put(&chen, &path, json!({"notify_email": true})).await;
        assert_eq!(status, 403, "{err}");
        assert_eq!(error_code(&err), "FORBIDDEN");
        let (status, err) = app
            .put(
                &admin,
                &format!(
                    "/api/v1/users/{}/notification-preferences",
                    uuid::Uuid::now_v7()
                ),
                json!({"notify_email": true}),
            )
            .await;
        assert_eq!(status, 404, "{err}");
        assert_eq!(error_code(&err), "USER_NOT_FOUND");
        app.stop().await;
    }
);

on_both_engines!(
    stop_from_a_number_both_a_patients_and_staffs_stops_both,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let mut config = test_config();
        config.twilio_auth_token = Some(TWILIO_TOKEN.into());
        config.twilio_account_sid = Some(SID.into());
        config.public_url = Some(PUBLIC.into());
        let app = TestApp::spawn_with(db, config).await;
        // Dr. Patel's phone is also his patient Eleanor's (a household line).
        let patel = user_by_email(&app, PATEL).await;
        user::Entity::update(user::ActiveModel {
            id: sea_orm::ActiveValue::Set(patel.id),
            phone: sea_orm::ActiveValue::Set(Some(ELEANOR.into())),
            notify_sms: sea_orm::ActiveValue::Set(true),
            ..Default::default()
        })
        .exec(app.store().db())
        .await
        .unwrap();
        let text = |body: &'static str| {
            let app = &app;
            async move {
                let params: Vec<(String, String)> = [
                    ("AccountSid", SID),
                    ("MessageSid", "SM00000000000000000000000000000092"),
                    ("From", ELEANOR),
                    ("To", careline::demo::practice::DEMO_PRACTICE_LINE),
                    ("Body", body),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                let sig = careline::twilio::signature::expected_signature(
                    TWILIO_TOKEN.as_bytes(),
                    &format!("{PUBLIC}/twilio/sms"),
                    &params,
                );
                let r = reqwest::Client::new()
                    .post(app.url("/twilio/sms"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("X-Twilio-Signature", sig)
                    .body(serde_urlencoded::to_string(&params).unwrap())
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (status, twiml) = text("STOP").await;
        assert_eq!(status, 200, "{twiml}");
        assert!(!twiml.contains("<Message"), "{twiml}");
        assert!(user_by_email(&app, PATEL).await.sms_opted_out_at.is_some());
        assert!(
            patient_by_phone(app.store(), ELEANOR)
                .await
                .sms_opted_out_at
                .is_some()
        );
        // His preferences say so (and that his consent stands).
        let (_, prefs) = app.get(&app.token(PATEL).await, PREFS).await;
        assert!(prefs["sms_opted_out_at"].is_string(), "{prefs}");
        assert_eq!(prefs["notify_sms"], true);
        // HELP is answered as before; START lifts both.
        let (_, twiml) = text("HELP").await;
        assert!(twiml.contains("Reply STOP"), "{twiml}");
        let (status, _) = text("start").await;
        assert_eq!(status, 200);
        assert!(user_by_email(&app, PATEL).await.sms_opted_out_at.is_none());
        assert!(
            patient_by_phone(app.store(), ELEANOR)
                .await
                .sms_opted_out_at
                .is_none()
        );
        app.stop().await;
    }
);
