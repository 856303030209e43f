//! What a person's words mean to herald: a stop word ends their subscription, a start command
//! begins one, anything else is just text. Stop words are honoured on every platform and in the
//! audience's languages, because a person who cannot make the messages stop in their own
//! language has not really consented to them.

use super::event::{EventStamp, InboundEvent, OptOutReason};

/// Stop words, compared after trimming, lower-casing and removing diacritics and trailing
/// punctuation. English and the platforms' conventions, French (`arrêt`), Arabic and Persian
/// (`توقف`, written the same in both).
const STOP_WORDS: &[&str] = &[
    "stop",
    "/stop",
    "unsubscribe",
    "/unsubscribe",
    "arret",
    "توقف",
];

/// The start command a platform uses for subscriptions: Telegram's `/start <payload>` (what a
/// `t.me/<bot>?start=<payload>` link sends), WhatsApp's `START <payload>` (a `wa.me` link's
/// prefilled text). Viber subscribes through its own control, so it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StartCommand {
    Slash,
    Word,
    None,
}

/// The event a person's text amounts to. `language` is the app's language, when the platform
/// reports it, and goes with a subscription; `stamp` is the message's id and time, with which a
/// subscription or an opt-out is applied once and in order.
pub(super) fn text_event(
    user: String,
    text: &str,
    start: StartCommand,
    language: Option<String>,
    stamp: EventStamp,
) -> InboundEvent {
    if is_stop_word(text) {
        return InboundEvent::Unsubscribe {
            user,
            reason: OptOutReason::Stop,
            stamp,
        };
    }
    if let Some(payload) = start_payload(text, start) {
        return InboundEvent::Subscribe {
            user,
            language,
            payload,
            stamp,
        };
    }
    InboundEvent::Text {
        user,
        text: text.to_string(),
    }
}

/// Whether `text` is a stop word: surrounding spaces, case, diacritics (`ARRÊT`, Arabic
/// harakat), trailing `.`, `!`, `?`, `؟` and a Telegram bot suffix (`/stop@herald_bot`) do
/// not matter.
pub(super) fn is_stop_word(text: &str) -> bool {
    let folded = fold(text);
    let folded = strip_bot_suffix(&folded);
    STOP_WORDS.contains(&folded)
}

/// `Some(payload)` if `text` is the platform's start command (`payload` is `None` when
/// nothing follows it).
fn start_payload(text: &str, start: StartCommand) -> Option<Option<String>> {
    let text = text.trim();
    let (command, rest) = match text.split_once(char::is_whitespace) {
        Some((command, rest)) => (command, rest.trim()),
        None => (text, ""),
    };
    let matches = match start {
        StartCommand::Slash => strip_bot_suffix(&command.to_lowercase()) == "/start",
        StartCommand::Word => command.eq_ignore_ascii_case("start"),
        StartCommand::None => false,
    };
    matches.then(|| (!rest.is_empty()).then(|| rest.to_string()))
}

/// `/stop@herald_bot` → `/stop`: Telegram appends the bot's name to commands in groups.
fn strip_bot_suffix(command: &str) -> &str {
    match command.split_once('@') {
        Some((head, _)) if head.starts_with('/') => head,
        _ => command,
    }
}

/// Lower-cased, without combining marks (Latin accents in decomposed form, Arabic harakat and
/// tatweel), with precomposed French accents folded, and trailing punctuation removed.
pub(super) fn fold(text: &str) -> String {
    let folded: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !is_mark(*c))
        .map(|c| match c {
            'à' | 'â' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            other => other,
        })
        .collect();
    folded
        .trim_end_matches(['.', '!', '?', '؟', '۔'])
        .trim()
        .to_string()
}

fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks
        | '\u{064B}'..='\u{065F}' // Arabic harakat
        | '\u{0670}'              // superscript alef
        | '\u{0640}'              // tatweel
        | '\u{200C}'..='\u{200F}' // zero-width joiners and direction marks
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_in_every_form() {
        for text in [
            "STOP",
            "stop",
            "Stop",
            "  Stop  ",
            "stop!",
            "/stop",
            "/stop@herald_bot",
            "UNSUBSCRIBE",
            "ARRET",
            "ARRÊT",
            "arrêt",
            "ARRE\u{0302}T",
            "توقف",
            " توقّف ",
            "توقف؟",
        ] {
            assert!(is_stop_word(text), "{text:?}");
        }
        for text in [
            "stop sending me this? no, keep going",
            "stopp",
            "",
            "start",
            "don't stop",
        ] {
            assert!(!is_stop_word(text), "{text:?}");
        }
    }

    #[test]
    fn start_commands_per_platform() {
        let stamp = EventStamp::new(
            "m1".into(),
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        );
        let event = |text: &str, start| {
            text_event("u1".into(), text, start, Some("ar".into()), stamp.clone())
        };
        assert_eq!(
            event("/start avr-nl", StartCommand::Slash),
            InboundEvent::Subscribe {
                user: "u1".into(),
                language: Some("ar".into()),
                payload: Some("avr-nl".into()),
                stamp: stamp.clone()
            }
        );
        assert_eq!(
            event("/start", StartCommand::Slash),
            InboundEvent::Subscribe {
                user: "u1".into(),
                language: Some("ar".into()),
                payload: None,
                stamp: stamp.clone()
            }
        );
        assert!(matches!(
            event("/start@herald_bot x", StartCommand::Slash),
            InboundEvent::Subscribe { payload: Some(p), .. } if p == "x"
        ));
        assert!(matches!(
            event("START campaign-7", StartCommand::Word),
            InboundEvent::Subscribe { payload: Some(p), .. } if p == "campaign-7"
        ));
        assert!(matches!(
            event("start", StartCommand::Word),
            InboundEvent::Subscribe { payload: None, .. }
        ));
        // Each platform has its own command; the other's is just text.
        assert!(matches!(
            event("START", StartCommand::Slash),
            InboundEvent::Text { .. }
        ));
        assert!(matches!(
            event("/start", StartCommand::Word),
            InboundEvent::Text { .. }
        ));
        assert!(matches!(
            event("start", StartCommand::None),
            InboundEvent::Text { .. }
        ));
        assert!(matches!(
            event("/stop", StartCommand::Slash),
            InboundEvent::Unsubscribe {
                reason: OptOutReason::Stop,
                ..
            }
        ));
        assert_eq!(
            event("where is the office?", StartCommand::Slash),
            InboundEvent::Text {
                user: "u1".into(),
                text: "where is the office?".into()
            }
        );
    }
}
