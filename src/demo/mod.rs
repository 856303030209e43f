//! `herald demo`: the example campaigns run from approval to report in under a minute, on a
//! temporary SQLite database, a simulated clock and the in-process sandbox behaving like the
//! real partners (a few throttled and failed answers, status callbacks, people subscribing,
//! reading, clicking and leaving). Nothing leaves the machine; everything it shows is the real
//! code path: the same dispatcher, hooks, redirector and report a deployment runs.
//! With `--serve` ([`serve_demo`]) the same herald stays up afterwards, to be browsed.

mod audience;
mod error;
mod progress;
mod reports;
mod served;
mod simulation;
mod staff;
mod summary;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use tokio::net::TcpListener;

use crate::app::{
    Announce, App, Dispatching, Overrides, Partners, RunningApp, ServiceKeys, Settings,
};
use crate::clock::{Clock, SimulatedClock};
use crate::dispatch::DispatchSettings;
use crate::platforms::{REHEARSAL_CREDENTIAL, Secret};
use crate::project::{Project, Target, load_project};
use crate::sandbox::{FaultConfig, RunningSandbox, Sandbox, SandboxConfig};
use crate::store::Store;

pub use error::DemoError;
pub use served::{ServedDemo, serve_demo};
pub use staff::SignIn;
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
pub async fn run_demo(options: &DemoOptions) -> Result<DemoOutcome, DemoError> {
    let listener = listen_on(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let demo = Started::start(options, listener).await?;
    let outcome = demo.run(options).await;
    let stopped = demo.stop().await;
    let outcome = outcome?;
    stopped?;
    Ok(outcome)
}

/// Binds herald's front door for the demo.
pub async fn listen_on(address: SocketAddr) -> Result<TcpListener, DemoError> {
    TcpListener::bind(address)
        .await
        .map_err(|e| DemoError::Setup(format!("cannot listen on {address}: {e}")))
}

/// A demo under way: herald and the emulated partners started, the clock at the start.
struct Started {
    project: Project,
    /// The temporary folder (and, without `--keep-database`, the database in it).
    workspace: tempfile::TempDir,
    database: PathBuf,
    clock: SimulatedClock,
    people: audience::People,
    partners: Sandbox,
    running_partners: RunningSandbox,
    running: RunningApp,
    /// herald's address, which the campaign links point at.
    public: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Started {
    async fn start(options: &DemoOptions, listener: TcpListener) -> Result<Started, DemoError> {
        let mut project = valid_project(options)?;
        let workspace = tempfile::tempdir()
            .map_err(|e| DemoError::Setup(format!("no temporary folder: {e}")))?;
        let database = database_file(options, workspace.path())?;
        let (start, end) = timeline(&project, options.weeks)?;
        let clock = SimulatedClock::starting_at(start);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());

        // The partners: realistic, not perfect.
        // People with only a basic phone join by SMS when the project has an SMS account.
        let sms = project.config.accounts.values().any(|account| {
            account.channel.platform == crate::channel::Platform::Sms
                && account.audience == crate::config::Audience::Subscribers
        });
        let people = audience::People::new(options.subscribers, options.seed, sms);
        let partners = emulated_partners(&people, options.seed, &shared);
        let running_partners = partners
            .start(0)
            .await
            .map_err(|e| DemoError::Setup(format!("cannot start the sandbox: {e}")))?;

        // herald's public side, on one local port that the campaign links point at.
        let public = format!(
            "http://{}",
            listener
                .local_addr()
                .map_err(|e| DemoError::Setup(e.to_string()))?
        );
        serve_at(&mut project, &public)?;
        let settings = demo_settings(&database, &project, &running_partners)?;
        let app = App::build(
            settings,
            Overrides {
                clock: Some(shared),
                listener: Some(listener),
            },
        )
        .await;
        let app = match app {
            Ok(app) => app,
            Err(error) => {
                running_partners.shutdown().await;
                return Err(error.into());
            }
        };
        let mut running = app.start();
        running.webhooks_registered().await?;
        Ok(Started {
            project,
            workspace,
            database,
            clock,
            people,
            partners,
            running_partners,
            running,
            public,
            start,
            end,
        })
    }

    /// The campaigns from approval to report.
    async fn run(&self, options: &DemoOptions) -> Result<DemoOutcome, DemoError> {
        let outcome = run_in(
            &self.running,
            &self.project,
            &self.clock,
            &self.partners,
            &self.people,
            &self.public,
            options,
            self.end,
        )
        .await?;
        Ok(DemoOutcome {
            simulated_days: (self.end - self.start).num_days(),
            ..outcome
        })
    }

    /// Stops everything after `error`, which is what the user needs to hear (a failure to stop
    /// as well is only logged).
    async fn stop_after(self, error: DemoError) -> DemoError {
        if let Err(also) = self.stop().await {
            tracing::warn!(error = %also, "the demo did not stop cleanly");
        }
        error
    }

    /// Stops herald, then the partners, then removes the temporary folder.
    async fn stop(self) -> Result<(), DemoError> {
        let stopped = self.running.stop().await;
        self.running_partners.shutdown().await;
        let removed = self.workspace.close().map_err(|e| {
            DemoError::Setup(format!("the demo's temporary folder was not removed: {e}"))
        });
        stopped?;
        removed
    }
}

/// The example project, refused with every diagnostic when it is not valid.
fn valid_project(options: &DemoOptions) -> Result<Project, DemoError> {
    let (project, diags) = load_project(
        &Target::Folder(options.project.clone()),
        Some(&options.project.join("herald.toml")),
    );
    if diags.has_errors() || project.campaigns.is_empty() {
        let problems: Vec<String> = diags.into_sorted().iter().map(|d| d.to_string()).collect();
        return Err(DemoError::Project {
            folder: options.project.display().to_string(),
            problems: problems.join("\n"),
        });
    }
    Ok(project)
}

/// A new file for `--keep-database`, else one in the temporary workspace.
fn database_file(options: &DemoOptions, workspace: &std::path::Path) -> Result<PathBuf, DemoError> {
    match &options.keep_database {
        Some(file) if file.exists() => Err(DemoError::DatabaseExists(file.display().to_string())),
        Some(file) => Ok(file.clone()),
        None => Ok(workspace.join("demo.db")),
    }
}

/// From midnight before the first campaign starts to midnight after the last one ends, or
/// `weeks` from the start.
fn timeline(
    project: &Project,
    weeks: Option<u32>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), DemoError> {
    let midnight = |d: chrono::NaiveDate| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN));
    let start = project
        .campaigns
        .iter()
        .map(|c| c.campaign.starts)
        .min()
        .and_then(|d| d.pred_opt())
        .map(midnight)
        .ok_or_else(|| DemoError::Setup("the campaigns have no start date".into()))?;
    let last_day = project
        .campaigns
        .iter()
        .map(|c| c.campaign.ends)
        .max()
        .and_then(|d| d.succ_opt())
        .map(midnight)
        .ok_or_else(|| DemoError::Setup("the campaigns have no end date".into()))?;
    let end = match weeks {
        Some(weeks) => (start + Duration::weeks(i64::from(weeks))).min(last_day),
        None => last_day,
    };
    Ok((start, end))
}

