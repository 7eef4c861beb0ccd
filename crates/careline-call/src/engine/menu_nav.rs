//! The menus: presenting the current one, acting on the key the caller chose, confirming an
//! option, and moving between menus (into a submenu, back, to the top) as an option or a
//! menu's limits say.

use super::{Call, Gather, Phase};
use crate::menu::{Action, MenuOption};

/// The option a caller chose before verification, run once they are verified. Stored by its
/// menu and key so the engine state stays plain data.
fn option_ref(menu: &str, key: &str) -> String {
    format!("{menu}/{key}")
}

impl Call {
    /// The menu this call starts at: a practice's own line has its own (`practice_start`).
    pub(super) fn start_menu(&self) -> &str {
        match (&self.practice, &self.cfg.practice_start) {
            (Some(_), Some(m)) => m,
            _ => &self.cfg.start,
        }
    }

    pub(super) fn present_menu(&mut self) {
        let Some(menu) = self.current_menu().cloned() else {
            self.system_error("the menu to present does not exist");
            return;
        };
        let p = self.cfg.menu_prompts(&menu, &self.language);
        // Each has its own key: a recording of the welcome must not replace the short greeting.
        let (greeting, key) = if self.presented {
            (p.greeting_short.clone(), "greeting_short")
        } else {
            (p.welcome.clone(), "welcome")
        };
        // A practice's line greets with the practice's own words, once, at the start menu.
        let practice_greeting = self
            .practice
            .as_ref()
            .and_then(|pl| pl.greeting.clone())
            .filter(|_| !self.presented && menu.id == self.start_menu() && !self.greeted);
        self.presented = true;
        if let Some(g) = practice_greeting {
            self.greeted = true;
            self.say_text(g, Some("practice.greeting".into()));
        } else if let Some(g) = greeting {
            self.say_text(g, Some(format!("menu.{}.{key}", menu.id)));
        }
        for (i, line) in p.options.iter().enumerate() {
            self.say_text(line.clone(), Some(format!("menu.{}.options.{i}", menu.id)));
        }
        let spec = Gather {
            min_digits: 1,
            max_digits: menu.digit_len,
            terminator: menu.terminator,
            first_timeout_ms: menu.first_digit_timeout_ms,
            inter_digit_timeout_ms: menu.inter_digit_timeout_ms,
            barge_in: menu.barge_in,
            secret: false,
            listen: None,
        };
        self.ask(Phase::Menu, spec);
    }

    /// Back to a menu after an action: `back_to` or the menu the caller was in.
    pub(super) fn return_to_menu(&mut self, back_to: Option<String>) {
        if let Some(m) = back_to
            && self.cfg.menus.contains_key(&m)
            && self.menu_stack.last() != Some(&m)
        {
            self.menu_stack.push(m);
            self.presented = false;
        }
        self.failures = 0;
        self.timeouts = 0;
        self.present_menu();
    }

    /// What a menu's on_max_* says to do.
    pub(super) fn run_navigation_or(&mut self, action: Action, reason: &str) {
        match action {
            Action::Hangup => self.hang_up("goodbye"),
            Action::Repeat => self.present_menu(),
            Action::Top => {
                self.menu_stack.truncate(1);
                self.presented = false;
                self.present_menu();
            }
            Action::Back => {
                if self.menu_stack.len() > 1 {
                    self.menu_stack.pop();
                }
                self.present_menu();
            }
            _ => self.transfer_agent(reason),
        }
    }

    pub(super) fn menu_entry(&mut self, entry: String) {
        let Some(menu) = self.current_menu().cloned() else {
            self.system_error("no current menu");
            return;
        };
        let p = self.cfg.menu_prompts(&menu, &self.language);
        if entry.is_empty() {
            self.event("menu_selection", "timeout", None, None);
            if let Some(t) = p.timeout.clone() {
                self.say_text(t, Some(format!("menu.{}.timeout", menu.id)));
            }
            self.entry_failed(true, |c| c.present_menu());
            return;
        }
        let Some(option) = menu.options.get(&entry).cloned() else {
            self.invalid_selection(&entry);
            if let Some(t) = p.invalid.clone() {
                self.say_text(t, Some(format!("menu.{}.invalid", menu.id)));
            }
            self.entry_failed(false, |c| c.present_menu());
            return;
        };
        self.event(
            "menu_selection",
            "success",
            None,
            Some(serde_json::json!({ "menu": menu.id, "option": option.action.as_str() })),
        );
        if option.confirm {
            let label = option
                .label
                .clone()
                .unwrap_or_else(|| option.action.as_str().replace('_', " "));
            self.say("confirm_option", &[("label", label)]);
            let spec = self.choice_spec();
            self.ask(Phase::ConfirmOption { key: entry }, spec);
            return;
        }
        self.run_option(&menu.id, &entry);
    }

    /// The caller's answer to "you chose X; press 1 to go on".
    pub(super) fn confirm_option_entry(&mut self, key: String, entry: String) {
        match entry.as_str() {
            "1" => {
                let menu = self.menu_stack.last().cloned().unwrap_or_default();
                self.run_option(&menu, &key);
            }
            "" => self.entry_failed(true, |c| c.present_menu()),
            _ => self.present_menu(),
        }
    }

    pub(super) fn option(&self, reference: &str) -> Option<MenuOption> {
        let (menu, key) = reference.split_once('/')?;
        self.cfg.menus.get(menu)?.options.get(key).cloned()
    }

    fn run_option(&mut self, menu: &str, key: &str) {
        let Some(option) = self
            .cfg
            .menus
            .get(menu)
            .and_then(|m| m.options.get(key))
            .cloned()
        else {
            self.system_error("the chosen option does not exist");
            return;
        };
        self.failures = 0;
        self.timeouts = 0;
        if option.requires_auth && self.subject.is_none() {
            self.begin_auth(option_ref(menu, key));
            return;
        }
        self.perform(&option);
    }

    pub(super) fn perform(&mut self, option: &MenuOption) {
        let back_to = option.next_menu.clone();
        match option.action {
            Action::CheckOrderStatus => self.ask_order_number(back_to),
            Action::ScheduleService => self.begin_scheduling(back_to),
            Action::VerifyInsurance => self.check_insurance(),
            Action::ContactProvider => self.contact_provider(back_to),
            Action::BookAppointment => self.begin_booking(back_to),
            Action::MyAppointments => self.begin_my_appointments(back_to),
            Action::LabResults => self.begin_lab_results(back_to),
            Action::RequestRefill => self.begin_refill(back_to),
            Action::LeaveMessage => self.begin_message(back_to),
            Action::TransferToAgent => {
                self.event("transfer_to_agent", "requested", None, None);
                self.transfer_agent("the caller chose to speak with a person");
            }
            Action::Menu => {
                if let Some(next) = &option.next_menu {
                    self.menu_stack.push(next.clone());
                    self.presented = false;
                }
                self.present_menu();
            }
            Action::Back => {
                if self.menu_stack.len() > 1 {
                    self.menu_stack.pop();
                }
                self.presented = false;
                self.present_menu();
            }
            Action::Top => {
                self.menu_stack.truncate(1);
                self.presented = false;
                self.present_menu();
            }
            Action::Repeat => self.present_menu(),
            Action::Hangup => self.hang_up("goodbye"),
        }
    }
}
