//! Orders through the real HTTP server: placed from an approved verification request, priced
//! from the catalogue, approved by the doctor's distributor, fulfilled by shipping, looked up
//! by order number, scoped along the sales hierarchy, and audited on every read.

mod common;

use careline_domain::Role;
use careline_store::audit::AuditFilter;
use common::{TestApp, error_code, patient, patient_body, product, s, size_id};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Hierarchy: master → distributor A → sales A → doctor A, and master → distributor B →
/// sales B → doctor B. Shipping and the specialist see everything.
struct World {
    app: TestApp,
    specialist: String,
    master: String,
    dist_a: String,
    dist_a_id: String,
    dist_b: String,
    sales_a: String,
    doctor_a: String,
    doctor_a_id: String,
    doctor_b: String,
    shipping: String,
    shipping_id: String,
    patient_a: String,
    patient_b: String,
    foam: String,
    foam_small: String,
    foam_large: String,
    alginate: String,
    alginate_4x4: String,
}

async fn world(app: TestApp) -> World {
    app.user("admin@orders.test", Role::Admin, None).await;
    app.user("specialist@orders.test", Role::IvrSpecialist, None)
        .await;
    let shipping_id = app
        .user("shipping@orders.test", Role::ShippingLogistics, None)
        .await;
    let master = app
        .user("master@orders.test", Role::MasterDistributor, None)
        .await;
    let dist_a_id = app
        .user("dist.a@orders.test", Role::Distributor, Some(master))
        .await;
    let sales_a = app
        .user("sales.a@orders.test", Role::Salesperson, Some(dist_a_id))
        .await;
    let doctor_a_id = app
        .user("doctor.a@orders.test", Role::Doctor, Some(sales_a))
        .await;
    let dist_b = app
        .user("dist.b@orders.test", Role::Distributor, Some(master))
        .await;
    let sales_b = app
        .user("sales.b@orders.test", Role::Salesperson, Some(dist_b))
        .await;
    app.user("doctor.b@orders.test", Role::Doctor, Some(sales_b))
        .await;

    let admin = app.token("admin@orders.test").await;
    let doctor_a = app.token("doctor.a@orders.test").await;
    let doctor_b = app.token("doctor.b@orders.test").await;

    let foam = product(
        &app,
        &admin,
        json!({
            "sku": "FOAM-100", "name": "Silicone foam dressing", "category": "foam",
            "sizes": [
                {"size_label": "2 in x 2 in", "sku": "FOAM-100-22", "unit_price_cents": 450},
                {"size_label": "4 in x 4 in", "sku": "FOAM-100-44", "unit_price_cents": 900}
            ]
        }),
    )
    .await;
    let alginate = product(
        &app,
        &admin,
        json!({
            "sku": "ALG-200", "name": "Calcium alginate", "category": "alginate",
            "sizes": [{"size_label": "4 in x 4 in", "sku": "ALG-200-44", "unit_price_cents": 1200}]
        }),
    )
    .await;
    let patient_a = patient(
        &app,
        &doctor_a,
        patient_body("Odalys", "Brennan", "1951-03-14", "502-555-0131"),
    )
    .await;
    let patient_b = patient(
        &app,
        &doctor_b,
        patient_body("Tobias", "Marwick", "1946-11-02", "502-555-0177"),
    )
    .await;

    World {
        specialist: app.token("specialist@orders.test").await,
        master: app.token("master@orders.test").await,
        dist_a: app.token("dist.a@orders.test").await,
        dist_a_id: dist_a_id.to_string(),
        dist_b: app.token("dist.b@orders.test").await,
        sales_a: app.token("sales.a@orders.test").await,
        doctor_a_id: doctor_a_id.to_string(),
        shipping: app.token("shipping@orders.test").await,
        shipping_id: shipping_id.to_string(),
        foam: s(&foam["id"]),
        foam_small: size_id(&foam, "2 in x 2 in"),
        foam_large: size_id(&foam, "4 in x 4 in"),
        alginate: s(&alginate["id"]),
        alginate_4x4: size_id(&alginate, "4 in x 4 in"),
        app,
        doctor_a,
        doctor_b,
        patient_a,
        patient_b,
    }
}

