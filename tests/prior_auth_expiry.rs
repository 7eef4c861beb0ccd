//! A prior authorization's validity, end to end on the demo practice (Austin, US Central), on
//! both engines, with a worker on a clock the test moves: the payer simulator's approval is
//! valid 90 days; the recurring `prior_auth.expire` job tells its requester and the patient's
//! doctor once, 14 days before the last day, that it needs renewal, and expires it when that
//! day has ended in Austin — not when it has ended in UTC. A renewal moves the day on; staff
//! recording an approval with a last day before today get a 422 naming the field.

mod common;

use careline::jobs::{Registry, Worker, WorkerOptions};
use careline_domain::clinical::PriorAuthStatus;
use careline_domain::{Actor, ManualClock, Role};
use careline_store::entity::user;
use careline_store::prior_auth::{self, NewPriorAuth};
use careline_store::{Store, StoreError, staff_notifications};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

const ELEANOR: &str = "+15125550142";
const PATEL: &str = "dr.patel@demo.careline.test";
const NURSE: &str = "nurse@demo.careline.test";

/// Tuesday 8 December 2026, 09:00 in Austin.
fn asked() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 15, 0, 0).unwrap()
}

/// `h`:30 in Austin (US Central, UTC−6 in winter) on `day`.
fn austin(day: NaiveDate, h: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(h, 30, 0).unwrap()) + Duration::hours(6)
}

async fn actor(store: &Store, email: &str) -> Actor {
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(store.db())
        .await
        .unwrap()
        .unwrap();
    Actor {
        user_id: u.id,
        role: u.role.parse::<Role>().unwrap(),
    }
}

fn worker(store: &Store, clock: &ManualClock) -> Worker {
    let mut registry = Registry::new();
    careline::payer::register(&mut registry, careline::payer::default_adapter());
    careline::prior_auth_expiry::register(
        &mut registry,
        careline_store::audit::AuditWriter::spawn(store.clone()),
    );
    Worker::new(
        store.clone(),
        registry,
        Arc::new(clock.clone()),
        WorkerOptions::default(),
    )
}

/// A request drafted by the nurse for Eleanor and submitted at `at`.
async fn submitted(store: &Store, at: DateTime<Utc>) -> Uuid {
    let nurse = actor(store, NURSE).await;
    let eleanor = patient_by_phone(store, ELEANOR).await.id;
    let p = prior_auth::create(
        store,
        &nurse,
        NewPriorAuth {
            patient_id: eleanor,
            payer: "Medicare".into(),
            member_id: "1EG4-TE5-MK73".into(),
            procedure_codes: vec!["67028".into()],
            icd10_codes: vec!["H35.3211".into()],
        },
        at,
    )
    .await
    .unwrap();
    prior_auth::submit(store, &nurse, p.id, at).await.unwrap();
    p.id
}

async fn status(store: &Store, id: Uuid) -> prior_auth::PriorAuthorization {
    prior_auth::for_payer(store, id).await.unwrap()
}

async fn notices(
    store: &Store,
    email: &str,
    kind: &str,
) -> Vec<staff_notifications::StaffNotification> {
    let u = actor(store, email).await;
    staff_notifications::of_user_and_kind(store, u.user_id, kind)
        .await
        .unwrap()
}

/// Move the clock to `at` and run whatever is due (the sweep's tick of that hour included).
async fn at(w: &Worker, clock: &ManualClock, t: DateTime<Utc>) {
    clock.set(t);
    w.run_until_idle().await.unwrap();
}

