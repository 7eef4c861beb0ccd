//! Order status and insurance status: asking for an order number, looking it up among the
//! verified caller's own orders and reading it out (shipping, carrier, tracking), and reading
//! out the patient's latest insurance verification.

use super::{Call, ErrorCode, Insurance, OrderInfo, Phase, Request};
use crate::speech;

impl Call {
    pub(super) fn ask_order_number(&mut self, back_to: Option<String>) {
        self.say("order_enter_number", &[]);
        let spec = self.entry_spec(1, 12);
        self.ask(Phase::OrderNumber { back_to }, spec);
    }

    pub(super) fn order_number_entry(&mut self, back_to: Option<String>, entry: String) {
        if entry.is_empty() {
            self.entry_failed(true, |c| c.ask_order_number(back_to));
            return;
        }
        let Some(subject) = self.subject else {
            self.system_error("order lookup without a verified caller");
            return;
        };
        self.request(
            Phase::OrderNumber { back_to },
            Request::OrderStatus {
                subject,
                order_number: entry,
            },
        );
    }

    pub(super) fn order_answered(&mut self, order: Option<OrderInfo>, back_to: Option<String>) {
        match order {
            Some(o) => {
                self.event("check_order_status", "success", None, None);
                self.speak_order(&o);
                self.return_to_menu(back_to);
            }
            None => {
                self.event(
                    "check_order_status",
                    "not_found",
                    Some(ErrorCode::OrderNotFound),
                    Some(serde_json::json!({ "call_id": self.call_id })),
                );
                self.say("order_not_found", &[]);
                self.entry_failed(false, |c| c.ask_order_number(back_to));
            }
        }
    }

    fn speak_order(&mut self, o: &OrderInfo) {
        let status = match o.status.as_str() {
            "pending" => "received and waiting for approval",
            "approved" => "approved and being prepared",
            "processing" => "being prepared for shipping",
            "shipped" => "on its way",
            "delivered" => "delivered",
            "cancelled" => "cancelled",
            other => other,
        }
        .to_string();
        self.say(
            "order_status",
            &[("number", speech::digits(&o.number)), ("status", status)],
        );
        if o.status == "shipped" || o.status == "delivered" {
            if let (Some(d), Some(c), Some(t)) = (o.shipped_on, &o.carrier, &o.tracking) {
                self.say(
                    "order_shipped",
                    &[
                        ("date", speech::date(d)),
                        ("carrier", carrier_words(c)),
                        ("tracking", speech::digits(t)),
                    ],
                );
            }
            if let Some(d) = o.delivered_on {
                self.say("order_delivered", &[("date", speech::date(d))]);
            }
        }
    }

    /// The caller chose to hear their insurance status.
    pub(super) fn check_insurance(&mut self) {
        match self.subject {
            Some(subject) => self.request(Phase::Menu, Request::InsuranceStatus { subject }),
            None => self.system_error("insurance lookup without a verified caller"),
        }
    }

    pub(super) fn insurance_answered(&mut self, insurance: Insurance) {
        self.event("verify_insurance", "success", None, None);
        self.speak_insurance(&insurance);
        self.return_to_menu(None);
    }

    fn speak_insurance(&mut self, i: &Insurance) {
        match i {
            Insurance::Approved {
                deductible_cents,
                copay_cents,
                coinsurance_percent,
                prior_auth_required,
            } => {
                let money = |c: &Option<i64>| {
                    c.map(speech::money_cents)
                        .unwrap_or_else(|| "not on file".into())
                };
                self.say(
                    "insurance_approved",
                    &[
                        ("deductible", money(deductible_cents)),
                        ("copay", money(copay_cents)),
                        (
                            "coinsurance",
                            coinsurance_percent
                                .map(speech::percent)
                                .unwrap_or_else(|| "not on file".into()),
                        ),
                    ],
                );
                if *prior_auth_required {
                    self.say("insurance_prior_auth", &[]);
                }
            }
            Insurance::Pending => self.say("insurance_pending", &[]),
            Insurance::InfoNeeded => self.say("insurance_info_needed", &[]),
            Insurance::Rejected => self.say("insurance_rejected", &[]),
            Insurance::None => self.say("insurance_none", &[]),
        }
    }
}

/// Carrier names as a person says them.
fn carrier_words(c: &str) -> String {
    match c.to_ascii_uppercase().as_str() {
        "UPS" => "U P S".into(),
        "USPS" => "the Postal Service".into(),
        "DHL" => "D H L".into(),
        "FEDEX" => "FedEx".into(),
        _ => c.to_string(),
    }
}
