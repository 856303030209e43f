//! The words that stop or start SMS, per language. An SMS reader has no button to press: a
//! keyword is the only way to leave, so it must work in the language people write. The lists
//! start from the carriers' and Twilio's English defaults (STOP, STOPALL, UNSUBSCRIBE, CANCEL,
//! END, QUIT, REVOKE, OPTOUT; START, UNSTOP) and add the plain imperative "stop" / "start"
//! (or "cancel the subscription") in each language herald's audiences write.
//!
//! A message is a keyword only when it is nothing but the keyword (after trimming, folding case
//! and diacritics, and dropping trailing punctuation): "stop sending me this, I'll read it
//! later" is just text. Every list is honoured on every account, whatever locale the person
//! subscribed in: someone who writes "ARRÊT" to a Dutch account still leaves.

use super::keywords::fold;

/// Opt-out words by locale, as folded by [`fold`] (lower case, without diacritics).
pub const SMS_STOP_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "stop",
            "stopall",
            "stop all",
            "unsubscribe",
            "cancel",
            "end",
            "quit",
            "revoke",
            "optout",
            "opt out",
        ],
    ),
    (
        "fr",
        &["arret", "arreter", "stop", "desabonner", "desinscrire"],
    ),
    ("es", &["alto", "parar", "baja", "cancelar"]),
    ("de", &["halt", "stopp", "abmelden"]),
    ("nl", &["stop", "afmelden", "uitschrijven"]),
    ("pt", &["parar", "sair", "cancelar"]),
    ("it", &["basta", "alt", "disiscrivi"]),
    ("tr", &["dur", "iptal"]),
    ("uk", &["стоп", "відписатися"]),
    ("ru", &["стоп", "отписаться"]),
    ("ar", &["إيقاف", "ايقاف", "توقف", "الغاء", "إلغاء"]),
    ("fa", &["توقف", "لغو"]),
    ("prs", &["توقف", "لغو", "بس"]),
    ("ps", &["ودروه", "بند", "بس"]),
    ("ti", &["ኣቋርጽ", "ደው"]),
    ("so", &["jooji", "joogso"]),
    ("am", &["አቁም"]),
];

/// Opt-in words by locale, folded likewise. A word may be followed by what the person's link
/// carried (`START in-eu fr`).
pub const SMS_START_WORDS: &[(&str, &[&str])] = &[
    ("en", &["start", "unstop", "subscribe"]),
    ("fr", &["demarrer", "abonner"]),
    ("es", &["inicio", "alta"]),
    ("de", &["anmelden"]),
    ("nl", &["aanmelden"]),
    ("pt", &["iniciar"]),
    ("it", &["inizia"]),
    ("tr", &["başla"]),
    ("uk", &["старт"]),
    ("ru", &["старт"]),
    ("ar", &["ابدأ", "ابدا", "اشتراك"]),
    ("fa", &["شروع"]),
    ("prs", &["شروع"]),
    ("ps", &["پیل"]),
    ("ti", &["ጀምር"]),
    ("so", &["bilow"]),
    ("am", &["ጀምር"]),
];

/// Whether `text` is nothing but an opt-out word of any locale.
pub(super) fn is_sms_stop(text: &str) -> bool {
    let folded = fold(text);
    SMS_STOP_WORDS
        .iter()
        .any(|(_, words)| words.contains(&folded.as_str()))
}

/// `Some(payload)` if `text` starts with an opt-in word of any locale (`payload` is what
/// follows it, if anything).
pub(super) fn sms_start(text: &str) -> Option<Option<String>> {
    let folded = fold(text);
    let (first, rest) = match folded.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim()),
        None => (folded.as_str(), ""),
    };
    SMS_START_WORDS
        .iter()
        .any(|(_, words)| words.contains(&first))
        .then(|| (!rest.is_empty()).then(|| original_tail(text, rest)))
}

/// What follows the keyword, as the person wrote it (segment and locale names are matched as
/// written, and folding changed only case and marks).
fn original_tail(text: &str, folded_rest: &str) -> String {
    let trimmed = text.trim();
    let words = folded_rest.split_whitespace().count();
    let original: Vec<&str> = trimmed.split_whitespace().collect();
    original[original.len().saturating_sub(words)..].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_in_each_language() {
        for text in [
            "STOP",
            "Stop.",
            "STOPALL",
            "stop all",
            "UNSUBSCRIBE",
            "Cancel",
            "END",
            "quit!",
            "REVOKE",
            "OPTOUT",
            "ARRÊT",
            "arret",
            "ALTO",
            "Baja",
            "HALT",
            "Stopp",
            "إيقاف",
            "ايقاف",
            "توقف",
            " توقّف ",
            "لغو",
            "ودروه",
            "ኣቋርጽ",
            "JOOJI",
            "стоп",
            "Afmelden",
        ] {
            assert!(is_sms_stop(text), "{text:?}");
        }
        for text in ["stop sending this please", "halte", "", "start", "stopped"] {
            assert!(!is_sms_stop(text), "{text:?}");
        }
    }

    #[test]
    fn start_words_with_and_without_what_follows() {
        assert_eq!(sms_start("START"), Some(None));
        assert_eq!(sms_start("unstop"), Some(None));
        assert_eq!(sms_start("Start in-eu fr"), Some(Some("in-eu fr".into())));
        assert_eq!(sms_start("ابدأ ar"), Some(Some("ar".into())));
        assert_eq!(sms_start("ጀምር"), Some(None));
        assert_eq!(sms_start("BILOW"), Some(None));
        assert_eq!(sms_start("started reading, thanks"), None);
        assert_eq!(sms_start("hello"), None);
        assert_eq!(sms_start(""), None);
    }

    #[test]
    fn every_listed_word_is_already_folded() {
        for (locale, words) in SMS_STOP_WORDS.iter().chain(SMS_START_WORDS) {
            for word in *words {
                assert_eq!(fold(word), *word, "{locale}: {word}");
            }
        }
    }
}
