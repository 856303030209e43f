//! `herald translations export|import` in a project folder, as an author or translator who
//! keeps the project in git uses them: the files written, a translated file taken in, and
//! refusals that leave the locale's file exactly as it was.

use crate::common;

use common::Project;

/// French without `intro--b`: what a translator is asked for.
fn partial_project() -> Project {
    let project = Project::valid();
    project.edit(
        "campaigns/demo.toml",
        "fallback = []",
        "fallback = [\"en\"]",
    );
    project.edit(
        "locales/fr/demo.ftl",
        "intro--b = Vous avez des options.\n    .title = Connaître vos options\n    .cta = En savoir plus\n",
        "",
    );
    project
}

#[test]
fn export_then_import_xliff_writes_only_the_changed_entries() {
    let project = partial_project();
    let before = project.read("locales/fr/demo.ftl");
    let run = project.herald(&[
        "translations",
        "export",
        "demo",
        "--locale",
        "fr",
        "--missing",
        "--out",
        "fr.xlf",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xliff = project.read("fr.xlf");
    assert!(xliff.contains("srcLang=\"en\" trgLang=\"fr\""), "{xliff}");
    assert!(
        xliff.contains("<unit id=\"intro--b.cta\">") && !xliff.contains("<unit id=\"intro--a\">"),
        "{xliff}"
    );
    let filled = xliff
        .replace(
            "<source>You have options.</source>",
            "<source>You have options.</source>\n        <target>Vous avez le choix.</target>",
        )
        .replace(
            "<source>Know your options</source>",
            "<source>Know your options</source>\n        <target>Connaître vos options</target>",
        )
        .replace(
            "<source>Read more</source>",
            "<source>Read more</source>\n        <target>En savoir plus</target>",
        );
    project.write("fr.xlf", &filled);
    let run = project.herald(&["translations", "import", "demo", "--locale", "fr", "fr.xlf"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("3 strings changed"), "{}", run.stdout);
    let after = project.read("locales/fr/demo.ftl");
    assert!(
        after.starts_with(before.trim_end()),
        "the rest kept as written:\n{after}"
    );
    assert!(after.contains("intro--b = Vous avez le choix.\n    .title = Connaître vos options\n    .cta = En savoir plus\n"), "{after}");
    assert_eq!(project.herald(&["validate"]).code, 0);
}

#[test]
fn fluent_export_writes_both_files_and_refused_imports_change_nothing() {
    let project = partial_project();
    let run = project.herald(&[
        "translations",
        "export",
        "demo",
        "--locale",
        "fr",
        "--format",
        "fluent",
        "--out",
        "out",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(project.read("out/en/demo.ftl"), common::EN);
    assert!(
        project
            .read("out/fr/demo.ftl")
            .contains("# intro--b = You have options.")
    );

    let before = project.read("locales/fr/demo.ftl");
    // A variable the source lacks, too long for X, a billion laughs, the default locale.
    project.write(
        "lost.ftl",
        &before.replace("{ $months } mois", "{ $weeks } semaines"),
    );
    let long = before.replace("Un soutien jusqu’à", &"Un soutien très long ".repeat(20));
    project.write("long.ftl", &long);
    project.write("laughs.xlf", "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<xliff/>");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--format", "fluent", "lost.ftl"],
            "lost.ftl:6:1: error: `support`: the translation uses variable `$weeks` that the source does not",
        ),
        (&["--format", "fluent", "long.ftl"], "on x (limit 280)"),
        (
            &["laughs.xlf"],
            "laughs.xlf:2:1: error: a DOCTYPE is not accepted",
        ),
        (
            &["--format", "fluent", "lost.ftl", "--locale", "en"],
            "`en` is the default locale",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["translations", "import", "demo"];
        if !args.contains(&"--locale") {
            all.extend(["--locale", "fr"]);
        }
        all.extend(args);
        let run = project.herald(&all);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert_eq!(
            project.read("locales/fr/demo.ftl"),
            before,
            "{args:?} changed nothing"
        );
    }
    // 100 MB is refused before it is read.
    let huge = std::fs::File::create(project.path("huge.xlf")).unwrap();
    huge.set_len(100 * 1024 * 1024).unwrap();
    let run = project.herald(&[
        "translations",
        "import",
        "demo",
        "--locale",
        "fr",
        "huge.xlf",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("longer than 4194304 bytes"),
        "{}",
        run.stderr
    );
}
