//! What validation refuses of a campaign's SMS: a text that costs more parts than its account
//! allows (`max_segments`), and an alphanumeric sender towards a segment's country whose
//! networks refuse one (see [`crate::sms::SenderId::allowed_in`]). Both are pinned to what the
//! author can change: the translation's message, or the send's channel.

use crate::campaign::diagnostic::Diagnostics;
use crate::campaign::model::Campaign;
use crate::channel::Platform;
use crate::config::Config;
use crate::render::Combination;
use crate::sms::count_segments;

/// Refuses `text` (rendered for `combo`, an SMS channel) when it costs more parts than the
/// account's `max_segments`, at the message in its translation file.
pub(super) fn check_segments(
    combo: &Combination<'_>,
    text: &str,
    config: &Config,
    diags: &mut Diagnostics,
) {
    let Some(settings) = config
        .accounts
        .get(combo.channel)
        .and_then(|account| account.sms.as_ref())
    else {
        return;
    };
    let counted = count_segments(text);
    if counted.segments <= settings.max_segments {
        return;
    }
    let translation = combo.translation;
    let span = translation
        .message_span(&combo.fluent_id)
        .map(|s| s.start..s.start)
        .unwrap_or(0..0);
    diags.error(
        &translation.file,
        span,
        format!(
            "message `{}` costs {} SMS segments on `{}` ({} {}, {} units with the link), more than the account's max_segments of {} (send `{}`); shorten it{}",
            combo.fluent_id,
            counted.segments,
            combo.channel,
            combo.locale,
            counted.encoding.name(),
            counted.units,
            settings.max_segments,
            combo.send.id,
            if counted.encoding.name() == "UCS-2" {
                ", or avoid characters outside GSM-7 where the language allows"
            } else {
                ""
            },
        ),
    );
}

/// Refuses every send that reaches, through an SMS account with an alphanumeric sender, a
/// segment in a country whose networks refuse alphanumeric senders; the error is at the channel
/// in the campaign file.
pub(super) fn check_senders(campaign: &Campaign, config: &Config, diags: &mut Diagnostics) {
    for send in &campaign.sends {
        for channel in send
            .channels
            .iter()
            .filter(|c| c.value.platform == Platform::Sms)
        {
            let Some(settings) = config
                .accounts
                .get(&channel.value)
                .and_then(|account| account.sms.as_ref())
            else {
                continue;
            };
            for segment in send.segments.iter().filter_map(|id| campaign.segment(id)) {
                let refused: Vec<&str> = segment
                    .countries
                    .iter()
                    .map(String::as_str)
                    .filter(|country| !settings.sender.allowed_in(country))
                    .collect();
                if refused.is_empty() {
                    continue;
                }
                diags.error(
                    &campaign.file,
                    channel.span.clone(),
                    format!(
                        "send `{}` reaches segment `{}` in {} through `{}`, whose sender `{}` is an alphanumeric sender id: Twilio delivers none there; give the account a phone number or short code as `sender`, or use another account for this segment",
                        send.id,
                        segment.id,
                        refused.join(", "),
                        channel.value,
                        settings.sender,
                    ),
                );
            }
        }
    }
}
