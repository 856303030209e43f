//! A partner's router (usually the sandbox's) served behind a layer that notes every request
//! line and `Authorization` header, for tests that an adapter puts its token only in a header,
//! never in a URL a log or proxy would keep.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};

/// (request URI, `Authorization` header or empty), in the order they came.
type Noted = Arc<Mutex<Vec<(String, String)>>>;

pub struct NotedRequests {
    /// Where the router is served: `http://127.0.0.1:PORT`.
    pub base: String,
    noted: Noted,
}

impl NotedRequests {
    /// Serves `app` on a free loopback port, noting every request it gets.
    pub async fn serve(app: Router) -> NotedRequests {
        let noted = Noted::default();
        let sink = Arc::clone(&noted);
        let app = app.layer(middleware::from_fn(move |request: Request, next: Next| {
            let sink = Arc::clone(&sink);
            async move {
                let authorization = request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                sink.lock()
                    .unwrap()
                    .push((request.uri().to_string(), authorization));
                next.run(request).await
            }
        }));
        let base = format!("http://{}", super::loopback::serve(app).await);
        NotedRequests { base, noted }
    }

    /// (request URI, `Authorization` header or empty) of every request so far, oldest first.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.noted.lock().unwrap().clone()
    }
}
