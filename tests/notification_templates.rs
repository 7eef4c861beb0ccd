//! A practice's own wording of its notices, on both engines: in the store (which wording
//! `effective` picks, one template per language, the refusal of an unknown placeholder) and
//! through the API (who may read and change them, the list marked built-in or customised, the
//! preview that saves nothing, the audit of every change).

mod common;

use careline_domain::notification::{Channel, NotificationKind, Template};
use careline_store::notification_templates as templates;
use common::{TestApp, error_code};
use serde_json::json;

fn sms(language: &str, body: &str) -> Template {
    Template {
        kind: NotificationKind::AppointmentReminder,
        channel: Channel::Sms,
        language: language.into(),
        subject: None,
        body: body.into(),
    }
}

on_both_engines!(
    the_practices_wording_falls_back_to_english_then_the_built_in,
    |db: common::TestDb| async move {
        let store = db.store.clone();
        let now = chrono::Utc::now();
        let org =
            careline_store::directory::create_organization(&store, "Eye Care", "practice", now)
                .await
                .unwrap()
                .id;
        let other =
            careline_store::directory::create_organization(&store, "Other", "practice", now)
                .await
                .unwrap()
                .id;
        let (kind, channel) = (NotificationKind::AppointmentReminder, Channel::Sms);
        let built_in = Template::built_in(kind, channel).unwrap();
        let effective = |org, lang: &'static str| {
            let store = store.clone();
            async move {
                templates::effective(store.db(), org, kind, channel, lang)
                    .await
                    .unwrap()
            }
        };
        // Nothing written: the built-in wording, in any language.
        assert_eq!(effective(org, "es").await, built_in);
        // English written: Spanish patients get the practice's English.
        templates::save(
            &store,
            org,
            &sms("en", "Hi {patient_first_name}"),
            None,
            now,
        )
        .await
        .unwrap();
        assert_eq!(effective(org, "es").await.body, "Hi {patient_first_name}");
        assert_eq!(effective(org, "es").await.language, "en");
        // Spanish written: Spanish (and Mexican Spanish) patients get it; English ones not.
        templates::save(
            &store,
            org,
            &sms("ES", "Hola {patient_first_name}"),
            None,
            now,
        )
        .await
        .unwrap();
        assert_eq!(effective(org, "es").await.body, "Hola {patient_first_name}");
        assert_eq!(
            effective(org, "es").await.language,
            "es",
            "stored in lower case"
        );
        assert_eq!(
            effective(org, "es-MX").await.body,
            "Hola {patient_first_name}"
        );
        assert_eq!(effective(org, "en").await.body, "Hi {patient_first_name}");
        // Another practice is untouched.
        assert_eq!(effective(other, "es").await, built_in);
        // A second save of the same language replaces; one row per language.
        templates::save(
            &store,
            org,
            &sms("es", "¡Hola {patient_first_name}!"),
            None,
            now,
        )
        .await
        .unwrap();
        let mine = templates::list(&store, org).await.unwrap();
        assert_eq!(mine.len(), 2, "{mine:?}");
        assert_eq!(
            effective(org, "es").await.body,
            "¡Hola {patient_first_name}!"
        );
        // Deleting the Spanish goes back to the practice's English; then the built-in.
        assert!(
            templates::delete(&store, org, kind, channel, "es")
                .await
                .unwrap()
        );
        assert!(
            !templates::delete(&store, org, kind, channel, "es")
                .await
                .unwrap()
        );
        assert_eq!(effective(org, "es").await.language, "en");
        templates::delete(&store, org, kind, channel, "en")
            .await
            .unwrap();
        assert_eq!(effective(org, "es").await, built_in);
        // A kind never sent by that channel is the caller's mistake.
        let e = templates::effective(
            store.db(),
            org,
            NotificationKind::PasswordReset,
            Channel::Sms,
            "en",
        )
        .await
        .unwrap_err();
        assert!(matches!(e, careline_store::StoreError::Invalid(_)), "{e:?}");
        db.cleanup().await;
    }
);

