//! Relay connections: argument checks, opaque cursors, and building a connection from a page.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::context::request;
use crate::error::{Error, Result};
use crate::store::{AgencyQuery, AuditQuery, DocumentQuery, Page, PageRequest, TaskQuery, Window};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// A position in a list: the key of the row it points at, encoded so clients treat it as opaque.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub Uuid);

impl CursorType for Cursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, String> {
        let invalid = || format!("\"{}\" is not a cursor of this list", s.chars().take(40).collect::<String>());
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let uuid = text.strip_prefix("c:").ok_or_else(invalid)?;
        Uuid::parse_str(uuid).map(Cursor).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}", self.0.simple()))
    }
}

fn limit(name: &str, value: Option<i32>) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(Error::bad_field(name, format!("{name} cannot be negative"))),
        Some(n) if n as u64 > MAX_PAGE => Err(Error::bad_field(
            name,
            format!("{name} is {n}, but a page holds at most {MAX_PAGE} items: page through with after/before"),
        )),
        Some(n) => Ok(Some(n as u64)),
    }
}

fn cursor(name: &str, value: Option<String>) -> Result<Option<Uuid>> {
    value.map(|s| Cursor::decode_cursor(&s).map(|c| c.0).map_err(|e| Error::bad_field(name, e))).transpose()
}

/// Checks `first`/`after`/`last`/`before` as Relay defines them; a page larger than the maximum is an error.
pub fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<PageRequest> {
    let (first, last) = (limit("first", first)?, limit("last", last)?);
    if first.is_some() && last.is_some() {
        return Err(Error::bad_input("give either first or last, not both"));
    }
    Ok(PageRequest {
        limit: first.or(last).unwrap_or(DEFAULT_PAGE),
        after: cursor("after", after)?,
        before: cursor("before", before)?,
        from_end: last.is_some(),
    })
}

/// A connection of a list nested under a parent, whose page came with the list's size.
pub fn nested<M, N: OutputType>(page: Page<M>, key: impl Fn(&M) -> Uuid, wrap: impl Fn(M) -> N) -> Conn<N> {
    let total = Total::Known(page.total.unwrap_or_default());
    connection(page, total, key, wrap)
}

/// Checks `first` of a forward-only list.
pub fn window_limit(first: Option<i32>) -> Result<u64> {
    Ok(limit("first", first)?.unwrap_or(DEFAULT_PAGE))
}

/// Checks the forward-only arguments of lists nested in other objects.
pub fn window(first: Option<i32>, after: Option<String>) -> Result<Window> {
    Ok(Window { limit: window_limit(first)?, after: cursor("after", after)? })
}

/// The `totalCount` of a connection: known when the page came with it, counted on demand otherwise.
pub enum Total {
    Known(u64),
    Agencies(AgencyQuery),
    Documents(DocumentQuery),
    Tasks(TaskQuery),
    Audit(AuditQuery),
}

#[Object]
impl Total {
    /// How many items the whole list holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let store = &request(ctx).store;
        match self {
            Self::Known(n) => Ok(*n),
            Self::Agencies(q) => store.count_agencies(q).await,
            Self::Documents(q) => store.count_documents(q).await,
            Self::Tasks(q) => store.count_tasks(q).await,
            Self::Audit(q) => store.count_audit(q).await,
        }
    }
}

pub type Conn<N> = Connection<Cursor, N, Total>;

/// Builds a connection from a page of models, each wrapped as its GraphQL type.
pub fn connection<M, N: OutputType>(
    page: Page<M>,
    total: Total,
    key: impl Fn(&M) -> Uuid,
    wrap: impl Fn(M) -> N,
) -> Conn<N> {
    let mut conn = Connection::with_additional_fields(page.has_previous, page.has_next, total);
    conn.edges.extend(page.items.into_iter().map(|m| Edge::new(Cursor(key(&m)), wrap(m))));
    conn
}
