//! Reads an XLIFF 2.0 document back, bounded before and during parsing: its size is checked
//! before the parser starts; a DOCTYPE (the door to entity expansion and external entities,
//! "billion laughs" included) is refused outright, as is any entity other than XML's five
//! predefined ones and character references; elements nest at most [`MAX_DEPTH`] deep and a
//! document holds at most [`MAX_UNITS`] units. quick-xml itself never reads a DTD nor fetches
//! anything. Every refusal names the line and column where it was found.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::xliff_write::XLIFF_NAMESPACE;
use crate::source::diagnostic::{Diagnostic, Severity, SourceFile};

/// The largest XLIFF document read: a campaign's strings in two languages with their markup.
pub const MAX_XLIFF_BYTES: usize = 4 * 1024 * 1024;
/// The most units one document may hold; a campaign has dozens of strings.
pub const MAX_UNITS: usize = 10_000;
/// The deepest element nesting read (an XLIFF unit's text sits five levels down).
pub const MAX_DEPTH: usize = 16;

/// One unit as read: its id, its target's text (if it has a target) and its segment's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XliffUnit {
    pub id: String,
    pub target: Option<String>,
    pub state: Option<String>,
    /// Byte offset of the target (else of the unit) in the document, for messages.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XliffDocument {
    pub src_lang: String,
    pub trg_lang: String,
    pub units: Vec<XliffUnit>,
}

/// What is being read inside the current unit.
#[derive(Default)]
struct UnitInProgress {
    id: String,
    offset: usize,
    state: Option<String>,
    target: Option<String>,
    /// Inside `<target>`: its text so far.
    capturing: Option<String>,
}

/// Reads the document, or says at which line and column it is refused.
pub fn read_xliff(file: &SourceFile) -> Result<XliffDocument, Diagnostic> {
    let refuse =
        |offset: usize, message: String| file.diagnostic(offset..offset, Severity::Error, message);
    if file.text.len() > MAX_XLIFF_BYTES {
        return Err(refuse(
            0,
            format!(
                "the XLIFF document is {} bytes long; at most {MAX_XLIFF_BYTES} bytes are read",
                file.text.len()
            ),
        ));
    }
    let mut reader = Reader::from_str(&file.text);
    let mut stack: Vec<String> = Vec::new();
    let mut document: Option<XliffDocument> = None;
    let mut unit: Option<UnitInProgress> = None;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let position = usize::try_from(reader.error_position()).unwrap_or(0);
            refuse(position, format!("not well-formed XML: {e}"))
        })?;
        match event {
            Event::DocType(_) => {
                return Err(refuse(
                    at,
                    "a DOCTYPE is not accepted: XLIFF needs no DTD, and entity definitions are refused"
                        .into(),
                ));
            }
            Event::Start(element) => {
                let name = local_name(&element);
                if stack.len() >= MAX_DEPTH {
                    return Err(refuse(
                        at,
                        format!("elements nest more than {MAX_DEPTH} deep"),
                    ));
                }
                open(file, &element, &name, at, &stack, &mut document, &mut unit)?;
                stack.push(name);
            }
            Event::Empty(element) => {
                let name = local_name(&element);
                open(file, &element, &name, at, &stack, &mut document, &mut unit)?;
                close(&name, &mut document, &mut unit);
            }
            Event::End(_) => {
                if let Some(name) = stack.pop() {
                    close(&name, &mut document, &mut unit);
                }
            }
            Event::Text(text) => {
                let text = text
                    .decode()
                    .map_err(|e| refuse(at, format!("text is not UTF-8: {e}")))?;
                capture(&mut unit, &text);
            }
            Event::CData(text) => {
                let text = text
                    .decode()
                    .map_err(|e| refuse(at, format!("text is not UTF-8: {e}")))?;
                capture(&mut unit, &text);
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference).ok_or_else(|| {
                    let name = reference.decode().unwrap_or_default().into_owned();
                    refuse(
                        at,
                        format!(
                            "entity `&{name};` is not defined: only &lt; &gt; &amp; &apos; &quot; and character references are accepted"
                        ),
                    )
                })?;
                capture(&mut unit, &resolved);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        if document.as_ref().is_some_and(|d| d.units.len() > MAX_UNITS) {
            return Err(refuse(
                at,
                format!("the document holds more than {MAX_UNITS} units"),
            ));
        }
    }
    document.ok_or_else(|| {
        refuse(
            0,
            "no <xliff> element: this is not an XLIFF document".into(),
        )
    })
}

/// A character reference, or one of XML's five predefined entities; `None` for any other.
fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .map(String::from);
    }
    let name = reference.decode().ok()?;
    resolve_predefined_entity(&name).map(str::to_string)
}

fn local_name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

