//! Stored conversations (VoiceInteraction and ConversationTurn), on both engines: the store
//! (turns and transcript sealed, the summary from the call's events, filters, scoping, reply
//! times, a conversation that cannot be written never failing its call step, the seven-year
//! purge); spoken calls through `Calls::feed` on the demo data; the API (who may read, 404,
//! filters, 422, every read audited); and the dashboard's pages.

mod common;

use careline::calls::Calls;
use careline::simulator::{Dial, Transcript, parse_said, run_script};
use careline_domain::{Actor, Phi, Role};
use careline_store::Store;
use careline_store::calls::{self, NewCall, NewCallEvent, StepUpdate};
use careline_store::voice_interactions::{
    self as vi, ConversationStep, InteractionFilter, NewTurn, Speaker,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::web::{csp_problems, sign_in};
use common::*;
use serde_json::json;
use uuid::Uuid;

const MARIA: &str = "+15025550142";
const MAIN_LINE: &str = "+15025550100";
const PRACTICE_LINE: &str = careline::demo::practice::DEMO_PRACTICE_LINE;
const ELEANOR: &str = "+15125550142";

async fn user_id(store: &Store, email: &str) -> Uuid {
    careline_store::users::credentials(store, email)
        .await
        .unwrap()
        .unwrap()
        .user
        .id
}

fn actor(user_id: Uuid, role: Role) -> Actor {
    Actor { user_id, role }
}

fn admin() -> Actor {
    actor(Uuid::nil(), Role::Admin)
}

fn turn(step: i32, speaker: Speaker, text: &str, at: DateTime<Utc>) -> NewTurn {
    NewTurn {
        step,
        speaker,
        text: Phi::new(text.to_string()),
        intent: None,
        slots: None,
        confidence: None,
        understanding_score: None,
        at,
    }
}

fn event(at: DateTime<Utc>, action: &str, result: &str) -> NewCallEvent {
    NewCallEvent {
        at,
        territory_id: None,
        patient_id: None,
        action: action.into(),
        result: result.into(),
        duration_ms: 0,
        authentication_method: "none".into(),
        error_code: None,
        details: None,
    }
}

/// One call step as `Calls::feed` saves it: from `from` to `to` inputs, with events and the
/// conversation's part.
#[allow(clippy::too_many_arguments)]
async fn step(
    store: &Store,
    call_id: &str,
    from: i32,
    to: i32,
    status: &str,
    patient_id: Option<Uuid>,
    events: &[NewCallEvent],
    conversation: &ConversationStep,
    at: DateTime<Utc>,
) -> bool {
    calls::save_step_with(
        store,
        call_id,
        StepUpdate {
            expected_step: from,
            new_step: to,
            inputs_json: b"[]",
            status,
            territory_id: None,
            patient_id,
            ended: status == "ended",
            events,
            at,
        },
        Some(conversation),
    )
    .await
    .unwrap()
}

async fn new_call(store: &Store, call_id: &str, from: Option<&str>, at: DateTime<Utc>) {
    assert!(
        calls::create_call(
            store,
            NewCall {
                call_id,
                transport: "sip",
                to_number: MAIN_LINE,
                from,
                config_hash: "test",
                started_at: at,
            },
        )
        .await
        .unwrap()
    );
}

on_both_engines!(
    the_store_keeps_turns_transcript_and_summary,
    |db: TestDb| async move {
        let store = db.store.clone();
        careline::demo::seed(&store).await.unwrap();
        let maria = patient_by_phone(&store, MARIA).await.id;
        let lee = user_id(&store, "doctor@demo.careline.test").await;
        let kim = user_id(&store, "doctor2@demo.careline.test").await;
        let reception = user_id(&store, "reception@demo.careline.test").await;
        let t0: DateTime<Utc> = "2026-03-02T15:00:00.123456Z".parse().unwrap();
        let at = |s: i64| t0 + Duration::seconds(s);
        let call = "SIPconversation0000000000000000001";
        new_call(&store, call, Some(MARIA), t0).await;

        // The caller speaks: the conversation starts with the prompt answered.
        let mut said = turn(1, Speaker::Caller, "I want to check on my order", at(5));
        said.intent = Some("order_status".into());
        said.confidence = Some(0.8);
        said.understanding_score = Some(0.9);
        let first = ConversationStep {
            spoken: true,
            turns: vec![
                turn(0, Speaker::Agent, "Welcome to Healthcare Services.", at(0)),
                said,
                turn(1, Speaker::Agent, "Please say your date of birth.", at(5)),
            ],
            summarize: false,
        };
        assert!(step(&store, call, 0, 3, "active", None, &[], &first, at(5)).await);
        let id = vi::of_call(&store, call)
            .await
            .unwrap()
            .expect("a conversation");

        let mut dob = turn(
            3,
            Speaker::Caller,
            "march fourteenth nineteen fifty eight",
            at(9),
        );
        dob.slots = Some(Phi::new(json!({"date": {"day": "1958-03-14"}})));
        dob.confidence = Some(0.6);
        let second = ConversationStep {
            spoken: true,
            turns: vec![
                dob,
                turn(3, Speaker::Agent, "Your order has shipped.", at(9)),
            ],
            summarize: false,
        };
        let verified = NewCallEvent {
            authentication_method: "dob".into(),
            ..event(at(9), "authenticate", "success")
        };
        let order = event(at(9), "check_order_status", "success");
        assert!(
            step(
                &store,
                call,
                3,
                5,
                "active",
                Some(maria),
                &[verified, order],
                &second,
                at(9)
            )
            .await
        );

        // A repeated request for a step already taken changes nothing, turns included.
        assert!(
            !step(
                &store,
                call,
                3,
                5,
                "active",
                Some(maria),
                &[],
                &second,
                at(9)
            )
            .await
        );

        // Handed to the front desk's extension, then hung up: the summary is filled in.
        let transfer = NewCallEvent {
            details: Some(
                json!({"to": "extension", "extension": "101", "staff_member": reception}),
            ),
            ..event(at(12), "transfer", "transferred")
        };
        let handed = ConversationStep {
            spoken: false,
            turns: vec![turn(5, Speaker::Agent, "Connecting you now.", at(12))],
            summarize: true,
        };
        assert!(
            step(
                &store,
                call,
                5,
                6,
                "transferred",
                Some(maria),
                &[transfer],
                &handed,
                at(12)
            )
            .await
        );
        let ended = ConversationStep {
            summarize: true,
            ..ConversationStep::default()
        };
        let end = event(at(20), "call_ended", "transferred");
        assert!(
            step(
                &store,
                call,
                6,
                7,
                "ended",
                Some(maria),
                &[end],
                &ended,
                at(20)
            )
            .await
        );

        let got = vi::get(&store, &admin(), id).await.unwrap();
        let s = &got.summary;
        assert_eq!(s.call_id, call);
        assert_eq!(s.transport, "sip");
        assert_eq!(s.patient_id, Some(maria));
        assert_eq!(s.started_at, careline_store::stored_time(t0));
        assert_eq!(s.ended_at, Some(careline_store::stored_time(at(20))));
        assert_eq!(s.turn_count, 6);
        assert_eq!(s.intent.as_deref(), Some("order_status"));
        assert_eq!(s.verification, "verified");
        assert!(s.action_completed);
        assert_eq!(s.completed_actions, ["order_status_read"]);
        assert!(s.escalated);
        assert_eq!(s.escalated_to.as_deref(), Some("extension"));
        assert_eq!(s.staff_member_id, Some(reception));
        assert_eq!(s.audio_reference, None, "not recorded");
        assert_eq!(
            s.confidence,
            json!({"recognition": {"turns": 2, "min": 0.6, "mean": 0.7},
               "understanding": {"turns": 1, "min": 0.9, "mean": 0.9}})
        );
        assert_eq!(
            s.retain_until,
            careline_store::stored_time(vi::retain_until(t0))
        );
        assert_eq!(
            got.caller_number.as_ref().map(|n| n.expose().as_str()),
            Some(MARIA)
        );
        assert_eq!(
            got.transcript.expose(),
            "CareLine: Welcome to Healthcare Services.\n\
         Caller: I want to check on my order\n\
         CareLine: Please say your date of birth.\n\
         Caller: march fourteenth nineteen fifty eight\n\
         CareLine: Your order has shipped.\n\
         CareLine: Connecting you now."
        );
        // Nothing of it prints.
        assert!(!format!("{got:?}").contains("fifty eight"));

        let turns = vi::turns(&store, &admin(), id).await.unwrap();
        assert_eq!(
            turns.iter().map(|t| t.seq).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(
            turns.iter().map(|t| t.speaker.as_str()).collect::<Vec<_>>(),
            ["agent", "caller", "agent", "caller", "agent", "agent"]
        );
        assert_eq!(turns[1].intent.as_deref(), Some("order_status"));
        assert_eq!(turns[1].confidence, Some(0.8));
        assert_eq!(turns[1].understanding_score, Some(0.9));
        assert_eq!(turns[3].step, 3);
        assert_eq!(
            turns[3].slots.as_ref().map(|s| s.expose().clone()),
            Some(json!({"date": {"day": "1958-03-14"}}))
        );
        assert!(turns.iter().all(|t| t.reply_ms.is_none()));

        // The transport's measurement lands on CareLine's reply at that step.
        assert!(vi::set_reply_ms(&store, call, 3, 640).await.unwrap());
        assert!(!vi::set_reply_ms(&store, call, 42, 10).await.unwrap());
        let turns = vi::turns(&store, &admin(), id).await.unwrap();
        let replies: Vec<_> = turns.iter().map(|t| t.reply_ms).collect();
        assert_eq!(replies, [None, None, None, None, Some(640), None]);

        // Filters, and the scope of whoever reads: Maria's doctor sees it, another doctor not.
        let count = |f: InteractionFilter, a: Actor| {
            let store = store.clone();
            async move { vi::list(&store, &a, &f, 1, 50).await.unwrap().total }
        };
        let f = InteractionFilter::default;
        assert_eq!(count(f(), admin()).await, 1);
        for (filter, expected) in [
            (
                InteractionFilter {
                    intent: Some("order_status".into()),
                    ..f()
                },
                1,
            ),
            (
                InteractionFilter {
                    intent: Some("schedule".into()),
                    ..f()
                },
                0,
            ),
            (
                InteractionFilter {
                    escalated: Some(true),
                    ..f()
                },
                1,
            ),
            (
                InteractionFilter {
                    escalated: Some(false),
                    ..f()
                },
                0,
            ),
            (
                InteractionFilter {
                    patient_id: Some(maria),
                    ..f()
                },
                1,
            ),
            (
                InteractionFilter {
                    patient_id: Some(lee),
                    ..f()
                },
                0,
            ),
            (
                InteractionFilter {
                    from: Some(t0),
                    to: Some(at(1)),
                    ..f()
                },
                1,
            ),
            (
                InteractionFilter {
                    from: Some(at(1)),
                    ..f()
                },
                0,
            ),
            (
                InteractionFilter {
                    to: Some(t0),
                    ..f()
                },
                0,
            ),
        ] {
            assert_eq!(count(filter.clone(), admin()).await, expected, "{filter:?}");
        }
        assert_eq!(count(f(), actor(lee, Role::Doctor)).await, 1);
        assert_eq!(count(f(), actor(kim, Role::Doctor)).await, 0);
        assert!(matches!(
            vi::get(&store, &actor(kim, Role::Doctor), id).await,
            Err(careline_store::StoreError::NotFound("voice interaction"))
        ));
        assert!(
            vi::turns(&store, &actor(kim, Role::Doctor), id)
                .await
                .is_err()
        );
        assert!(vi::get(&store, &actor(lee, Role::Doctor), id).await.is_ok());

        // A call in which nobody spoke has no conversation, whatever CareLine said.
        let keys_only = "SIPconversation0000000000000000002";
        new_call(&store, keys_only, None, t0).await;
        let said_only = ConversationStep {
            spoken: false,
            turns: vec![turn(0, Speaker::Agent, "Welcome.", t0)],
            summarize: true,
        };
        assert!(
            step(
                &store,
                keys_only,
                0,
                1,
                "ended",
                None,
                &[],
                &said_only,
                at(1)
            )
            .await
        );
        assert_eq!(vi::of_call(&store, keys_only).await.unwrap(), None);

        // A conversation that cannot be written (its transcript no longer unseals) never fails
        // the call: the step is saved, the conversation left as it was.
        let broken = "SIPconversation0000000000000000003";
        new_call(&store, broken, None, t0).await;
        let spoken = ConversationStep {
            spoken: true,
            turns: vec![turn(0, Speaker::Caller, "hello", at(1))],
            summarize: false,
        };
        assert!(step(&store, broken, 0, 1, "active", None, &[], &spoken, at(1)).await);
        let broken_id = vi::of_call(&store, broken).await.unwrap().unwrap();
        {
            use careline_store::entity::voice_interaction;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            voice_interaction::Entity::update_many()
                .col_expr(
                    voice_interaction::Column::TranscriptEnc,
                    sea_orm::sea_query::Expr::value(b"not sealed".to_vec()),
                )
                .filter(voice_interaction::Column::Id.eq(broken_id))
                .exec(store.db())
                .await
                .unwrap();
        }
        assert!(
            step(
                &store,
                broken,
                1,
                2,
                "ended",
                None,
                &[end_event(at(2))],
                &spoken,
                at(2)
            )
            .await
        );
        let stored = calls::load_call(&store, broken).await.unwrap().unwrap();
        assert_eq!((stored.step, stored.status.as_str()), (2, "ended"));
        let events = calls::call_events(&store, broken).await.unwrap();
        assert_eq!(events.len(), 1, "the step's events were saved");
        let page = vi::list(&store, &admin(), &f(), 1, 50).await.unwrap();
        let b = page.items.iter().find(|i| i.id == broken_id).unwrap();
        assert_eq!(b.turn_count, 1, "nothing of the failed write was kept");
        assert_eq!(b.ended_at, None);

        // Seven years after the call started, the purge deletes it and its turns.
        let due = vi::retain_until(t0);
        assert_eq!(
            vi::purge_expired(&store, due - Duration::seconds(1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(vi::purge_expired(&store, due).await.unwrap(), 2);
        assert_eq!(vi::of_call(&store, call).await.unwrap(), None);
        assert!(vi::turns(&store, &admin(), id).await.is_err());
        {
            use careline_store::entity::conversation_turn;
            use sea_orm::{EntityTrait, PaginatorTrait};
            assert_eq!(
                conversation_turn::Entity::find()
                    .count(store.db())
                    .await
                    .unwrap(),
                0
            );
        }
        // The call records stay until their own seven years (from the same start) are up;
        // then `calls.purge` deletes them with their events.
        assert!(calls::load_call(&store, call).await.unwrap().is_some());
        assert_eq!(
            calls::purge_expired(&store, due - Duration::seconds(1))
                .await
                .unwrap(),
            0
        );
        assert!(!calls::call_events(&store, broken).await.unwrap().is_empty());
        let purged = calls::purge_expired(&store, due).await.unwrap();
        assert!(purged >= 3, "{purged}");
        for gone in [call, keys_only, broken] {
            assert!(
                calls::load_call(&store, gone).await.unwrap().is_none(),
                "{gone}"
            );
            assert!(
                calls::call_events(&store, gone).await.unwrap().is_empty(),
                "{gone}"
            );
        }
        db.cleanup().await;
    }
);

fn end_event(at: DateTime<Utc>) -> NewCallEvent {
    event(at, "call_ended", "completed")
}

// ---------------------------------------------------------------------------------------------
// Spoken calls through `Calls::feed`

async fn spoken_call(
    calls: &Calls,
    store: &Store,
    from: &str,
    to: &str,
    said: &str,
    agent_number: Option<&str>,
    at: DateTime<Utc>,
) -> Transcript {
    run_script(
        calls,
        store,
        Dial {
            from: Some(from),
            to,
            agent_number,
        },
        &parse_said(said).unwrap(),
        false,
        Some(at),
    )
    .await
    .unwrap()
}

on_both_engines!(spoken_calls_become_conversations, |db: TestDb| async move {
    let store = db.store.clone();
    careline::demo::seed(&store).await.unwrap();
    let now = Utc::now();
    let calls = Calls::build(&store, &test_config()).unwrap();

    // Eleanor moves her appointment at Capitol Eye Care by voice (the README's call).
    let t = spoken_call(
        &calls,
        &store,
        ELEANOR,
        PRACTICE_LINE,
        "I need to move my appointment | june ninth nineteen fifty one | move it | another time | yes",
        None,
        now,
    )
    .await;
    assert!(t.has_event("move_appointment", "success"), "{:#?}", t.lines);
    let eleanor = patient_by_phone(&store, ELEANOR).await.id;
    let id = vi::of_call(&store, &t.call_id)
        .await
        .unwrap()
        .expect("stored");
    let got = vi::get(&store, &admin(), id).await.unwrap();
    let s = &got.summary;
    assert_eq!(s.transport, "simulator");
    assert_eq!(s.patient_id, Some(eleanor));
    assert_eq!(s.intent.as_deref(), Some("reschedule"));
    assert_eq!(s.verification, "verified");
    assert!(s.action_completed);
    assert_eq!(s.completed_actions, ["appointment_moved"], "{s:?}");
    assert!(!s.escalated);
    assert!(s.ended_at.is_some());
    assert_eq!(got.caller_number.as_ref().unwrap().expose(), ELEANOR);
    // The simulator gives no recognizer confidence; understanding scored the intents.
    assert!(
        s.confidence.get("recognition").is_none(),
        "{}",
        s.confidence
    );
    assert!(s.confidence["understanding"]["turns"].as_u64().unwrap() >= 1);

    let turns = vi::turns(&store, &admin(), id).await.unwrap();
    // It starts with the greeting she answered, then each thing she said and its answer.
    assert_eq!(turns[0].speaker, "agent");
    assert!(
        turns[0].text.expose().contains("Capitol Eye Care"),
        "{:?}",
        turns[0].text.expose()
    );
    let hers: Vec<&str> = turns
        .iter()
        .filter(|t| t.speaker == "caller")
        .map(|t| t.text.expose().as_str())
        .collect();
    assert_eq!(
        hers,
        [
            "I need to move my appointment",
            "june ninth nineteen fifty one",
            "move it",
            "another time",
            "yes"
        ]
    );
    assert_eq!(turns[1].intent.as_deref(), Some("reschedule"));
    // Her first words were the call's third input (after its start and who was calling).
    assert_eq!(turns[1].step, 2);
    assert_eq!(
        turns[0].step, 0,
        "the greeting she answered came with the start"
    );
    assert!(turns.iter().all(|t| t.confidence.is_none()));
    // Each of her turns is answered by CareLine's.
    for (i, t) in turns
        .iter()
        .enumerate()
        .filter(|(_, t)| t.speaker == "caller")
    {
        let reply = &turns[i + 1];
        assert_eq!(
            (reply.speaker.as_str(), reply.step),
            ("agent", t.step),
            "{i}"
        );
        assert!(!reply.text.expose().is_empty());
    }
    assert!(
        turns
            .iter()
            .any(|t| t.speaker == "agent" && t.text.expose().contains("moved")),
        "the move was read back"
    );
    // The transcript is the turns, line by line.
    let lines: Vec<&str> = got.transcript.expose().lines().collect();
    assert_eq!(lines.len(), turns.len());
    assert_eq!(lines[1], "Caller: I need to move my appointment");
    assert!(lines[0].starts_with("CareLine: "));

    // A transport's timing of a reply, through the phone.
    assert!(
        calls
            .turn_timing(&t.call_id, turns[1].step, 480)
            .await
            .unwrap()
    );
    let turns = vi::turns(&store, &admin(), id).await.unwrap();
    assert_eq!(turns[2].reply_ms, Some(480));

    // Maria asks for her order by voice, says her date of birth, PIN and order number, then
    // asks for a person: a conversation escalated to the agent line.
    let t = spoken_call(
        &calls,
        &store,
        MARIA,
        MAIN_LINE,
        "I'd like to check on my order | march fourteenth nineteen fifty eight | two four six eight | one zero zero zero zero zero zero one | representative",
        Some("+15025550111"),
        now + Duration::minutes(5),
    )
    .await;
    assert!(
        t.has_event("check_order_status", "success"),
        "{:#?}",
        t.lines
    );
    let id = vi::of_call(&store, &t.call_id).await.unwrap().unwrap();
    let s = vi::get(&store, &admin(), id).await.unwrap().summary;
    assert_eq!(s.intent.as_deref(), Some("order_status"));
    assert_eq!(s.verification, "verified");
    assert_eq!(s.completed_actions, ["order_status_read"]);
    assert!(s.escalated);
    assert_eq!(s.escalated_to.as_deref(), Some("agent"));
    assert_eq!(s.staff_member_id, None);

    // Keys after the first words are in the conversation, never their digits.
    let t = spoken_call(
        &calls,
        &store,
        MARIA,
        MAIN_LINE,
        "check my order | 03141958 | 2468# | 10000001#",
        None,
        now + Duration::minutes(10),
    )
    .await;
    let id = vi::of_call(&store, &t.call_id).await.unwrap().unwrap();
    let got = vi::get(&store, &admin(), id).await.unwrap();
    let transcript = got.transcript.expose();
    assert!(transcript.contains(&format!("Caller: {}", careline::calls::KEYS_PRESSED)));
    assert!(
        !transcript.contains("0314") && !transcript.contains("2468"),
        "{transcript}"
    );
    assert_eq!(got.summary.verification, "verified");
    assert!(!got.summary.escalated);

    // A call by keys alone has none.
    let t = spoken_call(
        &calls,
        &store,
        MARIA,
        MAIN_LINE,
        "1 | 03141958 | 2468#",
        None,
        now,
    )
    .await;
    assert_eq!(vi::of_call(&store, &t.call_id).await.unwrap(), None);
    db.cleanup().await;
});

// ---------------------------------------------------------------------------------------------
// The API

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

on_both_engines!(
    the_api_reads_conversations_for_the_roles_allowed,
    |db: TestDb| async move {
        let store = db.store.clone();
        careline::demo::seed(&store).await.unwrap();
        let now = Utc::now();
        let calls = Calls::build(&store, &test_config()).unwrap();
        let moved = spoken_call(
        &calls,
        &store,
        ELEANOR,
        PRACTICE_LINE,
        "I need to move my appointment | june ninth nineteen fifty one | move it | another time | yes",
        None,
        now - Duration::hours(2),
    )
    .await;
        let asked = spoken_call(
            &calls,
            &store,
            MARIA,
            MAIN_LINE,
            "check my order | representative",
            Some("+15025550111"),
            now - Duration::hours(1),
        )
        .await;
        let moved_id = vi::of_call(&store, &moved.call_id).await.unwrap().unwrap();
        let asked_id = vi::of_call(&store, &asked.call_id).await.unwrap().unwrap();
        let eleanor = patient_by_phone(&store, ELEANOR).await.id;
        let app = TestApp::spawn(db).await;
        let admin = app.token("admin@demo.careline.test").await;
        let specialist = app.token("specialist@demo.careline.test").await;

        let (status, page) = app.get(&specialist, "/api/v1/voice-interactions").await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 2);
        let ids: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [asked_id.to_string(), moved_id.to_string()],
            "newest first"
        );
        let item = &page["items"][1];
        assert_eq!(item["intent"], "reschedule");
        assert_eq!(item["verification"], "verified");
        assert_eq!(item["completed_actions"][0], "appointment_moved");
        assert!(
            item.get("transcript").is_none() && item.get("caller_number").is_none(),
            "{item}"
        );

        for (query, expected) in [
            ("intent=reschedule".to_string(), vec![moved_id]),
            ("intent=order_status".to_string(), vec![asked_id]),
            ("intent=cancel".to_string(), vec![]),
            ("escalated=true".to_string(), vec![asked_id]),
            ("escalated=false".to_string(), vec![moved_id]),
            (format!("patient_id={eleanor}"), vec![moved_id]),
            (
                format!(
                    "from={}&to={}",
                    rfc3339(now - Duration::minutes(90)),
                    rfc3339(now)
                ),
                vec![asked_id],
            ),
            ("per_page=1&page=2".to_string(), vec![moved_id]),
        ] {
            let (status, page) = app
                .get(&admin, &format!("/api/v1/voice-interactions?{query}"))
                .await;
            assert_eq!(status, 200, "{query}: {page}");
            let got: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect();
            let want: Vec<String> = expected.iter().map(Uuid::to_string).collect();
            assert_eq!(got, want, "{query}");
        }
        for (query, field) in [
            ("intent=gossip".to_string(), "intent"),
            (
                format!(
                    "from={}&to={}",
                    rfc3339(now),
                    rfc3339(now - Duration::hours(1))
                ),
                "from",
            ),
        ] {
            let (status, body) = app
                .get(&admin, &format!("/api/v1/voice-interactions?{query}"))
                .await;
            assert_eq!(status, 422, "{query}: {body}");
            assert_eq!(error_code(&body), "VALIDATION_ERROR");
            assert_eq!(body["error"]["details"]["fields"][0]["field"], field);
        }

        // One conversation: the words, and its turns.
        let (status, one) = app
            .get(
                &specialist,
                &format!("/api/v1/voice-interactions/{moved_id}"),
            )
            .await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["call_id"], moved.call_id.as_str());
        assert_eq!(one["caller_number"], ELEANOR);
        assert_eq!(one["patient_id"], eleanor.to_string());
        assert!(
            one["transcript"]
                .as_str()
                .unwrap()
                .contains("Caller: june ninth nineteen fifty one"),
            "{one}"
        );
        assert!(one["recording"].is_null());
        let (status, turns) = app
            .get(
                &specialist,
                &format!("/api/v1/voice-interactions/{moved_id}/turns"),
            )
            .await;
        assert_eq!(status, 200, "{turns}");
        let turns = turns.as_array().unwrap();
        assert_eq!(turns[1]["speaker"], "caller");
        assert_eq!(turns[1]["text"], "I need to move my appointment");
        assert_eq!(turns[1]["intent"], "reschedule");
        assert!(turns[1]["understanding_score"].as_f64().unwrap() > 0.5);

        // Not found: an unknown id, on both routes, in the seeds' error form.
        let missing = Uuid::new_v4();
        for path in [
            format!("/api/v1/voice-interactions/{missing}"),
            format!("/api/v1/voice-interactions/{missing}/turns"),
        ] {
            let (status, body) = app.get(&admin, &path).await;
            assert_eq!(status, 404, "{path}: {body}");
            assert_eq!(error_code(&body), "VOICE_INTERACTION_NOT_FOUND");
        }

        // Only the roles that read call records and PHI.
        for email in [
            "doctor@demo.careline.test",
            "nurse@demo.careline.test",
            "reception@demo.careline.test",
            "shipping@demo.careline.test",
        ] {
            let t = app.token(email).await;
            for path in [
                "/api/v1/voice-interactions".to_string(),
                format!("/api/v1/voice-interactions/{moved_id}"),
                format!("/api/v1/voice-interactions/{moved_id}/turns"),
            ] {
                let (status, body) = app.get(&t, &path).await;
                assert_eq!(status, 403, "{email} {path}: {body}");
                assert_eq!(error_code(&body), "FORBIDDEN");
            }
        }

        // Every read is in the audit trail, naming the conversation and its patient.
        let (_, logs) = app
        .get(
            &admin,
            &format!(
                "/api/v1/admin/audit-logs?entity_type=voice_interaction&entity_id={moved_id}&per_page=100"
            ),
        )
        .await;
        let items = logs["items"].as_array().unwrap();
        let by_specialist: Vec<&str> = items
            .iter()
            .filter(|l| l["agent_role"] == "ivr_specialist")
            .map(|l| l["description"].as_str().unwrap())
            .collect();
        assert!(by_specialist.contains(&"voice interaction read"), "{logs}");
        assert!(
            by_specialist
                .iter()
                .any(|d| d.starts_with("conversation turns read")),
            "{logs}"
        );
        let read = items
            .iter()
            .find(|l| l["description"] == "voice interaction read")
            .unwrap();
        assert_eq!(read["type"], "rest");
        assert_eq!(read["action"], "R");
        let named = read.to_string();
        assert!(
            named.contains(&eleanor.to_string()),
            "the patient is named: {read}"
        );
        // The list's reads name each conversation shown (the first entity, or among the others).
        let (_, logs) = app
            .get(&admin, "/api/v1/admin/audit-logs?type=query&per_page=100")
            .await;
        assert!(
            logs["items"].as_array().unwrap().iter().any(|l| {
                l["description"] == "voice interactions listed (2 shown)"
                    && l.to_string().contains(&asked_id.to_string())
            }),
            "{logs}"
        );
        app.stop().await;
    }
);

// ---------------------------------------------------------------------------------------------
// The dashboard

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversation_pages_for_the_roles_allowed() {
    let db = TestDb::new(Engine::Sqlite).await.unwrap();
    let store = db.store.clone();
    careline::demo::seed(&store).await.unwrap();
    let calls = Calls::build(&store, &test_config()).unwrap();
    let t = spoken_call(
        &calls,
        &store,
        ELEANOR,
        PRACTICE_LINE,
        "I need to move my appointment | june ninth nineteen fifty one | move it | another time | yes",
        None,
        Utc::now(),
    )
    .await;
    let id = vi::of_call(&store, &t.call_id).await.unwrap().unwrap();
    // Measured by a transport: shown as the reply time.
    let first_step = vi::turns(&store, &admin(), id).await.unwrap()[1].step;
    assert!(
        calls
            .turn_timing(&t.call_id, first_step, 512)
            .await
            .unwrap()
    );
    // The demo's recorded call, given a conversation: the page plays its recording beside it.
    let recorded = careline::demo::DEMO_RECORDED_CALL;
    assert!(
        calls::save_step_with(
            &store,
            recorded,
            StepUpdate {
                expected_step: 4,
                new_step: 5,
                inputs_json: b"[]",
                status: "ended",
                territory_id: None,
                patient_id: None,
                ended: true,
                events: &[],
                at: Utc::now(),
            },
            Some(&ConversationStep {
                spoken: true,
                turns: vec![turn(4, Speaker::Caller, "order status please", Utc::now())],
                summarize: true,
            }),
        )
        .await
        .unwrap()
    );
    let recorded_id = vi::of_call(&store, recorded).await.unwrap().unwrap();
    let app = TestApp::spawn(db).await;

    let specialist = sign_in(&app, "specialist@demo.careline.test").await;
    let (status, home) = specialist.get("/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("<a href=\"/conversations\">Conversations</a>"),
        "{home}"
    );
    let pages = [
        "/conversations".to_string(),
        "/conversations?intent=reschedule&escalated=no&from=2020-01-01&to=2099-12-31".into(),
        format!("/conversations/{id}"),
        format!("/conversations/{recorded_id}"),
    ];
    let mut html = Vec::new();
    for page in &pages {
        let (status, body) = specialist.get(page).await;
        assert_eq!(status, 200, "{page}: {body}");
        assert_eq!(csp_problems(&body), Vec::<String>::new(), "{page}");
        assert!(
            body.contains("aria-current=\"page\">Conversations<"),
            "{page}"
        );
        html.push(body);
    }
    let [list, filtered, detail, with_recording] = &html[..] else {
        unreachable!()
    };
    assert!(list.contains(&format!("href=\"/conversations/{id}\"")));
    assert!(list.contains(&format!("href=\"/conversations/{recorded_id}\"")));
    assert!(list.contains("Brooks, Eleanor"), "the patient's name");
    assert!(filtered.contains(&format!("href=\"/conversations/{id}\"")));
    assert!(!filtered.contains(&format!("href=\"/conversations/{recorded_id}\"")));
    assert!(
        filtered.contains("value=\"reschedule\" selected"),
        "the filter is kept"
    );
    for text in [
        "I need to move my appointment",
        "june ninth nineteen fifty one",
        "reschedule",
        "appointment moved",
        "512 ms",
        ELEANOR,
        "Brooks, Eleanor",
    ] {
        assert!(detail.contains(text), "{text} missing from the page");
    }
    assert!(!detail.contains("<audio"), "no recording, no player");
    assert!(
        with_recording.contains(&format!(
            "<audio controls preload=\"none\" src=\"/api/v1/calls/{recorded}/recording\""
        )),
        "{with_recording}"
    );
    assert!(with_recording.contains("order status please"));

    // The page's reads are the API's, audited as PHI reads by this specialist.
    let admin_token = app.token("admin@demo.careline.test").await;
    let (_, logs) = app
        .get(
            &admin_token,
            &format!("/api/v1/admin/audit-logs?entity_type=voice_interaction&entity_id={id}"),
        )
        .await;
    assert!(
        logs["items"].as_array().unwrap().iter().any(|l| {
            l["agent_role"] == "ivr_specialist" && l["description"] == "voice interaction read"
        }),
        "{logs}"
    );

    // A role that may not read them: no navigation entry, and the pages say so.
    for email in ["doctor@demo.careline.test", "reception@demo.careline.test"] {
        let other = sign_in(&app, email).await;
        let (_, home) = other.get("/").await;
        assert!(!home.contains("href=\"/conversations\""), "{email}");
        for page in ["/conversations".to_string(), format!("/conversations/{id}")] {
            let (status, body) = other.get(&page).await;
            assert_eq!(status, 403, "{email} {page}");
            assert!(body.contains("FORBIDDEN"), "{body}");
        }
    }
    let (status, _) = specialist
        .get(&format!("/conversations/{}", Uuid::new_v4()))
        .await;
    assert_eq!(status, 404);
    let (status, _) = specialist.get("/conversations/not-an-id").await;
    assert_eq!(status, 404);
    let (status, _) = specialist.get("/conversations?intent=gossip").await;
    assert_eq!(status, 422);
    app.stop().await;
}