/// The partner emulator with a few throttled and failed answers, some undeliverable people,
/// and status callbacks in batches.
fn emulated_partners(people: &audience::People, seed: u64, clock: &Arc<dyn Clock>) -> Sandbox {
    Sandbox::new(
        SandboxConfig {
            faults: FaultConfig {
                rate_429: 0.01,
                rate_5xx: 0.01,
                seed,
                ..FaultConfig::default()
            },
            read_rate: 0.6,
            callback_batch: 20,
            undeliverable: people.undeliverable(),
            ..SandboxConfig::default()
        },
        Arc::clone(clock),
    )
}

/// Points the project's public URL at the demo's listener. The simulated people all click
/// from this machine; each says who it is the way a reverse proxy would, so the redirector
/// tells them apart as it would real people.
fn serve_at(project: &mut Project, public: &str) -> Result<(), DemoError> {
    project.config.public_url = public.to_string();
    let loopback = crate::client_address::AddressRange::parse("127.0.0.1")
        .map_err(|e| DemoError::Setup(e.to_string()))?;
    project.config.trusted_proxies = crate::client_address::TrustedProxies::new(vec![loopback]);
    Ok(())
}

/// herald as the demo runs it: the emulator as every partner, subscribers sealed with a key
/// that dies with the run, and dispatching driven by the simulation, one send at a time.
fn demo_settings(
    database: &std::path::Path,
    project: &Project,
    partners: &RunningSandbox,
) -> Result<Settings, DemoError> {
    let mut settings = Settings::new(
        &format!("sqlite://{}", database.display()),
        project.config.clone(),
    );
    settings.keys = ServiceKeys::default().with_ephemeral_vault()?;
    settings.partners = Partners::Emulator {
        url: partners.base_url(),
        credential: Secret::new(REHEARSAL_CREDENTIAL),
    };
    settings.dispatch = DispatchSettings {
        worker_id: "demo".into(),
        sequential: true,
        retry_base: std::time::Duration::from_secs(30),
        ..DispatchSettings::default()
    };
    settings.dispatching = Dispatching::OnRequest;
    settings.announce = Announce::Log;
    Ok(settings)
}

/// Everything between start and stop: staff schedule the campaigns, people subscribe, time
/// runs, the last callbacks and clicks are counted, and the reports are written.
#[allow(clippy::too_many_arguments)]
async fn run_in(
    running: &RunningApp,
    project: &Project,
    clock: &SimulatedClock,
    partners: &Sandbox,
    people: &audience::People,
    public: &str,
    options: &DemoOptions,
    end: DateTime<Utc>,
) -> Result<DemoOutcome, DemoError> {
    let store = running.store();
    staff::schedule_every_campaign(store, project, clock.now()).await?;
    // People opt in by writing to the bots, through the partners, as they would.
    let joined = people
        .subscribe_all(partners, &project.config)
        .await
        .map_err(|e| DemoError::Audience(e.to_string()))?;
    progress::note(&format!(
        "{joined} people subscribed to the messaging channels; running {} simulated days",
        (end - clock.now()).num_days()
    ));
    let world = simulation::World {
        app: running,
        clock,
        partners,
        people,
        public,
        seed: options.seed,
    };
    simulation::run_until(&world, end).await?;
    partners.flush_callbacks().await;
    // Callbacks that raced their sends are matched once more before counting.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    store
        .rematch_pending_callbacks(0, clock.now().timestamp_millis())
        .await?;
    if let Some(clicks) = running.clicks() {
        clicks
            .flush()
            .await
            .map_err(|e| DemoError::Write(format!("the clicks could not be written: {e}")))?;
    }
    let (reports, campaigns) = reports::write_reports(store, project, &options.out).await?;
    Ok(DemoOutcome {
        reports,
        campaigns,
        simulated_days: 0,
    })
}
