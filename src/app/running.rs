//! herald running: every task started under one shutdown signal and every one of them waited
//! for. The HTTP front door, the dispatcher's loop and the metrics listener run until the stop;
//! webhook registration runs once and gives up at the stop; callback ingestion ends once the
//! front door has answered its last request; the built-in emulator stops last. A task that
//! ends on its own before the stop (a failed listener, a dispatcher error) stops the others.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::dispatch::Dispatcher;
use crate::notify::Notifier;
use crate::reach::{ClickTally, HookAccounts, LinkIndex};
use crate::sandbox::RunningSandbox;
use crate::serving::ServerLimits;
use crate::store::AnyStore;

use super::front_door::FrontDoor;
use super::hook_credentials::HookCredentials;
use super::shutdown::{Shutdown, ShutdownTrigger, shutdown_signal};
use super::{Announce, AppError, Dispatching};

/// The HTTP front door, bound.
pub(super) struct Http {
    pub listener: TcpListener,
    pub address: SocketAddr,
    pub door: FrontDoor,
    pub limits: ServerLimits,
    pub ingestor: tokio::task::JoinHandle<()>,
}

/// Where and how to register herald's hooks once the front door is up.
pub(super) struct WebhookPlan {
    /// `None`: partners cannot be told (no https `public_url`).
    pub hooks_base: Option<String>,
    pub emulator: Option<String>,
    pub accounts: Arc<HookAccounts>,
    pub announce: Announce,
}

/// What [`super::App::start`] hands over.
pub(super) struct Parts {
    pub store: AnyStore,
    pub dispatcher: Arc<Dispatcher<AnyStore>>,
    pub dispatching: Dispatching,
    pub http: Option<Http>,
    pub metrics: Option<TcpListener>,
    pub webhooks: Option<WebhookPlan>,
    /// The hooks following the stored credentials (`serve`, outside a rehearsal).
    pub hook_credentials: Option<HookCredentials>,
    pub built_in: Option<RunningSandbox>,
    pub notifier: Option<Arc<Notifier<AnyStore>>>,
}

/// A running herald.
pub struct RunningApp {
    store: AnyStore,
    dispatcher: Arc<Dispatcher<AnyStore>>,
    address: Option<std::net::SocketAddr>,
    clicks: Option<Arc<ClickTally>>,
    links: Option<Arc<LinkIndex>>,
    trigger: ShutdownTrigger,
    /// The tasks that run until the stop, by name.
    tasks: JoinSet<Result<(), AppError>>,
    names: HashMap<tokio::task::Id, &'static str>,
    /// Tasks that end by themselves or at the stop, waited for after the others.
    finishing: Vec<JoinHandle<()>>,
    /// Webhook registration, which runs once, at the start.
    registration: Option<JoinHandle<()>>,
    built_in: Option<RunningSandbox>,
    notifier: Option<Arc<Notifier<AnyStore>>>,
}

impl RunningApp {
    pub(super) fn start(parts: Parts) -> RunningApp {
        let (trigger, shutdown) = shutdown_signal();
        let mut running = RunningApp {
            store: parts.store,
            dispatcher: parts.dispatcher,
            address: parts.http.as_ref().map(|http| http.address),
            clicks: parts.http.as_ref().map(|h| Arc::clone(&h.door.clicks)),
            links: parts.http.as_ref().map(|h| Arc::clone(&h.door.links)),
            trigger,
            tasks: JoinSet::new(),
            names: HashMap::new(),
            finishing: Vec::new(),
            registration: None,
            built_in: parts.built_in,
            notifier: parts.notifier,
        };
        if let Some(http) = parts.http {
            running.start_front_door(http, shutdown.clone());
        }
        if let Some(listener) = parts.metrics {
            running.start_metrics(listener, shutdown.clone());
        }
        if let Some(plan) = parts.webhooks {
            running.start_registration(plan, shutdown.clone());
        }
        if let Some(following) = parts.hook_credentials {
            let shutdown = shutdown.clone();
            running.spawn("the hooks' credentials", async move {
                following.follow(shutdown).await;
                Ok(())
            });
        }
        if parts.dispatching == Dispatching::Continuous {
            // Beside the dispatcher, under the same signal: an API-only replica sends nothing.
            if let Some(notifier) = running.notifier.clone() {
                let shutdown = shutdown.clone();
                running.spawn("the staff notifier", async move {
                    notifier.run(shutdown.receiver()).await;
                    Ok(())
                });
            }
            running.start_dispatcher(shutdown);
        }
        running
    }

    fn spawn(
        &mut self,
        name: &'static str,
        task: impl Future<Output = Result<(), AppError>> + Send + 'static,
    ) {
        let handle = self.tasks.spawn(task);
        self.names.insert(handle.id(), name);
    }

