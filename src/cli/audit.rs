//! `herald audit verify [--head FILE]`: checks the audit log's chain (plain SHA-256 entries by
//! their hash, keyed ones by HMAC under `HERALD_SECRET_KEY`), its head, and an exported head
//! when given. `herald audit export-head [--out FILE]`: the signed head, to keep elsewhere.
//! Both leave the database as they found it.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use super::runtime::{audit_key, fail, with_store_as_is};
use crate::audit::{AuditEntry, AuditKey, ChainBreak, ExportedHead, MAX_HEAD_BYTES, VerifiedChain};
use crate::store::{AnyStore, Store};
use crate::whole_file::write_whole;

pub fn audit_verify(database_url: &str, head: Option<&Path>) -> ExitCode {
    let key = match audit_key() {
        Ok(key) => key,
        Err(code) => return code,
    };
    let exported = match head.map(read_head).transpose() {
        Ok(exported) => exported,
        Err(code) => return code,
    };
    if exported.is_some() && key.is_none() {
        return fail(format!(
            "--head needs {} to check the head's signature",
            crate::secrets::SECRET_KEY_VARIABLE
        ));
    }
    with_store_as_is(database_url, |store| async move {
        let (entries, chain) = match verified(&store, key.as_deref()).await {
            Ok(verified) => verified,
            Err(code) => return code,
        };
        if let (Some(exported), Some(key)) = (&exported, key.as_deref())
            && let Err(mismatch) = exported.check(&entries, &chain, key)
        {
            return fail(format!("audit log tampered with: {mismatch}"));
        }
        let count = chain.entries;
        crate::say!(
            "audit log intact: {count} entr{}, chain and head agree",
            if count == 1 { "y" } else { "ies" }
        );
        if let (Some(first), Some(key)) = (chain.keyed_from, key.as_deref()) {
            crate::say!(
                "keyed from entry {first} on with key id {}: a rebuild without the key would show",
                key.id()
            );
        }
        if let Some(exported) = &exported {
            crate::say!(
                "the exported head of {} (entry {}) is still in the chain, which goes on from it",
                exported.exported_at,
                exported.entries
            );
        }
        if let Some(warning) = chain.keying(key.as_deref()) {
            eprintln!("warning: {warning}");
        }
        ExitCode::SUCCESS
    })
}

pub fn audit_export_head(database_url: &str, out: Option<&Path>) -> ExitCode {
    let key = match audit_key() {
        Ok(Some(key)) => key,
        Ok(None) => {
            return fail(format!(
                "set {} to export the head: a head nobody signed proves nothing",
                crate::secrets::SECRET_KEY_VARIABLE
            ));
        }
        Err(code) => return code,
    };
    with_store_as_is(database_url, |store| async move {
        let (entries, chain) = match verified(&store, Some(&key)).await {
            Ok(verified) => verified,
            Err(code) => return code,
        };
        let head = ExportedHead::sign(&entries, &chain, &key, chrono::Utc::now());
        let text = head.to_json();
        match out {
            Some(path) => match write_whole(path, text.as_bytes()) {
                Ok(()) => {
                    eprintln!(
                        "wrote the audit head (entry {}) to {}; keep it outside this database",
                        head.entries,
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            },
            None => {
                crate::stdout_lines::say_text(&text);
                ExitCode::SUCCESS
            }
        }
    })
}

/// The log and what its chain is made of, or the failure already reported: a head is only
/// exported from, and only checked against, a chain that verifies.
async fn verified(
    store: &AnyStore,
    key: Option<&AuditKey>,
) -> Result<(Vec<AuditEntry>, VerifiedChain), ExitCode> {
    let (entries, head) = store.audit_log().await.map_err(fail)?;
    match crate::audit::verify(&entries, (head.0, &head.1), key) {
        Ok(chain) => Ok((entries, chain)),
        Err(problem @ ChainBreak::KeyNeeded { .. }) => {
            Err(fail(format!("cannot check the audit log: {problem}")))
        }
        Err(problem) => Err(fail(format!("audit log tampered with: {problem}"))),
    }
}

/// An exported head from `path`, read no further than a head can be long.
fn read_head(path: &Path) -> Result<ExportedHead, ExitCode> {
    let failed = |error: &dyn std::fmt::Display| fail(format!("{}: {error}", path.display()));
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(MAX_HEAD_BYTES as u64 + 1)
                .read_to_string(&mut text)
        })
        .map_err(|error| failed(&error))?;
    ExportedHead::parse(&text).map_err(|error| failed(&error))
}
