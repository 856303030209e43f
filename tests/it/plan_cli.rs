//! `herald plan` and `herald migrate` as a user runs them.

use crate::common;

use common::Project;

#[test]
fn plan_lists_slots_in_utc_and_local_time() {
    let project = Project::valid();
    let run = project.herald(&[
        "plan",
        "demo",
        "--from",
        "2027-01-15",
        "--until",
        "2027-01-23",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert!(
        run.stdout.starts_with("campaign demo · version "),
        "{}",
        run.stdout
    );
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert!(lines[0].starts_with("UTC "));
    assert!(lines[1].starts_with("2027-01-15 11:00 UTC  Fri 2027-01-15 12:00 +01:00  Europe/Amsterdam      in-eu                   support-x               x:updates"), "{}", lines[1]);
    assert!(lines[2].starts_with("2027-01-18 09:00 UTC  Mon 2027-01-18 10:00 +01:00  Europe/Amsterdam      in-eu                   weekly                  telegram:info, whatsapp:optin"), "{}", lines[2]);
    assert!(
        lines[3].starts_with("2027-01-22 11:00 UTC  Fri 2027-01-22 12:00 +01:00"),
        "{}",
        lines[3]
    );
    assert_eq!(
        lines[4],
        "3 slots from 2027-01-15 00:00 UTC until 2027-01-23 00:00 UTC"
    );
}

#[test]
fn plan_json_covers_the_whole_campaign_by_default() {
    let project = Project::valid();
    let run = project.herald(&["plan", "demo", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let slots: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    // 15 Mondays and 16 Fridays between 15 January and 30 April 2027.
    assert_eq!(slots.len(), 31);
    assert_eq!(slots[0]["utc"], "2027-01-15T11:00:00Z");
    assert_eq!(slots[0]["local"], "2027-01-15T12:00:00+01:00");
    let last = slots.last().unwrap();
    assert_eq!(
        last["local"], "2027-04-30T12:00:00+02:00",
        "summer time after 28 March"
    );
}

#[test]
fn plan_rejects_a_bad_time_as_a_usage_error() {
    let project = Project::valid();
    let run = project.herald(&["plan", "demo", "--from", "next tuesday"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: --from: `next tuesday` is neither an RFC 3339 time (2027-01-15T09:00:00Z) nor a date (2027-01-15)\n"
    );
}

#[test]
fn migrate_creates_then_reports_up_to_date_then_refuses_a_newer_schema() {
    let project = Project::valid();
    let url = format!("sqlite://{}", project.path("herald.db").display());
    let run = project.herald(&["migrate", "--database-url", &url]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "applied migrations 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20; database schema is at version 20\n"
        ),
        "{}",
        run.stderr
    );
    let run = project.herald(&["migrate", "--database-url", &url]);
    assert_eq!(run.stdout, "database schema is up to date (version 20)\n");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query("INSERT INTO herald_schema_migrations (version, name, applied_at) VALUES (99, 'newer', 0)").execute(&pool).await.unwrap();
        pool.close().await;
    });
    let run = project.herald(&["migrate", "--database-url", &url]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: the database schema is at version 99, newer than this herald knows (20); upgrade herald instead of running an older binary against it\n"
    );
}

#[test]
fn the_database_url_comes_from_the_environment_and_is_never_printed_with_its_password() {
    let project = Project::valid();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("migrate")
        .current_dir(project.dir.path())
        .env("HERALD_DATABASE_URL", "mysql://herald:hunter2@db/herald")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr,
        "error: unsupported database URL `mysql://herald:***@db/herald`: use sqlite://FILE or postgres://…\n"
    );
}
