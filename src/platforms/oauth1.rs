//! OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849), which X requires to act for a user:
//! posting refuses an app-only bearer token. herald signs its X requests with it, and the
//! sandbox checks the signatures it receives with the same functions, so both read the spec
//! the same way.
//!
//! What is signed (RFC 5849 section 3.4.1): the method, the base string URI (scheme and host
//! in lower case, no default port, no query), and every query parameter with the protocol
//! parameters. A form-encoded body would be signed too; a JSON body, which is all herald
//! sends, is not (section 3.4.1.3.1 signs only `application/x-www-form-urlencoded` bodies).

use hmac::{Hmac, Mac};
use reqwest::Url;
use sha1::Sha1;

use super::credentials::Secret;
use crate::percent_encoding::percent_encode;

/// The one signature method herald signs and the sandbox accepts.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";

/// The four credentials of an app acting for one user (in X's developer portal: the app's
/// "API Key and Secret" and the user's "Access Token and Secret").
#[derive(Debug, Clone)]
pub struct OAuth1Keys {
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
    pub access_token: Secret,
    pub access_token_secret: Secret,
}

/// What makes one signature unique: a random nonce and the sender's clock, in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub nonce: String,
    pub timestamp: i64,
}

impl Freshness {
    /// A fresh nonce (128 random bits in hex, letters and digits as X asks) at `timestamp`.
    pub fn new(timestamp: i64) -> Result<Freshness, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Freshness {
            nonce: hex::encode(bytes),
            timestamp,
        })
    }
}

/// RFC 5849 section 3.4.1.2: scheme and host in lower case, the port only when it is not the
/// scheme's default, and the path as sent; no query, no fragment.
pub fn base_string_uri(scheme: &str, authority: &str, path: &str) -> String {
    let scheme = scheme.to_ascii_lowercase();
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => Some(":80"),
        "https" => Some(":443"),
        _ => None,
    };
    let authority = match default_port {
        Some(port) => authority.strip_suffix(port).unwrap_or(&authority),
        None => &authority,
    };
    let path = if path.is_empty() { "/" } else { path };
    format!("{scheme}://{authority}{path}")
}

/// The base string URI of a URL herald sends to.
fn url_base_string_uri(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    base_string_uri(url.scheme(), &authority, url.path())
}

/// RFC 5849 section 3.4.1: `METHOD&uri&params`, every parameter percent-encoded and sorted by
/// encoded name, then encoded value.
pub fn signature_base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(base_uri),
        percent_encode(&normalized)
    )
}

/// RFC 5849 section 3.4.2: HMAC-SHA1 of the base string, keyed by both secrets (each
/// percent-encoded, joined by `&`), in base64.
pub fn hmac_sha1_signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(base_string.as_bytes());
    crate::base64::encode(&mac.finalize().into_bytes())
}

/// The `Authorization: OAuth ...` value for `method` on `url` (its query parameters signed).
pub fn authorization_header(
    keys: &OAuth1Keys,
    method: &str,
    url: &Url,
    freshness: &Freshness,
) -> String {
    let mut protocol = vec![
        ("oauth_consumer_key", keys.consumer_key.expose().to_string()),
        ("oauth_nonce", freshness.nonce.clone()),
        ("oauth_signature_method", SIGNATURE_METHOD.to_string()),
        ("oauth_timestamp", freshness.timestamp.to_string()),
        ("oauth_token", keys.access_token.expose().to_string()),
        ("oauth_version", "1.0".to_string()),
    ];
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    params.extend(
        protocol
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone())),
    );
    let base = signature_base_string(method, &url_base_string_uri(url), &params);
    let signature = hmac_sha1_signature(
        &base,
        keys.consumer_secret.expose(),
        keys.access_token_secret.expose(),
    );
    protocol.push(("oauth_signature", signature));
    let fields: Vec<String> = protocol
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", percent_encode(value)))
        .collect();
    format!("OAuth {}", fields.join(", "))
}

/// The parameters of an `Authorization: OAuth ...` value, decoded (RFC 5849 section 3.5.1),
/// `realm` left out as the signature leaves it out. `None` when it is not that scheme or a
/// parameter is not `name="value"`.
pub fn parse_authorization(value: &str) -> Option<Vec<(String, String)>> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("oauth") {
        return None;
    }
    let mut params = Vec::new();
    for field in rest.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (name, quoted) = field.split_once('=')?;
        let inner = quoted.trim().strip_prefix('"')?.strip_suffix('"')?;
        let name = percent_decode(name.trim())?;
        if name != "realm" {
            params.push((name, percent_decode(inner)?));
        }
    }
    Some(params)
}

