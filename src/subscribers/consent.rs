//! What a person's words to a bot mean for their subscription: joining, choosing a language or
//! a group, and leaving. Leaving is final and immediate: the row and its sealed identifier are
//! deleted and every delivery still queued for them is cancelled in the same transaction.
//!
//! Joining, leaving and choosing are applied once per partner event and in the order the
//! partner says they happened (see [`EventOrder`]): a retried or replayed opt-in never undoes
//! a later opt-out, even though the opt-out erased the person, and a replayed button press
//! never undoes a later choice, opt-in or opt-out.

use crate::config::Account;
use crate::store::{
    ConsentEvent, ConsentOutcome, ConsentWrite, NewSubscriber, PreviousHashes, Store, StoreError,
};

use super::SubscriberVault;

/// What an event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChange {
    Joined,
    /// Already subscribed: locale or segment updated.
    Updated,
    /// Opted out: erased.
    Left,
    /// Nothing to do (an unknown person left, a choice from someone not subscribed, an
    /// account with no segment to join).
    Unchanged,
    /// The partner's event was applied before (a retry or a replay): nothing changed.
    Repeated,
    /// A later opt-in, opt-out or choice of the same person was applied before: nothing
    /// changed.
    Superseded,
    /// Older than what the retention sweep already forgot: refused like a late event.
    PastRetention,
}

impl From<ConsentOutcome> for ConsentChange {
    fn from(outcome: ConsentOutcome) -> ConsentChange {
        match outcome {
            ConsentOutcome::Joined => ConsentChange::Joined,
            ConsentOutcome::Updated => ConsentChange::Updated,
            ConsentOutcome::Left => ConsentChange::Left,
            ConsentOutcome::NotSubscribed => ConsentChange::Unchanged,
            ConsentOutcome::Repeated => ConsentChange::Repeated,
            ConsentOutcome::Superseded => ConsentChange::Superseded,
            ConsentOutcome::PastRetention => ConsentChange::PastRetention,
        }
    }
}

/// The partner's event an opt-in, opt-out or choice came in: its id (remembered only as a keyed
/// hash), when the partner says it happened, and until when to remember both.
#[derive(Debug, Clone, Copy)]
pub struct EventOrder<'e> {
    pub event_id: &'e str,
    pub at_ms: i64,
    pub keep_until_ms: i64,
    /// When herald applies it.
    pub now_ms: i64,
}

/// Applies consent events for one account.
pub struct Consent<'a, S: Store> {
    pub store: &'a S,
    pub vault: &'a SubscriberVault,
    pub account: &'a Account,
}

