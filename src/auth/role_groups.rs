//! The groups of roles that routes are opened to, defined once so that the API and the web
//! interface, which answer the same requests through different doors, cannot drift apart on who
//! may do what.

use super::Role;

/// Every signed-in user, whatever their role.
pub const EVERYONE: &[Role] = &[
    Role::Author,
    Role::Approver,
    Role::Scheduler,
    Role::Evaluator,
    Role::Admin,
    Role::Translator,
];
/// Those who work with campaign content; evaluators see only aggregates, never the content.
/// Translators read it too: they translate from the source text and check their work in the
/// previews.
pub const CONTENT_READERS: &[Role] = &[
    Role::Author,
    Role::Approver,
    Role::Scheduler,
    Role::Admin,
    Role::Translator,
];
/// Those who export a locale's strings and import them back: translators, and authors, who
/// may translate too.
pub const TRANSLATORS: &[Role] = &[Role::Translator, Role::Author];
pub const AUTHORS: &[Role] = &[Role::Author];
pub const APPROVERS: &[Role] = &[Role::Approver];
pub const SCHEDULERS: &[Role] = &[Role::Scheduler];
/// Those who watch and steer delivery: the outbox, dead letters, the dispatch status.
pub const OPERATIONS: &[Role] = &[Role::Scheduler, Role::Admin];
pub const ADMINS: &[Role] = &[Role::Admin];
pub const EVALUATORS: &[Role] = &[Role::Evaluator];
/// Those who may see how many people follow each channel (suppressed counts only): evaluators
/// for reach, schedulers to know whom a send will reach.
pub const SUBSCRIBER_COUNT_READERS: &[Role] = &[Role::Evaluator, Role::Scheduler];
