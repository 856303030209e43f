//! A test's own HTTP server (a partner's stand-in, a receiver, a redirecting host) on a free
//! loopback port, served until the test's runtime ends.

use std::net::SocketAddr;

use axum::Router;

/// Serves `app` on 127.0.0.1 at a port the system picks; returns its address.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    address
}
