//! Two dashboard pages through the real HTTP server, as a browser uses them (a session cookie,
//! the page's CSRF token in every form): the practice's "Messages to patients" (preview,
//! errors at their field with the text kept, save, back to the built-in wording) and the
//! operators' jobs page (counts, filters, retry and cancel, and why an action was refused).
//! The real-browser scenarios are in tests/browser/.

mod common;

use careline_store::jobs::{self, NewJob};
use chrono::{Duration, Utc};
use common::TestApp;
use common::web::{field_value, sign_in};
use serde_json::json;

/// The `<details>` element of one template on the practice page.
fn template_block<'a>(html: &'a str, anchor: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{anchor}\""))
        .unwrap_or_else(|| panic!("no {anchor} in the page"));
    let end = html[start..].find("</details>").unwrap() + start;
    &html[start..end]
}

const SMS: &str = "template-appointment_reminder-sms-en";

on_both_engines!(
    a_practice_manager_words_the_reminder_sms_on_the_practice_page,
    |db: common::TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let app = TestApp::spawn(db).await;
        let manager = sign_in(&app, "manager@demo.careline.test").await;
        let (status, html) = manager.get("/practice").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Messages to patients"));
        let block = template_block(&html, SMS);
        assert!(block.contains("Built-in"), "{block}");
        assert!(
            block.contains("{appointment_date}"),
            "the placeholders are listed"
        );
        assert!(!block.contains("name=\"subject\""), "an SMS has no subject");
        assert!(
            template_block(&html, "template-appointment_reminder-email-en")
                .contains("name=\"subject\"")
        );
        let org = field_value(&html, "name=\"organization_id\" value=\"");
        let form = |body: &'static str, action: &'static str| {
            vec![
                ("organization_id", org.clone()),
                ("kind", "appointment_reminder".to_string()),
                ("channel", "sms".to_string()),
                ("original_language", "en".to_string()),
                ("language", "en".to_string()),
                ("body", body.to_string()),
                ("action", action.to_string()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let manager = &manager;
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                manager.post("/practice/notification-templates", &f).await
            }
        };

        // Preview: the example values filled in, nothing saved, the typed text kept.
        let typed = "See you {appointment_date} at {appointment_time}, {patient_first_name}!";
        let r = send(form(typed, "preview")).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let block = template_block(&html, SMS);
        assert!(block.contains(" open"), "the edited template stays open");
        assert!(
            block.contains("See you Tuesday, December 15 at 9:30 AM, Eleanor!"),
            "{block}"
        );
        assert!(block.contains("one text message"), "{block}");
        assert!(block.contains(typed), "the typed text is kept");
        assert!(block.contains("Built-in"), "a preview saves nothing");

        // An unknown placeholder: refused at the body, with the allowed ones, text kept.
        let wrong = "Your {diagnosis} visit on {appointment_date}";
        let r = send(form(wrong, "save")).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        let block = template_block(&html, SMS);
        assert!(block.contains("unknown placeholder {diagnosis}"), "{block}");
        assert!(block.contains("aria-invalid=\"true\""), "{block}");
        assert!(block.contains(wrong), "the typed text is kept");
        let (_, html) = manager.get("/practice").await;
        assert!(
            template_block(&html, SMS).contains("Built-in"),
            "nothing saved"
        );

        // Saved: back on the page, listed as customised, with a notice at the template.
        let r = send(form(typed, "save")).await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            to.starts_with(&format!("/practice?template={SMS}&done=saved")),
            "{to}"
        );
        let (_, html) = manager.get(&to).await;
        let block = template_block(&html, SMS);
        assert!(block.contains("Customised"), "{block}");
        assert!(block.contains("Saved."), "{block}");
        assert!(block.contains(typed));
        assert!(block.contains("Back to the built-in wording"));

        // A Spanish version, through the same form with another language.
        let mut es = form("Hola {patient_first_name}", "save");
        es[4].1 = "es".into();
        let r = send(es).await;
        assert_eq!(r.status(), 303);
        let (_, html) = manager.get("/practice").await;
        assert!(
            template_block(&html, "template-appointment_reminder-sms-es").contains("Customised")
        );
        assert!(
            template_block(&html, "template-appointment_reminder-email-es")
                .contains("the built-in en wording is sent")
        );

        // Back to the built-in wording.
        let r = send(form("", "reset")).await;
        assert_eq!(r.status(), 303);
        let (_, html) = manager.get(r.headers()["location"].to_str().unwrap()).await;
        let block = template_block(&html, SMS);
        assert!(block.contains("Built-in"), "{block}");
        assert!(
            block.contains("{practice_name}: reminder of your appointment"),
            "{block}"
        );

        // No CSRF token, no change.
        let f = form(typed, "save");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = manager
            .post_form("/practice/notification-templates", &f, false)
            .await;
        assert_eq!(r.status(), 403);

        // The front desk reads the wording but has no form to change it, and cannot post one.
        let reception = sign_in(&app, "reception@demo.careline.test").await;
        let (status, html) = reception.get("/practice").await;
        assert_eq!(status, 200);
        let block = template_block(&html, SMS);
        assert!(block.contains("<fieldset disabled"), "{block}");
        assert!(!block.contains("value=\"save\""));
        let f = form(typed, "save");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = reception.post("/practice/notification-templates", &f).await;
        assert_eq!(r.status(), 403);
        app.stop().await;
    }
);

