//! `herald demo`: the example campaigns run from approval to report in under a minute, on a
//! temporary SQLite database, a simulated clock and the in-process sandbox behaving like the
//! real partners (a few throttled and failed answers, status callbacks, people subscribing,
//! reading, clicking and leaving). Nothing leaves the machine; everything it shows is the real
//! code path: the same dispatcher, hooks, redirector and report a deployment runs.

mod audience;
mod progress;
mod summary;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use crate::auth::Role;
use crate::campaign::{Target, VersionBundle, VersionState, load_project};
use crate::clock::{Clock, SimulatedClock};
use crate::dispatch::{DispatchSettings, Dispatcher};
use crate::reach::{
    CallbackIngestor, ClickState, HookState, hook_accounts, hooks_router, redirector_router,
    register_webhooks,
};
use crate::report::{ReportRequest, campaign_report, to_csv, to_html};
use crate::sandbox::{FaultConfig, Sandbox, SandboxConfig};
use crate::store::{Store, connect};
use crate::subscribers::SubscriberVault;

pub use summary::{CampaignSummary, table as summary_table};

/// What to run.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The campaign project (campaigns/, locales/, herald.toml).
    pub project: PathBuf,
    /// Where the reports go.
    pub out: PathBuf,
    /// Stop after this many weeks of campaign time (the whole campaigns when `None`).
    pub weeks: Option<u32>,
    /// People who subscribe to the messaging channels.
    pub subscribers: usize,
    /// Seeds the sandbox's faults and the people's choices, so a run can be repeated.
    pub seed: u64,
    /// A new SQLite file to keep the database in, so that its reports can be made again
    /// (`herald report`); `None`: a temporary one.
    pub keep_database: Option<PathBuf>,
}

/// What the demo produced.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    pub reports: Vec<PathBuf>,
    pub campaigns: Vec<CampaignSummary>,
    pub simulated_days: i64,
}

