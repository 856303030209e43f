//! The ceiling for dispatch: the same partner requests from a bare HTTP client loop against the
//! same sandbox, with as many in flight as herald's workers allow. What herald reaches is read
//! as a share of this, since both share the machine with the sandbox.

use std::sync::Arc;
use std::time::Instant;

/// One kind of request to repeat: where, with which headers and body.
pub struct Request {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// Requests per second for `count` copies of `request`, `in_flight` at a time. Panics unless the
/// sandbox accepts every one, so a refused request never counts as speed.
pub async fn requests_per_second(request: Request, count: usize, in_flight: usize) -> f64 {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .expect("client");
    let request = Arc::new(request);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let permit = Arc::clone(&semaphore)
            .acquire_owned()
            .await
            .expect("permit");
        let (client, request) = (client.clone(), Arc::clone(&request));
        tasks.spawn(async move {
            let mut builder = client
                .post(&request.url)
                .header("content-type", "application/json");
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            let response = builder.body(request.body.clone()).send().await;
            drop(permit);
            response.map(|r| r.status().is_success()).unwrap_or(false)
        });
    }
    let mut accepted = 0;
    while let Some(done) = tasks.join_next().await {
        accepted += usize::from(matches!(done, Ok(true)));
    }
    assert_eq!(accepted, count, "the sandbox accepted every bare request");
    count as f64 / start.elapsed().as_secs_f64()
}
