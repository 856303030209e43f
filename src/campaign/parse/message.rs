//! A campaign's `[[messages]]`: the Fluent message each send renders, its variants (for
//! comparing wordings), its link and its arguments. Every field is checked before the message
//! is left out, so that all of its problems are reported at once.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::{Reported, is_fluent_identifier};
use crate::campaign::diagnostic::{Diagnostics, SourceFile};
use crate::campaign::model::{ArgValue, Message, VARIANT_SEPARATOR};
use crate::campaign::toml_reader::{Located, TableReader, as_i64};

const MESSAGE_KEYS: &[&str] = &["id", "variants", "link", "args"];

pub(super) fn parse_message(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Message> {
    let mut reader = TableReader::new(file, table, span, "message", MESSAGE_KEYS, diags);
    let id = message_id(file, &mut reader, diags);
    let variants = variants(file, &reader, diags);
    let link = link(file, &reader, diags);
    let args = args(file, &reader, diags);
    Some(Message {
        id: id.ok()?,
        variants: variants.ok()?,
        link: link.ok()?,
        args: args.ok()?,
    })
}

/// The message's id, which names it in the reader's later messages (even when malformed).
fn message_id(
    file: &SourceFile,
    reader: &mut TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Result<Located<String>, Reported> {
    let id = reader.req_str("id", diags).ok_or(Reported)?;
    reader.set_what(format!("message `{}`", id.value));
    if !is_fluent_identifier(&id.value) || id.value.contains(VARIANT_SEPARATOR) {
        diags.error(
            file,
            id.span.clone(),
            format!(
                "message id `{}` must be a Fluent identifier (a letter, then letters, digits, `-` or `_`) without `{VARIANT_SEPARATOR}`",
                id.value
            ),
        );
        return Err(Reported);
    }
    Ok(id)
}

/// The message's variant names, each once, of letters, digits and `_`.
fn variants(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Result<Vec<String>, Reported> {
    let mut ok = true;
    let mut variants = Vec::new();
    for variant in reader.opt_str_list("variants", diags).unwrap_or_default() {
        if !variant
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            || variant.value.is_empty()
        {
            diags.error(
                file,
                variant.span,
                format!(
                    "variant `{}` may use only letters, digits and `_`",
                    variant.value
                ),
            );
            ok = false;
        } else if variants.contains(&variant.value) {
            diags.error(
                file,
                variant.span,
                format!("variant `{}` is listed twice", variant.value),
            );
            ok = false;
        } else {
            variants.push(variant.value);
        }
    }
    if ok { Ok(variants) } else { Err(Reported) }
}

/// The message's optional link: an http:// or https:// URL without spaces.
fn link(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Result<Option<String>, Reported> {
    let Some(link) = reader.opt_str("link", diags) else {
        return Ok(None);
    };
    let valid = link.value.starts_with("https://") || link.value.starts_with("http://");
    if !valid || link.value.chars().any(char::is_whitespace) {
        diags.error(
            file,
            link.span,
            format!(
                "link `{}` must be an http:// or https:// URL without spaces",
                link.value
            ),
        );
        return Err(Reported);
    }
    Ok(Some(link.value))
}

/// The message's arguments: Fluent identifiers, each a number or a string.
fn args(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Result<Vec<(String, ArgValue)>, Reported> {
    let mut ok = true;
    let mut args = Vec::new();
    let Some((args_table, _)) = reader.opt_table("args", diags) else {
        return Ok(args);
    };
    for (key, value) in args_table.iter() {
        let name: &str = key.get_ref();
        if !is_fluent_identifier(name) {
            diags.error(
                file,
                key.span(),
                format!("argument name `{name}` must be a Fluent identifier"),
            );
            ok = false;
            continue;
        }
        let arg = match value.get_ref() {
            DeValue::String(s) => Some(ArgValue::Text(s.to_string())),
            DeValue::Float(f) => f.as_str().parse().ok().map(ArgValue::Number),
            other => as_i64(other).map(|n| ArgValue::Number(n as f64)),
        };
        match arg {
            Some(arg) => args.push((name.to_string(), arg)),
            None => {
                diags.error(
                    file,
                    value.span(),
                    format!(
                        "argument `{name}` must be a number or a string, found {}",
                        value.get_ref().type_str()
                    ),
                );
                ok = false;
            }
        }
    }
    if ok { Ok(args) } else { Err(Reported) }
}