/// `%XX` escapes decoded (a `+` stays a `+`: this is not form encoding); `None` for a broken
/// escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            // Two hex digits exactly (`from_str_radix` would also take a sign).
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// X's worked example ("Creating a signature", developer documentation, OAuth 1.0a): the
    /// body parameter `status` is signed because that request is form-encoded. The published
    /// signature is for the `api.twitter.com` host the page used.
    #[test]
    fn xs_documented_example() {
        let params = pairs(&[
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            ("include_entities", "true"),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
        ]);
        let uri = base_string_uri("HTTPS", "API.twitter.com:443", "/1.1/statuses/update.json");
        assert_eq!(uri, "https://api.twitter.com/1.1/statuses/update.json");
        let base = signature_base_string("post", &uri, &params);
        assert_eq!(
            base,
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
        );
        assert_eq!(
            hmac_sha1_signature(
                &base,
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
            ),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
    }

    /// RFC 5849 section 1.2's example (with section 3.4.1.1's base string shape): a GET with
    /// query parameters, on a non-TLS host.
    #[test]
    fn rfc_5849_example() {
        let params = pairs(&[
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]);
        let uri = base_string_uri("http", "photos.example.net:80", "/photos");
        let base = signature_base_string("GET", &uri, &params);
        assert_eq!(
            hmac_sha1_signature(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    /// Values sort after names (RFC 5849 section 3.4.1.3.2), and a non-default port stays.
    #[test]
    fn repeated_names_sort_by_value_and_ports_stay() {
        let base = signature_base_string(
            "GET",
            &base_string_uri("http", "127.0.0.1:8080", "/2/tweets"),
            &pairs(&[("a", "2"), ("a", "1"), ("a b", "x~y")]),
        );
        assert_eq!(
            base,
            "GET&http%3A%2F%2F127.0.0.1%3A8080%2F2%2Ftweets&a%3D1%26a%3D2%26a%2520b%3Dx~y"
        );
    }

    /// What herald sends parses back into what was signed, and verifies.
    #[test]
    fn a_header_verifies_with_the_same_secrets() {
        let keys = OAuth1Keys {
            consumer_key: Secret::new("ck"),
            consumer_secret: Secret::new("cs&"),
            access_token: Secret::new("1-at"),
            access_token_secret: Secret::new("ts"),
        };
        let url = Url::parse("http://127.0.0.1:9/2/tweets?ids=1%2C2&tweet.fields=public_metrics")
            .unwrap();
        let fresh = Freshness {
            nonce: "abc".into(),
            timestamp: 1_800_000_000,
        };
        let header = authorization_header(&keys, "GET", &url, &fresh);
        assert!(header.starts_with("OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"abc\""));
        let mut params = parse_authorization(&header).unwrap();
        let at = params
            .iter()
            .position(|(name, _)| name == "oauth_signature")
            .unwrap();
        let (_, signature) = params.remove(at);
        params.extend(url.query_pairs().into_owned());
        let base = signature_base_string(
            "GET",
            &base_string_uri("http", "127.0.0.1:9", "/2/tweets"),
            &params,
        );
        assert_eq!(signature, hmac_sha1_signature(&base, "cs&", "ts"));
        assert_ne!(signature, hmac_sha1_signature(&base, "cs", "ts"));
        assert_ne!(Freshness::new(1).unwrap(), Freshness::new(1).unwrap());
    }

    #[test]
    fn malformed_headers_do_not_parse() {
        assert_eq!(parse_authorization("Bearer abc"), None);
        assert_eq!(parse_authorization("OAuth oauth_nonce=abc"), None);
        assert_eq!(parse_authorization("OAuth oauth_nonce=\"%zz\""), None);
        assert_eq!(parse_authorization("OAuth oauth_nonce=\"%+1\""), None);
        assert_eq!(
            parse_authorization("oauth realm=\"x\", oauth_nonce=\"a%2Bb+c\""),
            Some(pairs(&[("oauth_nonce", "a+b+c")]))
        );
    }
}
