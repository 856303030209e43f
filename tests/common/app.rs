//! `spawn_app`: herald as `herald serve` assembles it (the real [`herald::app::App`]), on a
//! fresh SQLite database and port 0, with the test's configuration, clock and keys. Dispatching
//! is left to the test (it plans and sends through `app.running.dispatcher()`), so that a test
//! decides when time moves.

use std::sync::Arc;

use herald::app::{
    Announce, App, Dispatching, Overrides, Partners, RunningApp, ServiceKeys, Settings,
};
use herald::campaign::{Diagnostics, SourceFile};
use herald::clock::Clock;
use herald::config::Config;
use herald::dispatch::DispatchSettings;
use herald::notify::NotifierSettings;
use herald::store::{AnyStore, SqliteStore};

use super::stores::{Fresh, sqlite};

/// What a test may choose; everything else is as `herald serve` has it.
pub struct AppOptions {
    /// The `herald.toml` to run with.
    pub herald_toml: String,
    pub clock: Arc<dyn Clock>,
    pub keys: ServiceKeys,
    pub partners: Partners,
    /// The dispatcher's settings, when the test needs others than `herald serve`'s.
    pub dispatch: Option<DispatchSettings>,
    /// The environment `[notifications]` reads its secrets from.
    pub notify_env: std::collections::BTreeMap<String, String>,
}

impl AppOptions {
    pub fn new(herald_toml: &str, clock: Arc<dyn Clock>) -> AppOptions {
        AppOptions {
            herald_toml: herald_toml.to_string(),
            clock,
            keys: ServiceKeys::default(),
            partners: nowhere(),
            dispatch: None,
            notify_env: Default::default(),
        }
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub running: RunningApp,
    pub config: Arc<Config>,
    /// The same database, opened directly, for a test's own setup and checks.
    pub fresh: Fresh<SqliteStore>,
}

impl TestApp {
    pub fn store(&self) -> &AnyStore {
        self.running.store()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops every task of the app and waits for them.
    pub async fn stop(self) {
        self.running.stop().await.expect("the app stops cleanly");
    }
}

/// A rehearsal against an emulator that is not there: every account has the rehearsal
/// credential, and nothing the app sends can reach anyone (tests that want a partner start
/// the sandbox and say where it is).
pub fn nowhere() -> Partners {
    Partners::Emulator {
        url: "http://127.0.0.1:1".into(),
        credential: herald::platforms::Secret::new(herald::platforms::REHEARSAL_CREDENTIAL),
    }
}

/// Parses `herald.toml` text; a test's configuration must be valid.
pub fn config(herald_toml: &str) -> Config {
    let mut diags = Diagnostics::default();
    let config = Config::parse(
        &SourceFile::new("herald.toml", herald_toml.to_string()),
        &mut diags,
    );
    assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
    config
}

/// Builds and starts the app; its webhook registration has finished when this returns.
pub async fn spawn_app(options: AppOptions) -> TestApp {
    let mut fresh = sqlite().await;
    // The test's own handle writes audit entries as the app does: keyed with the app's key.
    fresh.store = fresh.store.with_audit_key(options.keys.audit.clone());
    let started = start_app_on(&fresh.url, options).await;
    TestApp {
        base: started.base,
        running: started.running,
        config: started.config,
        fresh,
    }
}

/// herald started on a database the test holds: several of them on one database are
/// replicas, and one started again after another stopped is a restart.
pub struct StartedApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub running: RunningApp,
    pub config: Arc<Config>,
}

impl StartedApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops every task of the app and waits for them.
    pub async fn stop(self) {
        self.running.stop().await.expect("the app stops cleanly");
    }
}

/// Builds and starts the app on the database at `database_url` (migrated if it is not yet),
/// on port 0; its webhook registration has finished when this returns.
pub async fn start_app_on(database_url: &str, options: AppOptions) -> StartedApp {
    let mut settings = Settings::new(database_url, config(&options.herald_toml));
    settings.keys = options.keys;
    settings.partners = options.partners;
    if let Some(dispatch) = options.dispatch {
        settings.dispatch = dispatch;
    }
    settings.dispatching = Dispatching::OnRequest;
    settings.announce = Announce::Log;
    settings.notifications = NotifierSettings::resolve(&settings.config, |name| {
        options.notify_env.get(name).cloned()
    })
    .expect("the notification secrets are set")
    .map(Arc::new);
    let config = Arc::clone(&settings.config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let app = App::build(
        settings,
        Overrides {
            clock: Some(options.clock),
            listener: Some(listener),
        },
    )
    .await
    .expect("herald assembles");
    let base = format!("http://{}", app.address().expect("a front door"));
    let mut running = app.start();
    running
        .webhooks_registered()
        .await
        .expect("webhook registration ends");
    StartedApp {
        base,
        running,
        config,
    }
}
