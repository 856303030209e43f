//! A throwaway campaign project on disk and a way to run the real `herald` binary on it.

#![allow(dead_code)]

pub mod app;
pub mod background;
pub mod browser;
pub mod documented_commands;
pub mod due_jobs;
pub mod interval_attack;
pub mod json_schema;
pub mod lifecycle;
pub mod loopback;
pub mod noted_requests;
pub mod owner_heap;
pub mod partner_sandbox;
pub mod published_reports;
pub mod receiver;
pub mod relay;
pub mod served;
pub mod simulated_dispatch;
#[macro_use]
pub mod stores;
pub mod tidy_csv;
pub mod web_session;
pub mod webdriver;
pub mod workers;

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CONFIG: &str = r#"public_url = "https://herald.example.org"

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
credentials = { token = "HERALD_WA_TOKEN", phone_number_id = "HERALD_WA_PHONE", waba_id = "HERALD_WA_WABA", app_secret = "HERALD_WA_APP_SECRET", verify_token = "HERALD_WA_VERIFY" }
segments = ["in-eu"]
locales = ["ar", "fr", "en"]
templates = { intro = "intro_update" }

[[accounts]]
name = "updates"
platform = "x"
base_url = "http://127.0.0.1:8090"
credentials = { consumer_key = "HERALD_X_CONSUMER_KEY", consumer_secret = "HERALD_X_CONSUMER_SECRET", access_token = "HERALD_X_ACCESS_TOKEN", access_token_secret = "HERALD_X_ACCESS_TOKEN_SECRET" }

[[accounts]]
name = "ads"
platform = "meta_ads"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_META_TOKEN", ad_account_id = "HERALD_META_ACCOUNT" }
"#;

/// [`CONFIG`] and two bots people subscribe to: a Telegram bot for subscribers in `in-eu`, and
/// a Viber bot for the segments `viber_segments` (the inside of a TOML list: `"in-eu"`).
pub fn config_with_bots(viber_segments: &str) -> String {
    format!(
        r#"{CONFIG}
[[accounts]]
name = "bot"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = {{ token = "HERALD_TG_BOT_TOKEN", webhook_secret = "HERALD_TG_BOT_HOOK_SECRET" }}
audience = "subscribers"
segments = ["in-eu"]
locales = ["ar", "fr", "en"]

[[accounts]]
name = "community"
platform = "viber"
base_url = "http://127.0.0.1:8090"
credentials = {{ token = "HERALD_VIBER_TOKEN" }}
segments = [{viber_segments}]
locales = ["ar", "fr", "en"]
"#
    )
}

pub const CAMPAIGN: &str = r#"id = "demo"
title = "Demo campaign"
authority = "Ministry of Examples"
purpose = "Exercise the validator"
legal_basis = "public task"
starts = 2027-01-15
ends = 2027-04-30
default_locale = "en"

[[segments]]
id = "in-eu"
kind = "in_eu"
countries = ["NL"]
locales = ["ar", "fr", "en"]
fallback = []
timezone = "Europe/Amsterdam"
age = [18, 65]

[[messages]]
id = "intro"
variants = ["a", "b"]
link = "https://example.org/return"

[[messages]]
id = "support"
args = { months = 12 }

[[sends]]
id = "weekly"
message = "intro"
segments = ["in-eu"]
channels = ["telegram:info", "whatsapp:optin"]
cron = "0 10 * * MON"

[[sends]]
id = "support-x"
message = "support"
segments = ["in-eu"]
channels = ["x:updates"]
cron = "0 12 * * FRI"
"#;

pub const EN: &str = r#"### demo — English
-iom = IOM
intro--a = Free & confidential advice from { -iom } on returning home.
    .title = Know your options
    .cta = Read more
intro--b = You have options.
    .title = Know your options
    .cta = Read more
support = Support for up to { $months ->
    [one] one month
   *[other] { $months } months
}.
"#;

pub const AR: &str = r#"### demo — Arabic
### status: draft
-iom = المنظمة الدولية للهجرة
intro--a = مشورة مجانية وسرية من { -iom } بشأن العودة.
    .title = اعرف خياراتك
    .cta = اقرأ المزيد
intro--b = لديك خيارات.
    .title = اعرف خياراتك
    .cta = اقرأ المزيد
support = دعم لمدة تصل إلى { $months ->
    [zero] { $months } شهر
    [one] شهر واحد
    [two] شهرين
    [few] { $months } أشهر
    [many] { $months } شهرًا
   *[other] { $months } شهر
}.
"#;

pub const FR: &str = r#"### demo — French
-iom = l’OIM
intro--a = Conseils gratuits & confidentiels de { -iom } sur le retour.
    .title = Connaître vos options
    .cta = En savoir plus
intro--b = Vous avez des options.
    .title = Connaître vos options
    .cta = En savoir plus
support = Un soutien jusqu’à { $months ->
    [one] un mois
   *[other] { $months } mois
}.
"#;

pub struct Project {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Diagnostic lines (those with `: error: ` or `: warning: `) from standard error.
    pub fn diagnostics(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
            .collect()
    }

    pub fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect()
    }
}

impl Project {
    /// A valid project: one campaign in ar, fr and en, with telegram, whatsapp and x accounts.
    pub fn valid() -> Project {
        let project = Project {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        project.write("herald.toml", CONFIG);
        project.write("campaigns/demo.toml", CAMPAIGN);
        project.write("locales/en/demo.ftl", EN);
        project.write("locales/ar/demo.ftl", AR);
        project.write("locales/fr/demo.ftl", FR);
        project
    }

    /// A project of one campaign of the test's own instead of the demo: `config` as
    /// `herald.toml`, `campaign` as `campaigns/ID.toml`, and each (locale, Fluent text) of
    /// `translations` as `locales/LOCALE/ID.ftl`.
    pub fn with_campaign<L: AsRef<str>, T: AsRef<str>>(
        config: &str,
        id: &str,
        campaign: &str,
        translations: impl IntoIterator<Item = (L, T)>,
    ) -> Project {
        let project = Project {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        project.write("herald.toml", config);
        project.write(&format!("campaigns/{id}.toml"), campaign);
        for (locale, text) in translations {
            let locale = locale.as_ref();
            project.write(&format!("locales/{locale}/{id}.ftl"), text.as_ref());
        }
        project
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(path, text).expect("write file");
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read file")
    }

    /// Replaces `from` (which must occur) by `to` in a project file.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} has no {from:?}");
        self.write(relative, &text.replacen(from, to, 1));
    }

    /// The project as herald loads it, with its own `herald.toml`. A fixture that does not
    /// load is a broken test, not a finding: any error panics with the diagnostics.
    pub fn load(&self) -> herald::project::Project {
        let (loaded, diags) = herald::project::load_project(
            &herald::project::Target::Folder(self.path("")),
            Some(&self.path("herald.toml")),
        );
        assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
        loaded
    }

    pub fn herald(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with_key(dir, args, None)
}

/// `herald ARGS` in `dir` with `HERALD_SECRET_KEY` set to `key`, or unset.
pub fn run_with_key(dir: &Path, args: &[&str], key: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    match key {
        Some(key) => command.env("HERALD_SECRET_KEY", key),
        None => command.env_remove("HERALD_SECRET_KEY"),
    };
    let output = command.output().expect("run herald");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
