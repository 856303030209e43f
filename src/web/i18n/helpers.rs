//! The Handlebars helpers through which templates show text, numbers and dates in the
//! reader's language (the root of every page's data carries `lang`):
//! - `{{t "id" name=value}}`: message `id`, in element content (bidi-isolated placeables in
//!   right-to-left languages);
//! - `{{ta "id" name=value}}`: the same for an attribute value (never isolated);
//! - `{{number n}}`, `{{when stamp}}`, `{{local stamp}}`: a count, a UTC moment in a
//!   `<time>` element, an audience's local time (stamps are RFC 3339).
//!
//! Helpers write straight into the page, so each escapes what it writes: a campaign id or a
//! user name passed as an argument cannot become markup.

use chrono::{DateTime, Utc};
use fluent_bundle::{FluentArgs, FluentValue};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde_json::Value;

use super::catalog::{Place, format};
use super::datetime::{local_time, utc_time};
use super::language::UiLanguage;
use crate::html_text::escape_html;

/// The page's language, from the root of its data.
fn language(ctx: &Context) -> UiLanguage {
    ctx.data()
        .get("lang")
        .and_then(Value::as_str)
        .and_then(UiLanguage::from_tag)
        .unwrap_or(UiLanguage::ENGLISH)
}

fn message(h: &Helper, ctx: &Context, place: Place) -> Result<String, RenderErrorReason> {
    let id = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
    let mut args = FluentArgs::new();
    for (name, value) in h.hash() {
        match value.value() {
            Value::Number(n) => args.set(*name, FluentValue::from(n.as_f64().unwrap_or(0.0))),
            Value::String(s) => args.set(*name, FluentValue::from(s.clone())),
            Value::Null => {}
            other => args.set(*name, FluentValue::from(other.to_string())),
        }
    }
    Ok(format(language(ctx), id, &args, place))
}

fn text(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape_html(&message(h, ctx, Place::Text)?))?;
    Ok(())
}

fn attribute(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape_html(&message(h, ctx, Place::Attribute)?))?;
    Ok(())
}

fn number(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    if let Some(n) = h.param(0).and_then(|p| p.value().as_f64()) {
        out.write(&escape_html(&language(ctx).number(n)))?;
    }
    Ok(())
}

fn when(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let stamp = h.param(0).and_then(|p| p.value().as_str());
    if let Some(at) = stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        let at = at.with_timezone(&Utc);
        out.write(&format!(
            "<time datetime=\"{}\">{}</time>",
            at.format("%Y-%m-%dT%H:%MZ"),
            escape_html(&utc_time(language(ctx), at))
        ))?;
    }
    Ok(())
}

fn local(
    h: &Helper,
    _: &Handlebars,
    ctx: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let stamp = h.param(0).and_then(|p| p.value().as_str());
    if let Some(at) = stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        out.write(&escape_html(&local_time(language(ctx), at)))?;
    }
    Ok(())
}

/// Registers `t`, `ta`, `number`, `when` and `local`.
pub fn register_helpers(handlebars: &mut Handlebars) {
    handlebars.register_helper("t", Box::new(text));
    handlebars.register_helper("ta", Box::new(attribute));
    handlebars.register_helper("number", Box::new(number));
    handlebars.register_helper("when", Box::new(when));
    handlebars.register_helper("local", Box::new(local));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn render(template: &str, data: &Value) -> String {
        let mut handlebars = Handlebars::new();
        register_helpers(&mut handlebars);
        handlebars.render_template(template, data).unwrap()
    }

    #[test]
    fn texts_follow_the_root_language_inside_blocks_and_escape_their_arguments() {
        let data = json!({"lang": "de", "rows": [{"who": "<b>ana</b>"}]});
        let html = render(
            "{{#each rows}}{{t \"layout-signed-in-as\" user=who roles=\"x\"}}{{/each}}",
            &data,
        );
        assert!(html.contains("Angemeldet"), "{html}");
        assert!(html.contains("&lt;b&gt;ana&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn attributes_are_never_isolated_and_text_is_in_right_to_left_languages() {
        let data = json!({"lang": "ar", "user": "ana"});
        let text = render(
            "{{t \"layout-signed-in-as\" user=user roles=\"author\"}}",
            &data,
        );
        assert!(text.contains("\u{2068}ana\u{2069}"), "{text}");
        let attribute = render(
            "{{ta \"layout-signed-in-as\" user=user roles=\"author\"}}",
            &data,
        );
        assert!(
            !attribute.contains('\u{2068}') && attribute.contains("ana"),
            "{attribute}"
        );
        let english = render(
            "{{t \"layout-signed-in-as\" user=user roles=\"author\"}}",
            &json!({"lang": "en", "user": "ana"}),
        );
        assert!(!english.contains('\u{2068}'), "{english}");
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let stamp = "2027-01-18T09:05:00Z";
        let local = "2027-01-18T10:05:00+01:00";
        let at = |lang: &str| {
            render(
                "{{when at}}|{{local l}}|{{number n}}",
                &json!({"lang": lang, "at": stamp, "l": local, "n": 12345}),
            )
        };
        assert_eq!(
            at("en"),
            "<time datetime=\"2027-01-18T09:05Z\">18 Jan 2027, 09:05 UTC</time>|Mon 18 Jan 2027, 10:05 (UTC+01:00)|12,345"
        );
        let german = at("de");
        assert!(
            german.contains("18. Jan. 2027, 09:05 UTC")
                && german.contains("Mo.")
                && german.ends_with("12.345"),
            "{german}"
        );
        let arabic = at("ar");
        assert!(
            arabic.contains("يناير") && arabic.contains("٢٠٢٧") && arabic.ends_with("١٢٬٣٤٥"),
            "{arabic}"
        );
        assert!(
            arabic.contains("datetime=\"2027-01-18T09:05Z\""),
            "the machine-readable stamp stays as data: {arabic}"
        );
    }
}
