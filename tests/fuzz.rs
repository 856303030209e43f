//! Bounded fuzzing of every parser that reads input herald does not control: campaign files and
//! the service configuration (authors), Fluent files (translators), webhook bodies, signature
//! headers and the subscription handshake (partners, or anyone on the internet), and the API's
//! upload body (clients).
//!
//! `cargo fuzz` needs a nightly toolchain, so this is a small seeded mutation fuzzer on stable:
//! real inputs from the repository are mutated (bit flips, inserted and deleted bytes, splices
//! between seeds, repeated chunks, syntax tokens, deep nesting, huge numbers, truncation) and
//! fed to each target, which must neither panic nor hang and must answer bad input with an
//! error value. Every run is deterministic: `HERALD_FUZZ_SEED` picks the seed,
//! `HERALD_FUZZ_ITERATIONS` the number of mutated inputs per target (default 2,000; `.ci/fuzz`
//! runs far more in release mode). A failure names the target, seed and iteration, dumps the
//! input and saves it to a file; keep it in `tests/fuzz_regressions/` (named
//! `<target>-<anything>`) and `regressions_stay_fixed` feeds it to its target on every run.
//! A stack overflow aborts the process without a report; the input that caused it is left in
//! `herald-fuzz/<target>-current` under the system temporary folder.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use herald::api::UploadBundle;
use herald::campaign::parse::parse_campaign;
use herald::campaign::{Diagnostic, Diagnostics, Severity, SourceFile};
use herald::config::Config;
use herald::project::{Target, load_project_with_config};
use herald::reach::inbound::{
    HUB_SIGNATURE_HEADER, TELEGRAM_SECRET_HEADER, VIBER_SIGNATURE_HEADER, answer_hub_challenge,
    hmac_sha256_hex, parse_telegram, parse_viber, parse_whatsapp, phone_number_ids,
    verify_hub_signature, verify_telegram, verify_viber,
};
use serde_json::json;

const DEFAULT_ITERATIONS: u64 = 2_000;
const DEFAULT_SEED: u64 = 0x0048_4552_4c44;
/// No single input may take longer than this (a debug build on a busy machine included).
const HANG_LIMIT: Duration = Duration::from_secs(30);
/// Mutated inputs are capped so that a run of repeat mutations cannot exhaust memory.
const MAX_INPUT: usize = 256 * 1024;

const APP_SECRET: &str = "fuzz-app-secret";
const VERIFY_TOKEN: &str = "fuzz-verify-token";
const TELEGRAM_SECRET: &str = "fuzz-telegram-secret";
const VIBER_TOKEN: &str = "fuzz-viber-auth-token";

/// Every target, by the name used in test output and in regression file names.
const TARGETS: &[&str] = &[
    "campaign",
    "config",
    "fluent",
    "telegram",
    "whatsapp",
    "viber",
    "hub_challenge",
    "hub_signature",
    "viber_signature",
    "telegram_secret",
    "upload",
    "layout",
];

// ---------------------------------------------------------------------------------------------
// The tests: one per target, plus the saved regressions.

#[test]
fn campaign() {
    fuzz("campaign");
}

#[test]
fn config() {
    fuzz("config");
}

#[test]
fn fluent() {
    fuzz("fluent");
}

#[test]
fn telegram() {
    fuzz("telegram");
}

#[test]
fn whatsapp() {
    fuzz("whatsapp");
}

#[test]
fn viber() {
    fuzz("viber");
}

#[test]
fn hub_challenge() {
    fuzz("hub_challenge");
}

#[test]
fn hub_signature() {
    fuzz("hub_signature");
}

#[test]
fn viber_signature() {
    fuzz("viber_signature");
}

#[test]
fn telegram_secret() {
    fuzz("telegram_secret");
}

#[test]
fn upload() {
    fuzz("upload");
}

#[test]
fn layout() {
    fuzz("layout");
}

// Structure-aware generators: inputs built to be deep, long or heavily cross-referenced, the
// shapes that blind mutation rarely reaches (2,000 nested blocks, a reference chain that
// doubles forty times). Each must be answered, ok or refused, within the hang limit; where
// the generator knows the input breaks a documented bound it also checks the refusal.

#[test]
fn generated_layouts() {
    fuzz_generated("layout", generate_layout);
}

#[test]
fn generated_translations() {
    fuzz_generated("fluent", generate_translation);
}

#[test]
fn generated_campaigns() {
    fuzz_generated("campaign", generate_campaign);
}

/// Every input that once crashed a target is fed to it again, so a fix cannot quietly regress.
#[test]
fn regressions_stay_fixed() {
    let folder = repo().join("tests").join("fuzz_regressions");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_none_or(|ext| ext != "md"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (target_name, _) = name
            .split_once('-')
            .unwrap_or_else(|| panic!("{name}: regression files are named <target>-<anything>"));
        assert!(
            TARGETS.contains(&target_name),
            "{name}: no fuzz target `{target_name}`"
        );
        let input = std::fs::read(&path).unwrap();
        let run = target(target_name);
        if let Err(message) = panic::catch_unwind(AssertUnwindSafe(|| run(&input))) {
            panic!(
                "regression {name} fails again: {}\n{}",
                panic_message(&*message),
                dump(&input)
            );
        }
    }
}

/// The fix for `campaign-id-longer-than-a-file-name`: an id that cannot name a file is a
/// diagnostic on the id, not an I/O error when the upload is staged.
#[test]
fn campaign_ids_must_fit_in_a_file_name() {
    let config = service_config();
    let messages = |id: &str| {
        let mut diags = Diagnostics::default();
        let text = format!("id = \"{id}\"\n");
        let _ = parse_campaign(
            SourceFile::new("campaigns/x.toml", text),
            None,
            &config,
            "herald.toml",
            &mut diags,
        );
        diags
            .into_sorted()
            .into_iter()
            .map(|d| d.message)
            .collect::<Vec<_>>()
    };
    let too_long = messages(&"a".repeat(65));
    assert!(
        too_long.iter().any(|m| m.contains("at most 64 characters")),
        "{too_long:?}"
    );
    let longest = messages(&"a".repeat(64));
    assert!(
        !longest.iter().any(|m| m.contains("campaign id")),
        "{longest:?}"
    );
}

