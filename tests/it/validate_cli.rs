//! `herald validate` on broken inputs: every problem at its exact `path:line:col`, exit 1.

use crate::common;

use common::Project;

/// Applies one edit, runs validate, and checks the exact error lines and the exit code.
fn assert_errors(edit: impl FnOnce(&Project), expected: &[&str]) {
    let project = Project::valid();
    edit(&project);
    let run = project.herald(&["validate"]);
    assert_eq!(run.errors(), expected, "\nstderr:\n{}", run.stderr);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
}

#[test]
fn the_valid_project_passes_and_prints_the_matrix() {
    let project = Project::valid();
    let run = project.herald(&["validate"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(run.errors().is_empty());
    assert!(
        run.stdout.contains("translation completeness: demo"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("message   ar*  fr  en"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("intro--a  ok   ok  ok"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 campaign, 3 locales: 0 errors, 1 warning"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.diagnostics(),
        [
            "locales/ar/demo.ftl:2:1: warning: `ar` translation is marked as a draft: have it reviewed before approval"
        ]
    );
}

#[test]
fn unknown_keys_are_named_with_a_suggestion() {
    assert_errors(
        |p| p.edit("campaigns/demo.toml", "timezone = ", "timezon = "),
        &[
            "campaigns/demo.toml:10:1: error: missing field `timezone` in segment `in-eu`",
            "campaigns/demo.toml:16:1: error: unknown key `timezon` in segment; did you mean `timezone`?",
        ],
    );
}

#[test]
fn missing_fields_are_reported_together() {
    assert_errors(
        |p| {
            p.edit("campaigns/demo.toml", "title = \"Demo campaign\"\n", "");
            p.edit("campaigns/demo.toml", "legal_basis = \"public task\"\n", "");
        },
        &[
            "campaigns/demo.toml:1:1: error: missing field `legal_basis` in campaign",
            "campaigns/demo.toml:1:1: error: missing field `title` in campaign",
        ],
    );
}

#[test]
fn a_date_that_is_not_a_date() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "starts = 2027-01-15",
                "starts = \"15/01/2027\"",
            )
        },
        &[
            "campaigns/demo.toml:6:10: error: `starts` in campaign must be a date such as 2027-01-15",
        ],
    );
}

#[test]
fn an_impossible_calendar_day() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "ends = 2027-04-30",
                "ends = 2027-02-30",
            )
        },
        &[
            "campaigns/demo.toml:7:8: error: invalid TOML: invalid date, expected day between 01 and 28",
        ],
    );
}

#[test]
fn an_end_before_the_start() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "ends = 2027-04-30",
                "ends = 2027-01-01",
            )
        },
        &[
            "campaigns/demo.toml:7:8: error: the campaign ends (2027-01-01) before it starts (2027-01-15)",
        ],
    );
}

#[test]
fn an_invalid_cron_with_its_reason() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "cron = \"0 10 * * MON\"",
                "cron = \"0 25 * * MON\"",
            )
        },
        &[
            "campaigns/demo.toml:33:8: error: invalid cron `0 25 * * MON`: hour field `25`: number out of bounds (hour takes 0-23)",
        ],
    );
}

#[test]
fn a_cron_with_a_seconds_field() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "cron = \"0 10 * * MON\"",
                "cron = \"0 0 10 * * MON\"",
            )
        },
        &[
            "campaigns/demo.toml:33:8: error: cron `0 0 10 * * MON` has 6 fields; write the standard five: minute hour day-of-month month day-of-week (for example `0 10 * * MON,THU`)",
        ],
    );
}

#[test]
fn an_unknown_time_zone_with_a_suggestion() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "\"Europe/Amsterdam\"",
                "\"Europe/Amsterdm\"",
            )
        },
        &[
            "campaigns/demo.toml:16:12: error: unknown time zone `Europe/Amsterdm` (expected an IANA name such as Europe/Amsterdam); did you mean `Europe/Amsterdam`?",
        ],
    );
}

#[test]
fn unknown_country_and_locale_codes() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "countries = [\"NL\"]",
                "countries = [\"NL\", \"XX\", \"be\"]",
            );
            p.edit(
                "campaigns/demo.toml",
                "locales = [\"ar\", \"fr\", \"en\"]",
                "locales = [\"ar\", \"fr\", \"en\", \"zz\", \"fa_af\"]",
            );
        },
        &[
            "campaigns/demo.toml:13:20: error: unknown country code `XX` (expected ISO 3166-1 alpha-2)",
            "campaigns/demo.toml:13:26: error: unknown country code `be` (expected ISO 3166-1 alpha-2); write `BE`",
            "campaigns/demo.toml:14:30: error: unknown language `zz` in locale `zz` (not an ISO 639 code)",
            "campaigns/demo.toml:14:36: error: locale `fa_af` is not in canonical BCP 47 form; write `fa-AF`",
        ],
    );
}

