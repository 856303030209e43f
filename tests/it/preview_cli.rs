//! `herald preview`: the exact text a segment × locale × channel receives, for right-to-left
//! and left-to-right locales on an HTML platform (Telegram) and plain-text ones.

use crate::common;

use common::Project;
use herald::campaign::Locale;
use herald::campaign::VersionBundle;
use herald::platforms::ChannelRef;
use herald::render::{LinkDimensions, tracking_token, tracking_url};

const RLM: &str = "\u{200F}";
const FSI: &str = "\u{2068}";
const PDI: &str = "\u{2069}";

/// The link the version the project's files make (uploaded as they are) sends.
fn link(
    project: &Project,
    send: &str,
    variant: Option<&str>,
    locale: &str,
    channel: &str,
) -> String {
    let loaded = project.load();
    let version = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]).content_hash();
    let token = tracking_token(
        &version,
        LinkDimensions {
            campaign: "demo",
            send,
            variant,
            locale: &Locale::parse(locale).unwrap(),
            channel: &ChannelRef::parse(channel).unwrap(),
        },
    );
    tracking_url("https://herald.example.org", &token)
}

fn preview(project: &Project, args: &[&str]) -> String {
    let mut all = vec!["preview", "demo"];
    all.extend_from_slice(args);
    let run = project.herald(&all);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    run.stdout
}

#[test]
fn arabic_on_telegram_is_escaped_html_with_right_to_left_marks() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "ar",
            "--channel",
            "telegram:info",
            "--variant",
            "a",
        ],
    );
    let url = link(&project, "weekly", Some("a"), "ar", "telegram:info");
    assert_eq!(
        out,
        format!(
            "{RLM}<b>اعرف خياراتك</b>\n\n{RLM}مشورة مجانية وسرية من المنظمة الدولية للهجرة بشأن العودة.\n\n{RLM}<a href=\"{url}\">اقرأ المزيد</a>\n"
        )
    );
}

#[test]
fn arabic_on_whatsapp_is_plain_text_with_a_bare_link_line() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "ar",
            "--channel",
            "whatsapp:optin",
            "--variant",
            "a",
        ],
    );
    let url = link(&project, "weekly", Some("a"), "ar", "whatsapp:optin");
    assert_eq!(
        out,
        format!(
            "{RLM}اعرف خياراتك\n\n{RLM}مشورة مجانية وسرية من المنظمة الدولية للهجرة بشأن العودة.\n\n{RLM}اقرأ المزيد\n{url}\n"
        )
    );
}

#[test]
fn arabic_plural_on_x_uses_the_many_category() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "ar",
            "--channel",
            "x:updates",
        ],
    );
    assert_eq!(
        out,
        format!("{RLM}دعم لمدة تصل إلى {FSI}{FSI}12{PDI} شهرًا{PDI}.\n")
    );
}

#[test]
fn french_on_telegram_escapes_the_ampersand_and_has_no_direction_marks() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "fr",
            "--channel",
            "telegram:info",
            "--variant",
            "a",
        ],
    );
    let url = link(&project, "weekly", Some("a"), "fr", "telegram:info");
    assert_eq!(
        out,
        format!(
            "<b>Connaître vos options</b>\n\nConseils gratuits &amp; confidentiels de l’OIM sur le retour.\n\n<a href=\"{url}\">En savoir plus</a>\n"
        )
    );
}

#[test]
fn french_on_whatsapp_is_plain_and_unescaped() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "fr",
            "--channel",
            "whatsapp:optin",
            "--variant",
            "a",
        ],
    );
    let url = link(&project, "weekly", Some("a"), "fr", "whatsapp:optin");
    assert_eq!(
        out,
        format!(
            "Connaître vos options\n\nConseils gratuits & confidentiels de l’OIM sur le retour.\n\nEn savoir plus\n{url}\n"
        )
    );
    assert!(!out.contains(RLM) && !out.contains(FSI));
}

