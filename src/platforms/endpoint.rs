//! Building a partner endpoint's URL from the account's configured base URL, with every path
//! segment and query value percent-encoded, so an id or a JSON targeting spec can never change
//! which resource is addressed.

use std::str::FromStr;

use reqwest::Url;

/// Why an account's base URL cannot address a partner endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EndpointError {
    #[error("invalid base URL: {0}")]
    Invalid(<Url as FromStr>::Err),
    /// A URL such as `mailto:` or `data:`, which has no path to add segments to.
    #[error("invalid base URL: it cannot have a path")]
    CannotHavePath,
}

/// `base` followed by `segments` and the query `pairs` (form-encoded). The base may carry a
/// path prefix (a proxy) and a trailing slash.
pub(crate) fn endpoint_url(
    base: &str,
    segments: &[&str],
    pairs: &[(&str, &str)],
) -> Result<Url, EndpointError> {
    let mut url = Url::parse(base).map_err(EndpointError::Invalid)?;
    url.path_segments_mut()
        .map_err(|()| EndpointError::CannotHavePath)?
        .pop_if_empty()
        .extend(segments);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_values_are_encoded() {
        let url = endpoint_url(
            "http://127.0.0.1:8080/",
            &["v21.0", "1_2/../x", "insights"],
            &[("metric", "a,b"), ("spec", r#"{"k":[1]}"#)],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/v21.0/1_2%2F..%2Fx/insights?metric=a%2Cb&spec=%7B%22k%22%3A%5B1%5D%7D"
        );
        let prefixed = endpoint_url("https://proxy.example/graph", &["v21.0"], &[]).unwrap();
        assert_eq!(prefixed.as_str(), "https://proxy.example/graph/v21.0");
        assert_eq!(
            endpoint_url("not a url", &[], &[]).unwrap_err().to_string(),
            "invalid base URL: relative URL without a base"
        );
        assert_eq!(
            endpoint_url("mailto:someone", &["x"], &[]).unwrap_err(),
            EndpointError::CannotHavePath
        );
    }
}
