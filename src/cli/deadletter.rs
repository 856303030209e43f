//! `herald deadletter list [--unknown | --resent]` and `herald deadletter retry`.

use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::runtime::{fail, with_store};
use crate::store::{EndedAs, Store};

pub fn deadletter_list(database_url: &str, ended: EndedAs, limit: u32, format: Format) -> ExitCode {
    with_store(database_url, |store| async move {
        let letters = match store.jobs_ended_as(ended, limit).await {
            Ok(letters) => letters,
            Err(error) => return fail(error),
        };
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => serde_json::to_string_pretty(&letters)
                .map_err(std::io::Error::other)
                .and_then(|json| writeln!(out, "{json}")),
            Format::Text => (|| {
                for letter in &letters {
                    writeln!(
                        out,
                        "{:>8}  {}  {}/{}/{}/{}  {}  attempts {}  {}: {}",
                        letter.id,
                        letter.slot.format("%Y-%m-%d %H:%M UTC"),
                        letter.campaign_id,
                        letter.send,
                        letter.segment,
                        letter.locale,
                        letter.channel,
                        letter.attempts,
                        letter.code.as_deref().unwrap_or("-"),
                        letter.text.as_deref().unwrap_or("")
                    )?;
                    if let Some(repeat) = &letter.may_repeat {
                        writeln!(out, "          may have arrived twice: {repeat}")?;
                    }
                }
                let plural = if letters.len() == 1 { "" } else { "s" };
                match ended {
                    EndedAs::Dead => writeln!(out, "{} dead letter{plural}", letters.len()),
                    EndedAs::Unknown => writeln!(
                        out,
                        "{} job{plural} whose outcome is unknown (never sent again by herald)",
                        letters.len()
                    ),
                    EndedAs::Resent => writeln!(
                        out,
                        "{} job{plural} sent again with the same idempotency key (the person may have the message twice)",
                        letters.len()
                    ),
                }
            })(),
        };
        if crate::stdout_lines::closed_pipe_is_done(written).is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}

pub fn deadletter_retry(database_url: &str, ids: &[i64], all: bool) -> ExitCode {
    if ids.is_empty() && !all {
        eprintln!("error: name the dead letters to retry (their ids) or pass --all");
        return ExitCode::from(2);
    }
    with_store(database_url, |store| async move {
        let selection = if all { None } else { Some(ids) };
        match store
            .retry_dead(selection, "operator", chrono::Utc::now().timestamp_millis())
            .await
        {
            Ok(count) => {
                crate::say!(
                    "{count} job{} back in the queue",
                    if count == 1 { "" } else { "s" }
                );
                if !all && (count as usize) < ids.len() {
                    eprintln!(
                        "warning: {} id(s) were not dead letters",
                        ids.len() - count as usize
                    );
                }
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        }
    })
}
