//! A practice's people through the API, on both engines: the practice manager keeps staff
//! details (employee number, extension, when they take handoffs) for their own practice only,
//! every wrong field is named, and each staff member sees their own; practice staff see their
//! practice's patients and no one else's.

mod common;

use common::{TestApp, error_code};
use serde_json::json;

on_both_engines!(
    a_practice_manager_keeps_staff_details,
    |db: common::TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let manager = app.token("manager@demo.careline.test").await;
        let nurse = app.token("nurse@demo.careline.test").await;
        let reception = app.token("reception@demo.careline.test").await;
        let (_, me) = app.get(&nurse, "/api/v1/auth/me").await;
        let nurse_id = me["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/users/{nurse_id}/staff-details");
        let details = json!({"employee_id": "CEC-0042", "phone_extension": "214",
        "escalation_availability": {"monday": {"open": "08:00", "close": "12:00"}}});
        let (s, body) = app.put(&manager, &path, details).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["employee_id"], "CEC-0042");
        let (_, me) = app.get(&nurse, "/api/v1/auth/me").await;
        assert_eq!(me["phone_extension"], "214");
        assert_eq!(me["escalation_availability"]["monday"]["close"], "12:00");

        let (s, body) = app
            .put(
                &manager,
                &path,
                json!({"employee_id": "no spaces!", "phone_extension": "ext 9",
            "escalation_availability": {"friday": {"open": "17:00", "close": "09:00"}}}),
            )
            .await;
        assert_eq!((s, error_code(&body)), (422, "VALIDATION_ERROR"), "{body}");
        for field in [
            "employee_id",
            "phone_extension",
            "escalation_availability.friday",
        ] {
            assert!(body.to_string().contains(field), "{field}: {body}");
        }
        // Nothing of the refused change was kept.
        let (_, me) = app.get(&nurse, "/api/v1/auth/me").await;
        assert_eq!(me["employee_id"], "CEC-0042");

        let (s, body) = app.put(&reception, &path, json!({})).await;
        assert_eq!((s, error_code(&body)), (403, "FORBIDDEN"));
        // A user of the supply business is not this manager's to change.
        let (_, lee) = app
            .get(
                &app.token("doctor@demo.careline.test").await,
                "/api/v1/auth/me",
            )
            .await;
        let (s, body) = app
            .put(
                &manager,
                &format!(
                    "/api/v1/users/{}/staff-details",
                    lee["id"].as_str().unwrap()
                ),
                json!({}),
            )
            .await;
        assert_eq!((s, error_code(&body)), (404, "USER_NOT_FOUND"));
        app.stop().await;
    }
);

on_both_engines!(
    practice_staff_see_their_practices_patients_only,
    |db: common::TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let lasts = |v: &serde_json::Value| {
            let mut l: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["last_name"].as_str().unwrap().to_string())
                .collect();
            l.sort();
            l
        };
        for who in [
            "nurse@demo.careline.test",
            "reception@demo.careline.test",
            "manager@demo.careline.test",
        ] {
            let t = app.token(who).await;
            let (s, list) = app.get(&t, "/api/v1/patients").await;
            assert_eq!(s, 200, "{who}: {list}");
            assert_eq!(lasts(&list), ["Brooks", "Ortiz"], "{who}");
            // Not the wound-care business's orders or requests.
            let (s, _) = app.get(&t, "/api/v1/orders").await;
            assert_eq!(s, 403, "{who}");
        }
        // Dr. Patel sees her own patient only; the receptionist registers one for Dr. Chen.
        let patel = app.token("dr.patel@demo.careline.test").await;
        let (_, list) = app.get(&patel, "/api/v1/patients").await;
        assert_eq!(lasts(&list), ["Brooks"]);
        let reception = app.token("reception@demo.careline.test").await;
        let (_, chen) = app
            .get(
                &app.token("dr.chen@demo.careline.test").await,
                "/api/v1/auth/me",
            )
            .await;
        let (s, body) = app
            .post(
                &reception,
                "/api/v1/patients",
                json!({"first_name": "Ada", "last_name": "Lovelace",
            "date_of_birth": "1990-12-10", "doctor_id": chen["id"]}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        // …but not for a doctor of another business.
        let (_, lee) = app
            .get(
                &app.token("doctor@demo.careline.test").await,
                "/api/v1/auth/me",
            )
            .await;
        let (s, body) = app
            .post(
                &reception,
                "/api/v1/patients",
                json!({"first_name": "Bo", "last_name": "Peep",
            "date_of_birth": "1990-12-10", "doctor_id": lee["id"]}),
            )
            .await;
        assert_eq!((s, error_code(&body)), (422, "VALIDATION_ERROR"), "{body}");
        app.stop().await;
    }
);
