//! Search results.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Enum, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Agency, Document, Node, Task};
use crate::error::{Error, Result};
use crate::graphql::context::RequestContext;
use crate::graphql::pagination::{Total, window_limit};
use crate::ids::{AgencyId, DocumentId, TaskId};
use crate::store::{Hit, SearchKind};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SearchType {
    Document,
    Task,
    Agency,
}

impl SearchType {
    pub fn kind(self) -> SearchKind {
        match self {
            Self::Document => SearchKind::Document,
            Self::Task => SearchKind::Task,
            Self::Agency => SearchKind::Agency,
        }
    }
}

/// A position in ranked results: how many came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankCursor(pub u64);

impl CursorType for RankCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, String> {
        let invalid = || format!("\"{}\" is not a cursor of these results", s.chars().take(40).collect::<String>());
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        text.strip_prefix("rank:").and_then(|n| n.parse().ok()).map(RankCursor).ok_or_else(invalid)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("rank:{}", self.0))
    }
}

#[derive(SimpleObject)]
pub struct SearchHit {
    pub node: Node,
    /// Higher is better; a document whose symbol the query spells scores above 100.
    pub score: f64,
}

async fn node_of(rc: &RequestContext, hit: &Hit) -> Result<Option<Node>> {
    Ok(match hit.kind {
        SearchKind::Document => rc.load(DocumentId(hit.id)).await?.map(|m| Node::Document(Document(m))),
        SearchKind::Task => rc.load(TaskId(hit.id)).await?.map(|m| Node::Task(Task(m))),
        SearchKind::Agency => rc.load(AgencyId(hit.id)).await?.map(|m| Node::Agency(Agency(m))),
    })
}

pub type SearchConnection = Connection<RankCursor, SearchHit, Total>;

/// Runs a search and builds its connection.
pub async fn search(
    rc: &RequestContext,
    query: String,
    types: Option<Vec<SearchType>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<SearchConnection> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(Error::bad_field("query", "a search query holds at most 200 characters"));
    }
    let limit = window_limit(first)?;
    let offset = after
        .map(|a| RankCursor::decode_cursor(&a).map(|c| c.0 + 1).map_err(|e| Error::bad_field("after", e)))
        .transpose()?
        .unwrap_or(0);
    let mut kinds: Vec<SearchKind> = types.unwrap_or_default().into_iter().map(SearchType::kind).collect();
    kinds.sort();
    kinds.dedup();
    let found = rc.store.search(query, &kinds, offset, limit + 1).await?;
    let has_next = found.hits.len() as u64 > limit;
    let hits = &found.hits[..found.hits.len().min(limit as usize)];
    let nodes = futures_util::future::try_join_all(hits.iter().map(|h| node_of(rc, h))).await?;
    let mut connection = Connection::with_additional_fields(offset > 0, has_next, Total::Known(found.total));
    for (i, (hit, node)) in hits.iter().zip(nodes).enumerate() {
        if let Some(node) = node {
            connection.edges.push(Edge::new(RankCursor(offset + i as u64), SearchHit { node, score: hit.score }));
        }
    }
    Ok(connection)
}
