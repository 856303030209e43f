//! The summary as the first section of the HTML report: plain sentences, no table, so that it
//! reads the same in the stand-alone page, in the web interface (which drops the page's own
//! styles) and printed.

use std::fmt::Write as _;

use super::summary::Summary;

use crate::html_text::escape_html as escape;

/// `<section id="summary">`: the total, a line per platform, the best variant and the notes.
pub fn summary_html(summary: &Summary) -> String {
    let mut out = String::from(
        "<section id=\"summary\" class=\"summary\" aria-labelledby=\"summary-title\">\n<h2 id=\"summary-title\">Summary</h2>\n",
    );
    let _ = writeln!(out, "<p>{}</p>", escape(&summary.overall()));
    if !summary.platforms.is_empty() {
        out.push_str("<ul class=\"platforms\">\n");
        for platform in &summary.platforms {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                escape(&platform.platform),
                escape(&platform.sentence(&summary.hidden()))
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<h3>Best variant</h3>\n<p id=\"best-variant\">{}</p>",
        escape(&summary.best_variant.sentence())
    );
    if !summary.notes.is_empty() {
        out.push_str("<h3>Reading these figures</h3>\n<ul class=\"notes\">\n");
        for note in &summary.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(&note.text));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}
