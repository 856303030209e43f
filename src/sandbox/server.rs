//! Serving the sandbox on a local port in the background, for tests, rehearsals and
//! `herald sandbox`.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::Sandbox;
use super::connection::{DropSwitch, DroppableListener};

/// A sandbox serving in the background. Dropping it asks the server to stop (gracefully: the
/// requests in flight are answered); [`RunningSandbox::shutdown`] also waits until it has.
pub struct RunningSandbox {
    /// Where the sandbox listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// The base URL to give a channel account instead of the platform's, e.g.
    /// `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Sandbox {
    /// Binds `127.0.0.1:port` (0 = any free port) and serves in a background tokio task.
    pub async fn start(&self, port: u16) -> io::Result<RunningSandbox> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        self.start_on(listener)
    }

    /// Serves on a listener the caller bound (another address, or a port chosen elsewhere),
    /// with the same ability to really drop connections as [`Sandbox::start`].
    pub fn start_on(&self, listener: TcpListener) -> io::Result<RunningSandbox> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = self
            .router()
            .into_make_service_with_connect_info::<DropSwitch>();
        let server =
            axum::serve(DroppableListener::new(listener), app).with_graceful_shutdown(async move {
                // A dropped sender means the same as a sent stop.
                let _ = stopped.await;
            });
        let task = tokio::spawn(async move {
            if let Err(err) = server.await {
                tracing::error!(%addr, "sandbox server stopped: {err}");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(RunningSandbox {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}
