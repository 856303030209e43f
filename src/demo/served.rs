//! `herald demo --serve`: the demo's herald kept up after the run, on the loopback listener
//! its links already point at, with the emulated partners still answering and the clock where
//! the written reports were made, so that the web interface shows what the reports show. The
//! demo users get a token each; stopping removes the temporary folder with the database.

use std::path::Path;

use tokio::net::TcpListener;

use crate::clock::Clock;

use super::staff::{self, SignIn};
use super::{DemoError, DemoOptions, DemoOutcome, Started, reports};

/// Runs the demo with herald's front door on `listener` (a loopback address), then keeps
/// serving it: the web interface and the API on the demo's database, at the moment its
/// reports were written, with the emulated partners still answering.
pub async fn serve_demo(
    options: &DemoOptions,
    listener: TcpListener,
) -> Result<ServedDemo, DemoError> {
    let demo = Started::start(options, listener).await?;
    let outcome = match demo.run(options).await {
        Ok(outcome) => outcome,
        Err(error) => return Err(demo.stop_after(error).await),
    };
    // The reports as the demo wrote them: every campaign over and settled.
    demo.clock.advance_to(reports::all_settled(&demo.project));
    match staff::sign_in_tokens(demo.running.store(), demo.clock.now()).await {
        Ok(sign_ins) => Ok(ServedDemo {
            outcome,
            sign_ins,
            demo,
        }),
        Err(error) => Err(demo.stop_after(error).await),
    }
}

/// The demo once it has run, still serving until [`ServedDemo::stop`].
pub struct ServedDemo {
    pub outcome: DemoOutcome,
    /// A sign-in for each demo user.
    pub sign_ins: Vec<SignIn>,
    demo: Started,
}

impl ServedDemo {
    /// Where the web interface and the API listen.
    pub fn address(&self) -> &str {
        &self.demo.public
    }

    /// The SQLite file the demo keeps while it serves.
    pub fn database(&self) -> &Path {
        &self.demo.database
    }

    /// Whether [`ServedDemo::stop`] removes the database (it does unless `--keep-database`
    /// named a file of the user's).
    pub fn removes_database(&self) -> bool {
        self.demo.database.starts_with(self.demo.workspace.path())
    }

    /// The campaigns the demo ran, by id.
    pub fn campaigns(&self) -> impl Iterator<Item = &str> {
        self.demo
            .project
            .campaigns
            .iter()
            .map(|c| c.campaign.id.as_str())
    }

    /// Stops serving and the partners, and removes the temporary folder with the database.
    pub async fn stop(self) -> Result<(), DemoError> {
        self.demo.stop().await
    }
}
