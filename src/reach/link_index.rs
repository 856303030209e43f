//! Where each tracking token leads: the links of every version that passed the four-eyes
//! approval, and of no other version.
//!
//! Tokens are derived, not stored, so this index is a cache of the versions. Each version
//! issues its own tokens (the content hash is part of the derivation), so a link already sent
//! keeps the target of the approved version that sent it: a draft, submitted, rejected or
//! cancelled-before-approval version is never read here, and two approved versions of one
//! campaign never share a token.
//!
//! Links sent by herald builds before version pinning carry a version-less token. Such a
//! token resolves to the oldest version that passed approval and issues it, so no version
//! approved later can move a link already sent; never to a version that did not pass
//! approval. A version-pinned token always wins over a legacy one.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::config::Config;
use crate::loaded_version::LoadedVersion;
use crate::render::{PreviewFilter, combinations, legacy_tracking_token, tracking_token};
use crate::store::{AnyStore, Store, StoreError};

/// Where a token leads, and what it counts towards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub campaign: String,
    pub send: String,
    pub variant: Option<String>,
    pub locale: String,
    pub channel: String,
    pub link: String,
}

/// One link a version puts in its messages: its own token, the token an older build would
/// have given it, and where it leads.
struct IssuedLink {
    token: String,
    legacy_token: String,
    target: LinkTarget,
}

/// States a version only reaches through an approval. A cancelled version may or may not
/// have been approved first; its decisions tell.
const PASSED_APPROVAL: [VersionState; 5] = [
    VersionState::Approved,
    VersionState::Scheduled,
    VersionState::Running,
    VersionState::Paused,
    VersionState::Completed,
];

/// An unknown token rebuilds the index at most this often, however many arrive.
const REBUILD_AT_MOST_EVERY: Duration = Duration::from_secs(5);

/// Requests for unknown tokens that may wait for the next rebuild at once; beyond this they
/// are answered "no such link" straight away, so a stream of made-up tokens holds no more
/// than this many requests.
const MAX_WAITING_FOR_REBUILD: usize = 64;

#[derive(Default)]
pub struct LinkIndex {
    targets: RwLock<HashMap<String, LinkTarget>>,
    /// The links of each version already read, by hash: a version's content never changes,
    /// so each is parsed and rendered once per process.
    issued: Mutex<HashMap<ContentHash, Arc<Vec<IssuedLink>>>>,
    /// Cancelled versions whose decisions show no approval: their links are never indexed,
    /// and cancelled is final, so their decisions are read once.
    never_approved: Mutex<HashSet<ContentHash>>,
    /// When the last rebuild started; held while one runs, so rebuilds never overlap.
    last_rebuild: tokio::sync::Mutex<Option<Instant>>,
    waiting: AtomicUsize,
    rebuilds: AtomicU64,
}

