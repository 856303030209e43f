//! Handlebars layouts, one per platform: built-in defaults, each overridable by
//! `campaigns/layouts/<platform>.hbs`. Two registries, because Telegram reads HTML (so words
//! from translators must be escaped) while every other platform shows text as it is. Strict
//! mode is on: a layout that names a field a message does not have fails instead of silently
//! sending an empty gap.

use std::collections::BTreeMap;
use std::path::Path;

use handlebars::Handlebars;

use super::layout_bounds::refuse_layout;
use super::limits::MAX_RENDERED_BYTES;
use crate::campaign::diagnostic::{Diagnostic, Diagnostics, Severity, SourceFile};
use crate::channel::{Platform, TextFormat};

const TELEGRAM_LAYOUT: &str = "{{#if title}}<b>{{title}}</b>\n\n{{/if}}{{body}}{{#if link}}\n\n{{#if cta}}<a href=\"{{link}}\">{{cta}}</a>{{else}}{{link}}{{/if}}{{/if}}";
const PLAIN_LAYOUT: &str = "{{#if title}}{{title}}\n\n{{/if}}{{body}}{{#if link}}\n\n{{#if cta}}{{cta}}\n{{/if}}{{link}}{{/if}}";
const X_LAYOUT: &str = "{{body}}{{#if link}} {{link}}{{/if}}";

/// Where a platform's layout came from.
#[derive(Debug, Clone)]
pub enum LayoutSource {
    BuiltIn,
    File(SourceFile),
}

pub struct Layouts {
    html: Handlebars<'static>,
    plain: Handlebars<'static>,
    sources: BTreeMap<Platform, LayoutSource>,
}

impl Layouts {
    /// The built-in layouts only.
    pub fn built_in() -> Layouts {
        let mut diags = Diagnostics::default();
        Layouts::with_overrides(Vec::new(), &mut diags)
    }

    /// Loads overrides from `dir` (normally `campaigns/layouts`); a missing folder is fine.
    pub fn load(dir: &Path, diags: &mut Diagnostics) -> Layouts {
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "hbs"))
            {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                let Some(platform) = Platform::from_name(stem) else {
                    diags.push(Diagnostic {
                        path: path.clone(),
                        line: 1,
                        column: 1,
                        severity: Severity::Warning,
                        message: format!(
                            "layout for unknown platform `{stem}` is never used; name it after one of: {}",
                            Platform::ALL.map(Platform::name).join(", ")
                        ),
                    });
                    continue;
                };
                match std::fs::read_to_string(&path) {
                    Ok(text) => files.push((platform, SourceFile::new(path, text))),
                    Err(error) => diags.file_error(&path, format!("cannot read layout: {error}")),
                }
            }
        }
        Layouts::with_overrides(files, diags)
    }

    /// Built-in layouts with the given files taking their platforms' places.
    pub fn with_overrides(files: Vec<(Platform, SourceFile)>, diags: &mut Diagnostics) -> Layouts {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_escape_fn(escape_telegram_html);
        let mut plain = Handlebars::new();
        plain.set_strict_mode(true);
        plain.register_escape_fn(handlebars::no_escape);
        let mut sources = BTreeMap::new();
        for platform in Platform::ALL {
            let registry = match platform.text_format() {
                TextFormat::Html => &mut html,
                TextFormat::Plain => &mut plain,
            };
            let file = files.iter().find(|(p, _)| *p == platform).map(|(_, f)| f);
            let mut source = LayoutSource::BuiltIn;
            if let Some(file) = file {
                // A layout file's final newline is not part of the message.
                let text = file.text.trim_end();
                let refusals = refuse_layout(text);
                let compiled = refusals
                    .is_empty()
                    .then(|| registry.register_template_string(platform.name(), text));
                // A refused layout is never compiled: the built-in one stands in, and the
                // errors block the bundle.
                for refusal in refusals {
                    diags.error(file, refusal.offset..refusal.offset, refusal.message);
                }
                match compiled {
                    None => {}
                    Some(Ok(())) => source = LayoutSource::File(file.clone()),
                    Some(Err(error)) => {
                        let (line, column) = error.pos().unwrap_or((1, 1));
                        diags.push(Diagnostic {
                            path: file.path.clone(),
                            line,
                            column,
                            severity: Severity::Error,
                            message: format!("layout error: {}", error.reason()),
                        });
                    }
                }
            }
            if matches!(source, LayoutSource::BuiltIn) {
                register_built_in(registry, platform);
            }
            sources.insert(platform, source);
        }
        Layouts {
            html,
            plain,
            sources,
        }
    }

    /// The built-in template text for a platform (part of a version's content hash).
    pub fn built_in_text(&self, platform: Platform) -> &'static str {
        built_in_text(platform)
    }

    pub fn source(&self, platform: Platform) -> &LayoutSource {
        &self.sources[&platform]
    }

    /// Renders a platform's layout; an error is a diagnostic at the layout file's line.
    pub fn render(
        &self,
        platform: Platform,
        data: &serde_json::Value,
    ) -> Result<String, Diagnostic> {
        let registry = match platform.text_format() {
            TextFormat::Html => &self.html,
            TextFormat::Plain => &self.plain,
        };
        let mut out = CappedText::default();
        let rendered = registry.render_to_write(platform.name(), data, &mut out);
        let location = |line: Option<usize>, column: Option<usize>| match self.source(platform) {
            LayoutSource::File(file) => (file.path.clone(), line.unwrap_or(1), column.unwrap_or(1)),
            LayoutSource::BuiltIn => (format!("<built-in {platform} layout>").into(), 1, 1),
        };
        if out.overflowed {
            let (path, line, column) = location(None, None);
            return Err(Diagnostic {
                path,
                line,
                column,
                severity: Severity::Error,
                message: format!(
                    "the {platform} layout renders more than {MAX_RENDERED_BYTES} bytes, the most \
                     any text may have on any platform"
                ),
            });
        }
        match rendered {
            Ok(()) => String::from_utf8(out.bytes).map_err(|_| {
                let (path, line, column) = location(None, None);
                Diagnostic {
                    path,
                    line,
                    column,
                    severity: Severity::Error,
                    message: "layout error: the rendered text is not UTF-8".into(),
                }
            }),
            Err(error) => {
                let (path, line, column) = location(error.line_no, error.column_no);
                Err(Diagnostic {
                    path,
                    line,
                    column,
                    severity: Severity::Error,
                    message: format!("layout error: {}", error.reason()),
                })
            }
        }
    }
}

/// A render target that refuses to grow past [`MAX_RENDERED_BYTES`]: a layout that repeats a
/// long part thousands of times stops at the cap instead of filling memory first.
#[derive(Default)]
struct CappedText {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedText {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered text too long"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn register_built_in(registry: &mut Handlebars<'static>, platform: Platform) {
    registry
        .register_template_string(platform.name(), built_in_text(platform))
        .expect("built-in layouts are valid templates");
}

fn built_in_text(platform: Platform) -> &'static str {
    match platform {
        Platform::Telegram => TELEGRAM_LAYOUT,
        Platform::X => X_LAYOUT,
        _ => PLAIN_LAYOUT,
    }
}

/// Escapes what Telegram's HTML parse mode requires: `&`, `<`, `>` and `"` (in attributes).
pub fn escape_telegram_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
