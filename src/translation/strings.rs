//! A Fluent file as a list of translatable strings: one per message value, message attribute,
//! term value and term attribute, each named the way exports and imports name it
//! (`message`, `message.attribute`, `-term`, `-term.attribute`) and written as canonical Fluent
//! pattern text: the words with their placeables, without the `id =` and the indentation a
//! file needs. The same words always give the same text, so its digest tells whether a string
//! changed.

use fluent_syntax::ast::{Attribute, Entry, Identifier, Message, Pattern, Resource};
use fluent_syntax::parser;
use fluent_syntax::serializer;
use sha2::{Digest, Sha256};

/// One translatable string of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileString {
    /// `message`, `message.attribute`, `-term` or `-term.attribute`.
    pub id: String,
    /// The entry it belongs to (`message` or `-term`).
    pub entry: String,
    /// The canonical pattern text.
    pub text: String,
}

/// Every string of a Fluent file, in file order. Entries the parser could not read are left
/// out: they were reported where the file was checked.
pub fn file_strings(ftl: &str) -> Vec<FileString> {
    let resource = match parser::parse(ftl) {
        Ok(resource) => resource,
        Err((resource, _)) => resource,
    };
    let mut out = Vec::new();
    for entry in &resource.body {
        let (name, value, attributes) = match entry {
            Entry::Message(m) => (m.id.name.to_string(), m.value.as_ref(), &m.attributes),
            Entry::Term(t) => (format!("-{}", t.id.name), Some(&t.value), &t.attributes),
            _ => continue,
        };
        if let Some(value) = value {
            out.push(FileString {
                id: name.clone(),
                entry: name.clone(),
                text: pattern_text(value),
            });
        }
        for attribute in attributes {
            out.push(FileString {
                id: format!("{name}.{}", attribute.id.name),
                entry: name.clone(),
                text: pattern_text(&attribute.value),
            });
        }
    }
    out
}

/// A pattern as canonical text: serialised by fluent-syntax, then freed of the `x =` and the
/// four spaces of indentation every further line of an entry carries.
pub fn pattern_text(pattern: &Pattern<&str>) -> String {
    let resource = Resource {
        body: vec![Entry::Message(Message {
            id: Identifier { name: "x" },
            value: Some(pattern.clone()),
            attributes: Vec::<Attribute<&str>>::new(),
            comment: None,
        })],
    };
    let serialized = serializer::serialize(&resource);
    let body = serialized
        .strip_prefix("x =")
        .unwrap_or(&serialized)
        .trim_end_matches('\n');
    match body.strip_prefix('\n') {
        Some(block) => block
            .lines()
            .map(|line| line.strip_prefix("    ").unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n"),
        None => body.strip_prefix(' ').unwrap_or(body).to_string(),
    }
}

/// The Fluent source of an entry line `key = text`: pattern text laid out as a file needs it
/// (`key` is `message`, `-term` or `.attribute`). Each line of a multi-line text is indented
/// under the key, so Fluent reads it back as the same pattern.
pub fn entry_source(key: &str, text: &str, indent: &str) -> String {
    if text.contains('\n') {
        let mut out = format!("{indent}{key} =\n");
        for line in text.lines() {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{indent}    {line}\n"));
            }
        }
        out
    } else {
        format!("{indent}{key} = {text}\n")
    }
}

/// The SHA-256 of a string's canonical text, in hex: what a status record is tied to.
pub fn text_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entry a string id belongs to: `message` for `message.attribute`.
pub fn entry_of(id: &str) -> &str {
    id.split_once('.').map_or(id, |(entry, _)| entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_of_a_file_and_their_canonical_text() {
        let ftl = "### header\n-org = IOM\nintro = Hello { $name }\n    .title = Title\nplural = { $n ->\n    [one] one month\n   *[other] { $n } months\n}\nlong =\n    First line\n    second line\n";
        let strings = file_strings(ftl);
        let ids: Vec<&str> = strings.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["-org", "intro", "intro.title", "plural", "long"]);
        assert_eq!(strings[1].text, "Hello { $name }");
        assert_eq!(strings[3].entry, "plural");
        assert!(
            strings[3].text.starts_with("{ $n ->\n"),
            "{}",
            strings[3].text
        );
        assert_eq!(strings[4].text, "First line\nsecond line");
    }

    #[test]
    fn entry_source_reads_back_as_the_same_text() {
        let ftl = "plural = { $n ->\n    [one] one month\n   *[other] { $n } months\n}\nlong =\n    First line\n    second line\n    .cta = Go\n";
        for string in file_strings(ftl) {
            let key = string.id.replace('.', "_");
            let again = file_strings(&entry_source(&key, &string.text, ""));
            assert_eq!(again[0].text, string.text);
        }
        assert_eq!(text_digest("a").len(), 64);
        assert_eq!(entry_of("intro.title"), "intro");
        assert_eq!(entry_of("-org"), "-org");
    }
}
