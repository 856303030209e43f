//! What a caller may put in place of what [`super::App::build`] would make itself: the clock
//! (the demo's and the tests' simulated time) and a listener bound in advance (port 0, or an
//! address the caller had to know before the configuration was final).

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::clock::Clock;

#[derive(Default)]
pub struct Overrides {
    /// The system clock when `None`.
    pub clock: Option<Arc<dyn Clock>>,
    /// Used instead of binding [`super::Settings::listen`].
    pub listener: Option<TcpListener>,
}
