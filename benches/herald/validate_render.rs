//! Validation and rendering benchmarks, each reported as a ratio to a baseline measured in the
//! same run:
//! - validating 100 campaigns × 10 locales, against only reading and parsing the same files;
//! - rendering for 100,000 recipients through the render cache, against rendering the whole
//!   matrix once (the claim: the cost does not grow with the audience);
//! - naive per-recipient rendering, against the cached rendering.
//!
//! `cargo bench -- validate_render`.

use std::path::Path;
use std::time::{Duration, Instant};

use herald::campaign::VersionBundle;

use herald::project::{Target, load_project};
use herald::render::{LinkDimensions, Renderer, render_uncached, tracking_token, tracking_url};

use crate::table::{Figure, Row, Rows, verdict};

/// The name `cargo bench -- NAME` selects this benchmark by.
pub const NAME: &str = "validate_render";

/// Validation must stay under this for 100 campaigns × 10 locales.
const VALIDATION_TARGET_MS: f64 = 1000.0;

const CAMPAIGNS: usize = 100;
const LOCALES: [&str; 10] = [
    "en", "fr", "ar", "fa-AF", "ps", "ti", "so", "es", "de", "it",
];
const RECIPIENTS: usize = 100_000;

const CONFIG: &str = r#"
[[accounts]]
name = "info"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_TG_TOKEN" }
chats = { "*" = "@demo" }

[[accounts]]
name = "optin"
platform = "whatsapp"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_WA_TOKEN", phone_number_id = "HERALD_WA_PHONE", waba_id = "HERALD_WA_WABA" }

[[accounts]]
name = "updates"
platform = "x"
base_url = "http://127.0.0.1:8090"
credentials = { consumer_key = "HERALD_X_CONSUMER_KEY", consumer_secret = "HERALD_X_CONSUMER_SECRET", access_token = "HERALD_X_ACCESS_TOKEN", access_token_secret = "HERALD_X_ACCESS_TOKEN_SECRET" }
"#;

fn campaign_toml(id: &str) -> String {
    format!(
        r#"id = "{id}"
title = "Benchmark campaign {id}"
authority = "Ministry of Examples"
purpose = "Measure validation"
legal_basis = "public task"
starts = 2027-01-15
ends = 2027-04-30
default_locale = "en"

[[segments]]
id = "in-eu"
kind = "in_eu"
countries = ["NL", "BE"]
locales = ["en", "fr", "ar", "fa-AF", "ps"]
fallback = ["en"]
timezone = "Europe/Amsterdam"
age = [18, 65]

[[segments]]
id = "diaspora"
kind = "diaspora"
countries = ["FR", "IT"]
locales = ["ti", "so", "es", "de", "it"]
fallback = ["en"]
timezone = "Europe/Paris"

[[messages]]
id = "intro"
variants = ["a", "b"]
link = "https://example.org/return"

[[messages]]
id = "support"
args = {{ months = 12 }}
link = "https://example.org/support"

[[messages]]
id = "alert"

[[sends]]
id = "intro-weekly"
message = "intro"
segments = ["in-eu", "diaspora"]
channels = ["telegram:info", "whatsapp:optin"]
cron = "0 10 * * MON,THU"

[[sends]]
id = "support-weekly"
message = "support"
segments = ["in-eu", "diaspora"]
channels = ["telegram:info", "whatsapp:optin"]
cron = "0 12 * * FRI"

[[sends]]
id = "alert-x"
message = "alert"
segments = ["in-eu", "diaspora"]
channels = ["x:updates"]
cron = "0 9 * * *"
"#
    )
}

fn ftl(locale: &str) -> String {
    format!(
        r#"### benchmark — {locale}
-org = The Agency ({locale})
intro--a = Free and confidential advice from {{ -org }} about your options. ({locale})
    .title = Know your options
    .cta = Read more
intro--b = You have options, and {{ -org }} can explain them. ({locale})
    .title = Know your options
    .cta = Read more
support = Support for up to {{ $months ->
    [zero] no months
    [one] one month
    [two] two months
    [few] {{ $months }} months
    [many] {{ $months }} months
   *[other] {{ $months }} months
}} after you return. ({locale})
    .title = Support after return
    .cta = Check what applies
alert = Smugglers put lives at risk. Ask for free advice. ({locale})
"#
    )
}

fn write_project(root: &Path) {
    std::fs::create_dir_all(root.join("campaigns")).expect("campaigns folder");
    std::fs::write(root.join("herald.toml"), CONFIG).expect("config");
    for i in 0..CAMPAIGNS {
        let id = format!("c{i:03}");
        std::fs::write(
            root.join("campaigns").join(format!("{id}.toml")),
            campaign_toml(&id),
        )
        .expect("campaign");
        for locale in LOCALES {
            let dir = root.join("locales").join(locale);
            std::fs::create_dir_all(&dir).expect("locale folder");
            std::fs::write(dir.join(format!("{id}.ftl")), ftl(locale)).expect("translation");
        }
    }
}

