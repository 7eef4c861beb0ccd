//! What the engine's tests share: a phone that feeds the engine input by input as a
//! transport would, the known patient and territories, and readers for the outputs.
#![allow(dead_code)]

use careline_call::engine::*;
use careline_call::menu::CallConfig;
use chrono::TimeZone;
use std::sync::Arc;
use uuid::Uuid;

pub const PATIENT: Uuid = Uuid::from_u128(0x1111);
pub const PROVIDER: Uuid = Uuid::from_u128(0x2222);
pub const HERE: Uuid = Uuid::from_u128(0xaaaa);
pub const THERE: Uuid = Uuid::from_u128(0xbbbb);

/// Tuesday 2026-11-24, 10:00 in New York (the default practice's time zone): office open.
pub fn tuesday_10am() -> Millis {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
        .unwrap()
        .timestamp_millis()
}

pub struct Phone {
    pub call: Call,
    pub now: Millis,
    pub log: Vec<TimedInput>,
}

impl Phone {
    pub fn new(at: Millis) -> Phone {
        Phone {
            call: Call::new(Arc::new(CallConfig::default_config())),
            now: at,
            log: Vec::new(),
        }
    }

    pub fn feed(&mut self, input: Input) -> Vec<Output> {
        self.now += 1000;
        let i = TimedInput {
            at: self.now,
            input,
        };
        self.log.push(i.clone());
        self.call.handle(i)
    }

    pub fn start(&mut self, from: &str) -> Vec<Output> {
        self.feed(Input::Started {
            call_id: "CA-test".into(),
            from: Some(from.into()),
            to: "+15025550100".into(),
        })
    }

    pub fn answer(&mut self, answer: Answer) -> Vec<Output> {
        self.feed(Input::Answer { answer })
    }

    pub fn keys(&mut self, k: &str) -> Vec<Output> {
        self.feed(Input::Keys { keys: Keys::new(k) })
    }

    /// Call in as the known patient and reach the main menu.
    pub fn patient_at_menu(has_pin: bool) -> Phone {
        let mut p = Phone::new(tuesday_10am());
        p.start("+15025550142");
        let out = p.answer(Answer::Caller {
            territory: Some(territory(HERE, "Louisville")),
            caller: Caller::Patient {
                id: PATIENT,
                has_pin,
                locked: false,
                language: Some("en".into()),
            },
            practice: None,
        });
        assert!(said(&out, "Welcome to Healthcare Services"), "{out:?}");
        p
    }

    /// Choose 1 and pass verification.
    pub fn verified_order_prompt() -> Phone {
        let mut p = Phone::patient_at_menu(false);
        let out = p.keys("1");
        assert!(has_prompt(&out, "auth_dob"), "{out:?}");
        let out = p.keys("03141958");
        assert_eq!(
            request(&out),
            Some(Request::VerifyPatient {
                patient_id: PATIENT,
                dob: Keys::new("03141958"),
                pin: None
            })
        );
        let out = p.answer(verified_here());
        assert!(has_prompt(&out, "auth_ok"));
        assert!(has_prompt(&out, "order_enter_number"), "{out:?}");
        p
    }
}

pub fn territory(id: Uuid, name: &str) -> Territory {
    Territory {
        id,
        name: name.into(),
        number: Some(format!("+1502555{:04}", id.as_u128() % 10_000)),
    }
}

pub fn verified_here() -> Answer {
    Answer::Verified {
        ok: true,
        locked: false,
        subject: Some(Subject::Patient(PATIENT)),
        territory: Some(territory(HERE, "Louisville")),
    }
}

pub fn failed() -> Answer {
    Answer::Verified {
        ok: false,
        locked: false,
        subject: None,
        territory: None,
    }
}

pub fn said(out: &[Output], text: &str) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Say { text: t, .. } if t.contains(text)))
}

pub fn has_prompt(out: &[Output], key: &str) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Say { key: Some(k), .. } if k == key))
}

pub fn request(out: &[Output]) -> Option<Request> {
    out.iter().find_map(|o| match o {
        Output::Request(r) => Some(r.clone()),
        _ => None,
    })
}

pub fn events(out: &[Output]) -> Vec<CallEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

pub fn event<'a>(out: &'a [Output], action: &str) -> Option<&'a CallEvent> {
    out.iter().find_map(|o| match o {
        Output::Event(e) if e.action == action => Some(e),
        _ => None,
    })
}

pub fn transfer(out: &[Output]) -> Option<TransferTarget> {
    out.iter().find_map(|o| match o {
        Output::Transfer { target, .. } => Some(target.clone()),
        _ => None,
    })
}

pub fn gather(out: &[Output]) -> Option<Gather> {
    out.iter().find_map(|o| match o {
        Output::Gather(g) => Some(g.clone()),
        _ => None,
    })
}
