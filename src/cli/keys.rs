//! `herald keys rotate` and `herald keys status`: moving stored credentials and subscribers'
//! identifiers to a new `HERALD_SECRET_KEY` while the service runs, and seeing how many rows
//! each key holds. Only key ids (fingerprints) are printed, never a key.

use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::runtime::{fail, with_store};
use super::users::when;
use crate::app::{RotationPlan, RotationProgress, ServiceKeys, rotate_keys};
use crate::secrets::PREVIOUS_SECRET_KEY_VARIABLE;

pub fn keys_rotate(database_url: &str, plan: RotationPlan) -> ExitCode {
    let keys = match ServiceKeys::from_env() {
        Ok(keys) => keys,
        Err(error) => return fail(error),
    };
    with_store(database_url, |store| async move {
        let progress = |at: RotationProgress| {
            eprintln!("re-keyed {} of {} subscribers", at.rekeyed, at.to_do.max(0));
        };
        let run = match rotate_keys(&store, &keys, plan, progress).await {
            Ok(run) => run,
            Err(error) => return fail(error),
        };
        crate::say!(
            "re-sealed {} credentials and {} subscribers under key {}{}",
            run.credentials,
            run.subscribers,
            run.to_key,
            run.from_key
                .as_deref()
                .map(|from| format!(" (previous key {from})"))
                .unwrap_or_default()
        );
        if run.unopenable > 0 {
            return fail(format!(
                "{} rows cannot be opened with the current or the previous key; they were left as they are (herald keys status)",
                run.unopenable
            ));
        }
        if run.remaining > 0 {
            crate::say!(
                "{} rows still need the previous key: run herald keys rotate again",
                run.remaining
            );
            return ExitCode::SUCCESS;
        }
        crate::say!(
            "no subscriber or credential needs the previous key any more: {PREVIOUS_SECRET_KEY_VARIABLE} may be removed"
        );
        if let Ok(Some(until)) = store.consent_records_kept_until().await {
            crate::say!(
                "(consent records kept until {} may have been written under it: keep it until then to recognise replays of events from before the rotation)",
                when(until)
            );
        }
        ExitCode::SUCCESS
    })
}

pub fn keys_status(database_url: &str, format: Format) -> ExitCode {
    let keys = match ServiceKeys::from_env() {
        Ok(keys) => keys,
        Err(error) => return fail(error),
    };
    let current = keys.vault.as_ref().map(|v| v.key_id().to_string());
    let previous = keys
        .vault
        .as_ref()
        .and_then(|v| v.previous_key_id().map(str::to_string));
    with_store(database_url, |store| async move {
        let counts = match store.key_counts().await {
            Ok(counts) => counts,
            Err(error) => return fail(error),
        };
        let role = |key_id: &Option<String>| match key_id {
            None => "unknown (sealed before key ids)",
            Some(id) if Some(id) == current.as_ref() => "current",
            Some(id) if Some(id) == previous.as_ref() => "previous",
            Some(_) => "other",
        };
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => {
                let rows: Vec<_> = counts
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "records": c.records,
                            "key_id": c.key_id,
                            "key": role(&c.key_id),
                            "rows": c.rows,
                        })
                    })
                    .collect();
                let json = serde_json::json!({
                    "current_key_id": current,
                    "previous_key_id": previous,
                    "counts": rows,
                });
                serde_json::to_string_pretty(&json)
                    .map_err(std::io::Error::other)
                    .and_then(|json| writeln!(out, "{json}"))
            }
            Format::Text => {
                let mut lines = vec![
                    ["records", "key id", "key", "rows"]
                        .map(str::to_string)
                        .to_vec(),
                ];
                for count in &counts {
                    lines.push(vec![
                        count.records.to_string(),
                        count.key_id.clone().unwrap_or_else(|| "-".into()),
                        role(&count.key_id).to_string(),
                        count.rows.to_string(),
                    ]);
                }
                writeln!(
                    out,
                    "current key id: {}\nprevious key id: {}",
                    current.as_deref().unwrap_or("none"),
                    previous.as_deref().unwrap_or("none")
                )
                .and_then(|()| write!(out, "{}", crate::text_table::aligned(&lines, "")))
            }
        };
        if crate::stdout_lines::closed_pipe_is_done(written).is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}