/// Counts a request among those waiting for a rebuild, for as long as it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl LinkIndex {
    /// How many times the index was rebuilt since the process started.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    fn get(&self, token: &str) -> Option<LinkTarget> {
        self.targets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned()
    }

    /// Where `token` leads. A token not yet indexed (a version approved since the last
    /// rebuild) waits for a rebuild that starts after it arrived; rebuilds start at most every
    /// few seconds, whoever asks.
    pub async fn resolve(
        &self,
        token: &str,
        store: &AnyStore,
        config: &Arc<Config>,
    ) -> Option<LinkTarget> {
        if let Some(target) = self.get(token) {
            return Some(target);
        }
        let arrived = Instant::now();
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING_FOR_REBUILD {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let _waiting = Waiting(&self.waiting);
        let mut last = self.last_rebuild.lock().await;
        if last.is_some_and(|started| started >= arrived) {
            // A rebuild began after this request arrived and has finished: it answers.
            return self.get(token);
        }
        if let Some(target) = self.get(token) {
            // The rebuild this request waited behind found it.
            return Some(target);
        }
        if let Some(started) = *last {
            tokio::time::sleep_until((started + REBUILD_AT_MOST_EVERY).into()).await;
        }
        *last = Some(Instant::now());
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        if let Err(error) = self.rebuild(store, config).await {
            tracing::error!(%error, "the link index could not be rebuilt");
        }
        drop(last);
        self.get(token)
    }

    /// Reads which versions passed approval, renders the links of those not read before (off
    /// the async threads: it parses and renders whole bundles) and swaps in the new index.
    async fn rebuild(&self, store: &AnyStore, config: &Arc<Config>) -> Result<(), StoreError> {
        let mut states = PASSED_APPROVAL.to_vec();
        states.push(VersionState::Cancelled);
        let mut passed: Vec<(ContentHash, Option<VersionBundle>)> = Vec::new();
        // Hashes and states only; a version's bundle is read once, the first time it is seen.
        for (hash, state) in store.version_states(&states).await? {
            if state == VersionState::Cancelled && !self.was_approved(store, &hash).await? {
                continue;
            }
            let known = self
                .issued
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(&hash);
            if known {
                passed.push((hash, None));
            } else if let Some(record) = store.version(&hash).await? {
                passed.push((hash, Some(record.bundle)));
            }
        }
        let known: HashMap<ContentHash, Arc<Vec<IssuedLink>>> = self
            .issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let config = Arc::clone(config);
        let built = tokio::task::spawn_blocking(move || build(passed, &known, &config)).await;
        let Rebuilt { targets, fresh } = match built {
            Ok(built) => built,
            Err(error) => {
                tracing::error!(%error, "rendering the links of approved versions failed");
                return Ok(());
            }
        };
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(fresh);
        *self.targets.write().unwrap_or_else(|p| p.into_inner()) = targets;
        Ok(())
    }

    /// Whether a cancelled version had been approved before it was cancelled.
    async fn was_approved(&self, store: &AnyStore, hash: &ContentHash) -> Result<bool, StoreError> {
        if self
            .never_approved
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(hash)
        {
            return Ok(false);
        }
        if self
            .issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(hash)
        {
            return Ok(true);
        }
        let approved = store
            .decisions(hash)
            .await?
            .iter()
            .any(|d| d.decision == VersionState::Approved.name());
        if !approved {
            self.never_approved
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(hash.clone());
        }
        Ok(approved)
    }
}

/// A rebuilt index, and the links of the versions read for it for the first time.
struct Rebuilt {
    targets: HashMap<String, LinkTarget>,
    fresh: Vec<(ContentHash, Arc<Vec<IssuedLink>>)>,
}

/// The index over `passed` (oldest first), rendering the versions not in `known`.
fn build(
    passed: Vec<(ContentHash, Option<VersionBundle>)>,
    known: &HashMap<ContentHash, Arc<Vec<IssuedLink>>>,
    config: &Config,
) -> Rebuilt {
    let mut fresh = Vec::new();
    let mut targets = HashMap::new();
    let mut legacy = HashMap::new();
    for (hash, bundle) in passed {
        let links = match (bundle, known.get(&hash)) {
            (_, Some(links)) => Arc::clone(links),
            (Some(bundle), None) => {
                let links = Arc::new(issued_links(&hash, &bundle, config));
                fresh.push((hash, Arc::clone(&links)));
                links
            }
            (None, None) => continue,
        };
        for link in links.iter() {
            targets.insert(link.token.clone(), link.target.clone());
            // Oldest first, and the first keeps a legacy token: a version approved later
            // cannot move a link that was sent before it existed.
            legacy
                .entry(link.legacy_token.clone())
                .or_insert_with(|| link.target.clone());
        }
    }
    for (token, target) in legacy {
        targets.entry(token).or_insert(target);
    }
    Rebuilt { targets, fresh }
}

/// Every link a version puts in its messages. A version that no longer loads sends nothing,
/// so it issues no link.
fn issued_links(hash: &ContentHash, bundle: &VersionBundle, config: &Config) -> Vec<IssuedLink> {
    let Ok(version) = LoadedVersion::from_bundle(hash.clone(), bundle, config) else {
        return Vec::new();
    };
    let mut links = Vec::new();
    for combo in combinations(
        &version.campaign,
        &version.catalog,
        &PreviewFilter::default(),
    ) {
        let Some(link) = &combo.message.link else {
            continue;
        };
        let dimensions = combo.link_dimensions(&version.campaign);
        links.push(IssuedLink {
            token: tracking_token(hash, dimensions),
            legacy_token: legacy_tracking_token(dimensions),
            target: LinkTarget {
                campaign: version.campaign.id.clone(),
                send: combo.send.id.clone(),
                variant: combo.variant.map(str::to_string),
                locale: combo.locale.to_string(),
                channel: combo.channel.to_string(),
                link: link.clone(),
            },
        });
    }
    links
}
