//! `herald demo --serve` as a newcomer runs it, shortened to two weeks of campaign time: the
//! real binary on port 0, its address and the demo users' tokens read from what it prints. The
//! evaluator signs in through the web login and finds the report's charts; the pages of the
//! other roles answer their own users (and, where Chromium is installed, the evaluator sees the
//! charts drawn in a browser). Attacks: the evaluator's token approving or scheduling
//! (403, through the API and through the web forms), the server reached on an address other
//! than loopback, tokens in the log, and the database left behind after SIGTERM.

use crate::common;

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::background::Background;
use common::webdriver::Browser;
use serde_json::Value;

const CAMPAIGN: &str = "avr-nl-2027";

/// What the served demo printed.
struct Printed {
    /// `http://127.0.0.1:PORT`.
    address: String,
    database: PathBuf,
    /// By user name.
    tokens: std::collections::BTreeMap<String, String>,
}

fn read_printed(demo: &Background) -> Printed {
    let serving = demo.line_containing_within(
        "herald demo serving on http://127.0.0.1:",
        Duration::from_secs(180),
    );
    let address = serving
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("an address")
        .to_string();
    let database = demo
        .line_containing("database: ")
        .strip_prefix("database: ")
        .and_then(|rest| rest.split(" (").next())
        .map(PathBuf::from)
        .expect("the database's path");
    demo.line_containing("Ctrl-C stops the demo");
    let tokens = ["ana", "ben", "sam", "eve"]
        .into_iter()
        .map(|name| {
            let line = demo.line_containing(&format!("  {name} ("));
            let token = line.rsplit(' ').next().expect("a token").to_string();
            (name.to_string(), token)
        })
        .collect();
    Printed {
        address,
        database,
        tokens,
    }
}

