//! A digest as the reader sees it: a subject, a plain-text body with one line per event and a
//! link where there is something to do, and the same as JSON for a staff-chat webhook. Built
//! from events alone, which hold only aggregate, staff-facing facts, so nothing of the audience
//! can appear here.

use serde_json::{Value, json};

use crate::store::{StaffEvent, StaffEventKind};

pub struct DigestMessage {
    pub subject: String,
    pub text: String,
    /// The webhook's body.
    pub json: Value,
}

/// The digest numbered `digest_id` for `user_name`, of `events` (oldest first).
pub fn compose(
    digest_id: i64,
    user_name: &str,
    events: &[StaffEvent],
    public_url: &str,
) -> DigestMessage {
    let lines: Vec<String> = events.iter().map(|event| line(event, public_url)).collect();
    let subject = match events {
        [one] => format!("[herald] {}", headline(one)),
        _ => format!("[herald] {} notifications", events.len()),
    };
    let mut text = format!("Hello {user_name},\n\n");
    for line in &lines {
        text.push_str("- ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&format!(
        "\nYou receive these because of your notification preferences: {public_url}/ui/notifications\n"
    ));
    let json = json!({
        "digest": digest_id,
        "to": user_name,
        "subject": subject,
        "events": events.iter().zip(&lines).map(|(event, line)| json!({
            "kind": event.kind,
            "campaign": event.campaign_id,
            "version": event.version_hash,
            "account": event.account,
            "code": event.code,
            "count": event.count,
            "at": at(event),
            "text": line,
        })).collect::<Vec<_>>(),
        "text": text,
    });
    DigestMessage {
        subject,
        text,
        json,
    }
}

fn campaign(event: &StaffEvent) -> &str {
    event.campaign_id.as_deref().unwrap_or("?")
}

fn account(event: &StaffEvent) -> &str {
    event.account.as_deref().unwrap_or("?")
}

fn at(event: &StaffEvent) -> String {
    chrono::DateTime::from_timestamp_millis(event.at_ms)
        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// A subject for a digest of one event.
fn headline(event: &StaffEvent) -> String {
    match event.kind {
        StaffEventKind::VersionSubmitted => {
            format!("campaign {} awaits your approval", campaign(event))
        }
        StaffEventKind::DeadLetters => format!("dead letters in campaign {}", campaign(event)),
        StaffEventKind::UnknownOutcomes => {
            format!("unknown outcomes in campaign {}", campaign(event))
        }
        StaffEventKind::TemplateBlocked => {
            format!(
                "a WhatsApp template of campaign {} is blocked",
                campaign(event)
            )
        }
        StaffEventKind::PartnerOutage => format!("{} cannot be reached", account(event)),
        StaffEventKind::KillSwitch => format!("campaign {} was killed", campaign(event)),
    }
}

fn line(event: &StaffEvent, public_url: &str) -> String {
    let when = at(event);
    let page = format!("{public_url}/ui/campaigns/{}", campaign(event));
    let code = event.code.as_deref().unwrap_or("none");
    let version = event
        .version_hash
        .as_deref()
        .map(|hash| hash.get(..12).unwrap_or(hash))
        .unwrap_or("?");
    let n = event.count;
    match event.kind {
        StaffEventKind::VersionSubmitted => format!(
            "{when}: campaign {} version {version} was submitted for approval. Review it: {page}",
            campaign(event)
        ),
        StaffEventKind::DeadLetters => format!(
            "{when}: campaign {} version {version}: {n} job(s) on {} became dead letters (code {code}). List them with `herald deadletter list`: {page}",
            campaign(event),
            account(event)
        ),
        StaffEventKind::UnknownOutcomes => format!(
            "{when}: campaign {} version {version}: {n} job(s) on {} have an unknown outcome; herald will not resend them, check them with the partner: {page}",
            campaign(event),
            account(event)
        ),
        StaffEventKind::TemplateBlocked => format!(
            "{when}: campaign {} version {version}: WhatsApp refused {n} message(s) on {} because the template cannot be used (code {code}); fix the template, then retry the dead letters: {page}",
            campaign(event),
            account(event)
        ),
        StaffEventKind::PartnerOutage => format!(
            "{when}: {} cannot be reached; its jobs wait without using attempts and go out once it answers again",
            account(event)
        ),
        StaffEventKind::KillSwitch => format!(
            "{when}: the kill switch of campaign {} was pulled; {n} pending job(s) cancelled: {page}",
            campaign(event)
        ),
    }
}
