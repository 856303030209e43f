//! The one place that assembles herald. [`Settings`] gather what a process needs, once; an
//! [`App`] is built from them (plus [`Overrides`] for a simulated clock or a listener bound in
//! advance) and started into a [`RunningApp`], whose tasks all run under one shutdown signal
//! and are all waited for. `herald serve`, `herald worker`, `herald demo` and the tests all
//! build herald this way, so none of them can drift from the others.

mod assembly;
mod audit_start;
mod database_use;
mod error;
mod front_door;
mod hook_credentials;
mod key_rotation;
mod keys;
mod metrics_endpoint;
mod overrides;
mod probes;
mod running;
mod settings;
mod shutdown;
mod stored_credentials;

pub use assembly::{App, open_store, open_store_as_is};
pub use audit_start::{POLICY_CHANGED, check_audit_key, record_publication_policy};
pub use database_use::{ALLOW_USED_DATABASE, DatabaseUse, check_database_use};
pub use error::AppError;
pub use key_rotation::{KeyRotationError, RotationPlan, RotationProgress, rotate_keys};
pub use keys::ServiceKeys;
pub use overrides::Overrides;
pub use probes::probes;
pub use running::RunningApp;
pub use settings::{Announce, Dispatching, Partners, Settings};
pub use shutdown::{Shutdown, ShutdownTrigger, shutdown_signal};