/// Runs the demo; progress goes to standard error.
pub async fn run_demo(options: &DemoOptions) -> Result<DemoOutcome, String> {
    let (mut project, diags) = load_project(
        &Target::Folder(options.project.clone()),
        Some(&options.project.join("herald.toml")),
    );
    if diags.has_errors() || project.campaigns.is_empty() {
        let problems: Vec<String> = diags.into_sorted().iter().map(|d| d.to_string()).collect();
        return Err(format!(
            "the demo runs the campaigns in {} (campaigns/, locales/, herald.toml), and they are not valid:\n{}",
            options.project.display(),
            problems.join("\n")
        ));
    }
    let workspace = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let file = match &options.keep_database {
        Some(file) if file.exists() => {
            return Err(format!(
                "{} already exists: the demo keeps its database only in a new file",
                file.display()
            ));
        }
        Some(file) => file.clone(),
        None => workspace.path().join("demo.db"),
    };
    let url = format!("sqlite://{}", file.display());
    // Through `AnyStore`, whose errors name the file when its disk is full or failing.
    let store = connect(&url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;

    let start = project
        .campaigns
        .iter()
        .map(|c| c.campaign.starts)
        .min()
        .and_then(|d| d.pred_opt())
        .map(|d| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)))
        .ok_or("the campaigns have no start date")?;
    let last_day = project
        .campaigns
        .iter()
        .map(|c| c.campaign.ends)
        .max()
        .and_then(|d| d.succ_opt())
        .map(|d| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)))
        .ok_or("the campaigns have no end date")?;
    let end = match options.weeks {
        Some(weeks) => (start + Duration::weeks(i64::from(weeks))).min(last_day),
        None => last_day,
    };
    let clock = SimulatedClock::starting_at(start);
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());

    // The partners: realistic, not perfect.
    let people = audience::People::new(options.subscribers, options.seed);
    let sandbox = Sandbox::new(
        SandboxConfig {
            faults: FaultConfig {
                rate_429: 0.01,
                rate_5xx: 0.01,
                seed: options.seed,
                ..FaultConfig::default()
            },
            read_rate: 0.6,
            callback_batch: 20,
            undeliverable: people.undeliverable(),
            ..SandboxConfig::default()
        },
        Arc::clone(&shared),
    );
    let partners = sandbox
        .start(0)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;

    // herald's public side: the hooks partners call and the tracking-link redirector, on one
    // local port that the campaign links point at.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen: {e}"))?;
    let public = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    project.config.public_url = public.clone();
    // The simulated people all click from this machine; each says who it is the way a
    // reverse proxy would, so the redirector tells them apart as it would real people.
    project.config.trusted_proxies = crate::client_address::TrustedProxies::new(vec![
        crate::client_address::AddressRange::parse("127.0.0.1").map_err(|e| e.to_string())?,
    ]);
    let config = Arc::new(project.config.clone());
    let vault = Arc::new(SubscriberVault::ephemeral().map_err(|e| e.to_string())?);
    let accounts = Arc::new(hook_accounts(
        &config,
        Some(&crate::platforms::Secret::new(
            crate::platforms::REHEARSAL_CREDENTIAL,
        )),
        &Default::default(),
    ));
    let clicks = ClickState::new(store.clone(), Arc::clone(&config), Arc::clone(&shared));
    let click_tally = Arc::clone(&clicks.tally);
    let app = hooks_router(HookState {
        store: store.clone(),
        clock: Arc::clone(&shared),
        vault: Some(Arc::clone(&vault)),
        ingestor: CallbackIngestor::start(store.clone(), Arc::clone(&shared)),
        accounts: Arc::clone(&accounts),
    })
    .merge(redirector_router(clicks));
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    for line in register_webhooks(
        &accounts,
        &public,
        Some(&partners.base_url()),
        Some(&sandbox),
    )
    .await
    {
        tracing::debug!(%line, "webhook");
    }

    // Four people with four roles, and four eyes on every version.
    let ana = store
        .create_user("ana", &[Role::Author], start.timestamp_millis())
        .await
        .map_err(|e| e.to_string())?;
    let ben = store
        .create_user("ben", &[Role::Approver], start.timestamp_millis())
        .await
        .map_err(|e| e.to_string())?;
    store
        .create_user("sam", &[Role::Scheduler], start.timestamp_millis())
        .await
        .map_err(|e| e.to_string())?;
    store
        .create_user("eve", &[Role::Evaluator], start.timestamp_millis())
        .await
        .map_err(|e| e.to_string())?;
    for loaded in &project.campaigns {
        let bundle = VersionBundle::from_loaded(&project, loaded);
        let version = store
            .save_version(&bundle, start)
            .await
            .map_err(|e| e.to_string())?;
        store
            .add_author(&version.hash, &ana.id)
            .await
            .map_err(|e| e.to_string())?;
        store
            .transition(&version.hash, VersionState::Submitted, start, &ana.name)
            .await
            .map_err(|e| e.to_string())?;
        store
            .decide(&version.hash, &ben, VersionState::Approved, None, start)
            .await
            .map_err(|e| e.to_string())?;
        store
            .transition(&version.hash, VersionState::Scheduled, start, "sam")
            .await
            .map_err(|e| e.to_string())?;
    }

    // People opt in by writing to the bots, through the partners, as they would.
    let joined = people
        .subscribe_all(&sandbox, &config)
        .await
        .map_err(|e| e.to_string())?;
    progress::note(&format!(
        "{joined} people subscribed to the messaging channels; running {} simulated days",
        (end - start).num_days()
    ));

    let dispatcher = Dispatcher::new(
        store.clone(),
        Arc::clone(&shared),
        Arc::clone(&config),
        DispatchSettings {
            worker_id: "demo".into(),
            sandbox_url: Some(partners.base_url()),
            sequential: true,
            retry_base: std::time::Duration::from_secs(30),
            ..DispatchSettings::default()
        },
    )?
    .with_vault(Some(Arc::clone(&vault)));

    let mut bar = progress::Progress::new(start, end);
    let mut last_plan: Option<DateTime<Utc>> = None;
    let mut engaged_until = 0;
    let mut week = 0;
    let mut sent = 0usize;
    while clock.now() < end {
        let now = clock.now();
        if last_plan.is_none_or(|at| now - at >= Duration::hours(12)) {
            dispatcher.plan().await.map_err(|e| e.to_string())?;
            last_plan = Some(now);
        }
        let report = dispatcher.tick().await.map_err(|e| e.to_string())?;
        sent += report.sent;
        if report.leased == 0 {
            let next_plan = last_plan.unwrap_or(now) + Duration::hours(12);
            let due = store
                .next_due_ms()
                .await
                .map_err(|e| e.to_string())?
                .and_then(DateTime::from_timestamp_millis);
            let target = due.map_or(next_plan, |due| due.min(next_plan)).min(end);
            clock.advance_to(target.max(now + Duration::seconds(1)));
        }
        let this_week = (clock.now() - start).num_weeks();
        if this_week > week {
            week = this_week;
            // Between sends, people read their messages, follow some links, and a few leave.
            engaged_until = people
                .engage(&sandbox, &public, engaged_until, options.seed ^ week as u64)
                .await;
            people.some_leave(&sandbox, week as u64).await;
            bar.update(clock.now(), sent);
        }
    }
    people
        .engage(&sandbox, &public, engaged_until, options.seed)
        .await;
    sandbox.flush_callbacks().await;
    // Callbacks that raced their sends are matched once more before counting.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    store
        .rematch_pending_callbacks(0, clock.now().timestamp_millis())
        .await
        .map_err(|e| e.to_string())?;
    click_tally
        .flush()
        .await
        .map_err(|e| format!("the clicks could not be written: {e}"))?;
    bar.finish(clock.now(), sent);

    std::fs::create_dir_all(&options.out)
        .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
    let mut reports = Vec::new();
    let mut campaigns = Vec::new();
    for loaded in &project.campaigns {
        let id = &loaded.campaign.id;
        let report = campaign_report(
            &store,
            id,
            &config.publication,
            ReportRequest::default_for(&config.publication),
            settled_after(loaded.campaign.ends),
        )
        .await
        .map_err(|e| e.to_string())?;
        let deliveries = store
            .delivery_totals(id, false)
            .await
            .map_err(|e| e.to_string())?;
        let clicks = store.click_counts(id).await.map_err(|e| e.to_string())?;
        for (extension, text) in [("html", to_html(&report)), ("csv", to_csv(&report))] {
            let path = options.out.join(format!("{id}.{extension}"));
            write(&path, &text)?;
            reports.push(path);
        }
        let letters = store
            .dead_letters(100_000)
            .await
            .map_err(|e| e.to_string())?;
        let mut reasons: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
        for letter in letters.iter().filter(|d| &d.campaign_id == id) {
            let entry = reasons
                .entry((
                    letter.channel.clone(),
                    letter.code.clone().unwrap_or_default(),
                ))
                .or_insert((0, letter.text.clone().unwrap_or_default()));
            entry.0 += 1;
        }
        let mut summary = CampaignSummary::from_counts(
            id,
            &deliveries,
            &clicks,
            reasons.values().map(|(n, _)| n).sum(),
        );
        summary.dead_reasons = reasons
            .into_iter()
            .map(|((channel, code), (n, text))| format!("{n} × {channel} {code}: {text}"))
            .collect();
        campaigns.push(summary);
    }
    let subscribers: BTreeMap<String, i64> = store
        .subscriber_counts()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .fold(BTreeMap::new(), |mut m, c| {
            *m.entry(c.channel).or_default() += c.count;
            m
        });
    tracing::debug!(?subscribers, "subscribers at the end");
    server.abort();
    partners.shutdown().await;
    Ok(DemoOutcome {
        reports,
        campaigns,
        simulated_days: (end - start).num_days(),
    })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::whole_file::write_whole(path, text.as_bytes()).map_err(|e| e.to_string())
}

/// The moment the reports of a campaign ending on `ends` have settled: the demo writes them
/// as an evaluator will read them once the campaign is over (only settled periods are ever
/// published).
fn settled_after(ends: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    let day = ends
        .checked_add_days(chrono::Days::new(crate::report::SETTLE_DAYS + 2))
        .unwrap_or(ends);
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}
