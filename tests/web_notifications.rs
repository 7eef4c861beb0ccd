//! The dashboard's notifications through the real HTTP server, as a browser uses them, on the
//! demo practice: the header's unread count on every page, linking to `/notifications`; the
//! page lists only the signed-in user's own, newest first, with "Mark as read", which takes
//! one off the count; someone else's cannot be marked; the header and the list are live parts
//! (`data-live="notifications"`) that app.js refreshes on NOTIFICATION_RECEIVED.

mod common;

use careline_store::staff_notifications::{self, NewNotification};
use common::TestApp;
use common::web::{csp_problems, sign_in};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn user_id(app: &TestApp, email: &str) -> uuid::Uuid {
    use careline_store::entity::user;
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.store().db())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn notify(
    app: &TestApp,
    user: uuid::Uuid,
    title: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> uuid::Uuid {
    staff_notifications::create(
        app.store(),
        NewNotification {
            user_id: user,
            kind: "urgent_message_escalation".into(),
            title: title.into(),
            body: "An urgent patient message has not been acknowledged for 15 minutes.".into(),
            link: "/messages?status=all".into(),
            source_key: None,
        },
        at,
    )
    .await
    .unwrap()
    .unwrap()
}

/// The header's count link, as rendered.
fn count_link(html: &str) -> String {
    let at = html
        .find("id=\"notification-count\"")
        .expect("the count link");
    let start = html[..at].rfind("<a ").unwrap();
    let end = at + html[at..].find("</a>").unwrap() + 4;
    html[start..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_counts_unread_and_the_page_marks_them_read() {
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    careline::demo::seed(&db.store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let chen = user_id(&app, "dr.chen@demo.careline.test").await;
    let patel = user_id(&app, "dr.patel@demo.careline.test").await;
    let t0 = chrono::Utc::now() - chrono::Duration::minutes(10);

    // None yet: the link, without a count.
    let b = sign_in(&app, "dr.chen@demo.careline.test").await;
    let (_, home) = b.get("/").await;
    let link = count_link(&home);
    assert!(link.contains("href=\"/notifications\""), "{link}");
    assert!(link.contains("data-live=\"notifications\""), "{link}");
    assert!(!link.contains("badge"), "{link}");

    let older = notify(&app, chen, "Urgent message waiting 15 minutes", t0).await;
    let newer = notify(
        &app,
        chen,
        "Urgent message waiting 30 minutes",
        t0 + chrono::Duration::minutes(1),
    )
    .await;
    let his = notify(&app, patel, "Dr. Patel's own", t0).await;

    // Every page's header counts them.
    for path in ["/", "/messages", "/tasks"] {
        let (status, html) = b.get(path).await;
        assert_eq!(status, 200, "{path}");
        let link = count_link(&html);
        assert!(
            link.contains(">2<span class=\"visually-hidden\"> unread</span>"),
            "{path}: {link}"
        );
    }

    // The page: his own, newest first, each with its link and Mark as read; a live part.
    let (status, page) = b.get("/notifications").await;
    assert_eq!(status, 200, "{page}");
    assert!(csp_problems(&page).is_empty());
    assert!(page.contains("id=\"notifications\" class=\"card\" data-live=\"notifications\""));
    assert!(!page.contains("Dr. Patel's own"));
    let first = page.find(&format!("notification-{newer}")).unwrap();
    let second = page.find(&format!("notification-{older}")).unwrap();
    assert!(first < second, "newest first");
    assert!(page.contains("href=\"/messages?status=all\""));
    assert_eq!(page.matches("Mark as read").count(), 2);

    // Mark one read: back to the list, one fewer unread, still listed under "all".
    let (status, location, _) = b
        .submit(
            &format!("/notifications/{older}/read"),
            &[("show", "unread"), ("page", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/notifications?show=unread&page=1");
    let (_, page) = b.get(&location).await;
    assert!(!page.contains(&format!("notification-{older}")));
    assert!(page.contains(&format!("notification-{newer}")));
    assert!(
        count_link(&page).contains(">1<span"),
        "{}",
        count_link(&page)
    );
    let (_, all) = b.get("/notifications?show=all").await;
    assert!(all.contains(&format!("notification-{older}")));
    assert_eq!(all.matches("Mark as read").count(), 1);

    // Someone else's: not found, and it stays unread.
    let (status, _, _) = b
        .submit(
            &format!("/notifications/{his}/read"),
            &[("show", "unread"), ("page", "1")],
        )
        .await;
    assert_eq!(status, 404);
    let p = sign_in(&app, "dr.patel@demo.careline.test").await;
    let (_, theirs) = p.get("/notifications").await;
    assert!(
        theirs.contains("Dr. Patel&#39;s own") || theirs.contains("Dr. Patel's own"),
        "{theirs}"
    );
    assert!(count_link(&theirs).contains(">1<span"));
    app.stop().await;
}

/// The page's checkbox named `name`, as rendered.
fn checkbox(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let start = html[..at].rfind("<input").unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    html[start..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_notifications_form_saves_and_shows_refusals_with_what_was_typed() {
    let db = common::TestDb::new(common::Engine::Sqlite).await.unwrap();
    careline::demo::seed(&db.store).await.unwrap();
    let app = TestApp::spawn(db).await;
    let b = sign_in(&app, "dr.chen@demo.careline.test").await;

    // The menu links to it; it shows the defaults.
    let (_, home) = b.get("/").await;
    assert!(home.contains("<a href=\"/me/notifications\">My notifications</a>"));
    let (status, page) = b.get("/me/notifications").await;
    assert_eq!(status, 200, "{page}");
    let problems = common::web::csp_problems(&page);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(page.contains("<h2 id=\"prefs-title\">Notifications</h2>"));
    assert!(!checkbox(&page, "notify_sms").contains("checked"));
    assert!(checkbox(&page, "notify_email").contains("checked"));
    assert!(page.contains("name=\"language\" value=\"en\""));

    // Texts without a phone, and a language that is not one: each refusal at its field, the
    // form as typed.
    let (status, _, page) = b
        .submit(
            "/me/notifications",
            &[("notify_sms", "on"), ("language", "Klingon please")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(checkbox(&page, "notify_sms").contains("checked"));
    assert!(checkbox(&page, "notify_sms").contains("aria-invalid=\"true\""));
    assert!(!checkbox(&page, "notify_email").contains("checked"));
    assert!(page.contains("id=\"pref-notify_sms-error\""), "{page}");
    assert!(page.contains("texts need a phone number"), "{page}");
    assert!(page.contains("name=\"language\" value=\"Klingon please\""));
    assert!(page.contains("id=\"pref-language-error\""), "{page}");
    let chen = user_id(&app, "dr.chen@demo.careline.test").await;
    let stored = careline_store::users::notification_preferences(app.store(), chen)
        .await
        .unwrap();
    assert!(
        stored.notify_email && stored.language == "en",
        "nothing saved"
    );

    // A valid change: saved, back to the page, which says so.
    let (status, location, _) = b.submit("/me/notifications", &[("language", "es")]).await;
    assert_eq!(status, 303);
    assert_eq!(location, "/me/notifications?saved=1");
    let (_, page) = b.get(&location).await;
    assert!(page.contains("Saved."));
    assert!(!checkbox(&page, "notify_email").contains("checked"));
    assert!(page.contains("name=\"language\" value=\"es\""));
    let stored = careline_store::users::notification_preferences(app.store(), chen)
        .await
        .unwrap();
    assert!(!stored.notify_email && !stored.notify_sms);
    assert_eq!(stored.language, "es");

    // Without the page's CSRF token: refused, nothing changed.
    let r = b
        .http
        .post(format!("{}/me/notifications", b.base))
        .header("cookie", format!("careline_session={}", b.cookie))
        .form(&[("notify_email", "on"), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        careline_store::users::notification_preferences(app.store(), chen)
            .await
            .unwrap()
            .language,
        "es"
    );

    // An admin changes his from the users list; he may not open someone else's.
    let admin = sign_in(&app, "admin@demo.careline.test").await;
    let (_, users) = admin.get("/admin/users?role=doctor").await;
    let theirs = format!("/admin/users/{chen}/notifications");
    assert!(users.contains(&format!("href=\"{theirs}\"")), "{users}");
    let (status, page) = admin.get(&theirs).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Notifications of Dr. Marcus Chen"));
    let (status, location, _) = admin
        .submit(&theirs, &[("notify_email", "on"), ("language", "en")])
        .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{theirs}?saved=1"));
    assert!(
        careline_store::users::notification_preferences(app.store(), chen)
            .await
            .unwrap()
            .notify_email
    );
    let patel = user_id(&app, "dr.patel@demo.careline.test").await;
    let (status, _) = b.get(&format!("/admin/users/{patel}/notifications")).await;
    assert_eq!(status, 403);
    app.stop().await;
}