    fn start_front_door(&mut self, http: Http, shutdown: Shutdown) {
        let clicks = Arc::clone(&http.door.clicks);
        self.finishing.push(http.ingestor);
        self.spawn("the HTTP server", async move {
            let served = crate::serving::serve(
                http.listener,
                http.door.router,
                http.limits,
                shutdown.requested(),
            )
            .await;
            // Clicks are written in batches; what the last batch did not take is written now.
            if let Err(error) = clicks.flush().await {
                tracing::error!(%error, "the last clicks could not be written");
            }
            served.map_err(AppError::Serve)
        });
    }

    fn start_metrics(&mut self, listener: TcpListener, shutdown: Shutdown) {
        let store = self.store.clone();
        let dispatcher = Arc::clone(&self.dispatcher);
        self.spawn("the metrics listener", async move {
            // The same connection limits and deadlines as the front door.
            crate::serving::serve(
                listener,
                super::metrics_endpoint::metrics_router(store, dispatcher),
                ServerLimits::default(),
                shutdown.requested(),
            )
            .await
            .map_err(AppError::Serve)
        });
    }

    fn start_registration(&mut self, plan: WebhookPlan, shutdown: Shutdown) {
        let Some(hooks_base) = plan.hooks_base else {
            if !plan.accounts.is_empty() {
                announce(
                    plan.announce,
                    "webhooks are not registered: `public_url` must be an https:// URL that partners can reach",
                );
            }
            return;
        };
        self.registration = Some(tokio::spawn(async move {
            let registering = crate::reach::register_webhooks(
                &plan.accounts,
                &hooks_base,
                plan.emulator.as_deref(),
            );
            tokio::select! {
                lines = registering => {
                    for line in lines {
                        announce(plan.announce, &format!("webhook: {line}"));
                    }
                }
                _ = shutdown.requested() => {}
            }
        }));
    }

    fn start_dispatcher(&mut self, shutdown: Shutdown) {
        let dispatcher = Arc::clone(&self.dispatcher);
        self.spawn("the dispatcher", async move {
            dispatcher
                .run(shutdown.receiver())
                .await
                .map_err(AppError::Store)
        });
    }

    /// Resolves once webhook registration has finished (at once if there was none): partners
    /// call herald's hooks only from then on.
    pub async fn webhooks_registered(&mut self) -> Result<(), AppError> {
        match self.registration.take() {
            Some(task) => task.await.map_err(|e| AppError::Task(e.to_string())),
            None => Ok(()),
        }
    }

    /// Where the front door listens, when there is one.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.address
    }

    pub fn store(&self) -> &AnyStore {
        &self.store
    }

    /// The staff notifier, for callers that run its passes themselves
    /// ([`Dispatching::OnRequest`]).
    pub fn notifier(&self) -> Option<&Arc<Notifier<AnyStore>>> {
        self.notifier.as_ref()
    }

    /// The dispatcher, for callers that plan and send themselves ([`Dispatching::OnRequest`]).
    pub fn dispatcher(&self) -> &Dispatcher<AnyStore> {
        &self.dispatcher
    }

    /// The redirector's click counters not yet written, when there is a front door.
    pub fn clicks(&self) -> Option<&Arc<ClickTally>> {
        self.clicks.as_ref()
    }

    /// The redirector's index of tracking links, when there is a front door.
    pub fn links(&self) -> Option<&Arc<LinkIndex>> {
        self.links.as_ref()
    }

    /// Runs until `signal` resolves or a task ends by itself, then stops everything.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), AppError> {
        let early = if self.tasks.is_empty() {
            signal.await;
            None
        } else {
            tokio::select! {
                _ = signal => None,
                ended = self.tasks.join_next_with_id() => ended,
            }
        };
        let first = early.and_then(|ended| self.outcome(ended).err());
        let rest = self.stop().await;
        match first {
            Some(error) => Err(error),
            None => rest,
        }
    }

    /// Stops every task and waits for all of them; the first failure is returned.
    pub async fn stop(mut self) -> Result<(), AppError> {
        self.trigger.trigger();
        let mut first = None;
        while let Some(ended) = self.tasks.join_next_with_id().await {
            if let Err(error) = self.outcome(ended) {
                first.get_or_insert(error);
            }
        }
        for task in self
            .registration
            .take()
            .into_iter()
            .chain(self.finishing.drain(..))
        {
            if let Err(error) = task.await {
                first.get_or_insert(AppError::Task(error.to_string()));
            }
        }
        if let Some(emulator) = self.built_in.take() {
            emulator.shutdown().await;
        }
        first.map_or(Ok(()), Err)
    }

    fn outcome(
        &self,
        ended: Result<(tokio::task::Id, Result<(), AppError>), tokio::task::JoinError>,
    ) -> Result<(), AppError> {
        match ended {
            Ok((_, result)) => result,
            Err(error) => {
                let name = self.names.get(&error.id()).copied().unwrap_or("a task");
                Err(AppError::Task(format!("{name} stopped: {error}")))
            }
        }
    }
}

fn announce(announce: Announce, line: &str) {
    match announce {
        Announce::Stdout => crate::say!("{line}"),
        Announce::Log => tracing::debug!(%line, "webhook"),
    }
}