/// A request for `patient` with (product, size, quantity) lines, left as a draft.
async fn draft(w: &World, doctor: &str, patient: &str, lines: &[(&str, &str, i64)]) -> String {
    let mut products: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (p, size, qty) in lines {
        products
            .entry(*p)
            .or_default()
            .push(json!({"product_size_id": size, "quantity": qty}));
    }
    let products: Vec<Value> = products
        .into_iter()
        .map(|(p, sizes)| json!({"product_id": p, "sizes": sizes}))
        .collect();
    let (status, vr) = w
        .app
        .post(
            doctor,
            "/api/v1/ivrs",
            json!({"patient_id": patient, "diagnosis_codes": ["E11.621"], "products": products}),
        )
        .await;
    assert_eq!(status, 201, "{vr}");
    s(&vr["id"])
}

async fn ivr_step(w: &World, token: &str, id: &str, action: &str, body: Value) {
    let (status, vr) = w
        .app
        .post(token, &format!("/api/v1/ivrs/{id}/{action}"), body)
        .await;
    assert_eq!(status, 200, "{action}: {vr}");
}

/// A request driven through submission, review and approval.
async fn approved(w: &World, doctor: &str, patient: &str, lines: &[(&str, &str, i64)]) -> String {
    let id = draft(w, doctor, patient, lines).await;
    ivr_step(w, doctor, &id, "submit", json!({})).await;
    ivr_step(w, &w.specialist, &id, "start-review", json!({})).await;
    let coverage = json!({
        "deductible_cents": 0, "copay_cents": 1_000, "coinsurance_percent": 10,
        "out_of_pocket_max_cents": 100_000, "prior_auth_required": false, "prior_auth_number": null
    });
    ivr_step(
        w,
        &w.specialist,
        &id,
        "approve",
        json!({"coverage": coverage}),
    )
    .await;
    id
}

/// Doctor A's usual approved request: 10 small foam, 4 large foam, 6 alginate.
async fn approved_a(w: &World) -> String {
    approved(
        w,
        &w.doctor_a,
        &w.patient_a,
        &[
            (&w.foam, &w.foam_small, 10),
            (&w.foam, &w.foam_large, 4),
            (&w.alginate, &w.alginate_4x4, 6),
        ],
    )
    .await
}

async fn order(w: &World, doctor: &str, body: Value) -> Value {
    let (status, o) = w.app.post(doctor, "/api/v1/orders", body).await;
    assert_eq!(status, 201, "{o}");
    o
}

/// POST /api/v1/orders/{key}/{action}.
async fn act(w: &World, token: &str, key: &str, action: &str, body: Value) -> (u16, Value) {
    w.app
        .post(token, &format!("/api/v1/orders/{key}/{action}"), body)
        .await
}

async fn step(w: &World, token: &str, key: &str, action: &str, body: Value) -> Value {
    let (status, o) = act(w, token, key, action, body).await;
    assert_eq!(status, 200, "{action}: {o}");
    o
}

/// The field names listed in a VALIDATION_ERROR.
fn invalid_fields(body: &Value) -> BTreeSet<String> {
    assert_eq!(error_code(body), "VALIDATION_ERROR", "{body}");
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no details.fields: {body}"))
        .iter()
        .map(|f| s(&f["field"]))
        .collect()
}

fn fields(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn assert_illegal(status: u16, body: &Value, current: &str, action: &str) {
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(body), "INVALID_STATUS_TRANSITION", "{body}");
    assert_eq!(
        body["error"]["details"]["current_status"], current,
        "{body}"
    );
    assert_eq!(body["error"]["details"]["action"], action, "{body}");
}

fn ids(page: &Value) -> BTreeSet<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|o| s(&o["id"]))
        .collect()
}

