//! A client that hangs up mid-request must not leave a committed write without its audit
//! record: handlers run to completion even when nobody waits for the answer.

mod common;

use careline_domain::{Actor, Role};
use careline_store::audit::{self, AuditFilter};
use common::TestApp;
use serde_json::json;
use std::time::Duration;

on_both_engines!(
    writes_are_audited_even_when_the_client_disconnects,
    |db: common::TestDb| async move {
        let store = db.store.clone();
        careline::demo::seed(&store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let token = app.token("doctor@demo.careline.test").await;
        let doctor = careline_store::users::credentials(&store, "doctor@demo.careline.test")
            .await
            .unwrap()
            .unwrap()
            .user
            .id;
        let actor = Actor {
            user_id: doctor,
            role: Role::Doctor,
        };
        let patient = careline_store::patients::list(&store, &actor, false, 1, 10)
            .await
            .unwrap()
            .items[0]
            .id;
        let product = careline_store::products::list(&store, None, None, 1, 10)
            .await
            .unwrap()
            .items[0]
            .clone();
        let body = json!({"patient_id": patient, "diagnosis_codes": ["E11.621"],
        "products": [{"product_id": product.id, "sizes": [{"product_size_id": product.sizes[0].id, "quantity": 1}]}]});
        let before =
            careline_store::verification::list(&store, &actor, &Default::default(), 1, 200)
                .await
                .unwrap()
                .total;

        // Clients that give up after a few milliseconds: some requests are cut off before the
        // commit, some after it, some complete.
        let mut tasks = Vec::new();
        for i in 0..80u64 {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_millis(2 + i % 25))
                .build()
                .unwrap();
            let (url, token, body) = (app.url("/api/v1/ivrs"), token.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let _ = client.post(url).bearer_auth(token).json(&body).send().await;
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // Give handlers whose clients left time to finish.
        tokio::time::sleep(Duration::from_secs(3)).await;

        let all = careline_store::verification::list(&store, &actor, &Default::default(), 1, 200)
            .await
            .unwrap();
        let created = all.total - before;
        assert!(
            created > 0,
            "no request got through at all; the test proves nothing"
        );
        let audited = audit::search(
            &store,
            &AuditFilter {
                entity_type: Some("verification_request".into()),
                ..Default::default()
            },
            1,
            200,
        )
        .await
        .unwrap();
        for r in &all.items {
            if r.patient_id != patient
                || r.products.is_empty()
                || r.request_number.as_str() <= "VR-500003"
            {
                continue;
            }
            let has = audited.items.iter().any(|a| {
                a.entity_id.as_deref() == Some(&r.id.to_string())
                    && a.description == "verification request created"
            });
            assert!(
                has,
                "request {} was committed without its audit record",
                r.request_number
            );
        }
        app.stop().await;
    }
);