on_both_engines!(
    one_template_per_language_and_nothing_unknown_is_saved,
    |db: common::TestDb| async move {
        let store = db.store.clone();
        let now = chrono::Utc::now();
        let org =
            careline_store::directory::create_organization(&store, "Eye Care", "practice", now)
                .await
                .unwrap()
                .id;
        // The database itself refuses a second row for the same language.
        use careline_store::entity::notification_template as row;
        use sea_orm::{ActiveValue::Set, EntityTrait};
        let insert = |lang: &'static str| {
            row::Entity::insert(row::ActiveModel {
                id: Set(uuid::Uuid::new_v4()),
                organization_id: Set(org),
                kind: Set("appointment_reminder".into()),
                channel: Set("sms".into()),
                language: Set(lang.into()),
                subject: Set(None),
                body: Set("x".into()),
                updated_by: Set(None),
                updated_at: Set(now),
            })
            .exec_without_returning(store.db())
        };
        insert("en").await.unwrap();
        insert("es").await.unwrap();
        let dup = insert("en").await.unwrap_err();
        assert!(
            matches!(
                dup.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ),
            "{dup:?}"
        );
        // An unknown (clinical) placeholder is refused when saved, and nothing is written.
        let e = templates::save(
            &store,
            org,
            &sms("fr", "Votre {diagnosis} le {appointment_date}"),
            None,
            now,
        )
        .await
        .unwrap_err();
        let careline_store::StoreError::Invalid(problems) = e else {
            panic!("{e:?}")
        };
        assert_eq!(problems[0].0, "body");
        assert!(
            problems[0].1.contains("unknown placeholder {diagnosis}"),
            "{problems:?}"
        );
        assert!(
            templates::list(&store, org)
                .await
                .unwrap()
                .iter()
                .all(|t| t.template.language != "fr")
        );
        // A practice that does not exist.
        let e = templates::save(&store, uuid::Uuid::new_v4(), &sms("en", "Hi"), None, now)
            .await
            .unwrap_err();
        assert!(
            matches!(e, careline_store::StoreError::NotFound("organization")),
            "{e:?}"
        );
        db.cleanup().await;
    }
);

