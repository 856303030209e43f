//! The accounts whose hooks herald serves, with their credentials, replaced as a whole when the
//! credentials stored through the API change (`serve` follows them, see `crate::app`): a
//! `webhook_secret`, `app_secret` or `verify_token` stored after the start is checked from
//! then on, without a restart. A request keeps the accounts it started with.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::HookAccount;

/// The hooks' accounts by channel (`platform:account`).
pub type HookAccounts = HashMap<String, HookAccount>;

pub struct LiveHookAccounts {
    current: RwLock<Arc<HookAccounts>>,
}

impl LiveHookAccounts {
    pub fn new(accounts: HookAccounts) -> LiveHookAccounts {
        LiveHookAccounts {
            current: RwLock::new(Arc::new(accounts)),
        }
    }

    /// The accounts as of now.
    pub fn current(&self) -> Arc<HookAccounts> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn replace(&self, accounts: HookAccounts) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(accounts);
    }
}
