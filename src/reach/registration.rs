//! Telling partners where herald's hooks are. Telegram (`setWebhook`, with the secret token it
//! will send back) and Viber (`set_webhook`, which Viber confirms with a signed call) take the
//! URL through their API, so herald registers it at start-up; Meta's webhooks are set in the
//! app dashboard, and Twilio's in its console, so herald prints what to enter there, except in
//! a rehearsal, where it
//! registers through the emulator's stand-in for that dashboard, over HTTP like everything
//! else herald says to a partner.

use std::collections::HashMap;

use crate::channel::Platform;
use crate::config::Audience;
use crate::platforms::{TelegramAdapter, ViberAdapter};

use super::hooks::HookAccount;

/// Registers every hook that can be registered; `emulator` is the partner emulator's base URL
/// in a rehearsal. Returns one line per account saying what happened (never a secret).
pub async fn register_webhooks(
    accounts: &HashMap<String, HookAccount>,
    hooks_base: &str,
    emulator: Option<&str>,
) -> Vec<String> {
    let client = match crate::platforms::partner_client() {
        Ok(client) => client,
        Err(error) => return vec![format!("cannot build the HTTP client: {error}")],
    };
    let mut lines = Vec::new();
    let mut names: Vec<&String> = accounts.keys().collect();
    names.sort();
    for name in names {
        let hook = &accounts[name];
        let channel = &hook.account.channel;
        let url = format!(
            "{}/hooks/{}/{}",
            hooks_base.trim_end_matches('/'),
            channel.platform,
            channel.account
        );
        let line = match channel.platform {
            Platform::Telegram if hook.account.audience == Audience::Subscribers => {
                register_telegram(&client, hook, &url, emulator).await
            }
            Platform::Viber => register_viber(&client, hook, &url, emulator).await,
            Platform::WhatsApp | Platform::Facebook => {
                register_meta(&client, hook, &url, emulator).await
            }
            Platform::Sms => register_sms(&client, hook, &url, emulator).await,
            _ => continue,
        };
        lines.push(line);
    }
    lines
}

/// `setWebhook`, with the secret Telegram sends back on every update.
async fn register_telegram(
    client: &reqwest::Client,
    hook: &HookAccount,
    url: &str,
    emulator: Option<&str>,
) -> String {
    let account = &hook.account;
    let channel = &account.channel;
    let (Some(token), Some(secret)) = (hook.credential("token"), hook.credential("webhook_secret"))
    else {
        return format!(
            "{channel}: no `webhook_secret` credential: people cannot subscribe through this bot"
        );
    };
    let adapter = TelegramAdapter::new(
        client.clone(),
        emulator.unwrap_or(&account.base_url),
        token.clone(),
        account.chats.clone(),
        account.timeout,
    );
    match adapter.set_webhook(url, secret.expose()).await {
        Ok(()) => format!("{channel}: Telegram sends updates to {url}"),
        Err(error) => format!("{channel}: setWebhook failed: {error}"),
    }
}

/// `set_webhook`, which Viber confirms with a signed call to the hook.
async fn register_viber(
    client: &reqwest::Client,
    hook: &HookAccount,
    url: &str,
    emulator: Option<&str>,
) -> String {
    let account = &hook.account;
    let channel = &account.channel;
    let Some(token) = hook.credential("token") else {
        return format!("{channel}: no token: its callbacks are not registered");
    };
    let adapter = ViberAdapter::new(
        client.clone(),
        emulator.unwrap_or(&account.base_url),
        token.clone(),
        account
            .sender_name
            .clone()
            .unwrap_or_else(|| channel.account.clone()),
        account.timeout,
    );
    match adapter.set_webhook(url).await {
        Ok(()) => format!("{channel}: Viber sends callbacks to {url}"),
        Err(error) => format!("{channel}: set_webhook failed: {error}"),
    }
}

/// Meta's callback URL is set in its app dashboard: the emulator's stand-in for it in a
/// rehearsal, else a line telling the operator what to enter there.
async fn register_meta(
    client: &reqwest::Client,
    hook: &HookAccount,
    url: &str,
    emulator: Option<&str>,
) -> String {
    let channel = &hook.account.channel;
    let (key, dashboard) = if channel.platform == Platform::WhatsApp {
        ("phone_number_id", "whatsapp")
    } else {
        ("page_id", "facebook")
    };
    let (Some(emulator), Some(id)) = (emulator, hook.credential(key)) else {
        return format!(
            "{channel}: set the callback URL {url} and your verify token in Meta's app dashboard"
        );
    };
    let body = serde_json::json!({ key: id.expose(), "url": url });
    match tell_sandbox(client, emulator, dashboard, &body).await {
        Ok(()) => format!("{channel}: the sandbox sends callbacks to {url}"),
        Err(error) => format!("{channel}: the sandbox did not take the callback URL: {error}"),
    }
}

/// `PUT {emulator}/sandbox/webhooks/{dashboard}` with `body`: the emulator's stand-in for a
/// partner's dashboard or console.
async fn tell_sandbox(
    client: &reqwest::Client,
    emulator: &str,
    dashboard: &str,
    body: &serde_json::Value,
) -> Result<(), reqwest::Error> {
    client
        .put(format!(
            "{}/sandbox/webhooks/{dashboard}",
            emulator.trim_end_matches('/')
        ))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map(drop)
        .map_err(reqwest::Error::without_url)
}

/// Twilio's incoming-message webhook is set on the number (or its messaging service) in
/// Twilio's console: the emulator's stand-in for it in a rehearsal, else a line telling the
/// operator what to enter there. Status callbacks need nothing: each message names its own.
async fn register_sms(
    client: &reqwest::Client,
    hook: &HookAccount,
    url: &str,
    emulator: Option<&str>,
) -> String {
    let channel = &hook.account.channel;
    let (Some(emulator), Some(sid)) = (emulator, hook.credential("account_sid")) else {
        return format!(
            "{channel}: in Twilio's console, set {url} (HTTP POST) as the number's \"a message comes in\" webhook, so that STOP and START reach herald"
        );
    };
    let body = serde_json::json!({ "account_sid": sid.expose(), "url": url });
    match tell_sandbox(client, emulator, "sms", &body).await {
        Ok(()) => format!("{channel}: the sandbox sends incoming SMS and statuses to {url}"),
        Err(error) => format!("{channel}: the sandbox did not take the webhook URL: {error}"),
    }
}
