//! Which platforms report deliveries and reads at all. A rate a platform cannot report is
//! "not reported by this platform", never 0: a Telegram channel post with no delivery receipt
//! was not "delivered to nobody", and reading it as 0% would make every comparison with
//! WhatsApp or Viber meaningless.

use crate::channel::{ChannelRef, Platform};

/// What a rate cell says instead of a number when the platform does not report its numerator.
pub const NOT_REPORTED: &str = "not reported by this platform";

/// The partner receipts a rate rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// The partner says the message reached the device (WhatsApp `delivered`, Viber
    /// `delivered`).
    Delivered,
    /// The partner says the message was opened (WhatsApp `read`, Viber `seen`).
    Read,
}

impl Receipt {
    /// The receipt the numerator of a rate counts (`delivered` or `read`), if it is one.
    pub fn counted_by(metric: &str) -> Option<Receipt> {
        match metric {
            "delivered" => Some(Receipt::Delivered),
            "read" => Some(Receipt::Read),
            _ => None,
        }
    }
}

/// `Ok` when `platform` reports `receipt`, else why not (the reason the report's definitions
/// give).
pub fn reports(platform: Platform, receipt: Receipt) -> Result<(), &'static str> {
    // Both receipts come from the same status callbacks, except that SMS is never "read".
    match (platform, receipt) {
        (Platform::WhatsApp | Platform::Viber, _) | (Platform::Sms, Receipt::Delivered) => Ok(()),
        (Platform::Sms, Receipt::Read) => Err(
            "SMS has no read receipts: networks report only whether a message reached the phone.",
        ),
        (Platform::Telegram, _) => {
            Err("Telegram sends no delivery or read receipts for channel posts or bot messages.")
        }
        (Platform::Facebook | Platform::X | Platform::MetaAds, _) => Err(
            "Facebook and X posts (and ads) are published, not delivered to a person: there is no delivery or read to report; see reach instead.",
        ),
        (Platform::Webhook, _) => {
            Err("Generic signed webhooks send herald no delivery or read receipts.")
        }
    }
}

/// Why a column that sums several channels shows no rate when one of them lacks the receipt.
pub const MIXED: &str = "The column sums channels that report receipts with channels that do not, so no rate over it would be a true one; break the report down by channel.";

/// [`reports`] for a report column: the channels (`platform:account`) whose counts it sums.
/// A column reports a receipt only if each of its channels does.
pub fn column_reports<'a>(
    channels: impl IntoIterator<Item = &'a str>,
    receipt: Receipt,
) -> Result<(), &'static str> {
    let mut seen = 0usize;
    let mut refused = None;
    for channel in channels {
        seen += 1;
        let why = match ChannelRef::parse(channel) {
            Ok(channel) => reports(channel.platform, receipt).err(),
            Err(_) => Some(UNKNOWN_CHANNEL),
        };
        if refused.is_none() {
            refused = why;
        }
    }
    match refused {
        None => Ok(()),
        Some(why) if seen == 1 => Err(why),
        Some(_) => Err(MIXED),
    }
}

/// Why a column named after no known platform has no rate.
const UNKNOWN_CHANNEL: &str = "The channel is not one herald knows, so its receipts are unknown.";
