//! `herald audit verify`: checks the audit log's hash chain and its head.

use std::process::ExitCode;

use super::runtime::{fail, with_store_as_is};
use crate::store::Store;

pub fn audit_verify(database_url: &str) -> ExitCode {
    with_store_as_is(database_url, |store| async move {
        let (entries, head) = match store.audit_log().await {
            Ok(log) => log,
            Err(error) => return fail(error),
        };
        match crate::audit::verify(&entries, (head.0, &head.1)) {
            Ok(count) => {
                crate::say!(
                    "audit log intact: {count} entr{}, chain and head agree",
                    if count == 1 { "y" } else { "ies" }
                );
                ExitCode::SUCCESS
            }
            Err(problem) => fail(format!("audit log tampered with: {problem}")),
        }
    })
}
