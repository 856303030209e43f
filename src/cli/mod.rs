//! The command line: argument definitions and one function per subcommand. `main.rs` only
//! parses and dispatches; the work lives in the library modules.

mod audit;
mod command_line;
mod database_choice;
mod deadletter;
mod demo;
mod expiry;
mod init;
mod keys;
mod migrate;
mod plan;
mod preview;
mod rehearsal;
mod report;
mod retention;
mod runtime;
mod sandbox;
mod serve;
mod sessions;
mod subscribers;
mod translations;
mod users;
mod validate;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::store::EndedAs;

pub use migrate::migrate;
pub use plan::plan;
pub use preview::preview;
pub use validate::validate;
pub use worker::worker;

/// Where `herald demo --serve` listens on 127.0.0.1 unless told otherwise: the port
/// `herald serve` uses too, so a newcomer has one address to remember.
pub const DEMO_PORT: u16 = 8080;

#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about = "Targeted, multilingual public-information campaigns with privacy-safe reach reports"
)]
pub struct Cli {
    /// Service configuration (channel accounts); default: herald.toml when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where herald keeps versions and the outbox: sqlite://FILE or postgres://…
    #[arg(long, global = true, env = "HERALD_DATABASE_URL", default_value = crate::store::DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,

    /// More log output on standard error: services (serve, worker, sandbox) log at info, -v
    /// debug; other commands at warn, -v info, -vv debug.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// How log lines are written: `text` for people, `json` (one object per line) for log
    /// collectors.
    #[arg(long, global = true, value_enum, env = "HERALD_LOG_FORMAT", hide_env_values = true, default_value_t = crate::telemetry::LogFormat::Text)]
    pub log_format: crate::telemetry::LogFormat,

    #[command(subcommand)]
    pub command: Command,

    /// No `--database-url` or `HERALD_DATABASE_URL` was given: the default file is used.
    #[arg(skip)]
    pub database_url_is_default: bool,
}

