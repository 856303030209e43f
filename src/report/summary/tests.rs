//! The summary read back from small reports: per platform, best variant, notes.

use super::*;
use crate::publication::Breakdown;
use crate::report::test_reports::{count, report, report_by, seen, three_platforms};

fn platform<'a>(summary: &'a Summary, name: &str) -> &'a PlatformSummary {
    summary
        .platforms
        .iter()
        .find(|p| p.platform == name)
        .unwrap_or_else(|| panic!("no {name} in {summary:#?}"))
}

fn has_note(summary: &Summary, kind: NoteKind, words: &str) -> bool {
    summary
        .notes
        .iter()
        .any(|n| n.kind == kind && n.text.contains(words))
}

#[test]
fn each_platform_has_its_figures_in_plain_words() {
    let summary = summarize(&three_platforms());
    let names: Vec<&str> = summary
        .platforms
        .iter()
        .map(|p| p.platform.as_str())
        .collect();
    assert_eq!(names, ["Telegram", "WhatsApp", "Facebook"]);
    assert_eq!(summary.sent, Some(Figure::Published { value: 8620 }));
    assert_eq!(
        summary.overall(),
        "8,620 messages and posts sent in all, on 3 platforms."
    );

    let whatsapp = platform(&summary, "WhatsApp");
    assert_eq!(whatsapp.channels, ["whatsapp:optin"]);
    assert_eq!(whatsapp.sends_are, SendKind::Messages);
    assert_eq!(whatsapp.sent, Some(Figure::Published { value: 8200 }));
    assert_eq!(
        whatsapp.delivery_rate,
        Some(RateFigure::Published {
            value: 8000.0 / 8200.0,
            numerator: 8000,
            denominator: 8200
        })
    );
    assert_eq!(
        whatsapp.sentence(&summary.hidden()),
        "8,200 messages sent; 97.6% delivered; 4.0% of those delivered were read."
    );

    // Telegram posts have no receipts: said so, never 0%.
    let telegram = platform(&summary, "Telegram");
    assert_eq!(telegram.sends_are, SendKind::Posts);
    assert!(matches!(
        &telegram.delivery_rate,
        Some(RateFigure::NotReported { reason }) if reason.contains("Telegram sends no delivery")
    ));
    assert_eq!(
        telegram.sentence(&summary.hidden()),
        "400 posts sent; delivery and read rates not reported by this platform."
    );
    assert!(!telegram.sentence(&summary.hidden()).contains('%'));

    // Facebook: reach of the largest post in the latest window (7d, not 1h), never summed.
    let facebook = platform(&summary, "Facebook");
    assert_eq!(
        facebook.reach,
        Some(ReachFigure::Published {
            value: 2000,
            window: "7d".into(),
            channel: "facebook:page".into(),
            post: "111_1".into(),
            frequency: Some(2.5),
        })
    );
    assert_eq!(
        facebook.sentence(&summary.hidden()),
        "20 posts sent; delivery and read rates not reported by this platform. Largest reach of a single post: 2,000 accounts (7d window), each of which saw it 2.50 times on average."
    );
    assert!(
        !facebook.sentence(&summary.hidden()).contains("2,800"),
        "reach is not summed"
    );
}

#[test]
fn the_best_variant_is_the_clear_difference() {
    let summary = summarize(&three_platforms());
    let BestVariant::Clear(best) = &summary.best_variant else {
        panic!("{:?}", summary.best_variant);
    };
    assert_eq!(
        (best.rate.as_str(), best.better.as_str()),
        ("read rate", "b")
    );
    assert!((best.difference - 0.02).abs() < 1e-12);
    assert!(best.low > 0.0);
    let sentence = summary.best_variant.sentence();
    assert!(
        sentence.starts_with(
            "Variant b did better than variant a on the read rate (segment in-eu, locale ar, whatsapp:optin): 5.0% against 3.0%. Difference b − a: +2.00 percentage points (95% interval +"
        ),
        "{sentence}"
    );
    assert!(
        sentence.contains("relative lift of b over a: +66.7% (95% interval +"),
        "{sentence}"
    );
}

#[test]
fn no_clear_difference_not_enough_data_and_no_variants_are_told_apart() {
    let mut equal = Vec::new();
    for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 150])] {
        for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
            equal.push(count("ar", "whatsapp:optin", variant, status, n));
        }
    }
    let summary = summarize(&report(&equal, &[]));
    assert!(matches!(
        summary.best_variant,
        BestVariant::NoClearDifference { compared: 2 }
    ));
    assert_eq!(
        summary.best_variant.sentence(),
        "No variant differs clearly: in 2 comparisons, every 95% interval of the difference includes 0."
    );

    let few: Vec<_> = ["a", "b"]
        .into_iter()
        .flat_map(|v| {
            [
                count("ar", "whatsapp:optin", v, "sent", 50),
                count("ar", "whatsapp:optin", v, "delivered", 40),
            ]
        })
        .collect();
    let summary = summarize(&report(&few, &[]));
    assert!(matches!(summary.best_variant, BestVariant::NotEnoughData));
    assert!(
        summary
            .best_variant
            .sentence()
            .starts_with("Not enough data")
    );

    let telegram: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|v| count("ar", "telegram:info", v, "sent", 500))
        .collect();
    let summary = summarize(&report(&telegram, &[]));
    assert!(matches!(summary.best_variant, BestVariant::NotReported));

    let plain = [count("ar", "whatsapp:optin", "", "sent", 500)];
    let summary = summarize(&report(&plain, &[]));
    assert!(matches!(summary.best_variant, BestVariant::NoVariants));
    assert!(summary.best_variant.sentence().starts_with("No variants"));
}

