//! Key rotation in the store, on SQLite always and on PostgreSQL when
//! `HERALD_TEST_POSTGRES_URL` is set: during a rotation a consent event finds the person by
//! their previous lookup hash (STOP erases them, an opt-in adds no second row, a replayed
//! event from before is recognised), and the re-keying batches move each person's consent
//! marks with them, so that after the rotation an older opt-in arriving late still never
//! undoes what came after it.

use herald::sealed_format::prefix_of;
use herald::store::{
    ConsentEvent, ConsentOutcome, ConsentWrite, NewSubscriber, PreviousHashes, RekeyedSubscriber,
    SqlStore, Store,
};
use herald::subscribers::SubscriberVault;

const CHANNEL: &str = "whatsapp:optin";

fn old() -> SubscriberVault {
    SubscriberVault::from_hex(&"4d".repeat(32)).unwrap()
}

fn new_alone() -> SubscriberVault {
    SubscriberVault::from_hex(&"5e".repeat(32)).unwrap()
}

fn rotating() -> SubscriberVault {
    new_alone().with_previous(&"4d".repeat(32)).unwrap()
}

/// An opt-in (`join`) or opt-out of `who` in event `event_id` at `at_ms`, as `vault` makes it.
fn event(
    vault: &SubscriberVault,
    who: &str,
    event_id: &str,
    at_ms: i64,
    join: bool,
) -> ConsentEvent {
    let change = if join {
        ConsentWrite::Join(NewSubscriber {
            channel: CHANNEL.into(),
            lookup: vault.lookup(CHANNEL, who),
            sealed: vault.seal(CHANNEL, who).unwrap(),
            locale: "ar".into(),
            segment: "in-eu".into(),
            at_ms,
        })
    } else {
        ConsentWrite::Leave
    };
    ConsentEvent {
        channel: CHANNEL.into(),
        lookup: vault.lookup(CHANNEL, who),
        event_digest: vault.event_digest(CHANNEL, event_id),
        event_at_ms: at_ms,
        keep_until_ms: at_ms + 3_600_000,
        now_ms: at_ms,
        change,
        previous: vault
            .previous_lookup(CHANNEL, who)
            .zip(vault.previous_event_digest(CHANNEL, event_id))
            .map(|(lookup, event_digest)| PreviousHashes {
                lookup,
                event_digest,
            }),
    }
}

async fn subscribed(store: &SqlStore) -> i64 {
    store
        .subscriber_counts()
        .await
        .unwrap()
        .iter()
        .map(|c| c.count)
        .sum()
}

/// Runs the rotation's batches (two rows each) with `vault` until nothing is left.
async fn rekey_all(store: &SqlStore, vault: &SubscriberVault) -> u64 {
    let prefix = prefix_of(vault.key_id());
    let mut after = 0;
    let mut changed = 0;
    loop {
        let read = store.subscribers_to_rekey(&prefix, after, 2).await.unwrap();
        let Some(last) = read.last() else { break };
        after = last.id;
        let batch: Vec<RekeyedSubscriber> = read
            .into_iter()
            .map(|row| {
                let identifier = vault.open(&row.channel, &row.sealed).unwrap();
                RekeyedSubscriber {
                    lookup: vault.lookup(&row.channel, &identifier),
                    sealed: vault.seal(&row.channel, &identifier).unwrap(),
                    read: row,
                }
            })
            .collect();
        changed += store.rekey_subscribers(&batch, 10_000).await.unwrap();
    }
    changed
}

async fn consent_during_and_after_a_rotation(store: SqlStore, _url: &str) {
    let apply = |e: ConsentEvent| {
        let store = store.clone();
        async move { store.apply_consent_event(&e).await.unwrap() }
    };
    for (n, who) in ["31600000001", "31600000002", "31600000003", "31600000004"]
        .iter()
        .enumerate()
    {
        let joined = apply(event(&old(), who, &format!("join-{n}"), 1_000, true)).await;
        assert_eq!(joined, ConsentOutcome::Joined);
    }
    let rotating = rotating();
    // During the rotation, before any row was re-keyed: STOP finds the person, an opt-in
    // updates the existing row, and a replay of an event from before is recognised.
    assert_eq!(
        apply(event(&rotating, "31600000001", "stop-1", 2_000, false)).await,
        ConsentOutcome::Left
    );
    assert_eq!(
        apply(event(&rotating, "31600000002", "again-2", 2_000, true)).await,
        ConsentOutcome::Updated
    );
    assert_eq!(
        apply(event(&rotating, "31600000003", "join-2", 2_000, true)).await,
        ConsentOutcome::Repeated
    );
    assert_eq!(subscribed(&store).await, 3);

    assert_eq!(rekey_all(&store, &rotating).await, 3);
    assert_eq!(rekey_all(&store, &rotating).await, 0, "nothing left");
    let counts = store.key_counts().await.unwrap();
    assert!(
        counts
            .iter()
            .all(|c| c.records != "subscribers" || c.key_id.as_deref() == Some(rotating.key_id())),
        "{counts:?}"
    );

    // After it, with the new key alone: everyone is found, and the marks moved with them.
    let new_alone = new_alone();
    assert_eq!(
        apply(event(&new_alone, "31600000003", "late-3", 500, true)).await,
        ConsentOutcome::Superseded,
        "an opt-in older than the one applied before the rotation"
    );
    assert_eq!(
        apply(event(&new_alone, "31600000004", "stop-4", 3_000, false)).await,
        ConsentOutcome::Left
    );
    assert_eq!(
        apply(event(&new_alone, "31600000004", "late-4", 2_500, true)).await,
        ConsentOutcome::Superseded,
        "an opt-in older than the STOP"
    );
    assert_eq!(
        apply(event(&new_alone, "31600000002", "again-2b", 3_000, true)).await,
        ConsentOutcome::Updated
    );
    assert_eq!(subscribed(&store).await, 2);
}

on_both_stores!(consent_during_and_after_a_rotation);
