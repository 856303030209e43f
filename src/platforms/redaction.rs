//! Keeping identifiers and secrets out of what an adapter reports. Partners sometimes quote
//! the request back in their error texts (a recipient's number, a receiver id, even a token);
//! those texts end up in dead letters, logs and the UI, so each adapter removes what it sent.

use super::adapter::{BatchOutcome, PublishResult};

/// `result` with every occurrence of each of `secrets` in its texts replaced by `[redacted]`.
pub(super) fn redact(result: PublishResult, secrets: &[&str]) -> PublishResult {
    let scrub = |text: String| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text, |text, secret| text.replace(secret, "[redacted]"))
    };
    match result {
        PublishResult::Published { platform_id } => PublishResult::Published { platform_id },
        PublishResult::Throttled { wait, text } => PublishResult::Throttled {
            wait,
            text: scrub(text),
        },
        PublishResult::RecipientThrottled { wait, text } => PublishResult::RecipientThrottled {
            wait,
            text: scrub(text),
        },
        PublishResult::Transient { code, text } => PublishResult::Transient {
            code,
            text: scrub(text),
        },
        PublishResult::Permanent { code, text } => PublishResult::Permanent {
            code,
            text: scrub(text),
        },
        PublishResult::RecipientGone { code, text } => PublishResult::RecipientGone {
            code,
            text: scrub(text),
        },
        PublishResult::Unknown { error } => PublishResult::Unknown {
            error: scrub(error),
        },
    }
}

/// [`redact`] applied to the whole outcome and to every refused recipient's result.
pub(super) fn redact_batch(outcome: BatchOutcome, secrets: &[&str]) -> BatchOutcome {
    match outcome {
        BatchOutcome::Whole(result) => BatchOutcome::Whole(redact(result, secrets)),
        BatchOutcome::Accepted {
            platform_id,
            refused,
        } => BatchOutcome::Accepted {
            platform_id,
            refused: refused
                .into_iter()
                .map(|(index, result)| (index, redact(result, secrets)))
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_every_secret_from_every_text() {
        assert_eq!(
            redact(
                PublishResult::Permanent {
                    code: "100".into(),
                    text: "token EAAG123abc is invalid for 31612345678".into()
                },
                &["EAAG123abc", "31612345678", ""]
            ),
            PublishResult::Permanent {
                code: "100".into(),
                text: "token [redacted] is invalid for [redacted]".into()
            }
        );
        assert_eq!(
            redact_batch(
                BatchOutcome::Accepted {
                    platform_id: Some("7".into()),
                    refused: vec![(
                        1,
                        PublishResult::RecipientGone {
                            code: "6".into(),
                            text: "b2== is not subscribed".into()
                        }
                    )]
                },
                &["b2=="]
            ),
            BatchOutcome::Accepted {
                platform_id: Some("7".into()),
                refused: vec![(
                    1,
                    PublishResult::RecipientGone {
                        code: "6".into(),
                        text: "[redacted] is not subscribed".into()
                    }
                )]
            }
        );
        assert_eq!(
            redact(
                PublishResult::Unknown {
                    error: "no answer from bot123:ABC".into()
                },
                &["123:ABC"]
            ),
            PublishResult::Unknown {
                error: "no answer from bot[redacted]".into()
            }
        );
    }
}