#[test]
fn sent_without_callbacks_is_not_a_zero_rate() {
    let summary = summarize(&report(&[count("ar", "viber:news", "", "sent", 500)], &[]));
    let viber = platform(&summary, "Viber");
    assert_eq!(viber.delivery_rate, Some(RateFigure::NoneReceivedYet));
    assert_eq!(viber.read_rate, Some(RateFigure::NoneReceivedYet));
    assert_eq!(
        viber.sentence(&summary.hidden()),
        "500 messages sent; no delivery callbacks received yet."
    );
    assert!(has_note(
        &summary,
        NoteKind::NoCallbacksYet,
        "Viber (viber:news): 500 messages sent, but no delivery callbacks have been received yet"
    ));
    assert!(!summary.notes.iter().any(|n| n.kind == NoteKind::Suppressed));
}

/// Secondary suppression hides large counts too: a hidden count is not called "fewer
/// than 13" unless the protection hides nothing else.
#[test]
fn a_suppressed_figure_is_called_fewer_than_k_only_where_that_is_true() {
    // Under cell key perturbation only counts from 1 to k − 1, and counts the noise (at
    // most 3) would take below k, are hidden: the 3 is "fewer than 13", and Telegram's 1,250
    // beside it stays published.
    let deliveries = [
        count("ar", "telegram:info", "", "sent", 1250),
        count("ar", "whatsapp:optin", "", "sent", 3),
    ];
    let summary = summarize(&report(&deliveries, &[]));
    assert!(summary.suppressed_is_fewer_than_k);
    let telegram = platform(&summary, "Telegram");
    assert_eq!(telegram.sent, Some(Figure::Published { value: 1250 }));
    assert_eq!(
        platform(&summary, "WhatsApp").sentence(&summary.hidden()),
        "Fewer than 13 messages sent; no delivery callbacks received yet."
    );
    assert!(has_note(
        &summary,
        NoteKind::Suppressed,
        "“fewer than 13” stands for a suppressed figure: counts from 1 to 9 are not published, so that no small group of people can be singled out, nor are counts from 10 to 12 whose noise would take them below 10."
    ));
    // Under suppression table by table a hidden figure may be a large one: it is only
    // "a suppressed number".
    let mut guarded = summary.clone();
    guarded.suppressed_is_fewer_than_k = false;
    assert_eq!(
        platform(&guarded, "WhatsApp").sentence(&guarded.hidden()),
        "A suppressed number of messages sent; no delivery callbacks received yet."
    );
}

#[test]
fn windows_not_yet_observed_and_reach_the_platform_does_not_report() {
    let summary = summarize(&three_platforms());
    assert!(has_note(
        &summary,
        NoteKind::WindowsNotObserved,
        "Facebook (facebook:page): no post metrics yet for the 24h and end windows"
    ));
    assert!(has_note(
        &summary,
        NoteKind::NoReceipts,
        "Telegram (telegram:info): delivery and read rates are not reported by this platform (not 0)."
    ));
    let x = report(
        &[],
        &[seen("en", "x:updates", "188", "7d", "impressions", 3000)],
    );
    let summary = summarize(&x);
    assert_eq!(
        platform(&summary, "X").reach,
        Some(ReachFigure::NotReported)
    );
    assert_eq!(summary.overall(), "Nothing has been sent yet.");
}

#[test]
fn a_report_not_broken_down_by_channel_says_so() {
    let by = Breakdown::parse("locale").unwrap();
    let deliveries = [
        count("ar", "telegram:info", "a", "sent", 400),
        count("ar", "whatsapp:optin", "a", "sent", 400),
        count("ar", "whatsapp:optin", "a", "delivered", 380),
    ];
    let summary = summarize(&report_by(by, &deliveries, &[], &[]));
    let all = platform(&summary, "All channels");
    assert_eq!(all.sends_are, SendKind::MessagesAndPosts);
    assert!(matches!(
        all.delivery_rate,
        Some(RateFigure::NotReported { .. })
    ));
    assert!(has_note(
        &summary,
        NoteKind::NoChannelBreakdown,
        "not broken down by channel"
    ));
}