#[test]
fn an_unknown_channel_account() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "\"telegram:info\"",
                "\"telegram:news\"",
            )
        },
        &[
            "campaigns/demo.toml:32:13: error: unknown channel account `telegram:news`: no such account in herald.toml",
        ],
    );
}

#[test]
fn an_unknown_platform() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "\"telegram:info\"",
                "\"signal:info\"",
            )
        },
        &[
            "campaigns/demo.toml:32:13: error: unknown platform `signal` in channel `signal:info`; known platforms: telegram, whatsapp, viber, facebook, meta_ads, x, sms, webhook",
        ],
    );
}

#[test]
fn duplicate_ids() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "[[messages]]\nid = \"support\"",
                "[[messages]]\nid = \"intro\"",
            )
        },
        &[
            "campaigns/demo.toml:24:1: error: duplicate message id `intro` (first defined on line 19)",
            "campaigns/demo.toml:37:11: error: send `support-x` refers to unknown message `support`",
        ],
    );
}

#[test]
fn a_wrong_type() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "countries = [\"NL\"]",
                "countries = \"NL\"",
            )
        },
        &[
            "campaigns/demo.toml:13:13: error: `countries` in segment `in-eu` must be an array of strings, found string",
        ],
    );
}

#[test]
fn a_missing_translation_without_fallback_blocks_the_segment() {
    assert_errors(
        |p| {
            p.edit("locales/fr/demo.ftl", "intro--b = Vous avez des options.\n    .title = Connaître vos options\n    .cta = En savoir plus\n", "")
        },
        &[
            "campaigns/demo.toml:14:18: error: segment `in-eu` sends in `fr`, but locales/fr/demo.ftl has no complete translation of `intro--b` and the segment allows no fallback",
        ],
    );
}

