//! TwiML for voice calls: the XML document that answers a Twilio voice webhook and says what
//! the call does next.
//!
//! Element and attribute names are the ones in Twilio's TwiML reference. Every callback
//! (`action`, `Redirect`) says `method="POST"` explicitly: Twilio signs the form parameters of a
//! POST, and it puts a GET's parameters into the URL instead. One method everywhere keeps
//! signature checking in one shape.

use std::fmt::Write as _;

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Text-to-speech. `language` and `voice` use Twilio's values (`en-US`, `Polly.Joanna`, …).
    Say {
        text: String,
        language: Option<String>,
        voice: Option<String>,
    },
    /// Play an audio file from `url`.
    Play {
        url: String,
    },
    /// Silence.
    Pause {
        seconds: u32,
    },
    /// Collect keypad digits. Twilio POSTs them to `action`.
    Gather {
        action: String,
        /// Stop after this many digits.
        num_digits: Option<u32>,
        /// Seconds of silence, after the prompt or between digits, before Twilio gives up.
        timeout_secs: u32,
        /// The key that ends input. `None` renders `finishOnKey=""`, which is how Twilio
        /// turns the terminator off. Leaving the attribute out would mean `#`.
        finish_on_key: Option<char>,
        /// Call `action` even when the caller entered nothing. Otherwise Twilio moves on to the
        /// next verb.
        action_on_empty_result: bool,
        /// The prompt played while gathering. Twilio allows only `Say`, `Play` and `Pause`
        /// here, so any other verb is left out (and panics in debug builds).
        nested: Vec<Verb>,
    },
    /// Connect the call to a phone number.
    Dial {
        number: String,
        caller_id: Option<String>,
        /// Seconds to let the other side ring.
        timeout_secs: Option<u32>,
        /// Where Twilio POSTs the outcome when the dialled call ends.
        action: Option<String>,
        /// Keys Twilio plays once the number answers (`w` waits half a second): a staff
        /// member's extension behind the practice's main line. Written as `<Number sendDigits>`.
        send_digits: Option<String>,
    },
    /// Fetch the next TwiML from `url`.
    Redirect {
        url: String,
    },
    Hangup,
    /// A bidirectional Media Stream: the call's audio both ways over a WebSocket to `url`
    /// (`wss://…`), with `<Parameter>`s for the stream's `start` message. When the stream
    /// ends, Twilio POSTs to `action` and runs the TwiML it answers.
    Connect {
        action: String,
        url: String,
        parameters: Vec<(String, String)>,
    },
    /// Messaging TwiML: answer an incoming text with this one.
    Message {
        body: String,
    },
}

/// A complete TwiML document: `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>`.
pub fn response(verbs: &[Verb]) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#);
    for verb in verbs {
        write_verb(&mut out, verb);
    }
    out.push_str("</Response>");
    out
}