on_both_engines!(
    practice_managers_edit_their_practices_templates_through_the_api,
    |db: common::TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let manager = app.token("manager@demo.careline.test").await;
        let reception = app.token("reception@demo.careline.test").await;
        let admin = app.token("admin@demo.careline.test").await;
        let (_, me) = app.get(&manager, "/api/v1/auth/me").await;
        let org = me["organization_id"].as_str().unwrap().to_string();
        let base = format!("/api/v1/organizations/{org}/notification-templates");

        // Everything built-in at first, in English.
        let (s, list) = app.get(&reception, &base).await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(list["languages"], json!(["en"]));
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 20, "every kind by each of its channels");
        assert!(
            items
                .iter()
                .all(|i| i["source"] == "built_in" && i["customised"] == false)
        );

        // The manager writes a Spanish reminder SMS.
        let sms_path = format!("{base}/appointment_reminder/sms/es");
        let body = "{practice_name}: cita el {appointment_date} a las {appointment_time}.";
        let (s, saved) = app.put(&manager, &sms_path, json!({"body": body})).await;
        assert_eq!(s, 200, "{saved}");
        assert_eq!(saved["source"], "custom");
        assert_eq!(saved["body"], body);
        let (_, list) = app.get(&reception, &base).await;
        assert_eq!(list["languages"], json!(["en", "es"]));
        let entry = |lang: &str, channel: &str| {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| {
                    i["kind"] == "appointment_reminder"
                        && i["channel"] == channel
                        && i["language"] == lang
                })
                .cloned()
                .unwrap()
        };
        assert_eq!(entry("es", "sms")["customised"], true);
        assert_eq!(entry("en", "sms")["source"], "built_in");
        assert_eq!(entry("es", "email")["source"], "built_in");
        assert_eq!(entry("es", "email")["sent_in"], "en");

        // A clinical placeholder: 422 with the field and the allowed list; nothing saved.
        let (s, e) = app
            .put(
                &manager,
                &sms_path,
                json!({"body": "Your {diagnosis} visit"}),
            )
            .await;
        assert_eq!((s, error_code(&e)), (422, "VALIDATION_ERROR"), "{e}");
        assert_eq!(e["error"]["details"]["fields"][0]["field"], "body");
        assert!(
            e["error"]["details"]["allowed_placeholders"]
                .as_array()
                .unwrap()
                .contains(&json!("{appointment_date}"))
        );
        // A subject on an SMS, a kind not sent by that channel, a bad language, unknown fields.
        let (s, e) = app
            .put(&manager, &sms_path, json!({"subject": "Hi", "body": "Hi"}))
            .await;
        assert_eq!((s, error_code(&e)), (422, "VALIDATION_ERROR"), "{e}");
        let (s, e) = app
            .put(
                &manager,
                &format!("{base}/password_reset/sms/en"),
                json!({"body": "{reset_link}"}),
            )
            .await;
        assert_eq!((s, error_code(&e)), (422, "VALIDATION_ERROR"), "{e}");
        let (s, e) = app
            .put(
                &manager,
                &format!("{base}/appointment_reminder/sms/x!"),
                json!({"body": "Hi"}),
            )
            .await;
        assert_eq!((s, error_code(&e)), (422, "VALIDATION_ERROR"), "{e}");
        let (s, e) = app
            .put(
                &manager,
                &format!("{base}/lab_result/sms/en"),
                json!({"body": "Hi"}),
            )
            .await;
        assert_eq!((s, error_code(&e)), (400, "INVALID_PATH_PARAMETER"), "{e}");
        let (s, e) = app
            .put(&manager, &sms_path, json!({"body": "Hi", "diagnosis": "x"}))
            .await;
        assert_eq!((s, error_code(&e)), (422, "VALIDATION_ERROR"), "{e}");
        let (_, list) = app.get(&manager, &base).await;
        assert_eq!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["customised"] == true)
                .count(),
            1
        );

        // Preview: filled with example values, saves nothing; the same checks as a save.
        let (s, p) = app
            .post(
                &reception,
                &format!("{base}/preview"),
                json!({"kind": "appointment_reminder", "channel": "email", "language": "es",
                       "subject": "Su cita en {practice_name}", "body": "Hola {patient_first_name}"}),
            )
            .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["subject"], "Su cita en Capitol Eye Care");
        assert_eq!(p["body"], "Hola Eleanor");
        assert_eq!(p["sms_segments"], json!(null));
        let (s, p) = app
            .post(
                &manager,
                &format!("{base}/preview"),
                json!({"kind": "appointment_reminder", "channel": "sms", "body": "Bring your {medication}"}),
            )
            .await;
        assert_eq!((s, error_code(&p)), (422, "VALIDATION_ERROR"), "{p}");
        assert!(
            p["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown placeholder {medication}")
        );
        assert!(
            p["error"]["details"]["allowed_placeholders"]
                .as_array()
                .unwrap()
                .len()
                == 7
        );
        let (s, p) = app
            .post(
                &manager,
                &format!("{base}/preview"),
                json!({"kind": "appointment_reminder", "channel": "sms", "body": "{practice_name} on {appointment_date}"}),
            )
            .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["body"], "Capitol Eye Care on Tuesday, December 15");
        assert_eq!(p["sms_segments"], 1);

        // Who may change them: the front desk reads, but does not write.
        let (s, e) = app.put(&reception, &sms_path, json!({"body": "Hi"})).await;
        assert_eq!((s, error_code(&e)), (403, "FORBIDDEN"));
        let (s, e) = app.delete(&reception, &sms_path).await;
        assert_eq!((s, error_code(&e)), (403, "FORBIDDEN"));
        // The supply business's people do not reach the practice at all.
        let lee = app.token("doctor@demo.careline.test").await;
        let (s, e) = app.get(&lee, &base).await;
        assert_eq!((s, error_code(&e)), (404, "ORGANIZATION_NOT_FOUND"), "{e}");
        // An admin reaches any practice.
        let (s, _) = app.get(&admin, &base).await;
        assert_eq!(s, 200);

        // Back to the wording before: the Spanish one removed, the built-in (English) in force.
        let (s, now) = app.delete(&manager, &sms_path).await;
        assert_eq!(s, 200, "{now}");
        assert_eq!(now["source"], "built_in");
        assert_eq!(now["sent_in"], "en");
        let (s, again) = app.delete(&manager, &sms_path).await;
        assert_eq!((s, &again["source"]), (200, &json!("built_in")));
        let (_, list) = app.get(&manager, &base).await;
        assert_eq!(list["languages"], json!(["en"]));

        // Each change is audited like the practice's other settings, without the wording.
        let (s, log) = app
            .get(
                &admin,
                &format!(
                    "/api/v1/admin/audit-logs?entity_type=organization&entity_id={org}&per_page=100"
                ),
            )
            .await;
        assert_eq!(s, 200, "{log}");
        let descriptions: Vec<&str> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["description"].as_str())
            .collect();
        assert!(
            descriptions.contains(&"notification template changed (appointment_reminder, sms, es)"),
            "{descriptions:?}"
        );
        assert_eq!(
            descriptions
                .iter()
                .filter(|d| d.starts_with("notification template removed"))
                .count(),
            1,
            "a delete that removed nothing is not a change: {descriptions:?}"
        );
        assert!(
            !log.to_string().contains("cita el"),
            "no wording in the audit"
        );
        app.stop().await;
    }
);
