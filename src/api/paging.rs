//! Pages of a long list (dead letters, unknown outcomes): `after` (the id of the last item of
//! the page before; 0 or absent for the first page) and `limit` (how many, at most
//! [`MAX_PAGE`]). A page is read by id, so retrying or resolving items between two pages skips
//! or repeats nothing. Out-of-range or unknown parameters are refused with the field named.

use axum::http::StatusCode;
use serde::Serialize;

use super::error::ApiError;

/// Items on a page unless fewer are asked for.
pub const DEFAULT_PAGE: u32 = 50;
/// Items on a page at most.
pub const MAX_PAGE: u32 = 200;
/// The longest query string read; a page needs two short numbers.
const MAX_QUERY_BYTES: usize = 256;

/// The query of a paged list, as the OpenAPI document describes it (handlers read it with
/// [`PageRequest::from_query`], which refuses unknown parameters).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read by the OpenAPI document only.
pub struct PageParams {
    /// The `next_after` of the page before; 0 or absent for the first page.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A job named by its id.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct JobPath {
    /// The job's id (a positive whole number).
    id: String,
}

/// Which page was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: i64,
    pub limit: u32,
}

impl PageRequest {
    /// Reads `after` and `limit` from a query string; anything else is refused.
    pub fn from_query(query: Option<&str>) -> Result<PageRequest, ApiError> {
        let mut page = PageRequest {
            after: 0,
            limit: DEFAULT_PAGE,
        };
        let query = query.unwrap_or_default();
        if query.len() > MAX_QUERY_BYTES {
            return Err(invalid("query", "the query string is too long"));
        }
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "after" => {
                    page.after = value
                        .parse::<i64>()
                        .ok()
                        .filter(|after| *after >= 0)
                        .ok_or_else(|| {
                            invalid(
                                "after",
                                "`after` must be the id of a listed item (0 or more)",
                            )
                        })?;
                }
                "limit" => {
                    page.limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|limit| (1..=MAX_PAGE).contains(limit))
                        .ok_or_else(|| {
                            invalid(
                                "limit",
                                &format!("`limit` must be a whole number from 1 to {MAX_PAGE}"),
                            )
                        })?;
                }
                other => {
                    return Err(invalid(
                        "query",
                        &format!("unknown parameter `{other}`: use after and limit"),
                    ));
                }
            }
        }
        Ok(page)
    }

    /// How many items to read: one more than the page, to know whether another follows.
    pub fn read_limit(self) -> u32 {
        self.limit + 1
    }
}

/// One page of items, and where the next one starts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub limit: u32,
    /// The `after` of the next page, when there is one.
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// The page from `read` items (up to [`PageRequest::read_limit`] of them), `id` naming each.
    pub fn of(mut read: Vec<T>, request: PageRequest, id: impl Fn(&T) -> i64) -> Page<T> {
        let more = read.len() > request.limit as usize;
        read.truncate(request.limit as usize);
        let next_after = more.then(|| read.last().map(&id)).flatten();
        Page {
            items: read,
            limit: request.limit,
            next_after,
        }
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_page", message)
        .with_details(serde_json::json!({ "field": field }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_unknown_parameters_refused() {
        assert_eq!(
            PageRequest::from_query(None).unwrap(),
            PageRequest {
                after: 0,
                limit: DEFAULT_PAGE
            }
        );
        let page = PageRequest::from_query(Some("after=7&limit=200")).unwrap();
        assert_eq!((page.after, page.limit), (7, 200));
        for bad in [
            "limit=0",
            "limit=201",
            "limit=-1",
            "limit=x",
            "after=-5",
            "after=1e3",
            "offset=3",
        ] {
            let error = PageRequest::from_query(Some(bad)).unwrap_err();
            assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        assert!(PageRequest::from_query(Some(&"a".repeat(300))).is_err());
        let request = PageRequest { after: 0, limit: 2 };
        let page = Page::of(vec![1, 2, 3], request, |n| *n);
        assert_eq!((page.items, page.next_after), (vec![1, 2], Some(2)));
        let page = Page::of(vec![1, 2], request, |n| *n);
        assert_eq!(page.next_after, None);
    }
}