/// The mutator itself must be deterministic, or a reported seed could not reproduce a failure.
#[test]
fn mutations_are_reproducible() {
    let seeds = vec![
        b"id = \"x\"\n[[segments]]\n".to_vec(),
        b"{\"a\": [1, 2]}".to_vec(),
    ];
    for iteration in 0..200 {
        let once = mutate(&mut rng_for(7, "x", iteration), &seeds);
        let twice = mutate(&mut rng_for(7, "x", iteration), &seeds);
        assert_eq!(once, twice);
        assert!(once.len() <= MAX_INPUT);
    }
    let differ = (0..200)
        .filter(|i| mutate(&mut rng_for(7, "x", *i), &seeds) != seeds[0])
        .count();
    assert!(differ > 150, "mutations rarely change anything: {differ}");
}

// ---------------------------------------------------------------------------------------------
// The harness.

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number"))
        }
        Err(_) => default,
    }
}

/// What went wrong in one iteration.
struct Failure {
    iteration: String,
    input: Vec<u8>,
    message: String,
}

/// Runs the seeds, then `HERALD_FUZZ_ITERATIONS` mutations of them, through one target in a
/// worker thread; the test thread watches for hangs.
fn fuzz(name: &'static str) {
    let iterations = env_u64("HERALD_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
    let seed = env_u64("HERALD_FUZZ_SEED", DEFAULT_SEED);
    let seeds = seeds(name);
    assert!(!seeds.is_empty(), "{name}: no seed inputs");
    let originals: Vec<(String, Vec<u8>)> = seeds
        .iter()
        .enumerate()
        .map(|(k, s)| (format!("seed input {k}"), s.clone()))
        .collect();
    let mutated = (0..iterations).map(move |i| {
        let input = mutate(&mut rng_for(seed, name, i), &seeds);
        (format!("iteration {i}"), input)
    });
    drive(
        name,
        seed,
        move || {
            let run = target(name);
            Box::new(move |input: &Vec<u8>| run(input))
        },
        originals.into_iter().chain(mutated),
        Vec::clone,
    );
}

/// Feeds `inputs` to the check `make` builds, in a worker thread, while the test thread
/// watches for hangs ([`HANG_LIMIT`] per input). `bytes` gives what to save of a failing input.
fn drive<T: Send + 'static>(
    name: &'static str,
    seed: u64,
    make: impl FnOnce() -> Box<dyn Fn(&T)> + Send + 'static,
    inputs: impl Iterator<Item = (String, T)> + Send + 'static,
    bytes: fn(&T) -> Vec<u8>,
) {
    let current: Arc<Mutex<(String, Vec<u8>)>> = Arc::default();
    let (progress, heartbeat) = mpsc::channel::<()>();
    let started = Instant::now();
    let worker = {
        let current = Arc::clone(&current);
        std::thread::spawn(move || -> Result<u64, Failure> {
            let run = make();
            let mut count = 0;
            // A stack overflow aborts the whole process before anything can report it; the
            // input being run is therefore always on disk too.
            let folder = std::env::temp_dir().join("herald-fuzz");
            let _ = std::fs::create_dir_all(&folder);
            let in_flight = folder.join(format!("{name}-current"));
            for (iteration, input) in inputs {
                let raw = bytes(&input);
                let _ = std::fs::write(&in_flight, &raw);
                *current.lock().unwrap_or_else(|e| e.into_inner()) = (iteration.clone(), raw);
                let _ = progress.send(());
                if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| run(&input))) {
                    return Err(Failure {
                        iteration,
                        input: bytes(&input),
                        message: panic_message(&*payload),
                    });
                }
                count += 1;
            }
            let _ = std::fs::remove_file(&in_flight);
            Ok(count)
        })
    };
    loop {
        match heartbeat.recv_timeout(HANG_LIMIT) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let (iteration, input) = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
                fail(
                    name,
                    seed,
                    Failure {
                        iteration,
                        input,
                        message: format!("no answer within {HANG_LIMIT:?} (a hang)"),
                    },
                );
            }
        }
    }
    match worker.join() {
        Ok(Ok(count)) => println!(
            "fuzz {name}: {count} inputs in {:.3} s (seed {seed:#x})",
            started.elapsed().as_secs_f64()
        ),
        Ok(Err(failure)) => fail(name, seed, failure),
        Err(_) => panic!("fuzz {name}: the worker thread died outside a target call"),
    }
}

