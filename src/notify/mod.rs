//! Staff notifications: approvers hear that a version awaits them; schedulers hear of dead
//! letters, unknown outcomes, blocked WhatsApp templates, partner outages and the kill switch.
//!
//! The store records each event beside the change it reports (in the same transaction where
//! there is one; see `store::staff_events`), with aggregate, staff-facing facts only. The
//! [`Notifier`] gathers each user's events into digests by their own preferences, and sends
//! each digest by e-mail (SMTP) or to a signed staff-chat webhook. A digest is marked sent only
//! once the SMTP server or the webhook accepted it; a failed one is retried with backoff, and
//! since digests are rows, nothing is lost when a process restarts. Several processes may run
//! a notifier on one database: each digest is leased to one of them at a time.

mod compose;
mod delivery;
mod error;
mod sender;
mod settings;
mod signature;

pub use compose::{DigestMessage, compose};
pub use error::{NotifyError, SendError};
pub use sender::{Notifier, NotifyReport};
pub use settings::{EmailSettings, NotifierSettings, WebhookSettings};
pub use signature::{
    MAX_SKEW_SECONDS, SIGNATURE_HEADER, SignatureProblem, TIMESTAMP_HEADER, verify_signature,
};
