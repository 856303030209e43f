//! `herald audit verify`: checks the audit log's hash chain and its head.

use std::process::ExitCode;

use super::runtime::{open_store, runtime};
use crate::store::Store;

pub fn audit_verify(database_url: &str) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let store = match open_store(database_url).await {
            Ok(store) => store,
            Err(code) => return code,
        };
        let (entries, head) = match store.audit_log().await {
            Ok(log) => log,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        match crate::audit::verify(&entries, (head.0, &head.1)) {
            Ok(count) => {
                println!(
                    "audit log intact: {count} entr{}, chain and head agree",
                    if count == 1 { "y" } else { "ies" }
                );
                ExitCode::SUCCESS
            }
            Err(problem) => {
                eprintln!("error: audit log tampered with: {problem}");
                ExitCode::FAILURE
            }
        }
    })
}