/// The value of an attribute (by local name), with XML's predefined entities resolved.
fn attribute(
    file: &SourceFile,
    element: &BytesStart<'_>,
    wanted: &str,
    at: usize,
) -> Result<Option<String>, Diagnostic> {
    for attribute in element.attributes() {
        let attribute = attribute
            .map_err(|e| file.diagnostic(at..at, Severity::Error, format!("bad attribute: {e}")))?;
        let key = attribute.key;
        let name = key.as_ref();
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let matches = if wanted == "xmlns" {
            name == b"xmlns"
        } else {
            local == wanted.as_bytes() && !name.starts_with(b"xmlns")
        };
        if matches {
            let value = attribute.unescape_value().map_err(|e| {
                file.diagnostic(
                    at..at,
                    Severity::Error,
                    format!("attribute `{wanted}`: {e}"),
                )
            })?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// An element starts: the root's languages, a unit's id, a segment's state, a target's text.
fn open(
    file: &SourceFile,
    element: &BytesStart<'_>,
    name: &str,
    at: usize,
    stack: &[String],
    document: &mut Option<XliffDocument>,
    unit: &mut Option<UnitInProgress>,
) -> Result<(), Diagnostic> {
    let refuse = |message: String| file.diagnostic(at..at, Severity::Error, message);
    let required = |wanted: &str| -> Result<String, Diagnostic> {
        attribute(file, element, wanted, at)?
            .ok_or_else(|| refuse(format!("<{name}> has no `{wanted}` attribute")))
    };
    match name {
        "xliff" if stack.is_empty() => {
            let namespace = attribute(file, element, "xmlns", at)?.unwrap_or_default();
            if namespace != XLIFF_NAMESPACE {
                return Err(refuse(format!(
                    "the document's namespace is `{namespace}`, not XLIFF 2.0's `{XLIFF_NAMESPACE}`"
                )));
            }
            let version = required("version")?;
            if !version.starts_with("2.") {
                return Err(refuse(format!(
                    "XLIFF version `{version}`: only XLIFF 2 is read"
                )));
            }
            *document = Some(XliffDocument {
                src_lang: required("srcLang")?,
                trg_lang: attribute(file, element, "trgLang", at)?.unwrap_or_default(),
                units: Vec::new(),
            });
        }
        _ if stack.is_empty() => {
            return Err(refuse(format!(
                "the root element is <{name}>, not XLIFF's <xliff>"
            )));
        }
        "unit" => {
            *unit = Some(UnitInProgress {
                id: required("id")?,
                offset: at,
                ..UnitInProgress::default()
            });
        }
        "segment" | "ignorable" => {
            if let Some(unit) = unit.as_mut() {
                if unit.state.is_none() {
                    unit.state = attribute(file, element, "state", at)?;
                }
            }
        }
        "target" => {
            if let Some(unit) = unit.as_mut() {
                unit.capturing = Some(unit.target.take().unwrap_or_default());
                unit.offset = at;
            }
        }
        "ph" | "sc" | "ec" | "cp" if unit.as_ref().is_some_and(|u| u.capturing.is_some()) => {
            let id = unit.as_ref().map(|u| u.id.clone()).unwrap_or_default();
            return Err(refuse(format!(
                "unit `{id}`: inline code <{name}> in the target; herald's strings hold no inline codes, keep placeables such as {{ $name }} as plain text"
            )));
        }
        _ => {}
    }
    Ok(())
}

/// An element ends: a target's text is complete, or a unit is.
fn close(name: &str, document: &mut Option<XliffDocument>, unit: &mut Option<UnitInProgress>) {
    match name {
        "target" => {
            if let Some(unit) = unit.as_mut() {
                unit.target = unit.capturing.take();
            }
        }
        "unit" => {
            if let (Some(done), Some(document)) = (unit.take(), document.as_mut()) {
                document.units.push(XliffUnit {
                    id: done.id,
                    target: done.target,
                    state: done.state,
                    offset: done.offset,
                });
            }
        }
        _ => {}
    }
}

fn capture(unit: &mut Option<UnitInProgress>, text: &str) {
    if let Some(captured) = unit.as_mut().and_then(|u| u.capturing.as_mut()) {
        captured.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l10n::StringStatus;
    use crate::translation::{LocaleStrings, Selection, to_xliff};

    fn read(text: &str) -> Result<XliffDocument, String> {
        read_xliff(&SourceFile::new("t.xlf", text.to_string())).map_err(|d| d.to_string())
    }

    #[test]
    fn an_export_reads_back_with_its_markup_characters() {
        let source = "a = Free & <safe> \"advice\"\n    .title = T\nn = { $n ->\n    [one] one\n   *[other] { $n } months\n}\n";
        let target = "a = Gratuit & <sûr>\n";
        let strings = LocaleStrings::new("c", "en", "fr", source, Some(target), &[]);
        let document = read(&to_xliff(&strings, Selection::All)).unwrap();
        assert_eq!(
            (document.src_lang.as_str(), document.trg_lang.as_str()),
            ("en", "fr")
        );
        let ids: Vec<&str> = document.units.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["a", "a.title", "n"]);
        assert_eq!(document.units[0].target.as_deref(), Some("Gratuit & <sûr>"));
        assert_eq!(document.units[0].state.as_deref(), Some("translated"));
        assert_eq!(document.units[1].target, None);
        assert_eq!(strings.pairs[1].state.status, StringStatus::Missing);
    }

    #[test]
    fn dtds_entities_depth_and_counts_are_refused_where_they_are() {
        let root = "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\" trgLang=\"fr\">";
        let doctype =
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n{root}</xliff>");
        assert!(
            read(&doctype)
                .unwrap_err()
                .starts_with("t.xlf:2:1: error: a DOCTYPE")
        );
        let entity = format!(
            "{root}\n<file><unit id=\"a\"><segment><target>&a;</target></segment></unit></file></xliff>"
        );
        assert!(
            read(&entity).unwrap_err().contains("t.xlf:2:"),
            "line of the entity"
        );
        let deep = format!("{root}{}{}</xliff>", "<g>".repeat(20), "</g>".repeat(20));
        assert!(read(&deep).unwrap_err().contains("nest more than 16 deep"));
        let many = format!(
            "{root}<file>{}</file></xliff>",
            "<unit id=\"u\"/>".repeat(MAX_UNITS + 1)
        );
        assert!(read(&many).unwrap_err().contains("more than 10000 units"));
        let other = "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\"/>";
        assert!(read(other).unwrap_err().contains("not XLIFF 2.0"));
        let inline = format!(
            "{root}<file><unit id=\"a\"><segment><target>x<ph id=\"1\"/></target></segment></unit></file></xliff>"
        );
        assert!(read(&inline).unwrap_err().contains("inline code <ph>"));
    }
}
