//! What is particular to SMS, whichever part of herald asks: how many parts (segments) a text
//! costs and in which encoding, and which senders may reach which countries. Pure, and it
//! imports nothing of herald's, so validation, preview, the adapter and the sandbox all count
//! the same way.

mod segments;
mod sender_id;

pub use segments::{SmsEncoding, SmsSegments, count_segments};
pub use sender_id::{ALPHANUMERIC_FORBIDDEN, SenderId, SenderIdError};

/// The most parts an account sends one text as, when its configuration does not say.
pub const DEFAULT_MAX_SEGMENTS: usize = 5;

/// The most parts an account may allow: Twilio advises against more than 10 for deliverability,
/// and its 1600-character limit ends there for GSM-7 anyway.
pub const MAX_MAX_SEGMENTS: usize = 10;

/// The longest `Body` Twilio takes, in characters.
pub const MAX_BODY_CHARS: usize = 1600;