/// Reports a failure with everything needed to reproduce it, and saves the input.
fn fail(name: &str, seed: u64, failure: Failure) -> ! {
    let folder = std::env::temp_dir().join("herald-fuzz");
    let file = folder.join(format!(
        "{name}-{seed:x}-{}",
        failure.iteration.replace(' ', "-")
    ));
    let saved = std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(&file, &failure.input))
        .map(|()| format!("saved as {}", file.display()))
        .unwrap_or_else(|e| format!("could not save it: {e}"));
    panic!(
        "fuzz target `{name}` failed with HERALD_FUZZ_SEED={seed:#x} at {}: {}\n\
         input ({} bytes, {saved}; copy it to tests/fuzz_regressions/{name}-<description>):\n{}",
        failure.iteration,
        failure.message,
        failure.input.len(),
        dump(&failure.input)
    );
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The input escaped (as text) and in hex, both shortened when long.
fn dump(input: &[u8]) -> String {
    const SHOWN: usize = 2048;
    let shown = &input[..input.len().min(SHOWN)];
    let escaped: String = shown.escape_ascii().to_string();
    let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
    let more = if input.len() > SHOWN {
        format!(" … ({} more bytes)", input.len() - SHOWN)
    } else {
        String::new()
    };
    format!("escaped: b\"{escaped}\"{more}\nhex: {hex}{more}")
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// splitmix64: tiny, fast and good enough to drive mutations.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Each iteration has its own generator, so that one iteration can be replayed alone.
fn rng_for(seed: u64, target: &str, iteration: u64) -> SplitMix {
    let name = target.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = SplitMix(seed ^ name);
    let base = rng.next();
    SplitMix(base ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Tokens that mean something to one of the parsers (TOML, Fluent, JSON, query strings,
/// signatures, dates, crons), plus bidirectional controls and numbers out of every range.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "{",
    "}",
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "-",
    "\\",
    "\\u",
    "\\uD800",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\t",
    ",",
    ":",
    ".",
    "#",
    "\u{202E}",
    "\u{2066}",
    "\u{FEFF}",
    "\u{10FFFF}",
    "é",
    "مرحبا",
    "{ $x ->",
    "{ $x ->\n    [one] a\n   *[other] b\n}",
    "{ -",
    "{ -org }",
    "{ $months }",
    "{ NUMBER($x) }",
    "{ msg.attr }",
    "*[other]",
    "\n    .title = ",
    "\n-term = ",
    "\nmsg = ",
    "99999999999999999999999999999",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551616",
    "1e999",
    "-1",
    "-0",
    "0.0000000001",
    "nan",
    "inf",
    "null",
    "true",
    "[]",
    "{}",
    "%",
    "%ZZ",
    "%e2%80%ae",
    "%00",
    "&",
    "+",
    "hub.mode=subscribe",
    "&hub.challenge=",
    "sha256=",
    "2027-02-30",
    "0000-01-01",
    "9999-12-31T23:59:60Z",
    "* * * * *",
    "0 10 * * MON,THU",
    "60 24 32 13 8",
    "telegram:",
    "whatsapp:nl-optin",
    "x:",
    ":x",
    "{{",
    "}}",
    "{{#each",
    "../",
    "/",
    "*",
];

fn mutate(rng: &mut SplitMix, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let at = rng.below(data.len() + 1);
        match rng.below(11) {
            0 if !data.is_empty() => {
                let index = rng.below(data.len());
                data[index] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.next() as u8),
            2 if !data.is_empty() => {
                let index = rng.below(data.len());
                let end = (index + 1 + rng.below(32)).min(data.len());
                data.drain(index..end);
            }
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let start = rng.below(other.len());
                let end = (start + rng.below(256)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            4 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(64)).min(data.len());
                let chunk = data[start..end].to_vec();
                let times = 1 + rng.below(200);
                for _ in 0..times {
                    data.splice(end..end, chunk.iter().copied());
                }
            }
            5 | 6 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.bytes());
            }
            7 => {
                const OPENERS: &[&str] = &["[", "{", "{ ", "[[", "{\"a\":", "[{", "{ $x ->\n"];
                let opener = OPENERS[rng.below(OPENERS.len())];
                let depth = 1 + rng.below(5_000);
                let nested = opener.repeat(depth);
                data.splice(at..at, nested.bytes());
            }
            8 => {
                // Replace a run of digits (or insert one) with a number no field can hold.
                let digits = data[at..].iter().position(u8::is_ascii_digit);
                let (start, end) = match digits {
                    Some(offset) => {
                        let start = at + offset;
                        let len = data[start..]
                            .iter()
                            .take_while(|b| b.is_ascii_digit())
                            .count();
                        (start, start + len)
                    }
                    None => (at, at),
                };
                let huge = "9".repeat(1 + rng.below(400));
                data.splice(start..end, huge.bytes());
            }
            9 => data.truncate(at),
            _ => {
                // Swap two chunks' order by moving one elsewhere.
                if data.len() > 2 {
                    let start = rng.below(data.len());
                    let end = (start + 1 + rng.below(64)).min(data.len());
                    let chunk: Vec<u8> = data.drain(start..end).collect();
                    let to = rng.below(data.len() + 1);
                    data.splice(to..to, chunk);
                }
            }
        }
        data.truncate(MAX_INPUT);
    }
    data
}

// ---------------------------------------------------------------------------------------------
// Seeds.

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn files_in(relative: &str, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![repo().join(relative)];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn campaign_seeds() -> Vec<Vec<u8>> {
    files_in("campaigns", "toml")
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn ftl_seeds() -> Vec<Vec<u8>> {
    files_in("locales", "ftl")
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn telegram_seeds() -> Vec<Vec<u8>> {
    let private_message = json!({
        "update_id": 912345678,
        "message": {
            "message_id": 1365,
            "from": {"id": 5012345678i64, "is_bot": false, "first_name": "A", "language_code": "ar"},
            "chat": {"id": 5012345678i64, "first_name": "A", "type": "private"},
            "date": 1700000000,
            "text": "/start nl-ar",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]
        }
    });
    let member = json!({
        "update_id": 912345679,
        "my_chat_member": {
            "chat": {"id": 5012345678i64, "first_name": "A", "type": "private"},
            "from": {"id": 5012345678i64, "is_bot": false, "first_name": "A", "language_code": "fa"},
            "date": 1700000100,
            "old_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "herald"}, "status": "member"},
            "new_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "herald"}, "status": "kicked", "until_date": 0}
        }
    });
    let callback = json!({
        "update_id": 3,
        "callback_query": {"id": "4382", "from": {"id": 777001, "is_bot": false, "first_name": "A", "language_code": "so"},
            "message": {"message_id": 9, "chat": {"id": 777001, "type": "private"}, "date": 1800000000},
            "data": "locale:so"}
    });
    let stop = json!({"update_id": 4, "message": {"message_id": 2, "date": 1800000000,
        "chat": {"id": 777001, "type": "private"}, "from": {"id": 777001, "language_code": "en"}, "text": "STOP"}});
    [private_message, member, callback, stop]
        .iter()
        .map(|v| v.to_string().into_bytes())
        .collect()
}

fn whatsapp_bodies() -> Vec<serde_json::Value> {
    let value = |inner: serde_json::Value| {
        let mut inner = inner;
        inner["messaging_product"] = json!("whatsapp");
        inner["metadata"] =
            json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"});
        json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": inner, "field": "messages"}]}]
        })
    };
    let from = json!({"from": "31612345678", "id": "wamid.IN1", "timestamp": "1700000400"});
    let with = |extra: serde_json::Value| {
        let mut message = from.clone();
        for (key, v) in extra.as_object().unwrap() {
            message[key] = v.clone();
        }
        value(
            json!({"contacts": [{"profile": {"name": "Person"}, "wa_id": "31612345678"}], "messages": [message]}),
        )
    };
    vec![
        value(json!({"statuses": [
            {"id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1", "status": "sent", "timestamp": "1700000000",
             "recipient_id": "31612345678",
             "conversation": {"id": "c1", "expiration_timestamp": "1700086400", "origin": {"type": "marketing"}},
             "pricing": {"billable": true, "pricing_model": "CBP", "category": "marketing"}},
            {"id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1", "status": "failed", "timestamp": "1700000100",
             "recipient_id": "31612345678",
             "errors": [{"code": 131026, "title": "Message undeliverable", "error_data": {"details": "x"}}]}
        ]})),
        with(json!({"type": "text", "text": {"body": "START nl-ar"}})),
        with(json!({"type": "text", "text": {"body": "stop"}})),
        with(json!({"type": "button", "button": {"payload": "locale:fa", "text": "فارسی"}})),
        with(
            json!({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "locale:ps", "title": "پښتو"}}}),
        ),
        with(json!({"type": "image", "image": {"id": "media-1", "mime_type": "image/jpeg"}})),
        json!({"object": "page", "entry": [{"messaging": []}]}),
    ]
}