#[test]
fn a_missing_translation_file_without_fallback() {
    let project = Project::valid();
    std::fs::remove_file(project.path("locales/fr/demo.ftl")).unwrap();
    let run = project.herald(&["validate"]);
    assert_eq!(
        run.errors(),
        [
            "campaigns/demo.toml:14:18: error: segment `in-eu` sends in `fr`, but locales/fr/demo.ftl has no complete translation of `intro--a`, `intro--b`, `support` and the segment allows no fallback"
        ]
    );
    assert!(
        run.stdout.contains("intro--a  ok   MISSING  ok"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
}

#[test]
fn a_fallback_fills_the_gap_with_a_warning() {
    let project = Project::valid();
    project.edit(
        "campaigns/demo.toml",
        "fallback = []",
        "fallback = [\"en\"]",
    );
    project.edit(
        "locales/fr/demo.ftl",
        "    .cta = En savoir plus\nintro--b",
        "intro--b",
    );
    let run = project.herald(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.diagnostics().contains(&"campaigns/demo.toml:14:18: warning: segment `in-eu` will receive `intro--a` in `en` instead of `fr` (fallback)"), "{}", run.stderr);
    assert!(run.diagnostics().contains(&"locales/fr/demo.ftl:3:1: warning: message `intro--a` lacks attribute `.cta` that `en` has; the whole message is sent from a fallback locale instead"), "{}", run.stderr);
    assert!(
        run.stdout.contains("intro--a  ok   →en  ok"),
        "{}",
        run.stdout
    );
}

#[test]
fn fluent_syntax_errors_point_into_the_ftl_file() {
    assert_errors(
        |p| {
            p.edit(
                "locales/ar/demo.ftl",
                "intro--b = لديك خيارات.",
                "intro--b = لديك { خيارات.",
            )
        },
        &[
            // The broken message is skipped, so the segment also lacks it.
            "campaigns/demo.toml:14:12: error: segment `in-eu` sends in `ar`, but locales/ar/demo.ftl has no complete translation of `intro--b` and the segment allows no fallback",
            "locales/ar/demo.ftl:7:19: error: Fluent syntax error: Expected an inline expression",
        ],
    );
}

#[test]
fn an_undefined_variable() {
    assert_errors(
        |p| {
            p.edit(
                "locales/fr/demo.ftl",
                "   *[other] { $months } mois",
                "   *[other] { $mois } mois",
            )
        },
        &[
            "locales/fr/demo.ftl:11:15: error: message `support` uses variable `$mois`, but message `support` in the campaign gives no value for it (it gives: months)",
        ],
    );
}

#[test]
fn an_undefined_term_and_message() {
    assert_errors(
        |p| {
            p.edit(
                "locales/en/demo.ftl",
                "intro--b = You have options.",
                "intro--b = You have options with { -unhcr } and { intro-c }.",
            )
        },
        &[
            "locales/en/demo.ftl:6:36: error: message `intro--b` refers to undefined term `-unhcr`",
            "locales/en/demo.ftl:6:51: error: message `intro--b` refers to undefined message `intro-c`",
        ],
    );
}

#[test]
fn a_layout_field_that_messages_lack_fails_in_strict_mode() {
    assert_errors(
        |p| {
            p.write(
                "campaigns/layouts/telegram.hbs",
                "<b>{{title}}</b>\n{{body}}\n{{subtitle}}\n",
            )
        },
        &[
            "campaigns/layouts/telegram.hbs:3:1: error: layout error: Failed to access variable in strict mode Some(\"subtitle\")",
        ],
    );
}

#[test]
fn a_layout_syntax_error() {
    assert_errors(
        |p| {
            p.write(
                "campaigns/layouts/whatsapp.hbs",
                "{{body}}\n{{#if link}}{{link}}\n",
            )
        },
        &[
            "campaigns/layouts/whatsapp.hbs:2:21: error: layout error: invalid handlebars syntax: expected escape, expression, html_expression, decorator_expression, partial_expression, invert_tag, invert_chain_tag, helper_block_start, helper_block_end, decorator_block_start, partial_block_start, raw_block_start, hbs_comment, or hbs_comment_compact",
        ],
    );
}

#[test]
fn text_over_the_x_limit() {
    let long = "Support is available. ".repeat(13);
    assert_errors(
        |p| {
            p.edit(
                "locales/en/demo.ftl",
                "support = Support for up to",
                &format!("support = {long}for up to"),
            )
        },
        &[
            "locales/en/demo.ftl:9:1: error: message `support` renders to 306 characters on x (limit 280) for send `support-x` on `x:updates`",
        ],
    );
}

#[test]
fn paid_meta_ads_aimed_at_the_eu() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "channels = [\"x:updates\"]",
                "channels = [\"x:updates\", \"meta_ads:ads\"]",
            )
        },
        &[
            "campaigns/demo.toml:39:26: error: paid Meta ads channel `meta_ads:ads` targets in_eu segment `in-eu`: Meta accepts no social-issue ads (immigration is one) aimed at people in the EU since October 2025; use an organic page or a messaging channel",
        ],
    );
}

#[test]
fn toml_syntax_errors() {
    assert_errors(
        |p| {
            p.edit(
                "campaigns/demo.toml",
                "title = \"Demo campaign\"",
                "title = \"Demo campaign",
            )
        },
        &["campaigns/demo.toml:2:23: error: invalid TOML: invalid basic string, expected `\"`"],
    );
}

#[test]
fn a_pasted_secret_in_the_configuration_is_refused_and_not_echoed() {
    let project = Project::valid();
    project.edit(
        "herald.toml",
        "token = \"HERALD_TG_TOKEN\"",
        "token = \"7734:AAF-very-secret\"",
    );
    let run = project.herald(&["validate"]);
    assert_eq!(run.code, 1);
    assert!(run.errors().contains(&"herald.toml:7:25: error: credential `token` must name an environment variable (for example HERALD_TELEGRAM_TOKEN), not hold the secret itself"), "{}", run.stderr);
    assert!(!run.stderr.contains("very-secret") && !run.stdout.contains("very-secret"));
}

#[test]
fn json_output_for_machines() {
    let project = Project::valid();
    project.edit(
        "campaigns/demo.toml",
        "kind = \"in_eu\"",
        "kind = \"refugees\"",
    );
    let run = project.herald(&["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 1);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["path"], "campaigns/demo.toml");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(12), Some(8))
    );
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(
        diagnostic["message"],
        "unknown segment kind `refugees`; expected one of: third_country, in_eu, diaspora"
    );
}

#[test]
fn the_shipped_examples_are_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = common::run_in(root, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("translation completeness: avr-nl-2027"));
    assert!(
        run.stdout
            .contains("translation completeness: safe-migration-sahel-2027")
    );
}

