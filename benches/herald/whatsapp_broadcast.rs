//! A WhatsApp broadcast to 100,000 subscribers on SQLite, against herald's partner emulator in
//! a process of its own with limits off: broadcast jobs fan out into one delivery per subscriber and each goes out as a
//! template (deliveries per second). Then the status callbacks WhatsApp would send for them
//! (delivered for every message, read for half: 150,000), in Meta's format, signed, batched
//! as Meta batches them, are posted to herald's hook route by 16 concurrent senders (callbacks
//! ingested per second; target at least 20,000 on SQLite). The baseline, measured in the same
//! run: the same store counting callbacks one transaction each, without group commit; and for
//! the deliveries, the same template requests from a bare HTTP client loop with as many in
//! flight as the workers allow (the ceiling). (The emulator's own callbacks are exercised by the
//! tests; here they would race the measured stream, so its webhook is left unregistered.) The
//! peak memory reported is this process's when the broadcast is sent: herald's dispatch, its
//! store and the subscribers' identifiers, without the emulator. It runs first of all the
//! benchmarks, so that no earlier one's memory (which the allocator keeps) counts in it.
//!
//! `cargo bench -- whatsapp_broadcast` (`HERALD_BENCH_SUBSCRIBERS=N` for another size).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use herald::clock::{Clock, SystemClock};
use herald::reach::{
    CallbackIngestor, HookState, LiveHookAccounts, hook_accounts, hooks_router, receipt,
};
use herald::store::{SqliteStore, StatusReceipt, Store};

use crate::bare_client::{self, Request};
use crate::broadcast::{self, WORKERS};
use crate::cpu_time::{cpu_seconds, micros_per};
use crate::emulator::Emulator;
use crate::peak_memory::peak_rss_kb;
use crate::table::{Figure, Row, Rows, verdict};

/// The name `cargo bench -- NAME` selects this benchmark by.
pub const NAME: &str = "whatsapp_broadcast";

/// Callbacks counted per second on SQLite must reach at least this.
const CALLBACK_TARGET: f64 = 30_000.0;

/// Template requests the bare client sends for the ceiling.
const CEILING_REQUESTS: usize = 20_000;

/// Requests one worker keeps in flight (the account's `max_in_flight`).
const IN_FLIGHT: usize = 64;

const CALLBACK_BATCH: usize = 100;
const BASELINE_CALLBACKS: usize = 5_000;
const SENDERS: usize = 16;
const CHANNEL: &str = "whatsapp:optin";

const CONFIG: &str = r#"
[[accounts]]
name = "optin"
platform = "whatsapp"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_BENCH_TOKEN", phone_number_id = "HERALD_BENCH_PHONE", waba_id = "HERALD_BENCH_WABA", app_secret = "HERALD_BENCH_APP_SECRET", verify_token = "HERALD_BENCH_VERIFY" }
segments = ["a"]
locales = ["ar", "fr", "en"]
templates = { alert = "alert_update" }
max_in_flight = 64
"#;

/// Subscriber `n`'s phone number.
fn phone_number(n: usize) -> String {
    format!("316{n:08}")
}

pub fn run(rows: &mut Rows) {
    let subscribers = broadcast::subscribers_from_env();
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    crate::runtime(threads).block_on(measure(subscribers, rows));
}

/// The ceiling: the template request the workers send, from a bare client.
async fn bare_client_rate(base_url: &str) -> f64 {
    let request = Request {
        url: format!(
            "{base_url}/{}/HERALD_BENCH_PHONE/messages",
            herald::config::DEFAULT_GRAPH_API_VERSION
        ),
        headers: vec![("authorization", "Bearer HERALD_BENCH_TOKEN".to_string())],
        body: serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "31600000001",
            "type": "template",
            "template": {
                "name": "alert_update",
                "language": {"code": "en"},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": "Know your options"},
                    {"type": "text", "text": broadcast::alert_text("en")},
                    {"type": "text", "text": "https://herald.example.org/r/0123456789abcdef"},
                ]}],
            },
        })
        .to_string(),
    };
    bare_client::requests_per_second(request, CEILING_REQUESTS, IN_FLIGHT * WORKERS).await
}