fn whatsapp_seeds() -> Vec<Vec<u8>> {
    whatsapp_bodies()
        .iter()
        .map(|v| v.to_string().into_bytes())
        .collect()
}

fn viber_seeds() -> Vec<Vec<u8>> {
    let bodies = [
        json!({"event": "delivered", "timestamp": 1457764197627i64, "chat_hostname": "SN-376_",
            "message_token": 4912661846655238145u64, "user_id": "01234567890A="}),
        json!({"event": "failed", "timestamp": 1457764197627i64, "message_token": 4912661846655238145u64,
            "user_id": "01234567890A=", "desc": "failure description"}),
        json!({"event": "subscribed", "timestamp": 1800000000000u64,
            "user": {"id": "01234567890A=", "name": "A", "language": "ar", "country": "NL", "api_version": 10},
            "message_token": 1}),
        json!({"event": "unsubscribed", "timestamp": 1800000200000u64, "user_id": "01234567890A=", "message_token": 2}),
        json!({"event": "conversation_started", "timestamp": 1457764197627i64, "message_token": 3,
            "type": "open", "context": "nl-ti", "user": {"id": "01234567890A=", "language": "ti"}, "subscribed": false}),
        json!({"event": "message", "timestamp": 1457764197627i64, "message_token": 4,
            "sender": {"id": "01234567890A=", "name": "A", "language": "so"},
            "message": {"type": "text", "text": "stop", "tracking_data": "x"}}),
        json!({"event": "webhook", "timestamp": 1457764197627i64, "chat_hostname": "SN-376_", "message_token": 1}),
    ];
    bodies.iter().map(|v| v.to_string().into_bytes()).collect()
}

/// `header value \n body`, correctly signed, for the signature targets.
fn signed_seeds(bodies: Vec<Vec<u8>>, header: impl Fn(&[u8]) -> String) -> Vec<Vec<u8>> {
    bodies
        .into_iter()
        .map(|body| {
            let mut input = header(&body).into_bytes();
            input.push(b'\n');
            input.extend(body);
            input
        })
        .collect()
}

fn upload_seeds() -> Vec<Vec<u8>> {
    let text = |relative: &str| String::from_utf8(read(relative)).unwrap();
    vec![
        json!({
            "campaign": text("campaigns/avr-nl-2027.toml"),
            "translations": {
                "en": text("locales/en/avr-nl-2027.ftl"),
                "ar": text("locales/ar/avr-nl-2027.ftl"),
            },
        })
        .to_string()
        .into_bytes(),
        json!({
            "campaign": text("campaigns/safe-migration-sahel-2027.toml"),
            "translations": {
                "fr": text("locales/fr/safe-migration-sahel-2027.ftl"),
                "en": text("locales/en/safe-migration-sahel-2027.ftl"),
            },
            "layouts": {"telegram": "{{text}}\n\n{{link}}"},
        })
        .to_string()
        .into_bytes(),
        br#"{"campaign": "id = \"x\"", "translations": {"en": "a = b"}, "layouts": {}}"#.to_vec(),
    ]
}

fn seeds(name: &str) -> Vec<Vec<u8>> {
    match name {
        "campaign" => campaign_seeds(),
        "config" => vec![read("herald.toml"), read("deploy/herald.toml")],
        "fluent" => ftl_seeds(),
        "telegram" => telegram_seeds(),
        "whatsapp" => whatsapp_seeds(),
        "viber" => viber_seeds(),
        "hub_challenge" => vec![
            format!("hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444")
                .into_bytes(),
            b"?hub.challenge=abc+def%20g&hub.mode=subscribe&hub.verify_token=fuzz%2Dverify%2Dtoken"
                .to_vec(),
        ],
        "hub_signature" => signed_seeds(whatsapp_seeds(), |body| {
            format!("sha256={}", hmac_sha256_hex(APP_SECRET, body))
        }),
        "viber_signature" => signed_seeds(viber_seeds(), |body| hmac_sha256_hex(VIBER_TOKEN, body)),
        "telegram_secret" => signed_seeds(telegram_seeds(), |_| TELEGRAM_SECRET.to_string()),
        "upload" => upload_seeds(),
        "layout" => vec![
            b"{{#if title}}<b>{{title}}</b>\n\n{{/if}}{{body}}{{#if link}}\n\n{{#if cta}}<a href=\"{{link}}\">{{cta}}</a>{{else}}{{link}}{{/if}}{{/if}}".to_vec(),
            b"{{#if title}}{{title}}\n\n{{/if}}{{body}}{{#if link}}\n\n{{#if cta}}{{cta}}\n{{/if}}{{link}}{{/if}}".to_vec(),
            b"{{#each campaign}}{{@key}}: {{this}}\n{{/each}}{{{body}}} {{lookup campaign \"id\"}} {{! note }}{{!-- {{x}} --}}".to_vec(),
        ],
        other => panic!("no seeds for `{other}`"),
    }
}

