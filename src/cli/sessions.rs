//! `herald user sessions` and `herald user end-session ID`: the web-interface sessions that
//! are live, and ending one (audited). A session is shown by its public id, never by its
//! cookie's secret, which the database does not hold.

use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::runtime::{fail, with_store};
use super::users::when;
use crate::store::Store;

pub fn user_sessions(database_url: &str, format: Format) -> ExitCode {
    with_store(database_url, |store| async move {
        let sessions = match store
            .live_sessions(chrono::Utc::now().timestamp_millis())
            .await
        {
            Ok(sessions) => sessions,
            Err(error) => return fail(error),
        };
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => {
                serde_json::to_string_pretty(&serde_json::json!({ "sessions": sessions }))
                    .map_err(std::io::Error::other)
                    .and_then(|json| writeln!(out, "{json}"))
            }
            Format::Text => {
                let mut lines = vec![
                    [
                        "session",
                        "user",
                        "token",
                        "created",
                        "last seen",
                        "idle until",
                        "expires",
                    ]
                    .map(str::to_string)
                    .to_vec(),
                ];
                for session in &sessions {
                    lines.push(vec![
                        session.id.clone(),
                        session.user.clone(),
                        session.token_id.clone(),
                        when(session.created_ms),
                        when(session.last_seen_ms),
                        when(session.idle_until_ms),
                        when(session.expires_at_ms),
                    ]);
                }
                write!(out, "{}", crate::text_table::aligned(&lines, ""))
            }
        };
        if crate::stdout_lines::closed_pipe_is_done(written).is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}

pub fn user_end_session(database_url: &str, id: &str) -> ExitCode {
    with_store(database_url, |store| async move {
        match store
            .end_session_by(id, "admin", chrono::Utc::now().timestamp_millis())
            .await
        {
            Ok(Some(user)) => {
                crate::say!("session {id} of `{user}` ended");
                ExitCode::SUCCESS
            }
            Ok(None) => fail(format!("no session {id} (see herald user sessions)")),
            Err(error) => fail(error),
        }
    })
}