on_both_engines!(
    an_approval_lapses_the_day_after_its_last_day_in_the_practices_zone,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let t0 = asked();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock);
        let id = submitted(store, t0).await;
        at(&w, &clock, t0).await;
        at(&w, &clock, t0 + Duration::seconds(5)).await;

        // The simulator approves it for 90 days from today in Austin.
        let p = status(store, id).await;
        let approved_on = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let last_day = approved_on + Duration::days(90);
        assert_eq!(p.status, PriorAuthStatus::Approved);
        assert_eq!(
            (p.valid_from, p.valid_until),
            (Some(approved_on), Some(last_day))
        );

        // Fifteen days before: nothing; fourteen: "needs renewal" to the nurse who asked and
        // to Dr. Patel, once each however often the sweep runs.
        at(&w, &clock, austin(last_day - Duration::days(15), 12)).await;
        assert!(
            notices(store, NURSE, "prior_auth_expiring")
                .await
                .is_empty()
        );
        for day in [14, 13, 1] {
            at(&w, &clock, austin(last_day - Duration::days(day), 12)).await;
        }
        for who in [NURSE, PATEL] {
            let n = notices(store, who, "prior_auth_expiring").await;
            assert_eq!(n.len(), 1, "{who}: {n:?}");
            assert_eq!(
                n[0].link,
                format!("/prior-authorizations?status=approved#auth-{id}")
            );
            assert!(n[0].body.contains("needs renewal"), "{}", n[0].body);
            // Minimum necessary: no patient, procedure, diagnosis, payer or member id.
            for word in ["Eleanor", "Brooks", "67028", "H35", "Medicare", "1EG4"] {
                assert!(
                    !n[0].body.contains(word) && !n[0].title.contains(word),
                    "{word}"
                );
            }
        }
        assert_eq!(status(store, id).await.status, PriorAuthStatus::Approved);

        // 23:30 on its last day in Austin is already the next day in UTC: still valid.
        at(&w, &clock, austin(last_day, 23)).await;
        assert!(austin(last_day, 23).date_naive() > last_day);
        assert_eq!(status(store, id).await.status, PriorAuthStatus::Approved);

        // 00:30 the day after in Austin: expired, and both are told.
        at(&w, &clock, austin(last_day + Duration::days(1), 0)).await;
        let p = status(store, id).await;
        assert_eq!(p.status, PriorAuthStatus::Expired);
        assert_eq!(p.valid_until, Some(last_day));
        for who in [NURSE, PATEL] {
            let n = notices(store, who, "prior_auth_expired").await;
            assert_eq!(n.len(), 1, "{who}: {n:?}");
            assert_eq!(
                n[0].link,
                format!("/prior-authorizations?status=expired#auth-{id}")
            );
            for word in ["Eleanor", "Brooks", "67028", "H35", "Medicare", "1EG4"] {
                assert!(!n[0].body.contains(word), "{word}");
            }
        }
        // The sweep again: nothing more.
        at(&w, &clock, austin(last_day + Duration::days(2), 9)).await;
        assert_eq!(notices(store, PATEL, "prior_auth_expired").await.len(), 1);
        assert_eq!(notices(store, PATEL, "prior_auth_expiring").await.len(), 1);
        let expired = prior_auth::list(
            store,
            &actor(store, PATEL).await,
            &prior_auth::PriorAuthFilter {
                status: Some(PriorAuthStatus::Expired),
                patient_id: None,
            },
            1,
            50,
        )
        .await
        .unwrap();
        assert_eq!(expired.items.iter().map(|p| p.id).collect::<Vec<_>>(), [id]);
        db.cleanup().await;
    }
);

