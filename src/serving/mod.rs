//! Serving HTTP to the internet: herald's routes face strangers (tracking links, partner
//! hooks) as well as staff, so the server itself refuses to be held hostage. Every connection
//! has a deadline for its request headers and for idling between requests, connections are
//! capped in total and per client, every request has a time limit, and every response carries
//! the security headers a browser needs ([`headers`]).

mod connections;
mod headers;
mod request_trace;

pub use connections::{ServerLimits, serve};
pub use headers::{HttpsOnly, security_headers, with_request_deadline};
pub use request_trace::{UNMATCHED_ROUTE, trace_request};
