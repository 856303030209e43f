//! A receiver standing in for herald's webhook endpoints, for tests of what a partner (the
//! sandbox, set up through herald's adapters or directly) sends back: every request is kept
//! with its method, path, query, headers and raw body, so the test checks signatures and
//! payloads with herald's own parsers. A test can also make it refuse the next requests, as
//! a busy server does, or hold every request until it lets them through.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;
use tokio::sync::watch;

/// One request the receiver took.
#[derive(Clone, Debug)]
pub struct Hit {
    pub method: Method,
    pub path: String,
    /// The query string as sent (still percent-encoded), empty when there is none.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("callbacks are JSON")
    }

    /// A header's value, empty when it is missing or not text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }
}

/// How the receiver answers a request it took and did not refuse.
type Answer = Arc<dyn Fn(&Hit) -> (StatusCode, String) + Send + Sync>;

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Answer this many requests with 500 before answering as usual.
    refuse: Arc<AtomicUsize>,
    /// Requests wait until this is true.
    open: watch::Receiver<bool>,
    answer: Answer,
}

pub struct Receiver {
    /// Where it listens, without a trailing slash: any path below it is taken.
    pub url: String,
    shared: Shared,
    gate: watch::Sender<bool>,
}

impl Receiver {
    /// A receiver that answers every request with `status` and an empty body.
    pub async fn answering(status: StatusCode) -> Receiver {
        Receiver::answering_with(move |_| (status, String::new())).await
    }

    /// A receiver that answers every request as `answer` says.
    pub async fn answering_with(
        answer: impl Fn(&Hit) -> (StatusCode, String) + Send + Sync + 'static,
    ) -> Receiver {
        let (gate, open) = watch::channel(true);
        let shared = Shared {
            hits: Arc::default(),
            refuse: Arc::default(),
            open,
            answer: Arc::new(answer),
        };
        let app = Router::new().fallback(receive).with_state(shared.clone());
        let url = format!("http://{}", super::loopback::serve(app).await);
        Receiver { url, shared, gate }
    }

    /// Every request taken so far, oldest first.
    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Answers the next `count` requests with 500 (they are still kept).
    pub fn refuse(&self, count: usize) {
        self.shared.refuse.store(count, Ordering::SeqCst);
    }

    /// Holds every request from now on until [`Receiver::release`].
    pub fn hold(&self) {
        self.gate.send(false).unwrap();
    }

    /// Lets held requests, and those that follow, through.
    pub fn release(&self) {
        self.gate.send(true).unwrap();
    }
}

async fn receive(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let mut open = shared.open.clone();
    let _ = open.wait_for(|open| *open).await;
    let hit = Hit {
        method,
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
        body,
    };
    shared.hits.lock().unwrap().push(hit.clone());
    let refused = shared
        .refuse
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if refused {
        return (StatusCode::INTERNAL_SERVER_ERROR, "busy".to_string());
    }
    (shared.answer)(&hit)
}