// ---------------------------------------------------------------------------------------------
// Targets. Each checks, besides not panicking, what its caller relies on.

type Run = Box<dyn Fn(&[u8]) + Send>;
/// A validating target: the diagnostics it returned, checked to point inside their files.
type Check = Box<dyn Fn(&[u8]) -> Vec<Diagnostic> + Send>;

fn service_config() -> Config {
    let mut diags = Diagnostics::default();
    let file = SourceFile::new(
        "herald.toml",
        String::from_utf8(read("herald.toml")).unwrap(),
    );
    let config = Config::parse(&file, &mut diags);
    assert!(
        !diags.has_errors(),
        "herald.toml: {:?}",
        diags.into_sorted()
    );
    config
}

/// Every diagnostic must point inside its file and format without trouble.
fn check_diagnostics(diags: Diagnostics) -> Vec<Diagnostic> {
    let sorted = diags.into_sorted();
    for diagnostic in &sorted {
        assert!(diagnostic.line >= 1 && diagnostic.column >= 1);
        let _ = diagnostic.to_string();
    }
    sorted
}

/// Splits `header value \n body`; a value a header cannot carry means no header at all.
fn headers_and_body(input: &[u8], name: &'static str) -> (HeaderMap, Option<String>, Vec<u8>) {
    let (value, body) = match input.iter().position(|b| *b == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (input, &[][..]),
    };
    let mut headers = HeaderMap::new();
    let mut text = None;
    if let Ok(header) = HeaderValue::from_bytes(value) {
        text = header.to_str().ok().map(str::to_string);
        headers.insert(name, header);
    }
    (headers, text, body.to_vec())
}

/// A scratch project folder: staged files are replaced on every call.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn reset(&self) -> &Path {
        let root = self.dir.path();
        for sub in ["campaigns", "locales"] {
            let _ = std::fs::remove_dir_all(root.join(sub));
        }
        root
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn target(name: &str) -> Run {
    match name {
        "campaign" | "fluent" | "layout" => {
            let check = checked_target(name);
            Box::new(move |input| {
                let _ = check(input);
            })
        }
        "config" => Box::new(|input| {
            let text = String::from_utf8_lossy(input).into_owned();
            let mut diags = Diagnostics::default();
            let _ = Config::parse(&SourceFile::new("herald.toml", text), &mut diags);
            check_diagnostics(diags);
        }),
        "telegram" => Box::new(|input| {
            if let Ok(events) = parse_telegram(input) {
                let _ = format!("{events:?}");
            }
        }),
        "whatsapp" => Box::new(|input| {
            if let Ok(events) = parse_whatsapp(input) {
                let _ = format!("{events:?}");
            }
            let _ = phone_number_ids(input);
        }),
        "viber" => Box::new(|input| {
            if let Ok(events) = parse_viber(input) {
                let _ = format!("{events:?}");
            }
        }),
        "hub_challenge" => Box::new(|input| {
            let query = String::from_utf8_lossy(input);
            if let Ok(challenge) = answer_hub_challenge(&query, VERIFY_TOKEN) {
                assert!(!challenge.is_empty() && challenge.chars().count() <= 256);
                assert!(!challenge.chars().any(char::is_control));
            }
            assert!(answer_hub_challenge(&query, "").is_err());
        }),
        "hub_signature" => Box::new(|input| {
            let (headers, value, body) = headers_and_body(input, HUB_SIGNATURE_HEADER);
            if verify_hub_signature(&headers, &body, APP_SECRET).is_ok() {
                let value = value.unwrap_or_default();
                let hex = value.trim().strip_prefix("sha256=").unwrap_or_default();
                assert_eq!(
                    hex.trim().to_ascii_lowercase(),
                    hmac_sha256_hex(APP_SECRET, &body),
                    "accepted a wrong signature"
                );
            }
            assert!(verify_hub_signature(&headers, &body, "").is_err());
        }),
        "viber_signature" => Box::new(|input| {
            let (headers, value, body) = headers_and_body(input, VIBER_SIGNATURE_HEADER);
            if verify_viber(&headers, &body, VIBER_TOKEN).is_ok() {
                assert_eq!(
                    value.unwrap_or_default().trim().to_ascii_lowercase(),
                    hmac_sha256_hex(VIBER_TOKEN, &body),
                    "accepted a wrong signature"
                );
            }
            assert!(verify_viber(&headers, &body, "").is_err());
        }),
        "telegram_secret" => Box::new(|input| {
            let (headers, value, _) = headers_and_body(input, TELEGRAM_SECRET_HEADER);
            if verify_telegram(&headers, TELEGRAM_SECRET).is_ok() {
                assert_eq!(
                    value.as_deref(),
                    Some(TELEGRAM_SECRET),
                    "accepted a wrong token"
                );
            }
            assert!(verify_telegram(&headers, "").is_err());
        }),
        "upload" => {
            let config = service_config();
            let scratch = Scratch::new();
            Box::new(move |input| {
                let Ok(bundle) = serde_json::from_slice::<UploadBundle>(input) else {
                    return;
                };
                let Ok(id) = bundle.checked_id() else {
                    return;
                };
                // What the handler is about to use as file names must stay inside its folder.
                let names = std::iter::once(id.as_str())
                    .chain(bundle.translations.keys().map(String::as_str))
                    .chain(bundle.layouts.keys().map(String::as_str));
                for name in names {
                    assert!(
                        !name.is_empty()
                            && !name.contains(['/', '\\', '\0'])
                            && name != "."
                            && name != "..",
                        "unsafe file name accepted: {name:?}"
                    );
                }
                let root = scratch.reset();
                scratch.write(&format!("campaigns/{id}.toml"), &bundle.campaign);
                for (locale, text) in &bundle.translations {
                    scratch.write(&format!("locales/{locale}/{id}.ftl"), text);
                }
                for (platform, text) in &bundle.layouts {
                    scratch.write(&format!("campaigns/layouts/{platform}.hbs"), text);
                }
                let (_, diags) = load_project_with_config(
                    &Target::Folder(root.to_path_buf()),
                    config.clone(),
                    "the server's configuration",
                );
                check_diagnostics(diags);
            })
        }
        other => panic!("no fuzz target `{other}`"),
    }
}