impl Cli {
    /// Whether the command runs as a service, whose operators need to see what it does
    /// (info by default) rather than a one-off command whose output is its answer.
    pub fn runs_a_service(&self) -> bool {
        matches!(
            self.command,
            Command::Serve { .. } | Command::Worker { .. } | Command::Sandbox { .. }
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new campaign project in DIR: herald.toml with an account pointed at the partner
    /// emulator, one campaign, English and Arabic drafts, and a README. Never overwrites a file.
    Init {
        /// The folder to write the project in (created if missing).
        dir: PathBuf,
        /// The campaign's id, which names its files.
        #[arg(long, default_value = "my-campaign")]
        campaign: String,
    },
    /// Check campaign files, translations and layouts; print every problem and the
    /// translation-completeness matrix. Exits 1 when there is an error.
    Validate {
        /// A project folder (with campaigns/ and locales/) or one campaign file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// `text` for people, `json` for scripts and editors.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print exactly the text a segment × locale × channel would receive.
    Preview(PreviewArgs),
    /// Exchange one locale's strings with translators: export them (XLIFF 2.0 or Fluent files,
    /// the default locale as source) and import a translated file back into locales/.
    #[command(subcommand)]
    Translations(translations::TranslationsCommand),
    /// Show when each send goes out, in UTC and in each segment's local time.
    Plan(PlanArgs),
    /// Create or upgrade the database schema (also done at start-up by the server and workers).
    Migrate,
    /// Plan and dispatch due sends until stopped (Ctrl-C finishes the batch in hand).
    Worker {
        /// Rehearse: send everything to this sandbox (herald sandbox) instead of the partners.
        #[arg(long, value_name = "URL")]
        sandbox_url: Option<String>,
        /// Rehearse even on a database that has sent to the real partners.
        #[arg(long, requires = "sandbox_url")]
        allow_used_database: bool,
        /// Plan and dispatch one batch, print what happened, and exit.
        #[arg(long)]
        once: bool,
        /// How long a worker's hold on its jobs lasts: a worker that dies is taken over after
        /// this (5 to 3600).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(5..=3600))]
        lease_seconds: u64,
        /// Serve this worker's Prometheus metrics (jobs by outcome, database failures) on a
        /// listener of their own (for example 0.0.0.0:8082).
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<std::net::SocketAddr>,
    },
    /// The service: the HTTP API, the hooks partners call, the tracking-link redirector,
    /// health probes, planning and dispatch (unless --no-dispatch).
    #[command(group(clap::ArgGroup::new("rehearsal").args(["sandbox", "sandbox_url"])))]
    Serve {
        /// Where the API, the web interface, the hooks and the tracking links listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Serve Prometheus metrics on their own listener (for example 127.0.0.1:8081).
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<std::net::SocketAddr>,
        /// API only: plan and send nothing, and leave every job to `herald worker`.
        #[arg(long)]
        no_dispatch: bool,
        /// Rehearse: point every account at an in-process sandbox instead of the partners.
        #[arg(long, conflicts_with = "sandbox_url")]
        sandbox: bool,
        /// Rehearse: send everything to this sandbox (herald sandbox) instead of the partners,
        /// as `herald worker --sandbox-url` does.
        #[arg(long, value_name = "URL")]
        sandbox_url: Option<String>,
        /// Rehearse even on a database that has sent to the real partners.
        #[arg(long, requires = "rehearsal")]
        allow_used_database: bool,
        /// Let a rehearsal listen on a non-loopback address.
        #[arg(long, requires = "rehearsal")]
        allow_public_rehearsal: bool,
    },
    /// Watch a whole campaign happen: the example campaigns approved, dispatched on a
    /// simulated clock through emulated partners, measured and reported, in under a minute.
    Demo(DemoArgs),
    /// Run the emulated partner APIs (Telegram, WhatsApp, Viber, Facebook, X, signed webhooks)
    /// on one port.
    Sandbox {
        /// The port on 127.0.0.1 the emulated partners listen on.
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// Turn the partners' rate limits off (for benchmarks).
        #[arg(long)]
        no_limits: bool,
        /// Only count what arrives (`GET /sandbox/counts`) instead of keeping every request
        /// for `GET /sandbox/received`, so a long run's memory stays flat.
        #[arg(long)]
        count_only: bool,
    },
    /// A campaign's reach report: aggregates only, protected under the deployment's
    /// publication policy (`[publication]` in herald.toml: k, rounding, noise, and the
    /// breakdowns and periods it publishes).
    Report {
        /// The campaign; or give `--compare` instead.
        #[arg(required_unless_present = "compare", conflicts_with = "compare")]
        campaign: Option<String>,
        /// Campaigns side by side, `ID,ID[,…]` (2 to 8), under the same definitions and
        /// protection.
        #[arg(long, value_name = "IDS")]
        compare: Option<String>,
        /// `csv` (tidy, one row per published value), `json` or `html` (one self-contained
        /// page).
        #[arg(long, value_enum)]
        format: report::ReportFormat,
        /// Write the report to this file (whole or not at all) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// `run`, `week` or `day`, among the periods the policy publishes (default: its first).
        #[arg(long)]
        period: Option<String>,
        /// The breakdown, `segment,locale,channel,variant` or part of it, among those the
        /// policy publishes (default: its first); what is left out is summed over.
        #[arg(long)]
        by: Option<String>,
        /// Only the weeks or days from this date on (YYYY-MM-DD; with `--period week|day`).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Only the weeks or days up to this date, included.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Publish as on this day (YYYY-MM-DD, UTC; default today): only the days settled by
        /// then, in closed periods, are counted.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Jobs that failed for good, with the partner's code and words.
    #[command(subcommand)]
    Deadletter(DeadletterCommand),
    /// People who use the API, their tokens and their web sessions.
    #[command(subcommand)]
    User(UserCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// People subscribed to messaging channels: counts only.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
    /// The secret key (HERALD_SECRET_KEY): rotating it, and rows per key id.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Erase the personal data past its retention rules (`[retention]` and `retention_days`
    /// in herald.toml) now, as every worker does each minute.
    Retention {
        /// Only count, rule by rule, what would be erased.
        #[arg(long)]
        dry_run: bool,
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-seal stored credentials and subscribers' identifiers under HERALD_SECRET_KEY, and
    /// recompute lookup hashes, reading the old ones with HERALD_SECRET_KEY_PREVIOUS. Runs in
    /// batches while the service runs; run it again to resume.
    Rotate {
        /// Subscribers re-keyed per transaction.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch_size: u32,
        /// Stop after this many batches (run again to go on); default: until done.
        #[arg(long, value_name = "N")]
        batches: Option<u64>,
    },
    /// Rows of subscribers and credentials per key id (current, previous, unknown).
    Status {
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Subscribers per channel, segment and locale, with small counts suppressed.
    Stats {
        /// Suppress counts below this (never below 5).
        #[arg(long, default_value_t = crate::report::DEFAULT_SUBSCRIBER_K)]
        k: u64,
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user and print their API token `id.secret` (once).
    Add {
        name: String,
        /// author, approver, scheduler, evaluator, admin or translator; repeat or separate with commas.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// When their tokens stop working: a duration from now (90d, 12h, 30m, 2w), a date
        /// (YYYY-MM-DD, from its start in UTC) or an RFC 3339 time; default never.
        #[arg(long, value_name = "WHEN")]
        expires: Option<String>,
    },
    /// Revoke a token (its id, the part before the dot); its web sessions end with it.
    Revoke { token: String },
    /// Every user: roles, expiry, active token ids and live web sessions (never a secret).
    List {
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Give a user a new API token, printed once, and revoke their others at once.
    Rotate {
        name: String,
        /// A new expiry for their tokens, as for `user add` (default: the one they have).
        #[arg(long, value_name = "WHEN")]
        expires: Option<String>,
    },
    /// Live web-interface sessions: id, user, token, created, last seen, idle end, expiry.
    Sessions {
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// End a web-interface session by its id (from `herald user sessions`); audited.
    EndSession { id: String },
    /// Set the language a user's web interface is shown in (en, fr, de, es, it, nl, ar), or
    /// `browser` to follow their browser's Accept-Language again; audited.
    SetLanguage { name: String, language: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no entry was edited, inserted or deleted. Exits 1 when one was. Keyed
    /// entries need HERALD_SECRET_KEY; never migrates the database.
    Verify {
        /// A head saved by `herald audit export-head`: the chain must still hold its last
        /// entry, unchanged, and go on from it.
        #[arg(long, value_name = "FILE")]
        head: Option<PathBuf>,
    },
    /// Print the chain's signed head (entries, last hash, key id, time, HMAC) as JSON, to keep
    /// outside the database; needs HERALD_SECRET_KEY.
    ExportHead {
        /// Write it to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeadletterCommand {
    /// List dead letters, oldest first.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// List the jobs whose outcome is unknown instead: the request left but no answer
        /// came, so herald will not send them again; check them with the partner.
        #[arg(long, conflicts_with = "resent")]
        unknown: bool,
        /// List the jobs sent again with the same idempotency key instead (after a worker
        /// stopped mid-send or an answer never came), whatever their status now: the partner
        /// should have dropped the repeat, but the person may have the message twice.
        #[arg(long)]
        resent: bool,
        /// `text` for people, `json` for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Put dead letters back in the queue, due now, with a fresh attempt count.
    Retry {
        /// Dead-letter ids (from `herald deadletter list`).
        ids: Vec<i64>,
        /// Retry every dead letter.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The campaign project to run.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Where the HTML and CSV reports are written.
    #[arg(long, default_value = "demo-reports")]
    pub out: PathBuf,
    /// Stop after this many weeks of campaign time (default: the whole campaigns).
    #[arg(long)]
    pub weeks: Option<u32>,
    /// People who subscribe to the messaging channels.
    #[arg(long, default_value_t = 400)]
    pub subscribers: usize,
    /// Seed of the partners' faults and the people's choices.
    #[arg(long, default_value_t = 2027)]
    pub seed: u64,
    /// Keep the demo's SQLite database in this file (which must not exist yet) instead of
    /// a temporary one, to run `herald report` on it afterwards.
    #[arg(long, value_name = "FILE")]
    pub keep_database: Option<PathBuf>,
    /// Then keep serving the web interface and the API on 127.0.0.1 with the emulated
    /// partners, and print a sign-in token for each demo user; Ctrl-C stops it and removes
    /// the database.
    #[arg(long)]
    pub serve: bool,
    /// The port on 127.0.0.1 that `--serve` listens on (0: any free port, printed).
    #[arg(long, default_value_t = DEMO_PORT, requires = "serve")]
    pub port: u16,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Campaign id (looked up as campaigns/<id>.toml) or the campaign file's path.
    pub campaign: String,
    /// Start of the window: RFC 3339 (2027-01-15T09:00:00Z) or a date (UTC midnight); default: the campaign's start.
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the window (exclusive), same forms; default: the end of the campaign's last day.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// A table for people, or JSON for scripts.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// Campaign id (looked up as campaigns/<id>.toml) or the campaign file's path.
    pub campaign: String,
    /// The segment id (not with `--all`).
    #[arg(long, required_unless_present = "all")]
    pub segment: Option<String>,
    /// The locale, for example `ar` or `fa-AF` (not with `--all`).
    #[arg(long, required_unless_present = "all")]
    pub locale: Option<String>,
    /// `platform:account`, for example telegram:nl-info.
    #[arg(long, required_unless_present = "all")]
    pub channel: Option<String>,
    /// Only this A/B variant (default: every variant).
    #[arg(long)]
    pub variant: Option<String>,
    /// Only this send (default: every send of the message to that segment and channel).
    #[arg(long)]
    pub send: Option<String>,
    /// The whole matrix: every send × segment × locale × channel × variant (other options narrow it).
    #[arg(long)]
    pub all: bool,
    /// Write one file per text into this folder instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// `text` for people, `json` for scripts and editors.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Loads one valid campaign for a command that works on it (`preview`, `plan`); on errors,
/// prints them and says which command to run, and the caller exits 1.
fn load_valid_campaign(
    name: &str,
    config: Option<&std::path::Path>,
    doing: &str,
) -> Result<crate::project::Project, ExitCode> {
    let target = crate::project::Target::campaign(std::path::Path::new("."), name);
    let (project, diags) = crate::project::load_project(&target, config);
    if diags.has_errors() {
        for diagnostic in diags.into_sorted() {
            eprintln!("{diagnostic}");
        }
        eprintln!("error: the campaign has errors; fix them before {doing} (herald validate)");
        return Err(ExitCode::FAILURE);
    }
    if project.campaigns.is_empty() {
        eprintln!("error: campaign `{name}` not found");
        return Err(ExitCode::FAILURE);
    }
    Ok(project)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    if let Some(warning) = cli.implicit_database_warning() {
        eprintln!("{warning}");
    }
    match cli.command {
        Command::Init { dir, campaign } => init::init(&dir, &campaign),
        Command::Validate { path, format } => validate(&path, cli.config.as_deref(), format),
        Command::Preview(args) => preview(&args, cli.config.as_deref()),
        Command::Translations(command) => {
            translations::translations(&command, cli.config.as_deref())
        }
        Command::Plan(args) => plan(&args, cli.config.as_deref()),
        Command::Migrate => migrate(&cli.database_url),
        Command::Worker {
            sandbox_url,
            allow_used_database,
            once,
            lease_seconds,
            metrics_listen,
        } => worker(
            &cli.database_url,
            cli.config.as_deref(),
            sandbox_url.as_deref(),
            allow_used_database,
            once,
            std::time::Duration::from_secs(lease_seconds),
            metrics_listen,
        ),
        Command::Sandbox {
            port,
            no_limits,
            count_only,
        } => sandbox::sandbox(port, no_limits, count_only),
        Command::Demo(args) => demo::demo(args),
        Command::Serve {
            listen,
            metrics_listen,
            no_dispatch,
            sandbox,
            sandbox_url,
            allow_used_database,
            allow_public_rehearsal,
        } => serve::serve(
            &cli.database_url,
            cli.config.as_deref(),
            serve::Listeners {
                listen,
                metrics_listen,
            },
            no_dispatch,
            serve::Rehearsal {
                sandbox,
                sandbox_url,
                allow_used_database,
                allow_public_rehearsal,
            },
        ),
        Command::Deadletter(command) => deadletter_command(&cli.database_url, command),
        Command::Report {
            campaign,
            compare,
            format,
            out,
            period,
            by,
            from,
            until,
            as_of,
        } => report::report(
            &cli.database_url,
            cli.config.as_deref(),
            report::Asked {
                campaign: campaign.as_deref(),
                compare: compare.as_deref(),
                period: period.as_deref(),
                by: by.as_deref(),
                from: from.as_deref(),
                until: until.as_deref(),
                as_of: as_of.as_deref(),
            },
            format,
            out.as_deref(),
        ),
        Command::User(command) => user_command(&cli.database_url, command),
        Command::Audit(AuditCommand::Verify { head }) => {
            audit::audit_verify(&cli.database_url, head.as_deref())
        }
        Command::Audit(AuditCommand::ExportHead { out }) => {
            audit::audit_export_head(&cli.database_url, out.as_deref())
        }
        Command::Subscribers(SubscribersCommand::Stats { k, format }) => {
            subscribers::subscribers_stats(&cli.database_url, k, format)
        }
        Command::Retention { dry_run, format } => {
            retention::retention(&cli.database_url, cli.config.as_deref(), dry_run, format)
        }
        Command::Keys(command) => keys_command(&cli.database_url, command),
    }
}

/// `herald keys …`.
fn keys_command(database_url: &str, command: KeysCommand) -> ExitCode {
    match command {
        KeysCommand::Rotate {
            batch_size,
            batches,
        } => keys::keys_rotate(
            database_url,
            crate::app::RotationPlan {
                batch: batch_size,
                max_batches: batches,
            },
        ),
        KeysCommand::Status { format } => keys::keys_status(database_url, format),
    }
}

/// `herald user …`.
fn user_command(database_url: &str, command: UserCommand) -> ExitCode {
    match command {
        UserCommand::Add {
            name,
            roles,
            expires,
        } => users::user_add(database_url, &name, &roles, expires.as_deref()),
        UserCommand::Revoke { token } => users::user_revoke(database_url, &token),
        UserCommand::List { format } => users::user_list(database_url, format),
        UserCommand::Rotate { name, expires } => {
            users::user_rotate(database_url, &name, expires.as_deref())
        }
        UserCommand::Sessions { format } => sessions::user_sessions(database_url, format),
        UserCommand::EndSession { id } => sessions::user_end_session(database_url, &id),
        UserCommand::SetLanguage { name, language } => {
            users::user_set_language(database_url, &name, &language)
        }
    }
}

/// `herald deadletter list [--unknown | --resent]` and `herald deadletter retry`.
fn deadletter_command(database_url: &str, command: DeadletterCommand) -> ExitCode {
    match command {
        DeadletterCommand::List {
            limit,
            unknown,
            resent,
            format,
        } => {
            let ended = match (unknown, resent) {
                (true, _) => EndedAs::Unknown,
                (_, true) => EndedAs::Resent,
                _ => EndedAs::Dead,
            };
            deadletter::deadletter_list(database_url, ended, limit, format)
        }
        DeadletterCommand::Retry { ids, all } => {
            deadletter::deadletter_retry(database_url, &ids, all)
        }
    }
}
