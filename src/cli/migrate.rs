//! `herald migrate`.

use std::process::ExitCode;

use crate::store::{Store, connect};

pub fn migrate(database_url: &str) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let store = connect(database_url).await?;
        store.migrate().await
    });
    match result {
        Ok(report) if report.applied.is_empty() => {
            crate::say!("database schema is up to date (version {})", report.current);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            let applied: Vec<String> = report.applied.iter().map(ToString::to_string).collect();
            crate::say!(
                "applied migration{} {}; database schema is at version {}",
                if applied.len() == 1 { "" } else { "s" },
                applied.join(", "),
                report.current
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