/// The floor: read every file and parse it (TOML and Fluent), with no checks at all.
fn read_and_parse(root: &Path) -> usize {
    let mut entries = 0;
    for entry in std::fs::read_dir(root.join("campaigns"))
        .expect("read campaigns")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        entries += toml::de::DeTable::parse(&text)
            .map(|t| t.get_ref().len())
            .unwrap_or(0);
        let id = entry
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for locale in LOCALES {
            let ftl = std::fs::read_to_string(
                root.join("locales").join(locale).join(format!("{id}.ftl")),
            )
            .expect("read");
            entries += fluent_bundle::FluentResource::try_new(ftl)
                .map(|r| r.entries().count())
                .unwrap_or(0);
        }
    }
    entries
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

pub fn run(rows: &mut Rows) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    write_project(root);
    let config = root.join("herald.toml");

    let (baseline, entries) = best_of(3, || read_and_parse(root));
    let (validation, (project, diags)) = best_of(3, || {
        load_project(&Target::Folder(root.to_path_buf()), Some(&config))
    });
    assert!(entries > 0);
    assert!(
        !diags.has_errors(),
        "the generated project must be valid: {:?}",
        diags.into_sorted().first()
    );
    assert_eq!(project.campaigns.len(), CAMPAIGNS);

    let validation = Figure::ms(validation);
    rows.push(Row::measured(
        NAME,
        format!("validate {CAMPAIGNS} campaigns × {} locales", LOCALES.len()),
        validation,
        "read + parse the same files only",
        Figure::ms(baseline),
        format!(
            "target < {VALIDATION_TARGET_MS:.0} ms: {}",
            verdict(validation.value < VALIDATION_TARGET_MS)
        ),
    ));

    // Rendering: one campaign's whole matrix, then 100,000 recipients spread over it.
    let loaded = &project.campaigns[0];
    let campaign = &loaded.campaign;
    let version = VersionBundle::from_loaded(&project, loaded).content_hash();
    let link = |send: &str, variant: Option<&str>, locale, channel| {
        let dimensions = LinkDimensions {
            campaign: &campaign.id,
            send,
            variant,
            locale,
            channel,
        };
        tracking_url(
            "https://herald.example.org",
            &tracking_token(&version, dimensions),
        )
    };
    let mut combos = Vec::new();
    for send in &campaign.sends {
        let message = campaign.message(&send.message).expect("message");
        for segment in send.segments.iter().filter_map(|s| campaign.segment(s)) {
            for locale in &segment.locales {
                for (variant, fluent_id) in message.fluent_ids() {
                    let source = loaded
                        .catalog
                        .source_locale(
                            &fluent_id,
                            &locale.value,
                            segment.fallback.iter().map(|f| &f.value),
                        )
                        .expect("translated")
                        .clone();
                    for channel in &send.channels {
                        combos.push((
                            send,
                            message,
                            fluent_id.clone(),
                            variant.map(str::to_string),
                            locale.value.clone(),
                            source.clone(),
                            channel.value.clone(),
                        ));
                    }
                }
            }
        }
    }
    let render_all = |renderer: &mut Renderer<'_>| -> Vec<std::sync::Arc<str>> {
        combos
            .iter()
            .map(
                |(send, message, fluent_id, variant, locale, source, channel)| {
                    let translation = loaded.catalog.translation(source).expect("translation");
                    let rendered = renderer
                        .render(campaign, message, fluent_id, translation, channel.platform)
                        .expect("render");
                    std::sync::Arc::from(rendered.with_link(&link(
                        &send.id,
                        variant.as_deref(),
                        locale,
                        channel,
                    )))
                },
            )
            .collect()
    };
    let (matrix_once, texts) = best_of(5, || {
        let mut renderer = Renderer::new(&project.layouts);
        render_all(&mut renderer)
    });
    let (cached, (renders, delivered_bytes)) = best_of(5, || {
        let mut renderer = Renderer::new(&project.layouts);
        let texts = render_all(&mut renderer);
        let mut bytes = 0usize;
        for recipient in 0..RECIPIENTS {
            let text = std::sync::Arc::clone(&texts[recipient % texts.len()]);
            bytes += text.len();
        }
        (renderer.render_count(), bytes)
    });
    let (naive, naive_bytes) = best_of(1, || {
        let mut bytes = 0usize;
        for recipient in 0..RECIPIENTS {
            let (send, message, fluent_id, variant, locale, source, channel) =
                &combos[recipient % combos.len()];
            let translation = loaded.catalog.translation(source).expect("translation");
            let rendered = render_uncached(
                &project.layouts,
                campaign,
                message,
                fluent_id,
                translation,
                channel.platform,
            )
            .expect("render");
            bytes += rendered
                .with_link(&link(&send.id, variant.as_deref(), locale, channel))
                .len();
        }
        bytes
    });
    assert_eq!(
        delivered_bytes, naive_bytes,
        "cached and naive rendering must produce the same texts"
    );
    assert!(renders <= texts.len());
    rows.push(Row::measured(
        NAME,
        format!("render for {RECIPIENTS} recipients, cached"),
        Figure::ms(cached),
        format!("render the {}-text matrix once", texts.len()),
        Figure::ms(matrix_once),
        format!("{renders} renders, as many as for the matrix; target ratio ≤ ~1"),
    ));
    rows.push(Row::measured(
        NAME,
        format!("render for {RECIPIENTS} recipients, naive"),
        Figure::ms(naive),
        "render for them cached (row above)",
        Figure::ms(cached),
        format!("{RECIPIENTS} renders"),
    ));
}