impl<S: Store> Consent<'_, S> {
    fn channel(&self) -> String {
        self.account.channel.to_string()
    }

    /// A person opted in. `language` is what their app reports; `payload` what the link they
    /// came through carries: words naming a segment or a locale this account offers.
    pub async fn subscribe(
        &self,
        user: &str,
        language: Option<&str>,
        payload: Option<&str>,
        order: EventOrder<'_>,
    ) -> Result<ConsentChange, StoreError> {
        // A link may name the locale too (`START fr`, `/start in-eu-nl fr`).
        let chosen_locale = payload.and_then(|p| {
            p.split_whitespace()
                .find(|word| self.account.enrolment.locales.iter().any(|l| l == word))
        });
        let Some(segment) = self.segment_for(payload) else {
            tracing::warn!(channel = %self.account.channel, "an opt-in arrived, but the account offers no segment to join (set `segments`)");
            return Ok(ConsentChange::Unchanged);
        };
        let channel = self.channel();
        let sealed = self
            .vault
            .seal(&channel, user)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let subscriber = NewSubscriber {
            lookup: self.vault.lookup(&channel, user),
            sealed,
            locale: self.locale_for(chosen_locale.or(language)),
            segment,
            at_ms: order.now_ms,
            channel,
        };
        self.apply(user, order, ConsentWrite::Join(subscriber))
            .await
    }

    /// A person opted out (STOP, unsubscribe, block, or the partner says they are gone).
    pub async fn unsubscribe(
        &self,
        user: &str,
        order: EventOrder<'_>,
    ) -> Result<ConsentChange, StoreError> {
        self.apply(user, order, ConsentWrite::Leave).await
    }

    async fn apply(
        &self,
        user: &str,
        order: EventOrder<'_>,
        change: ConsentWrite,
    ) -> Result<ConsentChange, StoreError> {
        let channel = self.channel();
        let event = ConsentEvent {
            lookup: self.vault.lookup(&channel, user),
            event_digest: self.vault.event_digest(&channel, order.event_id),
            event_at_ms: order.at_ms,
            keep_until_ms: order.keep_until_ms,
            now_ms: order.now_ms,
            change,
            previous: self
                .vault
                .previous_lookup(&channel, user)
                .zip(self.vault.previous_event_digest(&channel, order.event_id))
                .map(|(lookup, event_digest)| PreviousHashes {
                    lookup,
                    event_digest,
                }),
            channel,
        };
        Ok(self.store.apply_consent_event(&event).await?.into())
    }

    /// A choice in the bot's menu: `locale:<tag>` or `segment:<id>` (only those the account
    /// offers), applied to a subscriber only if nothing newer of theirs was applied before it.
    pub async fn choose(
        &self,
        user: &str,
        data: &str,
        order: EventOrder<'_>,
    ) -> Result<ConsentChange, StoreError> {
        let (locale, segment) = match data.split_once(':') {
            Some(("locale", tag)) => (Some(self.locale_for(Some(tag))), None),
            Some(("segment", id)) | Some(("start", id)) => {
                match self.account.enrolment.segments.iter().find(|s| *s == id) {
                    Some(segment) => (None, Some(segment.clone())),
                    None => return Ok(ConsentChange::Unchanged),
                }
            }
            _ => return Ok(ConsentChange::Unchanged),
        };
        self.apply(user, order, ConsentWrite::Choose { locale, segment })
            .await
    }

    /// The segment a new subscriber joins: the one their link names if the account offers
    /// it, otherwise the account's first.
    fn segment_for(&self, payload: Option<&str>) -> Option<String> {
        let offered = &self.account.enrolment.segments;
        payload
            .and_then(|p| {
                p.split_whitespace()
                    .find_map(|word| offered.iter().find(|s| s.as_str() == word))
            })
            .or_else(|| offered.first())
            .cloned()
    }

    /// The offered locale closest to what the person's app reports: the same tag, else the
    /// same language (`fa` for `fa-AF`), else the account's first locale.
    fn locale_for(&self, language: Option<&str>) -> String {
        locale_for(&self.account.enrolment.locales, language)
    }
}

/// See [`Consent::locale_for`]; with nothing offered, the reported language is kept.
pub fn locale_for(offered: &[String], language: Option<&str>) -> String {
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    if let Some(language) = language.map(str::trim).filter(|l| !l.is_empty()) {
        let normalised = language.replace('_', "-");
        if let Some(exact) = offered.iter().find(|o| o.eq_ignore_ascii_case(&normalised)) {
            return exact.clone();
        }
        if let Some(same_language) = offered.iter().find(|o| primary(o) == primary(language)) {
            return same_language.clone();
        }
        if offered.is_empty() {
            return normalised;
        }
    }
    offered.first().cloned().unwrap_or_else(|| "en".to_string())
}

#[cfg(test)]
mod tests {
    use super::locale_for;

    #[test]
    fn picks_the_closest_offered_locale() {
        let offered: Vec<String> = ["ar", "fa-AF", "en"].map(String::from).to_vec();
        assert_eq!(locale_for(&offered, Some("ar")), "ar");
        assert_eq!(locale_for(&offered, Some("fa")), "fa-AF");
        assert_eq!(locale_for(&offered, Some("fa_IR")), "fa-AF");
        assert_eq!(locale_for(&offered, Some("de")), "ar");
        assert_eq!(locale_for(&offered, None), "ar");
        assert_eq!(locale_for(&[], Some("ti")), "ti");
        assert_eq!(locale_for(&[], None), "en");
    }
}