/// The layout that once overflowed the stack and aborted the process (2,000 nested blocks,
/// 74 KB): refused before it is compiled, at the block that goes too deep, with its size.
#[test]
fn a_deeply_nested_layout_is_refused_before_it_is_compiled() {
    let layout =
        "{{#if title}}<b>{{title}}</b>\n".repeat(2_000) + "{{body}}" + &"{{/if}}".repeat(2_000);
    assert_errors(
        |p| p.write("campaigns/layouts/telegram.hbs", &layout),
        &[
            "campaigns/layouts/telegram.hbs:1:1: error: the layout is 74008 bytes long; a layout may be at most 65536 bytes",
            "campaigns/layouts/telegram.hbs:17:1: error: blocks are nested more than 16 deep (`{{#…}}` inside `{{#…}}`, each `{{else if …}}` counting as one more); this layout is not compiled",
        ],
    );
}

/// Fluent expansions that would fill memory (or abort on a failed allocation) are refused
/// before anything is formatted, at the message.
#[test]
fn fluent_expansion_bombs_are_refused_before_they_are_formatted() {
    assert_errors(
        |p| {
            p.edit(
                "locales/en/demo.ftl",
                "*[other] { $months } months",
                "*[other] { NUMBER($months, minimumFractionDigits: 1000000000000000) } months",
            )
        },
        &[
            "locales/en/demo.ftl:9:1: error: message `support` cannot be formatted: `NUMBER(…, minimumFractionDigits: 1000000000000000)`: a digits option must be a whole number from 0 to 19",
        ],
    );
    // Nearly a thousand bytes written 70 times: under fluent-bundle's own limit of 100 placeables.
    let bomb = format!(
        "-iom = IOM\nbig = {}\nbomb = {}\n",
        "Know your options. ".repeat(50).trim_end(),
        "{ big }".repeat(70)
    );
    assert_errors(
        |p| {
            p.edit("locales/en/demo.ftl", "-iom = IOM\n", &bomb);
            p.edit("locales/en/demo.ftl", "You have options.", "{ bomb }");
        },
        &[
            "locales/en/demo.ftl:4:1: error: message `bomb` can expand to up to 66850 bytes through its references and variables; a message may expand to at most 65536 bytes, so it is not formatted",
            "locales/en/demo.ftl:8:1: error: message `intro--b` can expand to up to 66882 bytes through its references and variables; a message may expand to at most 65536 bytes, so it is not formatted",
        ],
    );
}

/// A campaign that sends more texts than can be checked in good time is refused before any is
/// rendered (each would be rendered and measured at every upload).
#[test]
fn a_campaign_with_too_many_texts_is_refused_before_rendering() {
    let sends: String = (0..1_700)
        .map(|i| {
            format!(
                "\n[[sends]]\nid = \"weekly-{i}\"\nmessage = \"intro\"\nsegments = [\"in-eu\"]\nchannels = [\"telegram:info\", \"whatsapp:optin\"]\ncron = \"0 10 * * MON\"\n"
            )
        })
        .collect();
    assert_errors(
        |p| {
            p.write(
                "campaigns/demo.toml",
                &(common::CAMPAIGN.to_string() + &sends),
            )
        },
        &[
            "campaigns/demo.toml:1:1: error: the campaign sends 20415 distinct texts (send × segment × locale × channel × variant); at most 20000 are checked and sent, so split it into several campaigns",
        ],
    );
}

/// A mistyped command or flag gets the nearest real one as a hint, and every flag says what
/// it is for in `--help`.
#[test]
fn a_typo_gets_a_suggestion_and_every_flag_has_help() {
    let project = Project::valid();
    let run = project.herald(&["reprot", "demo"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("'report'"), "{}", run.stderr);
    let run = project.herald(&["report", "demo", "--formt", "csv"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("'--format'"), "{}", run.stderr);
    for command in [
        &["validate"][..],
        &["serve"],
        &["sandbox"],
        &["report"],
        &["deadletter", "list"],
        &["subscribers", "stats"],
        &["plan"],
        &["preview"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let run = project.herald(&args);
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        // clap lists an option without help text as its flag and value alone.
        for line in run.stdout.lines().map(str::trim) {
            if line.starts_with("--") && !line.starts_with("--help") {
                // Defaults and possible values (in brackets) are not help.
                let mut text = line.to_string();
                while let (Some(open), Some(close)) = (text.find('['), text.find(']')) {
                    if close < open {
                        break;
                    }
                    text.replace_range(open..=close, "");
                }
                let words = text.split_whitespace().count();
                assert!(words > 2, "{command:?}: `{line}` says nothing about itself");
            }
        }
    }
}
