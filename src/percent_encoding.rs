//! Percent-encoding of text for URLs, shared by everything that writes a query string.

/// Percent-encodes everything but RFC 3986's unreserved characters.
///
/// Not `form_urlencoded::byte_serialize`, which writes a space as `+`, leaves `*` as it is and
/// escapes `~`: the links herald writes (report downloads, the sandbox's handshake) keep their
/// exact form, and `%20` reads the same in a query and in a path.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(
            percent_encode("segment,locale & a=b/ü"),
            "segment%2Clocale%20%26%20a%3Db%2F%C3%BC"
        );
        assert_eq!(percent_encode("2027-01-25_x.~"), "2027-01-25_x.~");
    }
}