fn set(items: &[&String]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// size id → (quantity, unit price) of an order's items.
fn items(o: &Value) -> BTreeMap<String, (i64, i64)> {
    o["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                s(&i["product_size_id"]),
                (
                    i["quantity"].as_i64().unwrap(),
                    i["unit_price_cents"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

async fn status_of(w: &World, token: &str, key: &str) -> String {
    let (status, o) = w.app.get(token, &format!("/api/v1/orders/{key}")).await;
    assert_eq!(status, 200, "{o}");
    s(&o["status"])
}

on_both_engines!(an_order_from_an_approved_request, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let request = approved_a(&w).await;

    let o = order(&w, &w.doctor_a, json!({"ivr_request_id": request})).await;
    let number = s(&o["order_number"]);
    assert!(
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
        "order number {number:?} is not all digits"
    );
    assert_eq!(o["status"], "pending");
    assert_eq!(o["ivr_request_id"], request.as_str());
    assert_eq!(o["patient_id"], w.patient_a.as_str());
    assert_eq!(o["doctor_id"], w.doctor_a_id.as_str());
    // Everything the request approved, at catalogue prices.
    assert_eq!(
        items(&o),
        BTreeMap::from([
            (w.foam_small.clone(), (10, 450)),
            (w.foam_large.clone(), (4, 900)),
            (w.alginate_4x4.clone(), (6, 1200)),
        ])
    );
    let labels: BTreeSet<(String, String)> = o["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (s(&i["product_name"]), s(&i["size_label"])))
        .collect();
    assert!(labels.contains(&("Calcium alginate".into(), "4 in x 4 in".into())));
    assert_eq!(o["total_cents"], 10 * 450 + 4 * 900 + 6 * 1200);
    // Shipped to the patient's address on file.
    assert_eq!(o["shipping_address"]["line1"], "1 Elm St");
    assert_eq!(o["shipping_address"]["city"], "Louisville");
    assert_eq!(o["shipping_address"]["state"], "KY");
    assert_eq!(o["shipping_address"]["postal_code"], "40202");

    // Part of an approval, to another address.
    let other_request = approved_a(&w).await;
    let partial = order(
        &w,
        &w.doctor_a,
        json!({
            "ivr_request_id": other_request,
            "items": [{"product_size_id": w.foam_small, "quantity": 3}],
            "shipping_address": {"line1": "40 Clinic Way", "city": "Lexington", "state": "KY", "postal_code": "40507"}
        }),
    )
    .await;
    assert_eq!(
        items(&partial),
        BTreeMap::from([(w.foam_small.clone(), (3, 450))])
    );
    assert_eq!(partial["total_cents"], 1350);
    assert_eq!(partial["shipping_address"]["city"], "Lexington");
    assert_ne!(partial["order_number"], o["order_number"]);

    // Not from a request that is not approved.
    let drafted = draft(
        &w,
        &w.doctor_a,
        &w.patient_a,
        &[(&w.foam, &w.foam_small, 1)],
    )
    .await;
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": drafted}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "VERIFICATION_NOT_APPROVED"),
        "{body}"
    );
    ivr_step(&w, &w.doctor_a, &drafted, "submit", json!({})).await;
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": drafted}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "VERIFICATION_NOT_APPROVED"),
        "{body}"
    );

    // Only what was approved, and no more of it.
    let small_only = approved(
        &w,
        &w.doctor_a,
        &w.patient_a,
        &[(&w.foam, &w.foam_small, 5)],
    )
    .await;
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": small_only, "items": [{"product_size_id": w.foam_large, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["items[0].product_size_id"]));
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": small_only, "items": [{"product_size_id": w.foam_small, "quantity": 6}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["items[0].quantity"]));
    // Splitting a size over several lines does not get round the approved quantity.
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": small_only, "items": [
                {"product_size_id": w.foam_small, "quantity": 3},
                {"product_size_id": w.foam_small, "quantity": 3}
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["items[1].quantity"]));
    let (status, body) = w
        .app
        .post(
            &w.doctor_a,
            "/api/v1/orders",
            json!({"ivr_request_id": small_only, "items": [{"product_size_id": w.foam_small, "quantity": 0}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["items[0].quantity"]));

    // Another doctor cannot order from A's request.
    let (status, body) = w
        .app
        .post(
            &w.doctor_b,
            "/api/v1/orders",
            json!({"ivr_request_id": request}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["ivr_request_id"]));

    // The refusals created nothing.
    let (_, list) = w.app.get(&w.doctor_a, "/api/v1/orders").await;
    assert_eq!(list["total"], 2, "{list}");
    let (_, list) = w.app.get(&w.doctor_b, "/api/v1/orders").await;
    assert_eq!(list["total"], 0, "{list}");
    w.app.stop().await;
});

on_both_engines!(an_order_from_approval_to_delivery, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let request = approved_a(&w).await;
    let o = order(&w, &w.doctor_a, json!({"ivr_request_id": request})).await;
    let id = s(&o["id"]);
    let number = s(&o["order_number"]);
    // Expected three days after it ships, which is today.
    let expected = chrono::Utc::now().date_naive() + chrono::Days::new(3);
    let ship = json!({"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "expected_delivery": expected});

    // Shipping cannot skip ahead.
    let (status, body) = act(&w, &w.shipping, &id, "ship", ship.clone()).await;
    assert_illegal(status, &body, "pending", "ship");
    // A distributor of another branch does not see the order.
    let (status, body) = act(&w, &w.dist_b, &id, "approve", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "ORDER_NOT_FOUND"),
        "{body}"
    );
    assert_eq!(status_of(&w, &w.doctor_a, &id).await, "pending");

    // The doctor's distributor approves, by order number.
    let approved = step(&w, &w.dist_a, &number, "approve", json!({})).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by"], w.dist_a_id.as_str());
    let (status, body) = act(&w, &w.dist_a, &id, "approve", json!({})).await;
    assert_illegal(status, &body, "approved", "approve");

    let processing = step(&w, &w.shipping, &id, "process", json!({})).await;
    assert_eq!(processing["status"], "processing");

    // Shipping needs a carrier and a tracking number.
    let (status, body) = act(&w, &w.shipping, &id, "ship", json!({"carrier": "UPS"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "VALIDATION_ERROR");
    let (status, body) = act(
        &w,
        &w.shipping,
        &id,
        "ship",
        json!({"carrier": "UPS", "tracking_number": "  "}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["tracking_number"]));
    assert_eq!(status_of(&w, &w.doctor_a, &id).await, "processing");

    let shipped = step(&w, &w.shipping, &id, "ship", ship).await;
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["carrier"], "UPS");
    assert_eq!(shipped["tracking_number"], "1Z999AA10123456784");
    assert_eq!(shipped["expected_delivery"], expected.to_string());
    assert!(shipped["shipped_at"].is_string());
    assert!(shipped["delivered_at"].is_null());

    // Too late to cancel.
    let (status, body) = w
        .app
        .delete(&w.doctor_a, &format!("/api/v1/orders/{id}"))
        .await;
    assert_illegal(status, &body, "shipped", "cancel");

    let delivered = step(&w, &w.shipping, &id, "deliver", json!({})).await;
    assert_eq!(delivered["status"], "delivered");
    assert!(delivered["delivered_at"].is_string());
    let (status, body) = act(&w, &w.shipping, &id, "deliver", json!({})).await;
    assert_illegal(status, &body, "delivered", "deliver");
    assert_eq!(status_of(&w, &w.doctor_a, &id).await, "delivered");

    // The doctor cancels a pending order; it stays cancelled.
    let second = order(
        &w,
        &w.doctor_a,
        json!({"ivr_request_id": approved_a(&w).await}),
    )
    .await;
    let second_id = s(&second["id"]);
    let (status, cancelled) = w
        .app
        .delete(&w.doctor_a, &format!("/api/v1/orders/{second_id}"))
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    let (status, body) = act(&w, &w.dist_a, &second_id, "approve", json!({})).await;
    assert_illegal(status, &body, "cancelled", "approve");
    // Another doctor cannot cancel A's order.
    let third = order(
        &w,
        &w.doctor_a,
        json!({"ivr_request_id": approved_a(&w).await}),
    )
    .await;
    let third_id = s(&third["id"]);
    let (status, body) = w
        .app
        .delete(&w.doctor_b, &format!("/api/v1/orders/{third_id}"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "ORDER_NOT_FOUND"),
        "{body}"
    );
    assert_eq!(status_of(&w, &w.doctor_a, &third_id).await, "pending");
    w.app.stop().await;
});

on_both_engines!(where_is_my_order, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let request = approved_a(&w).await;
    let o = order(&w, &w.doctor_a, json!({"ivr_request_id": request})).await;
    let id = s(&o["id"]);
    let number = s(&o["order_number"]);
    let path = format!("/api/v1/orders/{number}/status");

    let (status, v) = w.app.get(&w.doctor_a, &path).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["order_number"], number.as_str());
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["status"], "pending");
    assert_eq!(v["description"], "received and waiting for approval");
    assert!(v["carrier"].is_null() && v["tracking_number"].is_null());
    assert_eq!(v["history"].as_array().unwrap().len(), 1);

    step(&w, &w.dist_a, &id, "approve", json!({})).await;
    step(&w, &w.shipping, &id, "process", json!({})).await;
    let expected = chrono::Utc::now().date_naive() + chrono::Days::new(4);
    step(
        &w,
        &w.shipping,
        &id,
        "ship",
        json!({"carrier": "FedEx", "tracking_number": "7489 2210 3345", "expected_delivery": expected}),
    )
    .await;

    let (status, v) = w.app.get(&w.doctor_a, &path).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "shipped");
    assert_eq!(v["description"], "on its way");
    assert_eq!(v["carrier"], "FedEx");
    assert_eq!(v["tracking_number"], "7489 2210 3345");
    assert_eq!(v["expected_delivery"], expected.to_string());
    let journey: Vec<(Value, String, String)> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from_status"].clone(),
                s(&h["to_status"]),
                s(&h["actor_id"]),
            )
        })
        .collect();
    assert_eq!(
        journey,
        vec![
            (Value::Null, "pending".into(), w.doctor_a_id.clone()),
            (json!("pending"), "approved".into(), w.dist_a_id.clone()),
            (
                json!("approved"),
                "processing".into(),
                w.shipping_id.clone()
            ),
            (json!("processing"), "shipped".into(), w.shipping_id.clone()),
        ]
    );

    // By id the same answer; the specialist and A's salesperson may look too.
    let (status, by_id) = w
        .app
        .get(&w.doctor_a, &format!("/api/v1/orders/{id}/status"))
        .await;
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(by_id, v);
    for token in [&w.sales_a, &w.specialist, &w.master] {
        let (status, seen) = w.app.get(token, &path).await;
        assert_eq!(status, 200, "{seen}");
        assert_eq!(seen["status"], "shipped");
    }

    // Another doctor, or the other branch, is told there is no such order — not "forbidden".
    for token in [&w.doctor_b, &w.dist_b] {
        for p in [path.clone(), format!("/api/v1/orders/{id}/status")] {
            let (status, body) = w.app.get(token, &p).await;
            assert_eq!(status, 404, "{p}: {body}");
            assert_eq!(error_code(&body), "ORDER_NOT_FOUND");
        }
    }
    let (status, body) = w
        .app
        .get(&w.doctor_a, "/api/v1/orders/99999999/status")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "ORDER_NOT_FOUND"),
        "{body}"
    );
    let (status, body) = w
        .app
        .get(
            &w.doctor_a,
            &format!("/api/v1/orders/{}/status", uuid::Uuid::new_v4()),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "ORDER_NOT_FOUND"),
        "{body}"
    );

    // Delivered reads as delivered.
    step(&w, &w.shipping, &number, "deliver", json!({})).await;
    let (_, v) = w.app.get(&w.doctor_a, &path).await;
    assert_eq!(v["status"], "delivered");
    assert_eq!(v["description"], "delivered");
    assert!(v["delivered_at"].is_string());
    assert_eq!(v["history"].as_array().unwrap().len(), 5);
    w.app.stop().await;
});