on_both_engines!(
    a_renewal_moves_the_last_day_on_and_stops_the_expiry,
    |db: TestDb| async move {
        let store = &db.store;
        careline::demo::seed(store).await.unwrap();
        let t0 = asked();
        let clock = ManualClock::new(t0);
        let w = worker(store, &clock);
        let nurse = actor(store, NURSE).await;
        let id = submitted(store, t0).await;
        at(&w, &clock, t0).await;
        at(&w, &clock, t0 + Duration::seconds(5)).await;
        let last_day = status(store, id).await.valid_until.unwrap();

        // A last day before today is refused, naming the field; nothing changes.
        let renewed_at = austin(last_day - Duration::days(3), 10);
        let today = last_day - Duration::days(3);
        match prior_auth::record_approval(
            store,
            &nurse,
            id,
            Some(today - Duration::days(1)),
            renewed_at,
        )
        .await
        {
            Err(StoreError::Invalid(fields)) => {
                assert_eq!(fields[0].0, "valid_until", "{fields:?}");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(status(store, id).await.valid_until, Some(last_day));

        // Renewed three days before its end, for another six months.
        let new_last = today + Duration::days(180);
        let p = prior_auth::record_approval(store, &nurse, id, Some(new_last), renewed_at)
            .await
            .unwrap();
        assert_eq!(p.status, PriorAuthStatus::Approved);
        assert_eq!((p.valid_from, p.valid_until), (Some(today), Some(new_last)));
        at(&w, &clock, austin(last_day + Duration::days(1), 9)).await;
        at(&w, &clock, austin(last_day + Duration::days(2), 9)).await;
        assert_eq!(status(store, id).await.status, PriorAuthStatus::Approved);
        assert!(notices(store, PATEL, "prior_auth_expired").await.is_empty());

        // It lapses at the end of the new last day; a renewal brings it back.
        at(&w, &clock, austin(new_last + Duration::days(1), 9)).await;
        assert_eq!(status(store, id).await.status, PriorAuthStatus::Expired);
        let later = new_last + Duration::days(1);
        let p = prior_auth::record_approval(
            store,
            &nurse,
            id,
            Some(later + Duration::days(90)),
            austin(later, 11),
        )
        .await
        .unwrap();
        assert_eq!(p.status, PriorAuthStatus::Approved);
        at(&w, &clock, austin(later + Duration::days(1), 9)).await;
        assert_eq!(status(store, id).await.status, PriorAuthStatus::Approved);
        db.cleanup().await;
    }
);

on_both_engines!(
    staff_record_an_approval_with_its_last_day_through_the_api,
    |db: TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = db.store.clone();
        let app = TestApp::spawn(db).await;
        let nurse = app.token(NURSE).await;
        let reception = app.token("reception@demo.careline.test").await;
        let eleanor = patient_by_phone(&store, ELEANOR).await.id;
        let (code, draft) = app
            .post(
                &nurse,
                "/api/v1/prior-authorizations",
                json!({"patient_id": eleanor, "payer": "Medicare", "member_id": "1EG4-TE5-MK73",
                       "procedure_codes": ["67028"], "icd10_codes": ["H35.3211"]}),
            )
            .await;
        assert_eq!(code, 201, "{draft}");
        assert_eq!(draft["valid_until"], serde_json::Value::Null);
        let id = s(&draft["id"]);
        let approval = format!("/api/v1/prior-authorizations/{id}/approval");

        // A draft is not approved.
        let (code, body) = app.post(&nurse, &approval, json!({})).await;
        assert_eq!(
            (code, error_code(&body)),
            (409, "INVALID_STATUS_TRANSITION")
        );
        let (code, _) = app
            .post(
                &nurse,
                &format!("/api/v1/prior-authorizations/{id}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(code, 200);

        // Today where the practice is, whatever the machine's clock says.
        let today = Utc::now()
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive();
        for bad in [json!(today - Duration::days(2)), json!("next spring")] {
            let (code, body) = app
                .post(&nurse, &approval, json!({ "valid_until": bad }))
                .await;
            assert_eq!(
                (code, error_code(&body)),
                (422, "VALIDATION_ERROR"),
                "{body}"
            );
            let fields = body["error"]["details"]["fields"].to_string();
            assert!(fields.contains("valid_until"), "{fields}");
        }
        // The front desk may not record it.
        let until = today + Duration::days(60);
        let (code, body) = app
            .post(&reception, &approval, json!({ "valid_until": until }))
            .await;
        assert_eq!((code, error_code(&body)), (403, "FORBIDDEN"));

        let (code, p) = app
            .post(&nurse, &approval, json!({ "valid_until": until }))
            .await;
        assert_eq!(code, 200, "{p}");
        assert_eq!(p["status"], "approved");
        assert_eq!(p["valid_from"], json!(today));
        assert_eq!(p["valid_until"], json!(until));
        let (code, list) = app
            .get(&nurse, "/api/v1/prior-authorizations?status=expired")
            .await;
        assert_eq!((code, list["total"].as_u64()), (200, Some(0)), "{list}");
        app.stop().await;
    }
);