fn write_verb(out: &mut String, verb: &Verb) {
    match verb {
        Verb::Say {
            text,
            language,
            voice,
        } => {
            let mut attrs = Vec::new();
            if let Some(language) = language {
                attrs.push(("language", language.clone()));
            }
            if let Some(voice) = voice {
                attrs.push(("voice", voice.clone()));
            }
            text_element(out, "Say", &attrs, text);
        }
        Verb::Play { url } => text_element(out, "Play", &[], url),
        Verb::Pause { seconds } => empty_element(out, "Pause", &[("length", seconds.to_string())]),
        Verb::Gather {
            action,
            num_digits,
            timeout_secs,
            finish_on_key,
            action_on_empty_result,
            nested,
        } => {
            let mut attrs = vec![("action", action.clone()), ("method", "POST".into())];
            if let Some(num_digits) = num_digits {
                attrs.push(("numDigits", num_digits.to_string()));
            }
            attrs.push(("timeout", timeout_secs.to_string()));
            attrs.push((
                "finishOnKey",
                finish_on_key.map(String::from).unwrap_or_default(),
            ));
            attrs.push(("actionOnEmptyResult", action_on_empty_result.to_string()));

            // Twilio rejects a Gather that nests anything else and plays the caller an
            // "application error". Leaving the verb out keeps the call going.
            let allowed = |v: &&Verb| {
                let ok = matches!(v, Verb::Say { .. } | Verb::Play { .. } | Verb::Pause { .. });
                debug_assert!(ok, "Twilio allows only Say, Play and Pause inside Gather");
                ok
            };
            let nested: Vec<&Verb> = nested.iter().filter(allowed).collect();
            if nested.is_empty() {
                empty_element(out, "Gather", &attrs);
            } else {
                open_tag(out, "Gather", &attrs);
                out.push('>');
                for verb in nested {
                    write_verb(out, verb);
                }
                out.push_str("</Gather>");
            }
        }
        Verb::Dial {
            number,
            caller_id,
            timeout_secs,
            action,
            send_digits,
        } => {
            let mut attrs = Vec::new();
            if let Some(action) = action {
                attrs.push(("action", action.clone()));
                attrs.push(("method", "POST".into()));
            }
            if let Some(caller_id) = caller_id {
                attrs.push(("callerId", caller_id.clone()));
            }
            if let Some(timeout) = timeout_secs {
                attrs.push(("timeout", timeout.to_string()));
            }
            match send_digits {
                None => text_element(out, "Dial", &attrs, number),
                Some(digits) => {
                    open_tag(out, "Dial", &attrs);
                    out.push('>');
                    text_element(out, "Number", &[("sendDigits", digits.clone())], number);
                    out.push_str("</Dial>");
                }
            }
        }
        Verb::Redirect { url } => {
            text_element(out, "Redirect", &[("method", "POST".into())], url);
        }
        Verb::Hangup => empty_element(out, "Hangup", &[]),
        Verb::Connect {
            action,
            url,
            parameters,
        } => {
            open_tag(
                out,
                "Connect",
                &[("action", action.clone()), ("method", "POST".into())],
            );
            out.push('>');
            open_tag(out, "Stream", &[("url", url.clone())]);
            if parameters.is_empty() {
                out.push_str("/>");
            } else {
                out.push('>');
                for (name, value) in parameters {
                    empty_element(
                        out,
                        "Parameter",
                        &[("name", name.clone()), ("value", value.clone())],
                    );
                }
                out.push_str("</Stream>");
            }
            out.push_str("</Connect>");
        }
        Verb::Message { body } => text_element(out, "Message", &[], body),
    }
}

/// `<name attr="…"` with no closing `>`, so the caller decides between `/>` and a body.
fn open_tag(out: &mut String, name: &str, attrs: &[(&str, String)]) {
    out.push('<');
    out.push_str(name);
    for (attr, value) in attrs {
        let _ = write!(out, " {attr}=\"");
        push_escaped(out, value);
        out.push('"');
    }
}

fn empty_element(out: &mut String, name: &str, attrs: &[(&str, String)]) {
    open_tag(out, name, attrs);
    out.push_str("/>");
}

fn text_element(out: &mut String, name: &str, attrs: &[(&str, String)], text: &str) {
    open_tag(out, name, attrs);
    out.push('>');
    push_escaped(out, text);
    let _ = write!(out, "</{name}>");
}

