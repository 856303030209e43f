//! The HTTP client herald talks to partners with. It never follows a redirect: a partner API
//! answers where it is asked, and following one would carry the account's credentials
//! (Viber's `X-Viber-Auth-Token`, a bearer token, the Telegram token in the path) to whatever
//! host the redirect names. A redirect is an answer like any other, classified by the adapter.

/// A client for partner APIs: pooled, no redirects.
pub fn partner_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .build()
}