#[test]
fn a_custom_layout_replaces_the_built_in_one() {
    let project = Project::valid();
    project.write(
        "campaigns/layouts/whatsapp.hbs",
        "[{{locale}} {{dir}}] {{body}}\n",
    );
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "fr",
            "--channel",
            "whatsapp:optin",
            "--variant",
            "b",
        ],
    );
    assert_eq!(out, "[fr ltr] Vous avez des options.\n");
}

#[test]
fn both_variants_get_headers_when_no_variant_is_chosen() {
    let project = Project::valid();
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "fr",
            "--channel",
            "whatsapp:optin",
        ],
    );
    assert!(
        out.contains("── send weekly · segment in-eu · fr · whatsapp:optin · variant a · "),
        "{out}"
    );
    assert!(
        out.contains("── send weekly · segment in-eu · fr · whatsapp:optin · variant b · "),
        "{out}"
    );
    assert!(out.contains("Vous avez des options."));
}

#[test]
fn the_whole_matrix_as_json_and_as_files() {
    let project = Project::valid();
    let out = preview(&project, &["--all", "--format", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON");
    // weekly: 3 locales × 2 channels × 2 variants; support-x: 3 locales × 1 channel.
    assert_eq!(items.len(), 15);
    let ar_x = items
        .iter()
        .find(|i| i["locale"] == "ar" && i["channel"] == "x:updates")
        .unwrap();
    assert_eq!(ar_x["direction"], "rtl");
    assert_eq!(ar_x["limit"], 280);

    let out_dir = project.path("previews");
    let run = project.herald(&[
        "preview",
        "demo",
        "--all",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("wrote 15 previews to "),
        "{}",
        run.stdout
    );
    let written =
        std::fs::read_to_string(out_dir.join("demo/weekly/in-eu/fr/whatsapp-optin--b.txt"))
            .unwrap();
    assert!(written.starts_with("Connaître vos options\n\nVous avez des options."));
}

#[test]
fn a_fallback_locale_is_named_in_the_header() {
    let project = Project::valid();
    project.edit(
        "campaigns/demo.toml",
        "fallback = []",
        "fallback = [\"en\"]",
    );
    // intro--b loses its call to action in French, so the whole message comes from English.
    project.edit(
        "locales/fr/demo.ftl",
        "    .cta = En savoir plus\nsupport",
        "support",
    );
    let out = preview(
        &project,
        &[
            "--segment",
            "in-eu",
            "--locale",
            "fr",
            "--channel",
            "telegram:info",
            "--variant",
            "b",
        ],
    );
    let url = link(&project, "weekly", Some("b"), "fr", "telegram:info");
    assert_eq!(
        out,
        format!(
            "<b>Know your options</b>\n\nYou have options.\n\n<a href=\"{url}\">Read more</a>\n"
        )
    );
    let out = preview(
        &project,
        &["--all", "--locale", "fr", "--channel", "telegram:info"],
    );
    assert!(out.contains("variant b · fallback en"), "{out}");
    assert!(!out.contains("variant a · fallback"), "{out}");
}

#[test]
fn selections_that_match_nothing_say_why() {
    let project = Project::valid();
    let run = project.herald(&[
        "preview",
        "demo",
        "--segment",
        "in-eu",
        "--locale",
        "so",
        "--channel",
        "telegram:info",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: nothing to preview: segment `in-eu` does not send in `so` (its locales: ar, fr, en)\n"
    );
    let run = project.herald(&[
        "preview",
        "demo",
        "--segment",
        "in-eu",
        "--locale",
        "fr",
        "--channel",
        "viber:news",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no send reaches segment `in-eu` on `viber:news`"),
        "{}",
        run.stderr
    );
    let run = project.herald(&["preview", "demo", "--segment", "in-eu"]);
    assert_eq!(
        run.code, 2,
        "a usage error: --locale and --channel are required without --all"
    );
}

#[test]
fn an_invalid_campaign_is_not_previewed() {
    let project = Project::valid();
    project.edit("campaigns/demo.toml", "kind = \"in_eu\"", "kind = \"eu\"");
    let run = project.herald(&["preview", "demo", "--all"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("campaigns/demo.toml:12:8: error: unknown segment kind `eu`"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}