/// The targets that run the whole validator, returning its diagnostics (already checked to
/// point inside their files) so that generated inputs can check what was refused.
fn checked_target(name: &str) -> Check {
    match name {
        "campaign" => {
            let config = service_config();
            let scratch = Scratch::new();
            let en = String::from_utf8(read("locales/en/avr-nl-2027.ftl")).unwrap();
            Box::new(move |input| {
                // Campaign files are read as UTF-8 text; anything else never reaches the parser.
                let text = String::from_utf8_lossy(input).into_owned();
                let mut diags = Diagnostics::default();
                let file = SourceFile::new("campaigns/fuzz.toml", text.clone());
                let parsed = parse_campaign(file, None, &config, "herald.toml", &mut diags);
                match &parsed {
                    None => assert!(diags.has_errors(), "refused without an error"),
                    Some(campaign) => {
                        // Valid enough to model: run the whole validation, as `herald validate`.
                        let root = scratch.reset();
                        scratch.write(&format!("campaigns/{}.toml", campaign.id), &text);
                        scratch.write(&format!("locales/en/{}.ftl", campaign.id), &en);
                        let (project, more) = load_project_with_config(
                            &Target::Folder(root.to_path_buf()),
                            config.clone(),
                            "herald.toml",
                        );
                        if project.campaigns.is_empty() {
                            assert!(more.has_errors(), "campaign dropped without an error");
                        }
                        diags.extend(more);
                    }
                }
                check_diagnostics(diags)
            })
        }
        "fluent" => {
            let config = service_config();
            let scratch = Scratch::new();
            let campaign = String::from_utf8(read("campaigns/avr-nl-2027.toml")).unwrap();
            Box::new(move |input| {
                let text = String::from_utf8_lossy(input).into_owned();
                let root = scratch.reset();
                scratch.write("campaigns/avr-nl-2027.toml", &campaign);
                // The default locale and a right-to-left one (bidi isolation on).
                scratch.write("locales/en/avr-nl-2027.ftl", &text);
                scratch.write("locales/ar/avr-nl-2027.ftl", &text);
                let (project, diags) = load_project_with_config(
                    &Target::Folder(root.to_path_buf()),
                    config.clone(),
                    "herald.toml",
                );
                assert_eq!(project.campaigns.len(), 1, "the campaign itself is valid");
                check_diagnostics(diags)
            })
        }
        "layout" => {
            let config = service_config();
            let scratch = Scratch::new();
            let campaign = String::from_utf8(read("campaigns/avr-nl-2027.toml")).unwrap();
            let en = String::from_utf8(read("locales/en/avr-nl-2027.ftl")).unwrap();
            let ar = String::from_utf8(read("locales/ar/avr-nl-2027.ftl")).unwrap();
            Box::new(move |input| {
                let text = String::from_utf8_lossy(input).into_owned();
                let root = scratch.reset();
                scratch.write("campaigns/avr-nl-2027.toml", &campaign);
                scratch.write("locales/en/avr-nl-2027.ftl", &en);
                scratch.write("locales/ar/avr-nl-2027.ftl", &ar);
                // Every platform the campaign sends on: Telegram's HTML registry and the plain
                // one.
                for platform in ["telegram", "whatsapp", "viber"] {
                    scratch.write(&format!("campaigns/layouts/{platform}.hbs"), &text);
                }
                let (project, diags) = load_project_with_config(
                    &Target::Folder(root.to_path_buf()),
                    config.clone(),
                    "herald.toml",
                );
                assert_eq!(project.campaigns.len(), 1, "the campaign itself is valid");
                check_diagnostics(diags)
            })
        }
        other => panic!("no validating fuzz target `{other}`"),
    }
}

// ---------------------------------------------------------------------------------------------
// Generated inputs.

/// One generated input, and the words of the error it must be refused with, if the generator
/// built it past a documented bound.
struct Generated {
    input: Vec<u8>,
    refused_with: Option<String>,
}

impl Generated {
    fn new(text: String, refused_with: Option<String>) -> Generated {
        Generated {
            input: text.into_bytes(),
            refused_with,
        }
    }
}

/// Runs `HERALD_FUZZ_ITERATIONS / 10` (at least 20) generated inputs through a validating
/// target, each within the hang limit, checking the refusals the generator expects.
fn fuzz_generated(name: &'static str, generate: fn(&mut SplitMix) -> Generated) {
    let count = (env_u64("HERALD_FUZZ_ITERATIONS", DEFAULT_ITERATIONS) / 10).max(20);
    let seed = env_u64("HERALD_FUZZ_SEED", DEFAULT_SEED);
    let inputs = (0..count).map(move |i| {
        let generated = generate(&mut rng_for(seed, &format!("generated {name}"), i));
        (format!("generated input {i}"), generated)
    });
    drive(
        name,
        seed,
        move || {
            let check = checked_target(name);
            Box::new(move |generated: &Generated| {
                let found = check(&generated.input);
                if let Some(words) = &generated.refused_with {
                    assert!(
                        found
                            .iter()
                            .any(|d| d.severity == Severity::Error && d.message.contains(words)),
                        "not refused with {words:?}: {found:#?}"
                    );
                }
            })
        },
        inputs,
        |generated| generated.input.clone(),
    );
}

fn pick<T: Copy>(rng: &mut SplitMix, choices: &[T]) -> T {
    choices[rng.below(choices.len())]
}

