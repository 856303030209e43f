//! The accept loop: hyper's HTTP/1 server with a header-read deadline (a client that trickles
//! one header line every few seconds is cut off), an idle deadline between requests on a
//! kept-alive connection, and caps on connections in total and from one peer address, so
//! that one client cannot take every connection. On shutdown it stops accepting, lets every
//! connection finish the request in hand, and joins them all (within a bound).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::client_address::TrustedProxies;

/// The limits one server holds every connection to.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// A request's headers must arrive whole within this time.
    pub header_read_timeout: Duration,
    /// A connection that sends and receives nothing for this long is closed.
    pub idle_timeout: Duration,
    /// Connections open at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// Connections open at once from one peer address (a trusted proxy is exempt: it carries
    /// everyone's requests).
    pub max_connections_per_peer: usize,
    /// How long a graceful stop waits for requests in hand before closing connections.
    pub drain_timeout: Duration,
    /// Peers exempt from the per-peer cap.
    pub trusted_proxies: TrustedProxies,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_connections_per_peer: 64,
            drain_timeout: Duration::from_secs(30),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Open connections per peer address, so that one peer cannot take them all.
#[derive(Default)]
struct PeerCounts(Mutex<HashMap<IpAddr, usize>>);

impl PeerCounts {
    fn try_open(self: &Arc<Self>, peer: IpAddr, max: usize) -> Option<PeerSlot> {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(peer).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            counts: Arc::clone(self),
            peer,
        })
    }
}

/// One open connection of a peer; dropping it frees the slot (and forgets the peer at zero,
/// so the map holds only peers with open connections).
struct PeerSlot {
    counts: Arc<PeerCounts>,
    peer: IpAddr,
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.peer) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.peer);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains and joins every
/// connection.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let peers = Arc::new(PeerCounts::default());
    let (stopping, stop_seen) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while tasks.try_join_next().is_some() {}
        let slot = if limits.trusted_proxies.trusts(peer.ip()) {
            None
        } else {
            let key = crate::client_address::client_key(peer.ip());
            match peers.try_open(key, limits.max_connections_per_peer) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "connection refused: too many from this peer");
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        tasks.spawn(serve_connection(
            stream,
            peer,
            app.clone(),
            limits.clone(),
            stop_seen.clone(),
            (permit, slot),
        ));
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(limits.drain_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = tasks.len(),
            "connections still open after the drain period are closed"
        );
        tasks.shutdown().await;
    }
    Ok(())
}

/// One connection, held to its deadlines; `_held` frees its places when it ends.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ServerLimits,
    mut stopping: watch::Receiver<bool>,
    _held: (OwnedSemaphorePermit, Option<PeerSlot>),
) {
    let (activity, mut activity_seen) = watch::channel(());
    let io = TokioIo::new(WatchedStream {
        inner: stream,
        activity,
    });
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request.map(Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut shutting_down = *stopping.borrow();
    if shutting_down {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            changed = stopping.changed(), if !shutting_down => {
                shutting_down = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
            idle = tokio::time::timeout(limits.idle_timeout, activity_seen.changed()) => {
                match idle {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return,
                    Err(_) => {
                        tracing::debug!(%peer, "idle connection closed");
                        return;
                    }
                }
            }
        }
    }
}

/// A TCP stream that signals every read and write, so the connection's idle deadline
/// restarts whenever bytes move in either direction.
struct WatchedStream {
    inner: TcpStream,
    activity: watch::Sender<()>,
}

impl AsyncRead for WatchedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.send_replace(());
        }
        polled
    }
}

impl AsyncWrite for WatchedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.send_replace(());
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
