//! Text made safe for HTML: one escaper for every page herald writes (reports, the web
//! interface), so that none forgets a character.

/// Escapes text for an HTML element's content or a quoted attribute value: `&`, `<`, `>`,
/// `"` and `'`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_that_could_end_an_attribute_or_start_a_tag_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href='x' title="y">R&D</a>"#),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;R&amp;D&lt;/a&gt;"
        );
        assert_eq!(escape_html("تحديث آمن"), "تحديث آمن");
    }
}
