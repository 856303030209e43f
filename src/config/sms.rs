//! The keys only an SMS account has: `sender` (who its messages say they are from) and
//! `max_segments` (how many parts one text may cost), and the status-callback URL herald asks
//! Twilio to report deliveries to.

use crate::channel::Platform;
use crate::sms::{DEFAULT_MAX_SEGMENTS, MAX_MAX_SEGMENTS, SenderId};
use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::TableReader;

/// The keys of an `[[accounts]]` entry that only SMS accounts may have.
pub(super) const SMS_KEYS: &[&str] = &["sender", "max_segments"];

/// How an SMS account sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSettings {
    /// Twilio's `From`: a number, a short code or an alphanumeric sender id.
    pub sender: SenderId,
    /// The most parts one rendered text may be sent as; validation refuses more.
    pub max_segments: usize,
    /// `{public_url}/hooks/sms/{account}` when `public_url` is https (Twilio calls nothing
    /// else); without one, Twilio reports to the number's or service's configured URL.
    pub status_callback: Option<String>,
}

/// Reads `sender` and `max_segments`: required (`sender`) and checked for an SMS account,
/// refused on any other.
pub(super) fn read_sms(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    platform: Option<Platform>,
    diags: &mut Diagnostics,
) -> Option<SmsSettings> {
    let sender = reader.opt_str("sender", diags);
    let max_segments = reader.opt_int("max_segments", diags);
    if platform != Some(Platform::Sms) {
        for key in SMS_KEYS {
            if reader.get(key).is_some() {
                diags.error(
                    file,
                    reader.span_of(key),
                    format!("`{key}` is only for accounts with platform = \"sms\""),
                );
            }
        }
        return None;
    }
    let max_segments = match max_segments {
        None => DEFAULT_MAX_SEGMENTS,
        Some(n) => match usize::try_from(n.value) {
            Ok(value) if (1..=MAX_MAX_SEGMENTS).contains(&value) => value,
            _ => {
                diags.error(
                    file,
                    n.span,
                    format!("`max_segments` must be a whole number from 1 to {MAX_MAX_SEGMENTS}"),
                );
                DEFAULT_MAX_SEGMENTS
            }
        },
    };
    let Some(sender) = sender else {
        diags.error(
            file,
            reader.span(),
            "an sms account needs `sender`: its phone number (`+31970102030`), short code or alphanumeric sender id",
        );
        return None;
    };
    match SenderId::parse(&sender.value) {
        Ok(parsed) => Some(SmsSettings {
            sender: parsed,
            max_segments,
            status_callback: None,
        }),
        Err(error) => {
            diags.error(file, sender.span, format!("`sender`: {error}"));
            None
        }
    }
}

/// Sets where Twilio reports the deliveries of an SMS `account`'s messages, given the
/// deployment's `public_url`: herald's hook when the URL is https (Twilio calls nothing else),
/// else nowhere in particular.
pub(super) fn set_status_callback(account: &mut super::Account, public_url: &str) {
    let name = &account.channel.account;
    if let Some(sms) = &mut account.sms {
        sms.status_callback = public_url
            .starts_with("https://")
            .then(|| format!("{public_url}/hooks/sms/{name}"));
    }
}
