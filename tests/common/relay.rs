//! A TCP relay between herald and a server it talks to (PostgreSQL, a partner's API) that a
//! test can cut: every open connection drops and the port refuses new ones, as when the server
//! behind it restarts or its network goes away, until the relay is restored on the same port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Relay {
    address: SocketAddr,
    target: SocketAddr,
    state: Arc<Mutex<RelayState>>,
}

#[derive(Default)]
struct RelayState {
    acceptor: Option<JoinHandle<()>>,
    connections: Vec<JoinHandle<()>>,
    /// Connections accepted since the relay started.
    accepted: u64,
}

impl Relay {
    /// Listens on a free loopback port and forwards every connection to `target`.
    pub async fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a relay");
        let relay = Relay {
            address: listener.local_addr().expect("relay address"),
            target,
            state: Arc::new(Mutex::new(RelayState::default())),
        };
        relay.serve(listener);
        relay
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn accepted(&self) -> u64 {
        self.state.lock().unwrap().accepted
    }

    /// Drops every open connection and stops listening: new connections are refused.
    pub fn cut(&self) {
        let mut state = self.state.lock().unwrap();
        if let Some(acceptor) = state.acceptor.take() {
            acceptor.abort();
        }
        for connection in state.connections.drain(..) {
            connection.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.address).await {
                Ok(listener) => break listener,
                Err(error) if tries < 50 => {
                    tries += 1;
                    eprintln!("relay: rebinding {}: {error}", self.address);
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(error) => panic!("cannot listen on {} again: {error}", self.address),
            }
        };
        self.serve(listener);
    }

    fn serve(&self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        let target = self.target;
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut state = state.lock().unwrap();
                state.accepted += 1;
                state.connections.retain(|c| !c.is_finished());
                state.connections.push(connection);
            }
        });
        self.state.lock().unwrap().acceptor = Some(acceptor);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
    }
}
