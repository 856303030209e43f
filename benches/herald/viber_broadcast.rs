//! A Viber broadcast to 100,000 subscribers on SQLite, against herald's partner emulator in a
//! process of its own with limits off: broadcast jobs fan out to the subscribers, and each
//! `/pa/broadcast_message` request carries up to 300 of them (deliveries per second). The
//! baseline, measured in the same run: the same 300-receiver request from a bare HTTP client
//! loop with as many in flight as the workers allow, in receivers per second (the ceiling).
//! The broadcast runs in a child process of its own, so that the peak memory it reports is
//! this broadcast's, not the WhatsApp broadcast's that ran before it in the bench process.
//!
//! `cargo bench -- viber_broadcast` (`HERALD_BENCH_SUBSCRIBERS=N` for another size).

use std::sync::Arc;

use herald::clock::{Clock, SystemClock};
use herald::store::{SqliteStore, Store};

use crate::bare_client::{self, Request};
use crate::broadcast::{self, WORKERS};
use crate::child_run;
use crate::cpu_time::{cpu_seconds, micros_per};
use crate::emulator::Emulator;
use crate::peak_memory::peak_rss_kb;
use crate::table::{Figure, Row, Rows};

/// The name `cargo bench -- NAME` selects this benchmark by.
pub const NAME: &str = "viber_broadcast";

/// The flag that makes the bench binary one measured broadcast: `--viber-broadcast-child
/// SUBSCRIBERS EMULATOR_URL` (see [`child`]).
pub const CHILD_FLAG: &str = "--viber-broadcast-child";

/// Receivers in one broadcast request: Viber's most.
const RECEIVERS_PER_REQUEST: usize = 300;

/// Broadcast requests the bare client sends for the ceiling.
const CEILING_REQUESTS: usize = 2_000;

/// Requests one worker keeps in flight (the account's `max_in_flight`).
const IN_FLIGHT: usize = 64;

const CHANNEL: &str = "viber:community";

const CONFIG: &str = r#"
[[accounts]]
name = "community"
platform = "viber"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_BENCH_TOKEN" }
segments = ["a"]
locales = ["ar", "fr", "en"]
max_in_flight = 64
"#;

/// Subscriber `n`'s Viber user id (Viber's are base64 strings).
fn user_id(n: usize) -> String {
    format!("bench{n:08}viberuser==")
}

pub fn run(rows: &mut Rows) {
    let subscribers = broadcast::subscribers_from_env();
    let emulator = Emulator::start();
    let (own_before, emulator_before) = (cpu_seconds(None), emulator.cpu_seconds());
    let ceiling_requests = crate::runtime(2).block_on(bare_client_rate(&emulator.base_url));
    let ceiling = ceiling_requests * RECEIVERS_PER_REQUEST as f64;
    let ceiling_receivers = CEILING_REQUESTS * RECEIVERS_PER_REQUEST;
    let client_micros = micros_per(cpu_seconds(None) - own_before, ceiling_receivers);
    let emulator_ceiling_micros =
        micros_per(emulator.cpu_seconds() - emulator_before, ceiling_receivers);
    let emulator_before = emulator.cpu_seconds();
    let output = std::process::Command::new(std::env::current_exe().expect("own path"))
        .args([CHILD_FLAG, &subscribers.to_string(), &emulator.base_url])
        .output()
        .expect("child run");
    let emulator_cpu = emulator.cpu_seconds() - emulator_before;
    let fields = child_run::result_fields(&output, &format!("a Viber broadcast to {subscribers}"));
    let [sent, seconds, peak_kb, herald_cpu] = fields[..] else {
        panic!("Viber broadcast: unreadable result {fields:?}");
    };
    let delivered = crate::runtime(1).block_on(emulator.counts()).new_deliveries;
    // The bare client's receivers were delivered too.
    let by_herald = delivered as usize - CEILING_REQUESTS * RECEIVERS_PER_REQUEST;
    assert_eq!(
        by_herald, subscribers,
        "every subscriber got the broadcast once"
    );
    rows.push(Row::measured(
        NAME,
        format!(
            "broadcast to {subscribers} subscribers, {WORKERS} workers, SQLite, emulator limits off"
        ),
        Figure::per_second(sent / seconds, "deliveries/s"),
        format!(
            "bare HTTP client, {} in flight, {RECEIVERS_PER_REQUEST} receivers a request ({client_micros:.1} µs CPU a receiver, emulator {emulator_ceiling_micros:.1} µs)",
            IN_FLIGHT * WORKERS
        ),
        Figure::per_second(ceiling, "receivers/s"),
        format!(
            "{sent:.0} deliveries in {seconds:.2} s ({:.0} requests/s beside the bare client's {ceiling_requests:.0}); herald's peak memory {:.1} MB (emulator apart); herald {:.1} µs CPU a delivery, emulator {:.1} µs",
            sent / seconds / RECEIVERS_PER_REQUEST as f64,
            peak_kb / 1024.0,
            micros_per(herald_cpu, subscribers),
            micros_per(emulator_cpu, subscribers),
        ),
    ));
}

/// The ceiling: the broadcast request the workers send, to 300 receivers, from a bare client.
async fn bare_client_rate(base_url: &str) -> f64 {
    let receivers: Vec<String> = (0..RECEIVERS_PER_REQUEST).map(user_id).collect();
    let request = Request {
        url: format!("{base_url}/pa/broadcast_message"),
        headers: vec![("x-viber-auth-token", "HERALD_BENCH_TOKEN".to_string())],
        body: serde_json::json!({
            "sender": {"name": "community"},
            "type": "text",
            "text": format!("{} https://herald.example.org/r/0123456789abcdef", broadcast::alert_text("en")),
            "broadcast_list": receivers,
        })
        .to_string(),
    };
    bare_client::requests_per_second(request, CEILING_REQUESTS, IN_FLIGHT * WORKERS).await
}

/// One measured broadcast to `subscribers` against the emulator at `emulator_url`, in a process
/// of its own: prints `RESULT sent seconds peak-kB`.
pub fn child(subscribers: usize, emulator_url: &str) {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    crate::runtime(threads).block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = SqliteStore::connect(&url).await.expect("store");
        store.migrate().await.expect("migrate");
        let text = broadcast::campaign_text("Measure a Viber broadcast", CHANNEL);
        let (config, campaign) = broadcast::parse(CONFIG, &text);
        let vault = broadcast::vault();
        let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
        broadcast::seed_subscribers(&pool, &vault, CHANNEL, subscribers, user_id).await;
        pool.close().await;
        broadcast::schedule_one_slot(&store, &campaign, text, CHANNEL).await;
        let config = Arc::new(config);
        let cpu_before = cpu_seconds(None);
        let (sent, seconds) =
            broadcast::send_with_workers(&store, &clock, &config, &vault, emulator_url).await;
        println!(
            "RESULT {sent} {seconds:.3} {} {:.2}",
            peak_rss_kb(),
            cpu_seconds(None) - cpu_before
        );
    });
}