on_both_engines!(
    an_operator_sees_the_queue_and_retries_and_cancels_jobs,
    |db: common::TestDb| async move {
        careline::demo::seed(&db.store).await.unwrap();
        let store = db.store.clone();
        let now = Utc::now();
        // A dead job (kinds no handler knows, so the server's worker leaves them alone), a
        // queued one an hour ahead, and one waiting five minutes past its time.
        let dead = jobs::enqueue_now(
            &store,
            NewJob::new("test.fail", json!({"appointment_id": "a1"}), now).max_attempts(1),
            now,
        )
        .await
        .unwrap()
        .job;
        let c = jobs::claim(&store, "w", &["test.fail"], now, Duration::seconds(60), 1)
            .await
            .unwrap();
        jobs::fail(&store, &c[0], "w", "SMTP 554 refused", None, now)
            .await
            .unwrap();
        let later = jobs::enqueue_now(
            &store,
            NewJob::new("test.later", json!({}), now + Duration::hours(1)),
            now,
        )
        .await
        .unwrap()
        .job;
        jobs::enqueue_now(
            &store,
            NewJob::new("test.late", json!({}), now - Duration::minutes(5)),
            now,
        )
        .await
        .unwrap();
        let app = TestApp::spawn(db).await;
        let admin = sign_in(&app, "admin@demo.careline.test").await;
        let (status, html) = admin.get("/admin/jobs").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("href=\"/admin/jobs\" aria-current=\"page\""),
            "in the nav"
        );
        assert!(
            html.contains(
                "<li data-state=\"dead\"><a href=\"/admin/jobs?state=dead\"><strong>1</strong> Dead"
            ),
            "{html}"
        );
        assert!(html.contains("The oldest due job has waited"), "{html}");
        assert!(html.contains("SMTP 554 refused"));
        // The payload, compactly (ids only), HTML-escaped.
        assert!(
            html.contains("{&#34;appointment_id&#34;:&#34;a1&#34;}"),
            "{html}"
        );
        assert!(html.contains(&format!("action=\"/admin/jobs/{}/retry\"", dead.id)));
        assert!(html.contains(&format!("action=\"/admin/jobs/{}/cancel\"", later.id)));
        assert!(!html.contains(&format!("action=\"/admin/jobs/{}/retry\"", later.id)));

        // Filters: by state and by kind.
        let (_, html) = admin.get("/admin/jobs?state=dead").await;
        assert!(
            html.contains(">1 job<")
                && html.contains("test.fail")
                && !html.contains("<td>test.later</td>"),
            "{html}"
        );
        let (_, html) = admin.get("/admin/jobs?kind=test.later").await;
        assert!(
            html.contains(">1 job<") && html.contains("<td>test.later</td>"),
            "{html}"
        );
        assert!(html.contains("<option value=\"test.later\" selected>"));

        // Retry the dead job: back to the list with a notice; it is queued.
        let r = admin
            .post(
                &format!("/admin/jobs/{}/retry", dead.id),
                &[("state", ""), ("kind", "")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = admin.get(r.headers()["location"].to_str().unwrap()).await;
        assert!(html.contains("The test.fail job is queued again"), "{html}");
        assert_eq!(
            jobs::get(app.store(), dead.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            "queued"
        );
        assert!(html.contains(&format!("id=\"job-{}\" data-state=\"queued\"", dead.id)));

        // Retrying it again is not possible now: said on the page, with a 409.
        let r = admin
            .post(&format!("/admin/jobs/{}/retry", dead.id), &[])
            .await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Not retried: the job is queued now"),
            "{html}"
        );

        // Cancel the later one, then cancelling it again is refused the same way.
        let r = admin
            .post(&format!("/admin/jobs/{}/cancel", later.id), &[])
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            jobs::get(app.store(), later.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            "cancelled"
        );
        let r = admin
            .post(&format!("/admin/jobs/{}/cancel", later.id), &[])
            .await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Not cancelled: the job is cancelled now")
        );

        // Not for anyone else: no link, no page, no action.
        let manager = sign_in(&app, "manager@demo.careline.test").await;
        let (_, html) = manager.get("/").await;
        assert!(!html.contains("href=\"/admin/jobs\""));
        let (status, _) = manager.get("/admin/jobs").await;
        assert_eq!(status, 403);
        let r = manager
            .post(&format!("/admin/jobs/{}/cancel", dead.id), &[])
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            jobs::get(app.store(), dead.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            "queued"
        );
        app.stop().await;
    }
);

