//! `herald user add NAME --role ROLE… [--expires WHEN]`, `herald user revoke TOKEN-ID`,
//! `herald user list`, `herald user rotate NAME [--expires WHEN]` and
//! `herald user set-language NAME LANGUAGE`. A token's secret is
//! printed once, on standard output, when it is made; nothing else ever prints one.

use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::expiry::parse_expiry;
use super::runtime::{fail, with_store};
use crate::auth::{Role, issue_token};
use crate::store::Store;

/// The roles named on the command line, each once; exit 2 naming an unknown one.
fn parse_roles(roles: &[String]) -> Result<Vec<Role>, ExitCode> {
    let mut parsed = Vec::new();
    for role in roles.iter().flat_map(|r| r.split(',')) {
        match Role::from_name(role.trim()) {
            Some(role) if !parsed.contains(&role) => parsed.push(role),
            Some(_) => {}
            None => {
                eprintln!(
                    "error: unknown role `{role}`; roles: {}",
                    Role::ALL.map(Role::name).join(", ")
                );
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(parsed)
}

/// `--expires` as milliseconds, read against the clock now; exit 2 when it cannot be.
fn parse_expires(expires: Option<&str>) -> Result<Option<i64>, ExitCode> {
    expires
        .map(|text| {
            parse_expiry(text, chrono::Utc::now())
                .map(|at| at.timestamp_millis())
                .map_err(|error| {
                    eprintln!("error: {error}");
                    ExitCode::from(2)
                })
        })
        .transpose()
}

/// A moment for people: `2027-01-02 09:00 UTC`.
pub(super) fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

pub fn user_add(
    database_url: &str,
    name: &str,
    roles: &[String],
    expires: Option<&str>,
) -> ExitCode {
    let parsed = match parse_roles(roles) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    if name.trim().is_empty() || name.len() > 100 {
        eprintln!("error: a user name must be 1 to 100 characters");
        return ExitCode::from(2);
    }
    let expires_at = match parse_expires(expires) {
        Ok(at) => at,
        Err(code) => return code,
    };
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now().timestamp_millis();
        let user = match store.user_by_name(name).await {
            Ok(Some(_)) => return fail(format!("a user named `{name}` exists already")),
            Ok(None) => match store
                .create_user_until(name, &parsed, expires_at, now)
                .await
            {
                Ok(user) => user,
                Err(error) => return fail(error),
            },
            Err(error) => return fail(error),
        };
        let token = issue_token();
        if let Err(error) = store
            .add_token(&token.id, &user.id, &token.secret_hash, now)
            .await
        {
            return fail(error);
        }
        let until = expires_at.map_or_else(String::new, |at| format!(", expiring {}", when(at)));
        eprintln!(
            "user `{name}` added with roles {}{until}; their API token (shown once, keep it secret):",
            Role::join(&parsed)
        );
        crate::say!("{}", token.token);
        ExitCode::SUCCESS
    })
}

pub fn user_revoke(database_url: &str, token_id: &str) -> ExitCode {
    with_store(database_url, |store| async move {
        // Accept the whole token too, but only ever look at its id.
        let id = token_id.split('.').next().unwrap_or(token_id);
        match store
            .revoke_token(id, "admin", chrono::Utc::now().timestamp_millis())
            .await
        {
            Ok(true) => {
                crate::say!("token {id} revoked");
                ExitCode::SUCCESS
            }
            Ok(false) => fail(format!("no active token {id}")),
            Err(error) => fail(error),
        }
    })
}

/// Gives the user a new token, printed once, and revokes their others at the same moment.
pub fn user_rotate(database_url: &str, name: &str, expires: Option<&str>) -> ExitCode {
    let expires_at = match parse_expires(expires) {
        Ok(at) => at,
        Err(code) => return code,
    };
    with_store(database_url, |store| async move {
        let user = match store.user_by_name(name).await {
            Ok(Some(user)) => user,
            Ok(None) => return fail(format!("no user named `{name}`")),
            Err(error) => return fail(error),
        };
        let token = issue_token();
        let now = chrono::Utc::now().timestamp_millis();
        let rotation = match store
            .rotate_token(
                &user,
                (&token.id, &token.secret_hash),
                expires_at,
                "admin",
                now,
            )
            .await
        {
            Ok(rotation) => rotation,
            Err(error) => return fail(error),
        };
        let revoked = if rotation.revoked.is_empty() {
            "no token to revoke".to_string()
        } else {
            format!(
                "revoked {} ({} web session(s) ended)",
                rotation.revoked.join(", "),
                rotation.sessions_ended
            )
        };
        eprintln!("user `{name}`: {revoked}; their new API token (shown once, keep it secret):");
        crate::say!("{}", token.token);
        if let Ok(Some(record)) = store.token(&token.id).await
            && let Some(until) = record.expires_at_ms.filter(|until| *until <= now)
        {
            eprintln!(
                "warning: `{name}` expired at {}, so the new token is refused too; rotate again with --expires to extend",
                when(until)
            );
        }
        ExitCode::SUCCESS
    })
}

/// Every user with their roles, expiry, active token ids and live sessions: no secret.
pub fn user_list(database_url: &str, format: Format) -> ExitCode {
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now().timestamp_millis();
        let users = match store.users(now).await {
            Ok(users) => users,
            Err(error) => return fail(error),
        };
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => serde_json::to_string_pretty(&serde_json::json!({ "users": users }))
                .map_err(std::io::Error::other)
                .and_then(|json| writeln!(out, "{json}")),
            Format::Text => {
                let mut lines = vec![
                    ["user", "roles", "created", "expires", "tokens", "sessions"]
                        .map(str::to_string)
                        .to_vec(),
                ];
                for user in &users {
                    lines.push(vec![
                        user.name.clone(),
                        Role::join(&user.roles),
                        when(user.created_ms),
                        match user.expires_at_ms {
                            None => "never".into(),
                            Some(at) if at <= now => format!("expired {}", when(at)),
                            Some(at) => when(at),
                        },
                        if user.active_tokens.is_empty() {
                            "none".into()
                        } else {
                            user.active_tokens.join(",")
                        },
                        user.sessions.to_string(),
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

/// Sets the language of the user's web interface; `browser` clears it. Exit 2 naming the
/// languages for one the interface does not have.
pub fn user_set_language(database_url: &str, name: &str, language: &str) -> ExitCode {
    let chosen = match language {
        "browser" => None,
        tag => match crate::web::UiLanguage::from_tag(tag) {
            Some(language) => Some(language.tag()),
            None => {
                let known: Vec<&str> = crate::web::UiLanguage::all().map(|l| l.tag()).collect();
                eprintln!(
                    "error: the web interface has no language `{tag}`; languages: {}, or browser",
                    known.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now().timestamp_millis();
        match store.set_user_language(name, chosen, "admin", now).await {
            Ok(true) => {
                crate::say!(
                    "{name} now sees the web interface in {}",
                    chosen.unwrap_or("their browser's language")
                );
                ExitCode::SUCCESS
            }
            Ok(false) => fail(format!("no user named `{name}`")),
            Err(error) => fail(error),
        }
    })
}
