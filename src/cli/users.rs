//! `herald user add NAME --role ROLE…` and `herald user revoke TOKEN-ID`.

use std::process::ExitCode;

use super::runtime::{fail, with_store};
use crate::auth::{Role, issue_token};
use crate::store::Store;

pub fn user_add(database_url: &str, name: &str, roles: &[String]) -> ExitCode {
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
                return ExitCode::from(2);
            }
        }
    }
    if name.trim().is_empty() || name.len() > 100 {
        eprintln!("error: a user name must be 1 to 100 characters");
        return ExitCode::from(2);
    }
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now().timestamp_millis();
        let user = match store.user_by_name(name).await {
            Ok(Some(_)) => {
                eprintln!("error: a user named `{name}` exists already");
                return ExitCode::FAILURE;
            }
            Ok(None) => match store.create_user(name, &parsed, now).await {
                Ok(user) => user,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            },
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        let token = issue_token();
        if let Err(error) = store
            .add_token(&token.id, &user.id, &token.secret_hash, now)
            .await
        {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
        eprintln!(
            "user `{name}` added with roles {}; their API token (shown once, keep it secret):",
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
