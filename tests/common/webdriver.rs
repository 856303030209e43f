//! A minimal W3C WebDriver client over HTTP (reqwest + serde_json) driving ChromeDriver and
//! headless Chromium: enough to sign in, click, type, read pages and take screenshots, as a
//! person would. Where Chromium or ChromeDriver is missing the test is skipped, unless
//! `HERALD_REQUIRE_BROWSER` is set, where it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key W3C WebDriver names element references with.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// ChromeDriver, if installed (`None` skips the test unless a browser is required).
pub fn chromedriver() -> Option<PathBuf> {
    let found = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("HERALD_REQUIRE_BROWSER").is_none(),
            "HERALD_REQUIRE_BROWSER is set but ChromeDriver is not installed (apt-get install chromium-driver)"
        );
        eprintln!("ChromeDriver is not installed: browser test skipped");
    }
    found
}

/// One browser session; ChromeDriver (and with it Chromium) stops when this is dropped.
pub struct Browser {
    driver: Child,
    client: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

/// An element on the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session, or `None`
    /// when either is missing.
    pub async fn start() -> Option<Browser> {
        let chromium = super::browser::chromium()?;
        let driver_path = chromedriver()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = client
                .get(format!("{base}/status"))
                .send()
                .await
                .ok()
                .map(|r| r.text());
            if let Some(text) = ready
                && let Ok(text) = text.await
                && serde_json::from_str::<Value>(&text)
                    .is_ok_and(|v| v["value"]["ready"] == json!(true))
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("profile folder");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    "--window-size=1280,1600",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let mut browser = Browser {
            driver,
            client,
            session: String::new(),
            _profile: profile,
        };
        let answer = browser
            .call("POST", &format!("{base}/session"), Some(capabilities))
            .await;
        browser.session = format!(
            "{base}/session/{}",
            answer["value"]["sessionId"]
                .as_str()
                .expect("chromedriver opened a session")
        );
        Some(browser)
    }

    async fn call(&self, method: &str, url: &str, body: Option<Value>) -> Value {
        let request = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body(body.unwrap_or(json!({})).to_string()),
        };
        let response = request.send().await.expect("chromedriver answers");
        let status = response.status();
        let text = response.text().await.unwrap();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "WebDriver {method} {url}: {status} {text}"
        );
        value
    }

    async fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("{}{path}", self.session), body)
            .await["value"]
            .take()
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn current_url(&self) -> String {
        self.session_call("GET", "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn title(&self) -> String {
        self.session_call("GET", "/title", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's current HTML.
    pub async fn source(&self) -> String {
        self.session_call("GET", "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.session_call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())))
        .collect()
    }

    /// The first element matching a CSS selector; fails the test when there is none.
    pub async fn find(&self, css: &str) -> Element {
        self.find_all(css)
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element matches `{css}`"))
    }

    pub async fn click(&self, element: &Element) {
        self.session_call("POST", &format!("/element/{}/click", element.0), None)
            .await;
    }

    /// Clicks something that loads a new page (a link, a form's button) and waits until the
    /// old page is gone: WebDriver's click returns before a form's answer has arrived.
    pub async fn click_and_wait(&self, element: &Element) {
        self.click(element).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let response = self
                .client
                .get(format!("{}/element/{}/name", self.session, element.0))
                .send()
                .await
                .expect("chromedriver answers");
            if !response.status().is_success() {
                break;
            }
            assert!(Instant::now() < deadline, "the click loaded no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The new page's load finishes before the driver answers a navigation-aware command.
        self.session_call("GET", "/url", None).await;
    }

    pub async fn send_keys(&self, element: &Element, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// The element's rendered text.
    pub async fn text(&self, element: &Element) -> String {
        self.session_call("GET", &format!("/element/{}/text", element.0), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An attribute's value, `None` when the element does not have it.
    pub async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        self.session_call(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            None,
        )
        .await
        .as_str()
        .map(str::to_string)
    }

    /// The computed value of a CSS property of the element (`direction`: `rtl` or `ltr`).
    pub async fn css_value(&self, element: &Element, property: &str) -> String {
        self.session_call(
            "GET",
            &format!("/element/{}/css/{property}", element.0),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Where the element is drawn, in CSS pixels from the top left of the page: (x, y,
    /// width, height).
    pub async fn rect(&self, element: &Element) -> (f64, f64, f64, f64) {
        let rect = self
            .session_call("GET", &format!("/element/{}/rect", element.0), None)
            .await;
        let number = |key: &str| {
            rect[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key}: {rect}"))
        };
        (number("x"), number("y"), number("width"), number("height"))
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let encoded = self.session_call("GET", "/screenshot", None).await;
        let png = base64_decode(encoded.as_str().expect("a base64 screenshot"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(path, png).expect("write the screenshot");
    }
}

impl Drop for Browser {
    /// Closes the session (ChromeDriver then ends its Chromium), then stops ChromeDriver: both
    /// were started by this test. Plain blocking HTTP, as a destructor cannot wait on futures.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Some((authority, path)) = self
            .session
            .strip_prefix("http://")
            .and_then(|rest| rest.split_once('/'))
            && let Ok(mut stream) = std::net::TcpStream::connect(authority)
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = Vec::new();
                let _ = stream.read_to_end(&mut answer);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (with padding), as WebDriver sends screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes().filter_map(value) {
        buffer = (buffer << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}