on_both_engines!(lists_are_scoped_and_filtered, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let request_a = approved_a(&w).await;
    let request_b = approved(
        &w,
        &w.doctor_b,
        &w.patient_b,
        &[(&w.foam, &w.foam_large, 2)],
    )
    .await;
    let a1 = s(&order(&w, &w.doctor_a, json!({"ivr_request_id": request_a})).await["id"]);
    let request_a2 = approved_a(&w).await;
    let a2 = s(&order(&w, &w.doctor_a, json!({"ivr_request_id": request_a2})).await["id"]);
    let request_a3 = approved_a(&w).await;
    let a3 = s(&order(&w, &w.doctor_a, json!({"ivr_request_id": request_a3})).await["id"]);
    let b1 = s(&order(&w, &w.doctor_b, json!({"ivr_request_id": request_b})).await["id"]);
    step(&w, &w.dist_a, &a1, "approve", json!({})).await;
    let (status, _) = w
        .app
        .delete(&w.doctor_a, &format!("/api/v1/orders/{a3}"))
        .await;
    assert_eq!(status, 200);

    // Awaiting approval: pending orders within each approver's reach.
    let pending = "/api/v1/orders/pending-approval";
    let (status, page) = w.app.get(&w.dist_a, pending).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), set(&[&a2]));
    assert_eq!(page["total"], 1);
    let (_, page) = w.app.get(&w.dist_b, pending).await;
    assert_eq!(ids(&page), set(&[&b1]));
    assert_eq!(page["total"], 1);
    let (_, page) = w.app.get(&w.master, pending).await;
    assert_eq!(ids(&page), set(&[&a2, &b1]));
    assert_eq!(page["total"], 2);
    let (status, body) = w.app.get(&w.sales_a, pending).await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));

    // Filtering by status.
    for (filter, want) in [
        ("pending", set(&[&a2])),
        ("approved", set(&[&a1])),
        ("cancelled", set(&[&a3])),
        ("shipped", set(&[])),
    ] {
        let (status, page) = w
            .app
            .get(&w.doctor_a, &format!("/api/v1/orders?status={filter}"))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(ids(&page), want, "status={filter}");
        assert_eq!(page["total"], want.len(), "status={filter}");
    }
    let (status, body) = w.app.get(&w.doctor_a, "/api/v1/orders?status=lost").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(invalid_fields(&body), fields(&["status"]));

    // Pages and their totals are counted within scope.
    let mut seen = BTreeSet::new();
    for page_no in 1..=4 {
        let (status, page) = w
            .app
            .get(
                &w.sales_a,
                &format!("/api/v1/orders?per_page=1&page={page_no}"),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 3, "{page}");
        assert_eq!(page["per_page"], 1);
        let got = ids(&page);
        assert_eq!(
            got.len(),
            usize::from(page_no <= 3),
            "page {page_no}: {page}"
        );
        seen.extend(got);
    }
    assert_eq!(seen, set(&[&a1, &a2, &a3]));
    for (token, total) in [
        (&w.doctor_b, 1),
        (&w.dist_b, 1),
        (&w.doctor_a, 3),
        (&w.master, 4),
        (&w.shipping, 4),
    ] {
        let (_, page) = w.app.get(token, "/api/v1/orders?per_page=1").await;
        assert_eq!(page["total"], total, "{page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
    }
    // A patient filter cannot reach past scope.
    let (_, page) = w
        .app
        .get(
            &w.doctor_a,
            &format!("/api/v1/orders?patient_id={}", w.patient_b),
        )
        .await;
    assert_eq!(page["total"], 0, "{page}");
    w.app.stop().await;
});