/// Signs in through the web login form; returns the session cookie and the CSRF token.
async fn web_login(client: &reqwest::Client, address: &str, token: &str) -> (String, String) {
    let response = client
        .post(format!("{address}/ui/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "signed in");
    assert_eq!(response.headers()["location"], "/ui");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, page) = web_get(client, address, &cookie, "/ui").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(CAMPAIGN),
        "the campaigns page lists the demo's: {page}"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page's logout form carries the CSRF token")
        .to_string();
    (cookie, csrf)
}

async fn web_get(
    client: &reqwest::Client,
    address: &str,
    cookie: &str,
    path: &str,
) -> (u16, String) {
    let response = client
        .get(format!("{address}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn api(
    client: &reqwest::Client,
    method: reqwest::Method,
    address: &str,
    token: &str,
    path: &str,
) -> (u16, String) {
    let response = client
        .request(method, format!("{address}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// This machine's address on its way out (no packet is sent), when it has one besides
/// loopback.
fn outside_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The evaluator signs in as a person would, in headless Chromium where it is installed, and
/// sees the charts drawn (a screenshot is left in `target/screenshots/demo-report.png`).
async fn in_a_browser(address: &str, token: &str, report_page: &str) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.goto(&format!("{address}/ui/login")).await;
    let field = browser.find("#token").await;
    browser.send_keys(&field, token).await;
    browser
        .click_and_wait(&browser.find("#sign-in").await)
        .await;
    assert!(browser.current_url().await.ends_with("/ui"), "signed in");
    browser.goto(&format!("{address}{report_page}")).await;
    assert!(
        !browser.find_all(".report figure svg").await.is_empty(),
        "charts: {}",
        browser.source().await
    );
    browser
        .screenshot(&common::browser::screenshot_dir().join("demo-report.png"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_demo_shows_the_evaluator_the_charts_and_removes_its_database() {
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("stderr.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .args(["demo", "--project", env!("CARGO_MANIFEST_DIR")])
        .args([
            "--weeks",
            "2",
            "--subscribers",
            "80",
            "--serve",
            "--port",
            "0",
        ])
        .arg("--out")
        .arg(out.path().join("reports"))
        .current_dir(out.path())
        .env_remove("RUST_LOG")
        .stderr(File::create(&log).unwrap());
    let demo = Background::spawn(command);
    let printed = read_printed(&demo);
    let address = printed.address.as_str();
    assert!(printed.database.is_file(), "{:?}", printed.database);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The evaluator signs in through the web login and reads the report with its charts.
    let (eve, eve_csrf) = web_login(&client, address, &printed.tokens["eve"]).await;
    let report_page = format!("/ui/campaigns/{CAMPAIGN}/report");
    let (status, page) = web_get(&client, address, &eve, &report_page).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("Reach report: {CAMPAIGN}")),
        "{page}"
    );
    assert!(page.contains("<figure><svg"), "a chart: {page}");
    assert!(
        page.contains("Delivery funnel per channel: sent, delivered and read"),
        "the delivery funnel: {page}"
    );
    assert!(
        page.contains("whatsapp:nl-optin") && page.contains("viber:nl-community"),
        "the channels the demo sent through: {page}"
    );

    in_a_browser(address, &printed.tokens["eve"], &report_page).await;

    // The printed tokens are the demo users' own, with their roles; a made-up one is not.
    let (status, me) = api(
        &client,
        reqwest::Method::GET,
        address,
        &printed.tokens["ana"],
        "/api/v1/me",
    )
    .await;
    assert_eq!(status, 200, "{me}");
    let me: Value = serde_json::from_str(&me).unwrap();
    assert_eq!(me["name"], "ana", "{me}");
    let forged = format!("{}0", printed.tokens["ana"]);
    let (status, _) = api(
        &client,
        reqwest::Method::GET,
        address,
        &forged,
        "/api/v1/me",
    )
    .await;
    assert_eq!(status, 401);

    // Versions with who approved them, the schedule and the dispatch monitor, each for its role.
    let (sam, _) = web_login(&client, address, &printed.tokens["sam"]).await;
    let (status, review) =
        web_get(&client, address, &sam, &format!("/ui/campaigns/{CAMPAIGN}")).await;
    assert_eq!(status, 200, "{review}");
    assert!(
        review.contains("ana") && review.contains("ben"),
        "who wrote and who approved: {review}"
    );
    for page in ["schedule", "dispatch"] {
        let (status, text) = web_get(
            &client,
            address,
            &sam,
            &format!("/ui/campaigns/{CAMPAIGN}/{page}"),
        )
        .await;
        assert_eq!(status, 200, "{page}: {text}");
    }
    let (status, _) = web_get(
        &client,
        address,
        &eve,
        &format!("/ui/campaigns/{CAMPAIGN}/schedule"),
    )
    .await;
    assert_eq!(status, 403, "the evaluator does not see the schedule");

    // Attack: the evaluator's token cannot approve or schedule, through the API or the forms.
    let (status, versions) = api(
        &client,
        reqwest::Method::GET,
        address,
        &printed.tokens["ana"],
        &format!("/api/v1/campaigns/{CAMPAIGN}/versions"),
    )
    .await;
    assert_eq!(status, 200, "{versions}");
    let versions: Value = serde_json::from_str(&versions).unwrap();
    let hash = versions["versions"][0]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("a version: {versions}"))
        .to_string();
    for action in ["approve", "schedule"] {
        let (status, body) = api(
            &client,
            reqwest::Method::POST,
            address,
            &printed.tokens["eve"],
            &format!("/api/v1/versions/{hash}/{action}"),
        )
        .await;
        assert_eq!(status, 403, "{action}: {body}");
        let response = client
            .post(format!("{address}/ui/versions/{hash}/{action}"))
            .header("cookie", &eve)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={eve_csrf}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{action} through the web");
    }

    // Attack: the demo listens on loopback only.
    let port = address.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    if let Some(ip) = outside_address() {
        assert!(
            std::net::TcpStream::connect_timeout(&(ip, port).into(), Duration::from_secs(2))
                .is_err(),
            "the demo answered on {ip}:{port}"
        );
    }

    // Ctrl-C's twin ends it and takes the database and its folder along.
    let database = printed.database.clone();
    assert_eq!(demo.stop(), Some(0));
    assert!(!database.exists(), "{database:?} removed");
    assert!(
        !database.parent().unwrap().exists(),
        "its temporary folder removed"
    );
    let stderr = std::fs::read_to_string(&log).unwrap();
    for token in printed.tokens.values() {
        let secret = token.split('.').nth(1).unwrap();
        assert!(!stderr.contains(secret), "a token in the log: {stderr}");
    }
    // The reports are written as without --serve.
    assert!(
        out.path()
            .join(format!("reports/{CAMPAIGN}.html"))
            .is_file()
    );
}
