//! Submitted HTML forms (`application/x-www-form-urlencoded`), decoded by hand: the web
//! interface's forms are a few short fields, and axum's form extractor is not compiled in.

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
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let name = decode(parts.next().unwrap_or_default());
            let value = decode(parts.next().unwrap_or_default());
            fields.entry(name).or_insert(value);
        }
        FormFields(fields)
    }

    /// A field's value, if it was sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    }
}
