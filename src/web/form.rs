//! Submitted HTML forms (`application/x-www-form-urlencoded`), decoded with `form_urlencoded`,
//! the parser under axum's `Form`. The extractor itself is not used: the session guard must read
//! the body first (bounded by [`MAX_FORM_BYTES`], refused with herald's own error page) to
//! check the CSRF token before any handler runs, and `Form` would also refuse a body sent
//! without its content type, which herald's forms have never required.

use std::collections::HashMap;

/// Form bodies above this are refused (the largest form holds a short note).
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// A decoded form: the first value of each field.
#[derive(Debug, Default, Clone)]
pub struct FormFields(HashMap<String, String>);

impl FormFields {
    /// Decodes a urlencoded body; malformed escapes are kept as they are, and invalid UTF-8 is
    /// replaced, so a hostile body yields odd values rather than an error.
    pub fn parse(body: &[u8]) -> FormFields {
        let mut fields = HashMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            fields
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        FormFields(fields)
    }

    /// A field's value, if it was sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_urlencoded_fields() {
        let form = FormFields::parse(b"token=ab12.cd%2E34&note=hello+w%C3%B6rld&x=%zz&x=2&empty=");
        assert_eq!(form.get("token"), Some("ab12.cd.34"));
        assert_eq!(form.get("note"), Some("hello wörld"));
        assert_eq!(form.get("x"), Some("%zz"), "first value, bad escape kept");
        assert_eq!(form.get("empty"), Some(""));
        assert_eq!(form.get("missing"), None);
        assert_eq!(FormFields::parse(b"a=%4").get("a"), Some("%4"));
        assert_eq!(FormFields::parse(b"a=%41").get("a"), Some("A"));
        assert_eq!(FormFields::parse(b"&&b&=c").get("b"), Some(""));
        assert_eq!(FormFields::parse(b"n=%FF").get("n"), Some("\u{FFFD}"));
        assert_eq!(FormFields::parse(b"e=a=b").get("e"), Some("a=b"));
    }
}