/// Depths around each limit, and far beyond.
const DEPTHS: &[usize] = &[0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 2_000, 20_000];

fn generate_layout(rng: &mut SplitMix) -> Generated {
    let depth = pick(rng, DEPTHS);
    let block_limit = herald::render::MAX_BLOCK_DEPTH;
    let expression_limit = herald::render::MAX_EXPRESSION_DEPTH;
    let too_deep = |over: bool| over.then(|| "nested more than".to_string());
    match rng.below(7) {
        0 => {
            // Nested blocks of every kind, closed or not.
            const OPENERS: &[(&str, &str)] = &[
                ("{{#if title}}<b>{{title}}</b>\n", "{{/if}}"),
                ("{{#unless cta}}", "{{/unless}}"),
                ("{{#with campaign}}", "{{/with}}"),
                ("{{#each campaign}}{{@key}}", "{{/each}}"),
                ("{{~#if link~}}", "{{~/if~}}"),
            ];
            let mut text = String::new();
            let mut closers = Vec::new();
            for _ in 0..depth {
                let (open, close) = pick(rng, OPENERS);
                text.push_str(open);
                closers.push(close);
            }
            text.push_str("{{body}}");
            if rng.below(4) > 0 {
                for close in closers.iter().rev() {
                    text.push_str(close);
                }
            }
            let over = depth > block_limit && text.len() <= herald::render::MAX_LAYOUT_BYTES;
            Generated::new(text, too_deep(over))
        }
        1 => {
            // A chain of `{{else if}}`: each link is one more level.
            let text = format!(
                "{{{{#if cta}}}}{{{{cta}}}}{}{{{{else}}}}{{{{body}}}}{{{{/if}}}}",
                "{{else if title}}{{title}}".repeat(depth)
            );
            Generated::new(text, too_deep(depth + 1 > block_limit))
        }
        2 => {
            // Sub-expressions inside one tag.
            let text = format!(
                "{{{{body}}}}{{{{lookup campaign {}\"id\"{}}}}}",
                "(lookup campaign ".repeat(depth),
                ")".repeat(depth)
            );
            let over = depth > expression_limit && text.len() <= herald::render::MAX_LAYOUT_BYTES;
            Generated::new(
                text,
                over.then(|| "sub-expressions, arrays or objects".to_string()),
            )
        }
        3 => {
            // Literal arrays and objects inside one tag.
            let (open, close) = pick(rng, &[("[", "]"), ("{\"a\": ", "}")]);
            let text = format!(
                "{{{{body}}}}{{{{#each {}1{}}}}}{{{{this}}}}{{{{/each}}}}",
                open.repeat(depth),
                close.repeat(depth)
            );
            let over = depth > expression_limit && text.len() <= herald::render::MAX_LAYOUT_BYTES;
            Generated::new(
                text,
                over.then(|| "sub-expressions, arrays or objects".to_string()),
            )
        }
        4 => {
            // Long repetition: many parts, a text far past any platform's size.
            let part = pick(rng, &["{{body}}", "{{title}}{{cta}}", "{{{body}}}\n", "x"]);
            let times = pick(rng, &[10, 1_000, 8_000, 70_000]);
            let text = part.repeat(times);
            let over = text.len() > herald::render::MAX_LAYOUT_BYTES;
            Generated::new(text, over.then(|| "a layout may be at most".to_string()))
        }
        5 => {
            // Partials and decorators, which could include each other without end.
            let text = pick(
                rng,
                &[
                    "{{> telegram}}",
                    "{{> whatsapp}}{{body}}",
                    "{{#> viber}}{{body}}{{/viber}}",
                    "{{#*inline \"p\"}}{{> p}}{{/inline}}{{> p}}",
                    "{{* decorator}}{{body}}",
                ],
            )
            .repeat(1 + rng.below(3));
            Generated::new(text, Some("partials or decorators".to_string()))
        }
        _ => {
            // Random tokens, nested at random: whatever it makes must be answered.
            const TOKENS: &[&str] = &[
                "{{#if title}}",
                "{{/if}}",
                "{{else}}",
                "{{else if cta}}",
                "{{body}}",
                "(",
                ")",
                "[",
                "]",
                "{",
                "}",
                "{{",
                "}}",
                "\"",
                "'",
                "\\",
                "{{!",
                "{{!--",
                "--}}",
                "{{{{raw}}}}",
                "{{{{/raw}}}}",
                "{{~",
                "~}}",
                "{{#each campaign}}",
                "{{/each}}",
                "{{lookup campaign (concat",
                "\n",
                "x",
            ];
            let count = pick(rng, &[10, 200, 5_000]);
            let text: String = (0..count).map(|_| pick(rng, TOKENS)).collect();
            Generated::new(text, None)
        }
    }
}