/// The reminder jobs of an appointment.
async fn reminders_of(store: &careline_store::Store, appointment: uuid::Uuid) -> Vec<jobs::Job> {
    jobs::list(
        store,
        &jobs::JobFilter {
            state: None,
            kind: Some(careline_store::reminders::REMINDER.into()),
        },
        1,
        500,
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|j| j.idempotency_key.starts_with(&format!("{appointment}:")))
    .collect()
}

on_both_engines!(
    a_reminder_voided_by_its_appointment_offers_no_retry,
    |db: common::TestDb| async move {
        use careline_domain::appointment::AppointmentAction;
        use careline_domain::practice::BookingChannel;
        use careline_domain::{Actor, Role};
        use careline_store::appointments::{self, AppointmentFilter, ChangedBy};
        careline::demo::seed(&db.store).await.unwrap();
        let store = db.store.clone();
        let admin_actor = Actor {
            user_id: uuid::Uuid::nil(),
            role: Role::Admin,
        };
        // An appointment of the demo's with reminders still to go.
        let mut a = None;
        for candidate in
            appointments::list(&store, &admin_actor, &AppointmentFilter::default(), 1, 100)
                .await
                .unwrap()
                .items
        {
            if reminders_of(&store, candidate.id)
                .await
                .iter()
                .any(|j| j.state == "queued")
            {
                a = Some(candidate);
                break;
            }
        }
        let a = a.expect("the demo books reminders");
        // The appointment is cancelled: its reminders are voided, and say why.
        appointments::transition(
            &store,
            ChangedBy {
                actor: admin_actor,
                channel: BookingChannel::Staff,
            },
            a.id,
            AppointmentAction::Cancel,
            Some("patient called"),
            Utc::now(),
        )
        .await
        .unwrap();
        let all = reminders_of(&store, a.id).await;
        assert!(all.iter().all(|j| j.state != "queued"), "{all:?}");
        let voided: Vec<_> = all.into_iter().filter(|j| j.state == "cancelled").collect();
        assert!(
            !voided.is_empty() && voided.iter().all(|j| j.voided()),
            "{voided:?}"
        );
        assert_eq!(
            voided[0].last_error.as_deref(),
            Some("voided: the appointment was moved or cancelled")
        );
        // A job an operator cancelled is not voided: it can be retried.
        let other = jobs::enqueue_now(
            &store,
            NewJob::new("test.later", json!({}), Utc::now() + Duration::hours(1)),
            Utc::now(),
        )
        .await
        .unwrap()
        .job;
        let other = jobs::cancel(&store, other.id, Utc::now()).await.unwrap();
        assert!(!other.voided());

        let app = TestApp::spawn(db).await;
        let admin = sign_in(&app, "admin@demo.careline.test").await;
        let (status, html) = admin.get("/admin/jobs?state=cancelled").await;
        assert_eq!(status, 200, "{html}");
        for j in &voided {
            let row = html
                .split(&format!("id=\"job-{}\"", j.id))
                .nth(1)
                .and_then(|r| r.split("</tr>").next())
                .unwrap_or_else(|| panic!("no row of {}: {html}", j.id));
            assert!(!row.contains("/retry\""), "no Retry: {row}");
            assert!(row.contains("Voided: nothing to retry"), "{row}");
            assert!(
                row.contains("the appointment was moved or cancelled"),
                "{row}"
            );
        }
        assert!(html.contains(&format!("action=\"/admin/jobs/{}/retry\"", other.id)));

        // Posted anyway (a stale page): refused on the page, with a 409 and the reason.
        let r = admin
            .post(&format!("/admin/jobs/{}/retry", voided[0].id), &[])
            .await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(
                "Not retried. This job was voided (the appointment was moved or cancelled)"
            ),
            "{html}"
        );
        // The API: 409 JOB_VOIDED in the error form; the job stays as it was.
        let token = app.token("admin@demo.careline.test").await;
        let (status, body) = app
            .post(
                &token,
                &format!("/api/v1/admin/jobs/{}/retry", voided[0].id),
                json!({}),
            )
            .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(common::error_code(&body), "JOB_VOIDED");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("the appointment was moved or cancelled"),
            "{body}"
        );
        let still = jobs::get(app.store(), voided[0].id).await.unwrap().unwrap();
        assert_eq!(still.state, "cancelled");
        // The operator-cancelled one is retried as before.
        let (status, body) = app
            .post(
                &token,
                &format!("/api/v1/admin/jobs/{}/retry", other.id),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        app.stop().await;
    }
);
