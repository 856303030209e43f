//! `herald init`: the project it writes validates, previews, plans and rehearses as it stands,
//! by the commands its own README gives; a second `init` over it writes nothing. (Its
//! rehearsal through `herald serve --sandbox`, with four-eyes approval, is the tutorial's:
//! `tests/it/tutorial.rs`.) Attacks: a
//! campaign id that climbs out of the folder, and a file of the author's already there.

use std::path::Path;
use std::process::Command;

fn herald(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The one-shot `herald …` commands of the README's shell block (services are left out), as
/// argument lists, comments removed.
fn readme_commands(readme: &str) -> Vec<Vec<String>> {
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a shell block");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| line.starts_with("herald ") && !line.starts_with("herald serve"))
        .map(|line| line.split_whitespace().skip(1).map(String::from).collect())
        .collect()
}

#[test]
fn a_new_project_validates_and_rehearses_by_its_own_readme() {
    let parent = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = herald(
        parent.path(),
        &["init", "project", "--campaign", "avr-2027"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr, "",
        "init opens no database and has nothing to warn about"
    );
    assert!(
        stdout.contains("wrote project/campaigns/avr-2027.toml"),
        "{stdout}"
    );
    let dir = parent.path().join("project");

    let (code, stdout, stderr) = herald(&dir, &["validate"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("0 errors, 2 warnings"), "{stdout}");
    for locale in ["en", "ar"] {
        assert!(
            stderr.contains(&format!("`{locale}` translation is marked as a draft")),
            "{stderr}"
        );
    }

    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 4, "{commands:?}");
    for step in ["validate", "preview", "plan", "demo"] {
        assert!(
            commands.iter().any(|command| command[0] == step),
            "the README gives `herald {step}`: {commands:?}"
        );
    }
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = herald(&dir, &args);
        assert_eq!(code, 0, "herald {}: {stdout}{stderr}", args.join(" "));
        match args[0] {
            "preview" => assert!(stdout.contains("اعرف خياراتك"), "{stdout}"),
            "plan" => assert!(stdout.contains("10:00"), "{stdout}"),
            "demo" => {
                // The rehearsal: two Mondays, one post to each language's channel, all sent
                // through the emulated Telegram, none in the dead letters.
                let row: Vec<&str> = stdout
                    .lines()
                    .find(|line| line.starts_with("avr-2027 "))
                    .unwrap_or_else(|| panic!("{stdout}"))
                    .split_whitespace()
                    .collect();
                assert_eq!(row[1], "4", "sent: {stdout}");
                assert_eq!(row[7], "0", "dead letters: {stdout}");
                let report = std::fs::read_to_string(dir.join("demo-reports/avr-2027.html"))
                    .expect("the rehearsal's report");
                assert!(report.contains("<h1>Reach report: avr-2027</h1>"));
            }
            _ => {}
        }
    }
}

#[test]
fn init_never_overwrites_and_refuses_an_id_that_is_not_a_name() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("p");
    std::fs::create_dir_all(dir.join("campaigns")).unwrap();
    std::fs::write(dir.join("campaigns/mine.toml"), "id = \"mine\"").unwrap();
    let (code, _, stderr) = herald(parent.path(), &["init", "p", "--campaign", "mine"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("campaigns/mine.toml already exists")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(!dir.join("herald.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("campaigns/mine.toml")).unwrap(),
        "id = \"mine\""
    );
    let (code, _, stderr) = herald(parent.path(), &["init", "q", "--campaign", "../../etc/x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a campaign id"), "{stderr}");
    assert!(!parent.path().join("q").exists());
}