/// Appends `s` as XML character data that is also safe inside a double- or single-quoted
/// attribute.
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Written as references because an XML parser turns a literal tab or newline in an
            // attribute into a space, and a literal CR anywhere into LF.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            // XML 1.0 cannot carry other control characters or U+FFFE/U+FFFF at all, even as a
            // reference. Dropping them keeps the document well-formed, and they mean nothing
            // to text-to-speech or in a URL.
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dial_to_an_extension_keys_it_once_the_line_answers() {
        let xml = response(&[Verb::Dial {
            number: "+15125550100".into(),
            caller_id: None,
            timeout_secs: Some(30),
            action: None,
            send_digits: Some("ww101".into()),
        }]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let dial = doc.descendants().find(|n| n.has_tag_name("Dial")).unwrap();
        assert_eq!(dial.attribute("timeout"), Some("30"));
        let number = dial
            .children()
            .find(|n| n.has_tag_name("Number"))
            .expect(&xml);
        assert_eq!(number.attribute("sendDigits"), Some("ww101"));
        assert_eq!(number.text(), Some("+15125550100"));
    }

    use super::*;

    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    fn say(text: &str) -> Verb {
        Verb::Say {
            text: text.into(),
            language: None,
            voice: None,
        }
    }

    fn menu() -> Vec<Verb> {
        vec![
            Verb::Gather {
                action: "/twilio/voice/menu?call=42&step=1".into(),
                num_digits: Some(1),
                timeout_secs: 5,
                finish_on_key: None,
                action_on_empty_result: true,
                nested: vec![
                    Verb::Say {
                        text: "Press 1 for order status.".into(),
                        language: Some("en-US".into()),
                        voice: Some("Polly.Joanna".into()),
                    },
                    Verb::Pause { seconds: 1 },
                    Verb::Play {
                        url: "https://cdn.example.com/menu.mp3".into(),
                    },
                ],
            },
            Verb::Dial {
                number: "+15025550142".into(),
                caller_id: Some("+18005551212".into()),
                timeout_secs: Some(20),
                action: Some("/twilio/voice/dial-done".into()),
                send_digits: None,
            },
            Verb::Hangup,
        ]
    }

    #[test]
    fn gather_dial_and_hangup_render_exactly() {
        let expected = format!(
            "{DECL}<Response>\
             <Gather action=\"/twilio/voice/menu?call=42&amp;step=1\" method=\"POST\" \
             numDigits=\"1\" timeout=\"5\" finishOnKey=\"\" actionOnEmptyResult=\"true\">\
             <Say language=\"en-US\" voice=\"Polly.Joanna\">Press 1 for order status.</Say>\
             <Pause length=\"1\"/>\
             <Play>https://cdn.example.com/menu.mp3</Play>\
             </Gather>\
             <Dial action=\"/twilio/voice/dial-done\" method=\"POST\" callerId=\"+18005551212\" \
             timeout=\"20\">+15025550142</Dial>\
             <Hangup/>\
             </Response>"
        );
        assert_eq!(response(&menu()), expected);
    }

    #[test]
    fn minimal_forms_render_exactly() {
        let verbs = [
            Verb::Gather {
                action: "/g".into(),
                num_digits: None,
                timeout_secs: 3,
                finish_on_key: Some('#'),
                action_on_empty_result: false,
                nested: vec![],
            },
            Verb::Dial {
                number: "+15025550142".into(),
                caller_id: None,
                timeout_secs: None,
                action: None,
                send_digits: None,
            },
            Verb::Redirect {
                url: "/twilio/voice/next".into(),
            },
        ];
        let connect = response(&[Verb::Connect {
            action: "https://h/twilio/stream-ended".into(),
            url: "wss://h/twilio/media".into(),
            parameters: vec![("attempt".into(), "1".into())],
        }]);
        assert_eq!(
            connect,
            format!(
                "{DECL}<Response><Connect action=\"https://h/twilio/stream-ended\" method=\"POST\">\
                 <Stream url=\"wss://h/twilio/media\"><Parameter name=\"attempt\" value=\"1\"/>\
                 </Stream></Connect></Response>"
            )
        );
        assert_eq!(
            response(&verbs),
            format!(
                "{DECL}<Response>\
                 <Gather action=\"/g\" method=\"POST\" timeout=\"3\" finishOnKey=\"#\" \
                 actionOnEmptyResult=\"false\"/>\
                 <Dial>+15025550142</Dial>\
                 <Redirect method=\"POST\">/twilio/voice/next</Redirect>\
                 </Response>"
            )
        );
    }

    #[test]
    fn empty_response_is_a_document() {
        assert_eq!(response(&[]), format!("{DECL}<Response></Response>"));
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let verbs = [Verb::Say {
            text: r#"<script>&"'"#.into(),
            language: None,
            voice: Some(r#"a"b'c<d>&e"#.into()),
        }];
        assert_eq!(
            response(&verbs),
            format!(
                "{DECL}<Response><Say voice=\"a&quot;b&apos;c&lt;d&gt;&amp;e\">\
                 &lt;script&gt;&amp;&quot;&apos;</Say></Response>"
            )
        );
    }

    #[test]
    fn control_characters_cannot_break_the_document() {
        let xml = response(&[say("line one\nline\ttwo\r\u{0}\u{1b}\u{FFFE} end")]);
        assert!(xml.contains("<Say>line one&#10;line&#9;two&#13; end</Say>"));
        roxmltree::Document::parse(&xml).expect("well-formed");
    }

    #[test]
    fn output_parses_as_xml_with_the_same_content() {
        let mut verbs = menu();
        verbs.push(say(r#"<script>alert("x")</script> & 'more' — Ünïcode 📞"#));
        let xml = response(&verbs);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "Response");

        let children: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        let names: Vec<_> = children.iter().map(|n| n.tag_name().name()).collect();
        assert_eq!(names, ["Gather", "Dial", "Hangup", "Say"]);

        let gather = children[0];
        assert_eq!(
            gather.attribute("action"),
            Some("/twilio/voice/menu?call=42&step=1")
        );
        assert_eq!(gather.attribute("finishOnKey"), Some(""));
        assert_eq!(gather.attribute("numDigits"), Some("1"));
        let nested: Vec<_> = gather
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(nested, ["Say", "Pause", "Play"]);

        assert_eq!(
            children[3].text(),
            Some(r#"<script>alert("x")</script> & 'more' — Ünïcode 📞"#)
        );
    }
}
