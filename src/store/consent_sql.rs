//! The SQL of consent events, shared by both dialects: each applied once per partner event id
//! and only if it is the person's latest, in one transaction with the subscriber change, and
//! both records pruned once the platform's tolerance for late events has passed.

macro_rules! consent_store_methods {
    () => {
        async fn apply_consent_event(
            &self,
            event: &$crate::store::ConsentEvent,
        ) -> Result<$crate::store::ConsentOutcome, $crate::store::StoreError> {
            use $crate::store::{ConsentOutcome, ConsentWrite};
            let mut tx = self.begin_write().await?;
            let first_time = sqlx::query(
                "INSERT INTO consent_event_ids (digest, keep_until) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
            )
            .bind(event.event_digest.clone())
            .bind(event.keep_until_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !first_time {
                tx.commit().await?;
                return Ok(ConsentOutcome::Repeated);
            }
            // The mark is written first: its row lock makes a concurrent event of the same
            // person wait, then see this one's time. Ties go to the later arrival (partners
            // stamp in whole seconds, so START and STOP can share a second).
            let latest: Option<i64> = sqlx::query_scalar(
                "INSERT INTO consent_marks (channel, lookup, event_at, keep_until) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (channel, lookup) DO UPDATE SET event_at = excluded.event_at, keep_until = excluded.keep_until
                 WHERE consent_marks.event_at <= excluded.event_at
                 RETURNING event_at",
            )
            .bind(event.channel.clone())
            .bind(event.lookup.clone())
            .bind(event.event_at_ms)
            .bind(event.keep_until_ms)
            .fetch_optional(&mut *tx)
            .await?;
            if latest.is_none() {
                tx.commit().await?;
                return Ok(ConsentOutcome::Superseded);
            }
            let outcome = match &event.change {
                ConsentWrite::Join(subscriber) => {
                    if save_subscriber_in!(tx, subscriber) {
                        ConsentOutcome::Joined
                    } else {
                        ConsentOutcome::Updated
                    }
                }
                ConsentWrite::Leave => {
                    if erase_subscriber_in!(tx, event.channel, event.lookup, event.now_ms) {
                        ConsentOutcome::Left
                    } else {
                        ConsentOutcome::NotSubscribed
                    }
                }
            };
            tx.commit().await?;
            Ok(outcome)
        }

        async fn expire_consent_records(&self, now_ms: i64) -> Result<u64, $crate::store::StoreError> {
            let mut tx = self.begin_write().await?;
            let mut expired = sqlx::query("DELETE FROM consent_event_ids WHERE keep_until < $1")
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            expired += sqlx::query("DELETE FROM consent_marks WHERE keep_until < $1")
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(expired)
        }
    };
}

pub(crate) use consent_store_methods;