/// Audit records about orders.
async fn order_audit_count(w: &World) -> u64 {
    careline_store::audit::search(
        w.app.store(),
        &AuditFilter {
            entity_type: Some("order".into()),
            ..AuditFilter::default()
        },
        1,
        1,
    )
    .await
    .unwrap()
    .total
}

on_both_engines!(every_order_read_is_audited, |db| async move {
    let w = world(TestApp::spawn(db).await).await;
    let request = approved_a(&w).await;
    let o = order(&w, &w.doctor_a, json!({"ivr_request_id": request})).await;
    let id = s(&o["id"]);
    let number = s(&o["order_number"]);

    let before = order_audit_count(&w).await;
    const N: u64 = 5;
    for i in 0..N {
        let key = if i % 2 == 0 { &number } else { &id };
        let (status, v) = w
            .app
            .get(&w.doctor_a, &format!("/api/v1/orders/{key}/status"))
            .await;
        assert_eq!(status, 200, "{v}");
    }
    assert_eq!(order_audit_count(&w).await, before + N, "status reads");

    let before = order_audit_count(&w).await;
    for token in [&w.doctor_a, &w.sales_a, &w.shipping] {
        let (status, v) = w.app.get(token, &format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, 200, "{v}");
    }
    assert_eq!(order_audit_count(&w).await, before + 3, "order reads");

    // The record names who read it.
    let reads = careline_store::audit::search(
        w.app.store(),
        &AuditFilter {
            entity_type: Some("order".into()),
            agent_user_id: Some(w.shipping_id.parse().unwrap()),
            ..AuditFilter::default()
        },
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(reads.total, 1);
    assert_eq!(reads.items[0].action, "R");
    assert_eq!(reads.items[0].entity_id.as_deref(), Some(id.as_str()));

    // Reads by number and by id are filed under the same order, so one search finds them all.
    let trail = careline_store::audit::search(
        w.app.store(),
        &AuditFilter {
            entity_type: Some("order".into()),
            entity_id: Some(id.clone()),
            action: Some("R".into()),
            ..AuditFilter::default()
        },
        1,
        50,
    )
    .await
    .unwrap();
    assert_eq!(trail.total, N + 3);
    w.app.stop().await;
});

/// The error code of a refusal, with its status.
fn refusal(status: u16, body: &Value) -> (u16, String) {
    (status, error_code(body).to_string())
}

on_both_engines!(
    one_approval_never_becomes_more_units_than_it_approved,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        // A double click, or two tabs: three orders for the same approval at once. One is
        // placed, the others are told everything approved is ordered already.
        let request = approved_a(&w).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let (http, url, token) = (
                w.app.http.clone(),
                w.app.url("/api/v1/orders"),
                w.doctor_a.clone(),
            );
            let body = json!({ "ivr_request_id": request });
            tasks.spawn(async move {
                common::split(
                    http.post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            });
        }
        let mut answers = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (status, body) = done.unwrap();
            answers.push(if status == 201 {
                (201, String::new())
            } else {
                refusal(status, &body)
            });
        }
        answers.sort();
        assert_eq!(
            answers,
            [
                (201, String::new()),
                (409, "APPROVED_QUANTITY_ORDERED".into()),
                (409, "APPROVED_QUANTITY_ORDERED".into())
            ]
        );
        let (_, page) = w
            .app
            .get(
                &w.doctor_a,
                &format!("/api/v1/orders?ivr_request_id={request}"),
            )
            .await;
        let placed: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["ivr_request_id"] == request.as_str())
            .collect();
        assert_eq!(placed.len(), 1, "{page}");

        // Split over several orders, the approved 10 small foam dressings stay 10.
        let request = approved_a(&w).await;
        let line = |qty: i64| json!({"ivr_request_id": request, "items": [{"product_size_id": w.foam_small, "quantity": qty}]});
        let first = order(&w, &w.doctor_a, line(6)).await;
        let (status, body) = w.app.post(&w.doctor_a, "/api/v1/orders", line(5)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(invalid_fields(&body), fields(&["items[0].quantity"]));
        assert!(
            body.to_string().contains("6 ordered already"),
            "the refusal says why: {body}"
        );
        order(&w, &w.doctor_a, line(4)).await;
        // Without items an order takes what is left: the large foam and the alginate.
        let rest = order(&w, &w.doctor_a, json!({ "ivr_request_id": request })).await;
        let left: BTreeSet<String> = items(&rest).into_keys().collect();
        assert_eq!(left, set(&[&w.foam_large, &w.alginate_4x4]));
        let (status, body) = w.app.post(&w.doctor_a, "/api/v1/orders", line(1)).await;
        assert_eq!(
            refusal(status, &body),
            (409, "APPROVED_QUANTITY_ORDERED".into())
        );
        // A cancelled order gives its units back.
        let (status, _) = w
            .app
            .delete(&w.doctor_a, &format!("/api/v1/orders/{}", s(&first["id"])))
            .await;
        assert_eq!(status, 200);
        order(&w, &w.doctor_a, line(6)).await;
    }
);