fn generate_translation(rng: &mut SplitMix) -> Generated {
    // The campaign's first message, so that whatever is generated is formatted and rendered.
    const TOP: &str = "avr-intro--a";
    let depth = pick(rng, DEPTHS);
    let expansion = "message `avr-intro--a` can expand to".to_string();
    match rng.below(8) {
        0 => {
            // Nested placeables.
            let text = format!("{TOP} = {}x{}\n", "{ ".repeat(depth), " }".repeat(depth));
            let over = depth > herald::l10n::MAX_NESTING;
            Generated::new(
                text,
                over.then(|| "placeables are nested more than".to_string()),
            )
        }
        1 => {
            // Each message refers to the previous one `fan` times.
            let fan = 1 + rng.below(3);
            let length = pick(rng, &[1, 100, 10_000]);
            let links = depth.min(60);
            let mut text = format!("m0 = {}\n", "x".repeat(length));
            for i in 1..=links {
                text.push_str(&format!(
                    "m{i} = {}\n",
                    format!("{{ m{} }}", i - 1).repeat(fan)
                ));
            }
            text.push_str(&format!("{TOP} = {{ m{links} }}\n"));
            Generated::new(text, None)
        }
        2 => {
            // A long chain of single references.
            let mut text = "m0 = x\n".to_string();
            for i in 1..=depth {
                text.push_str(&format!("m{i} = {{ m{} }}\n", i - 1));
            }
            text.push_str(&format!("{TOP} = {{ m{depth} }}\n"));
            let over = depth + 2 > herald::l10n::MAX_REFERENCE_DEPTH;
            Generated::new(
                text,
                over.then(|| "levels of message and term references".to_string()),
            )
        }
        3 => {
            // One long message written many times.
            let length = pick(rng, &[10, 1_000, 60_000]);
            let times = pick(rng, &[1, 10, 99, 150]);
            let text = format!(
                "big = {}\n{TOP} = {}\n",
                "y".repeat(length),
                "{ big }".repeat(times)
            );
            let over = length * times > herald::l10n::MAX_EXPANDED_BYTES;
            Generated::new(text, over.then_some(expansion))
        }
        4 => {
            // Number options and literals past what Fluent can format.
            let option = pick(
                rng,
                &[
                    "minimumFractionDigits",
                    "maximumFractionDigits",
                    "minimumIntegerDigits",
                    "maximumSignificantDigits",
                ],
            );
            let value = pick(
                rng,
                &["0", "2", "19", "20", "100", "1000000000000000", "1.5"],
            );
            let fine = value
                .parse::<usize>()
                .is_ok_and(|v| v <= herald::l10n::MAX_FRACTION_DIGITS);
            let text = format!(
                "{TOP} = {{ NUMBER(12, {option}: {value}) }} and {{ NUMBER(1.{}) }}\n",
                "0".repeat(1 + rng.below(3))
            );
            Generated::new(
                text,
                (!fine).then(|| "a digits option must be a whole number".to_string()),
            )
        }
        5 => {
            let digits = pick(rng, &[1, 19, 20, 400]);
            let text = format!(
                "{TOP} = {{ 1.{} ->\n    [one] one\n   *[other] other\n}}\n",
                "5".repeat(digits)
            );
            let over = digits > herald::l10n::MAX_FRACTION_DIGITS;
            Generated::new(text, over.then(|| "digits after the point".to_string()))
        }
        6 => {
            // Terms called with arguments, doubling at each level.
            let links = depth.min(40);
            let mut text = "-t0 = { $x }\n".to_string();
            for i in 1..=links {
                text.push_str(&format!(
                    "-t{i} = {{ -t{}(x: \"{}\") }}{{ -t{}(x: \"ab\") }}\n",
                    i - 1,
                    "z".repeat(rng.below(50)),
                    i - 1
                ));
            }
            text.push_str(&format!("{TOP} = {{ -t{links} }}\n"));
            Generated::new(text, None)
        }
        _ => {
            // Nested selects and cycles.
            let mut text = format!("{TOP} = ");
            for _ in 0..depth.min(40) {
                text.push_str("{ $months ->\n [one] a\n *[other] ");
            }
            text.push_str("{ cycle-a }");
            for _ in 0..depth.min(40) {
                text.push_str("\n}");
            }
            text.push_str("\ncycle-a = { cycle-b }\ncycle-b = { cycle-a }\n");
            Generated::new(text, None)
        }
    }
}

fn generate_campaign(rng: &mut SplitMix) -> Generated {
    let base = String::from_utf8(read("campaigns/avr-nl-2027.toml")).unwrap();
    let count = pick(rng, &[1, 10, 200, 2_000]);
    let text = match rng.below(6) {
        0 => {
            // Many segments, each sent to.
            let mut text = base.clone();
            let mut ids = Vec::new();
            for i in 0..count {
                ids.push(format!("\"s{i}\""));
                text.push_str(&format!(
                    "\n[[segments]]\nid = \"s{i}\"\nkind = \"in_eu\"\ncountries = [\"NL\"]\nlocales = [\"en\", \"ar\"]\nfallback = [\"en\"]\ntimezone = \"Europe/Amsterdam\"\n"
                ));
            }
            text.push_str(&format!(
                "\n[[sends]]\nid = \"many\"\nmessage = \"avr-intro\"\nsegments = [{}]\nchannels = [\"telegram:nl-info\"]\ncron = \"0 10 * * MON\"\n",
                ids.join(", ")
            ));
            text
        }
        1 => {
            // Many sends.
            let mut text = base.clone();
            for i in 0..count {
                text.push_str(&format!(
                    "\n[[sends]]\nid = \"send-{i}\"\nmessage = \"avr-intro\"\nsegments = [\"in-eu-nl\"]\nchannels = [\"telegram:nl-info\", \"viber:nl-community\"]\ncron = \"0 10 * * MON\"\n"
                ));
            }
            text
        }
        2 => {
            // Deeply nested arrays and inline tables in values.
            let depth = pick(rng, DEPTHS);
            let (open, close) = pick(rng, &[("[", "]"), ("{ a = ", " }"), ("[{ b = ", "}]")]);
            base.replacen(
                "[[segments]]",
                &format!(
                    "extra = {}1{}\n\n[[segments]]",
                    open.repeat(depth),
                    close.repeat(depth)
                ),
                1,
            )
        }
        3 => {
            // Long strings and many variants.
            let long = "x".repeat(pick(rng, &[100, 100_000]));
            let variants: Vec<String> = (0..count.min(500)).map(|i| format!("\"v{i}\"")).collect();
            base.replacen("title = \"", &format!("title = \"{long}"), 1)
                .replacen(
                    "variants = [\"a\", \"b\"]",
                    &format!("variants = [{}]", variants.join(", ")),
                    1,
                )
        }
        4 => {
            // Many messages with long arguments.
            let mut text = base.clone();
            for i in 0..count {
                text.push_str(&format!(
                    "\n[[messages]]\nid = \"m{i}\"\nargs = {{ months = {i}, name = \"{}\" }}\n",
                    "n".repeat(rng.below(1_000))
                ));
            }
            text
        }
        _ => {
            // Repeated keys and tables.
            format!(
                "{}{}",
                base,
                "\n[[segments]]\nid = \"in-eu-nl\"\n".repeat(count)
            )
        }
    };
    Generated::new(text, None)
}
