//! One stop signal for every task of a running herald. The front door hands a [`Shutdown`] to
//! each task it starts (the HTTP server, the dispatcher, webhook registration, the metrics
//! listener); one [`ShutdownTrigger`] stops them all, and the app waits for every one of them
//! before it returns, so nothing is left running detached when the process ends.

use tokio::sync::watch;

/// Requests the stop. Dropping it without triggering leaves the tasks running until the app
/// itself stops them.
#[derive(Debug)]
pub struct ShutdownTrigger {
    sender: watch::Sender<bool>,
}

/// What a task watches to know when to stop. Clones share one signal.
#[derive(Debug, Clone)]
pub struct Shutdown {
    receiver: watch::Receiver<bool>,
}

/// A trigger and the signal it sends.
pub fn shutdown_signal() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger { sender }, Shutdown { receiver })
}

impl ShutdownTrigger {
    /// Tells every task to stop; idempotent.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Another signal from this trigger, for a task started later.
    pub fn subscribe(&self) -> Shutdown {
        Shutdown {
            receiver: self.sender.subscribe(),
        }
    }
}

impl Shutdown {
    /// Whether the stop has been requested.
    pub fn is_requested(&self) -> bool {
        *self.receiver.borrow()
    }

    /// Resolves once the stop is requested (or the trigger is gone).
    pub async fn requested(mut self) {
        let _ = self.receiver.wait_for(|stop| *stop).await;
    }

    /// The underlying receiver, for loops that check the flag between steps.
    pub fn receiver(&self) -> watch::Receiver<bool> {
        self.receiver.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_clone_hears_one_trigger() {
        let (trigger, shutdown) = shutdown_signal();
        let late = trigger.subscribe();
        assert!(!shutdown.is_requested());
        let waiting = tokio::spawn(shutdown.clone().requested());
        trigger.trigger();
        waiting.await.unwrap();
        assert!(shutdown.is_requested());
        assert!(late.is_requested());
    }
}