on_both_engines!(
    an_archived_patient_gets_no_new_orders_or_approvals,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        let approved_request = approved_a(&w).await;
        let pending = order(
            &w,
            &w.doctor_a,
            json!({ "ivr_request_id": approved_a(&w).await }),
        )
        .await;
        let in_review = draft(
            &w,
            &w.doctor_a,
            &w.patient_a,
            &[(&w.foam, &w.foam_small, 2)],
        )
        .await;
        ivr_step(&w, &w.doctor_a, &in_review, "submit", json!({})).await;
        ivr_step(&w, &w.specialist, &in_review, "start-review", json!({})).await;
        let (status, body) = w
            .app
            .delete(&w.doctor_a, &format!("/api/v1/patients/{}", w.patient_a))
            .await;
        assert_eq!(status, 200, "{body}");

        let archived = (409, "PATIENT_ARCHIVED".to_string());
        // A new request, an order, an approval, moving an order on: all refused alike.
        let (status, body) = w
            .app
            .post(
                &w.doctor_a,
                "/api/v1/ivrs",
                json!({"patient_id": w.patient_a, "diagnosis_codes": ["E11.621"], "products": []}),
            )
            .await;
        assert_eq!(refusal(status, &body), archived, "{body}");
        let (status, body) = w
            .app
            .post(
                &w.doctor_a,
                "/api/v1/orders",
                json!({ "ivr_request_id": approved_request }),
            )
            .await;
        assert_eq!(refusal(status, &body), archived, "{body}");
        let coverage = json!({
            "deductible_cents": 0, "copay_cents": 0, "coinsurance_percent": 0,
            "out_of_pocket_max_cents": 0, "prior_auth_required": false, "prior_auth_number": null
        });
        let (status, body) = w
            .app
            .post(
                &w.specialist,
                &format!("/api/v1/ivrs/{in_review}/approve"),
                json!({ "coverage": coverage }),
            )
            .await;
        assert_eq!(refusal(status, &body), archived, "{body}");
        let (status, body) = act(&w, &w.dist_a, &s(&pending["id"]), "approve", json!({})).await;
        assert_eq!(refusal(status, &body), archived, "{body}");
        // Closing out work still works: the request is rejected, the order cancelled.
        ivr_step(
            &w,
            &w.specialist,
            &in_review,
            "reject",
            json!({"reason_code": "not_covered"}),
        )
        .await;
        let (status, body) = w
            .app
            .delete(
                &w.doctor_a,
                &format!("/api/v1/orders/{}", s(&pending["id"])),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
);

on_both_engines!(
    shipping_needs_an_address_and_a_delivery_date_after_it_ships,
    |db| async move {
        let w = world(TestApp::spawn(db).await).await;
        // A patient with no address on file, and an order placed without one.
        let mut body = patient_body("Nell", "Ashdown", "1950-01-02", "502-555-0160");
        body.as_object_mut().unwrap().remove("address");
        let nell = patient(&w.app, &w.doctor_a, body).await;
        let request = approved(&w, &w.doctor_a, &nell, &[(&w.foam, &w.foam_small, 2)]).await;
        let o = order(&w, &w.doctor_a, json!({ "ivr_request_id": request })).await;
        assert!(o["shipping_address"].is_null(), "{o}");
        let id = s(&o["id"]);
        step(&w, &w.dist_a, &id, "approve", json!({})).await;
        step(&w, &w.shipping, &id, "process", json!({})).await;

        // The server's day is the ship date (these requests are answered now).
        let today = chrono::Utc::now().date_naive();
        let ship = |expected: chrono::NaiveDate| json!({"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "expected_delivery": expected});
        let (status, body) = act(
            &w,
            &w.shipping,
            &id,
            "ship",
            ship(today - chrono::Days::new(3)),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(invalid_fields(&body), fields(&["expected_delivery"]));
        let (status, body) = act(
            &w,
            &w.shipping,
            &id,
            "ship",
            ship(today + chrono::Days::new(3)),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(invalid_fields(&body), fields(&["shipping_address"]));
        assert_eq!(status_of(&w, &w.doctor_a, &id).await, "processing");
        // Given an address, it ships there.
        let mut with_address = ship(today + chrono::Days::new(3));
        with_address["shipping_address"] = json!({"line1": "9 Dock Rd", "city": "Louisville", "state": "KY", "postal_code": "40203"});
        let shipped = step(&w, &w.shipping, &id, "ship", with_address).await;
        assert_eq!(shipped["status"], "shipped");
        assert_eq!(
            shipped["shipping_address"]["line1"], "9 Dock Rd",
            "{shipped}"
        );
    }
);
