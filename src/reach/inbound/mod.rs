//! Callbacks from messaging partners (Telegram updates, WhatsApp and Meta webhooks, Viber
//! callbacks, Twilio's SMS webhooks): checking that they really come from the partner, and reading them into
//! [`InboundEvent`]s — delivery states, people subscribing or leaving, their words and choices.
//!
//! Everything here is pure and synchronous: no storage and no HTTP server, so that the
//! receiving routes stay thin and every rule is unit-tested. A receiver checks the signature
//! on the raw body first, then parses, then acts; identifiers in the events must be hashed or
//! encrypted before they are stored and are never logged (the events' `Debug` hides them).

mod event;
mod event_window;
mod keywords;
mod meta;
mod payload;
mod signature;
mod sms_keywords;
mod telegram;
mod twilio;
mod viber;

pub use event::{DeliveryStatus, EventStamp, InboundEvent, OptOutReason, StatusEvent};
pub use event_window::{EventWindow, Timeliness};
pub use meta::{
    HUB_SIGNATURE_HEADER, answer_hub_challenge, parse_whatsapp, phone_number_ids,
    verify_hub_signature,
};
pub use payload::ParseError;
pub use signature::{SignatureError, hmac_sha256_hex};
pub use sms_keywords::{SMS_START_WORDS, SMS_STOP_WORDS};
pub use telegram::{TELEGRAM_SECRET_HEADER, parse_telegram, verify_telegram};
pub use twilio::{
    FormParams, MAX_TWILIO_PARAMS, TWILIO_SIGNATURE_HEADER, parse_twilio, read_twilio_form,
    twilio_signature, verify_twilio,
};
pub use viber::{VIBER_SIGNATURE_HEADER, parse_viber, verify_viber};