async fn measure(subscribers: usize, rows: &mut Rows) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = SqliteStore::connect(&url).await.expect("store");
    store.migrate().await.expect("migrate");
    let text = broadcast::campaign_text("Measure a WhatsApp broadcast", CHANNEL);
    let (config, campaign) = broadcast::parse(CONFIG, &text);
    let vault = broadcast::vault();
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    broadcast::seed_subscribers(&pool, &vault, CHANNEL, subscribers, phone_number).await;

    // herald's hooks, registered with the sandbox as WhatsApp's callback URL.
    let config = Arc::new(config);
    let accounts = Arc::new(LiveHookAccounts::new(hook_accounts(
        &config,
        Some(&herald::platforms::Secret::new(
            herald::platforms::REHEARSAL_CREDENTIAL,
        )),
        &Default::default(),
    )));
    let hooks = hooks_router(HookState {
        store: herald::store::AnyStore::Sqlite(store.clone()),
        clock: Arc::clone(&clock),
        vault: Some(Arc::clone(&vault)),
        ingestor: CallbackIngestor::start(store.clone(), Arc::clone(&clock)),
        accounts: Arc::clone(&accounts),
        public_url: config.public_url.clone(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let hooks_base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, hooks).await });

    broadcast::schedule_one_slot(&store, &campaign, text, CHANNEL).await;
    let (own_before, emulator_before) = (cpu_seconds(None), emulator.cpu_seconds());
    let (sent, dispatch_seconds) =
        broadcast::send_with_workers(&store, &clock, &config, &vault, &emulator.base_url).await;
    let herald_micros = micros_per(cpu_seconds(None) - own_before, sent);
    let emulator_micros = micros_per(emulator.cpu_seconds() - emulator_before, sent);
    assert_eq!(sent, subscribers, "every subscriber got the broadcast once");
    let delivery_rate = sent as f64 / dispatch_seconds;
    let broadcast_peak_kb = peak_rss_kb();

    // The callbacks, as WhatsApp sends them, through herald's hook route.
    let wamids: Vec<(String, i64)> = sqlx::query_as(
        "SELECT platform_id, subscriber_id FROM outbox WHERE platform_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("wamids");
    let mut statuses = Vec::with_capacity(wamids.len() * 3 / 2);
    for (n, (wamid, subscriber)) in wamids.iter().enumerate() {
        statuses.push((wamid.clone(), *subscriber, "delivered"));
        if n % 2 == 0 {
            statuses.push((wamid.clone(), *subscriber, "read"));
        }
    }
    let bodies: Vec<String> = statuses
        .chunks(CALLBACK_BATCH)
        .map(|chunk| {
            let entries: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(wamid, subscriber, status)| {
                    serde_json::json!({"id": wamid, "status": status, "timestamp": Utc::now().timestamp().to_string(),
                        "recipient_id": phone_number(*subscriber as usize)})
                })
                .collect();
            serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
                "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "31200000000", "phone_number_id": "sandbox"},
                "statuses": entries}}]}]})
            .to_string()
        })
        .collect();
    let client = reqwest::Client::new();
    let url = format!("{hooks_base}/hooks/whatsapp/optin");
    let semaphore = Arc::new(tokio::sync::Semaphore::new(SENDERS));
    let started = Instant::now();
    let mut posts = tokio::task::JoinSet::new();
    for body in bodies {
        let permit = Arc::clone(&semaphore)
            .acquire_owned()
            .await
            .expect("permit");
        let (client, url) = (client.clone(), url.clone());
        posts.spawn(async move {
            let signature = format!(
                "sha256={}",
                herald::reach::inbound::hmac_sha256_hex("sandbox", body.as_bytes())
            );
            let status = client
                .post(url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            drop(permit);
            status
        });
    }
    while let Some(status) = posts.join_next().await {
        assert_eq!(status.expect("post"), 200, "herald took every callback");
    }
    let loop_seconds = started.elapsed().as_secs_f64();
    let counted = counted_callbacks(&store).await;
    assert_eq!(
        counted as usize,
        statuses.len(),
        "every callback counted once"
    );
    let callback_rate = counted as f64 / loop_seconds;

    // Baseline: counting callbacks one transaction each.
    let platform_ids: Vec<String> = sqlx::query_scalar(
        "SELECT platform_id FROM outbox WHERE platform_id IS NOT NULL ORDER BY id LIMIT $1",
    )
    .bind(BASELINE_CALLBACKS as i64)
    .fetch_all(&pool)
    .await
    .expect("platform ids");
    let started = Instant::now();
    for id in &platform_ids {
        let status = StatusReceipt {
            channel: "whatsapp:optin".into(),
            platform_id: id.clone(),
            receipt: receipt("whatsapp:optin", id, "baseline", "failed"),
            status: "failed".into(),
            day: Utc::now().format("%Y-%m-%d").to_string(),
        };
        store
            .ingest_statuses(std::slice::from_ref(&status), Utc::now().timestamp_millis())
            .await
            .expect("ingest");
    }
    let baseline_rate = platform_ids.len() as f64 / started.elapsed().as_secs_f64();

    let (own_before, emulator_before) = (cpu_seconds(None), emulator.cpu_seconds());
    let ceiling = bare_client_rate(&emulator.base_url).await;
    let client_micros = micros_per(cpu_seconds(None) - own_before, CEILING_REQUESTS);
    let emulator_ceiling_micros =
        micros_per(emulator.cpu_seconds() - emulator_before, CEILING_REQUESTS);
    rows.push(Row::measured(
        NAME,
        format!(
            "broadcast to {subscribers} subscribers, {WORKERS} workers, SQLite, emulator limits off"
        ),
        Figure::per_second(delivery_rate, "deliveries/s"),
        format!(
            "bare HTTP client, {} in flight ({client_micros:.0} µs CPU a request, emulator {emulator_ceiling_micros:.0} µs)",
            IN_FLIGHT * WORKERS
        ),
        Figure::per_second(ceiling, "requests/s"),
        format!(
            "{sent} templates in {dispatch_seconds:.2} s; herald's peak memory {:.1} MB (emulator apart); herald {herald_micros:.0} µs CPU a delivery, emulator {emulator_micros:.0} µs",
            broadcast_peak_kb as f64 / 1024.0,
        ),
    ));
    rows.push(Row::measured(
        NAME,
        format!("{counted} status callbacks counted through the hook route"),
        Figure::per_second(callback_rate, "callbacks/s"),
        "one transaction per callback",
        Figure::per_second(baseline_rate, "callbacks/s"),
        format!(
            "signed, {CALLBACK_BATCH} per request, {SENDERS} senders; target ≥ {CALLBACK_TARGET:.0}/s: {}",
            verdict(callback_rate >= CALLBACK_TARGET)
        ),
    ));
    drop(emulator);
}

async fn counted_callbacks(store: &SqliteStore) -> i64 {
    store
        .delivery_counts("bench")
        .await
        .expect("counts")
        .iter()
        .filter(|c| c.status == "delivered" || c.status == "read")
        .map(|c| c.count)
        .sum()
}
