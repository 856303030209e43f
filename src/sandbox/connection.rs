//! Dropping a connection for real. The drop fault must leave the client with a transport
//! error after its request was sent (the "outcome unknown" case a sender has to survive), which
//! no HTTP response can produce. So [`super::Sandbox::start`] serves through this listener: each
//! connection carries a switch that a handler can flip, after which every write fails, hyper
//! gives up on the connection and the socket is closed without a byte of the answer.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::http::Extensions;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections can be dropped by the handler serving them.
pub(crate) struct DroppableListener {
    inner: TcpListener,
}

impl DroppableListener {
    pub(crate) fn new(inner: TcpListener) -> Self {
        DroppableListener { inner }
    }
}

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop, which retries and logs accept errors.
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        let stream = DroppableStream {
            inner: stream,
            dropped: Arc::new(AtomicBool::new(false)),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A TCP connection that fails every read and write once its switch is flipped.
pub(crate) struct DroppableStream {
    inner: TcpStream,
    dropped: Arc<AtomicBool>,
}

impl DroppableStream {
    fn check(&self) -> io::Result<()> {
        if self.dropped.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the sandbox dropped this connection (fault injection)",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The switch of the connection a request arrived on, handed to handlers as connect info.
#[derive(Clone, Debug)]
pub(crate) struct DropSwitch(Arc<AtomicBool>);

impl Connected<IncomingStream<'_, DroppableListener>> for DropSwitch {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        DropSwitch(stream.io().dropped.clone())
    }
}

/// Flips the switch of the connection the request with `extensions` arrived on. False when it
/// did not arrive through a [`DroppableListener`] (the router is served by someone else).
pub(crate) fn drop_connection(extensions: &Extensions) -> bool {
    match extensions.get::<ConnectInfo<DropSwitch>>() {
        Some(ConnectInfo(DropSwitch(dropped))) => {
            dropped.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    }
}
