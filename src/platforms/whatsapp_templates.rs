//! WhatsApp outside the 24-hour window takes only approved templates, so herald sends each
//! campaign message as the template an account maps it to, in the template language of the
//! words' locale, with each line of the rendered text as one body parameter (`{{1}}` the
//! title, `{{2}}` the text, `{{3}}` the link with the built-in layout): WhatsApp refuses a
//! parameter with a line break. Approval is per template
//! and language: herald asks Meta before fanning a send out to every subscriber, and a
//! template that is not approved for a language blocks that locale with the reason, instead
//! of failing once per person.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::adapter::{Publication, PublishResult};
use super::whatsapp::{TemplateMessage, WhatsAppAdapter, whatsapp_language};
use crate::campaign::PreparedText;
use crate::clock::Clock;

/// How long an approval status is trusted before Meta is asked again.
const STATUS_TTL_MINUTES: i64 = 10;

/// Whether a text may go out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sendable {
    Yes,
    /// Blocked until someone acts (a template to approve or configure): `(code, reason)`.
    Blocked(String, String),
    /// Could not be checked now (the partner did not answer): try again later.
    RetryLater(String),
}

/// A template language's approval status and when it was read; kept per (template, language).
type SeenStatus = (String, DateTime<Utc>);

/// A WhatsApp account with its template mapping and the approval statuses last seen.
pub struct WhatsAppSender {
    adapter: WhatsAppAdapter,
    channel: String,
    /// Campaign message id (or a variant's Fluent id) to template name.
    templates: BTreeMap<String, String>,
    /// herald locale to template language code, where the default mapping is not right.
    languages: BTreeMap<String, String>,
    clock: Arc<dyn Clock>,
    statuses: Mutex<HashMap<(String, String), SeenStatus>>,
}

impl std::fmt::Debug for WhatsAppSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppSender")
            .field("channel", &self.channel)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

impl WhatsAppSender {
    pub fn new(
        adapter: WhatsAppAdapter,
        channel: String,
        templates: BTreeMap<String, String>,
        languages: BTreeMap<String, String>,
        clock: Arc<dyn Clock>,
    ) -> WhatsAppSender {
        WhatsAppSender {
            adapter,
            channel,
            templates,
            languages,
            clock,
            statuses: Mutex::new(HashMap::new()),
        }
    }

    /// The template and language a text is sent as.
    fn template_for(&self, text: &PreparedText) -> Result<(String, String), (String, String)> {
        let name = self
            .templates
            .get(&text.fluent_id)
            .or_else(|| self.templates.get(&text.message_id))
            .ok_or_else(|| {
                (
                    "no_template".to_string(),
                    format!(
                        "no WhatsApp template is configured for message `{}` on `{}`: add it to the account's `templates`",
                        text.message_id, self.channel
                    ),
                )
            })?;
        let locale = text.source_locale.as_str();
        let language = self
            .languages
            .get(locale)
            .cloned()
            .unwrap_or_else(|| whatsapp_language(locale));
        Ok((name.clone(), language))
    }

    /// Whether the text's template is approved for its language (asking Meta when the
    /// status last seen is older than ten minutes).
    pub async fn check(&self, text: &PreparedText) -> Sendable {
        let (name, language) = match self.template_for(text) {
            Ok(found) => found,
            Err((code, reason)) => return Sendable::Blocked(code, reason),
        };
        let now = self.clock.now();
        let key = (name.clone(), language.clone());
        let fresh = self
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .filter(|(_, at)| now - *at < Duration::minutes(STATUS_TTL_MINUTES))
            .map(|(status, _)| status.clone());
        let status = match fresh {
            Some(status) => status,
            None => match self
                .adapter
                .template_statuses_in(&name, Some(&language))
                .await
            {
                Ok(found) => {
                    let mut statuses = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
                    for template in found {
                        statuses.insert((template.name, template.language), (template.status, now));
                    }
                    let status = statuses
                        .get(&key)
                        .map(|(status, _)| status.clone())
                        .unwrap_or_else(|| "MISSING".to_string());
                    statuses.insert(key, (status.clone(), now));
                    status
                }
                Err(error) => {
                    return Sendable::RetryLater(format!(
                        "the approval of WhatsApp template `{name}` could not be checked: {error}"
                    ));
                }
            },
        };
        if status == "APPROVED" {
            return Sendable::Yes;
        }
        tracing::warn!(channel = %self.channel, template = %name, %language, %status, "a WhatsApp template is not approved: its locale is blocked");
        Sendable::Blocked(
            "template_not_approved".to_string(),
            format!(
                "WhatsApp template `{name}` is {status} for language `{language}` (locale {}): this locale is blocked until Meta approves it; then retry with `herald deadletter retry`",
                text.source_locale
            ),
        )
    }

    /// Sends the text to one subscriber as its template.
    pub async fn publish(
        &self,
        publication: &Publication<'_>,
        text: &PreparedText,
    ) -> PublishResult {
        let Some(to) = publication.recipient else {
            return PublishResult::Permanent {
                code: "no_recipient".into(),
                text: "WhatsApp messages go to subscribers: set the account's audience to `subscribers`".into(),
            };
        };
        let (name, language) = match self.template_for(text) {
            Ok(found) => found,
            Err((code, text)) => return PublishResult::Permanent { code, text },
        };
        let lines = body_parameters(publication.text);
        let parameters: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.adapter
            .send_template(
                to,
                &TemplateMessage {
                    name: &name,
                    language: &language,
                    body_parameters: &parameters,
                },
            )
            .await
    }
}

/// The body parameters of a rendered text: its non-empty lines, with runs of spaces and tabs
/// shortened to one space (WhatsApp refuses line breaks, tabs and more than four spaces in a
/// row inside a parameter).
pub fn body_parameters(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::body_parameters;

    #[test]
    fn each_line_is_one_parameter_without_breaks_or_long_spaces() {
        assert_eq!(
            body_parameters(
                "Know your options\n\nFree  advice\t from IOM.\nhttps://h.example/r/ab\n"
            ),
            [
                "Know your options",
                "Free advice from IOM.",
                "https://h.example/r/ab"
            ]
        );
        assert!(body_parameters("\n \n").is_empty());
    }
}
