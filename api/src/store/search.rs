//! Search over document symbols and titles, task content and agency names: a folded copy of each
//! entity's text in `search_entry`, written by the transaction that changes the entity, indexed by
//! FTS5 on SQLite and by full-text search on PostgreSQL.

use std::collections::HashMap;

use entity::{agency, document, task};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value as Json;
use uuid::Uuid;

use super::audit::Change;
use super::memo::SearchQuery;
use super::sql::Sql;
use super::{Store, Tx};
use crate::domain::fold::{fold, symbol_key};
use crate::domain::symbol::DocumentSymbol;
use crate::error::Result;

/// What can be searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SearchKind {
    Document,
    Task,
    Agency,
}

impl SearchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "DOCUMENT",
            Self::Task => "TASK",
            Self::Agency => "AGENCY",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Document, Self::Task, Self::Agency].into_iter().find(|k| k.as_str() == s)
    }
}

/// An entity's row in the index.
struct Entry {
    id: Uuid,
    kind: SearchKind,
    symbol_key: Option<String>,
    folded: String,
}

/// The values of a translations object (`{"en": "…"}`).
fn translations(json: &Json) -> impl Iterator<Item = &str> {
    json.as_object().into_iter().flat_map(|o| o.values().filter_map(Json::as_str))
}

fn joined<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    fold(&parts.into_iter().collect::<Vec<_>>().join(" "))
}

impl Entry {
    fn agency(a: &agency::Model) -> Self {
        let text = joined([a.code.as_str(), a.name.as_str()].into_iter().chain(translations(&a.name_i18n)));
        Self { id: a.id, kind: SearchKind::Agency, symbol_key: None, folded: text }
    }

    fn document(d: &document::Model) -> Self {
        let text = joined(
            [d.symbol.as_str(), d.title.as_str()]
                .into_iter()
                .chain(translations(&d.title_i18n))
                .chain(d.summary.as_deref())
                .chain(translations(&d.summary_i18n)),
        );
        Self { id: d.id, kind: SearchKind::Document, symbol_key: symbol_key(&d.symbol), folded: text }
    }

    fn task(t: &task::Model) -> Self {
        let text = joined(
            t.title
                .as_deref()
                .into_iter()
                .chain(translations(&t.title_i18n))
                .chain([t.content.as_str()])
                .chain(translations(&t.content_i18n))
                .chain(t.expected_output.as_deref()),
        );
        Self { id: t.id, kind: SearchKind::Task, symbol_key: None, folded: text }
    }

    /// The entry of a changed entity as it is after the change; none for other entities and deletions.
    fn of_change(change: &Change) -> Option<Self> {
        let after = change.after.clone()?;
        match change.entity_type {
            "Agency" => serde_json::from_value(after).ok().map(|a| Self::agency(&a)),
            "Document" => serde_json::from_value(after).ok().map(|d| Self::document(&d)),
            "Task" => serde_json::from_value(after).ok().map(|t| Self::task(&t)),
            _ => None,
        }
    }
}

/// Rows per statement when writing entries: 7 values each.
const ENTRIES_PER_STATEMENT: usize = 500;

/// Writes (or rewrites) entries, in as few statements as the bound-value limits allow.
async fn upsert<C: ConnectionTrait>(conn: &C, entries: &[Entry]) -> Result<()> {
    for chunk in entries.chunks(ENTRIES_PER_STATEMENT) {
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push("INSERT INTO search_entry (node_id, node_type, agency_id, document_id, task_id, symbol_key, folded) VALUES ");
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let owner = |kind| (e.kind == kind).then_some(e.id);
            sql.push("(")
                .bind(e.id)
                .push(", ")
                .bind(e.kind.as_str())
                .push(", ")
                .bind(owner(SearchKind::Agency))
                .push(", ")
                .bind(owner(SearchKind::Document))
                .push(", ")
                .bind(owner(SearchKind::Task))
                .push(", ")
                .bind(e.symbol_key.clone())
                .push(", ")
                .bind(e.folded.clone())
                .push(")");
        }
        sql.push(
            " ON CONFLICT (node_id) DO UPDATE SET symbol_key = excluded.symbol_key, folded = excluded.folded \
             WHERE search_entry.folded <> excluded.folded OR search_entry.symbol_key IS DISTINCT FROM excluded.symbol_key",
        );
        conn.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

impl Tx {
    /// Brings the index up to date with the entities this transaction changed. Deleted entities
    /// take their entries with them (the foreign keys cascade).
    pub(super) async fn reindex(&self, changes: &[Change]) -> Result<()> {
        let mut latest: HashMap<Uuid, &Change> = HashMap::new();
        for change in changes {
            latest.insert(change.entity_id, change);
        }
        let entries: Vec<Entry> = latest.values().filter_map(|c| Entry::of_change(c)).collect();
        if entries.is_empty() {
            return Ok(());
        }
        upsert(self, &entries).await
    }
}

/// The key of the entities the index holds.
pub trait HasId {
    fn id(&self) -> Uuid;
}

macro_rules! has_id {
    ($($module:ident),+) => {
        $(impl HasId for $module::Model {
            fn id(&self) -> Uuid {
                self.id
            }
        })+
    };
}

has_id!(agency, document, task);

/// The `id` column of an indexed entity's table.
fn id_column<E: EntityTrait>() -> sea_orm::sea_query::ColumnRef {
    use sea_orm::sea_query::IntoColumnRef;
    (E::default(), sea_orm::sea_query::Alias::new("id")).into_column_ref()
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: SearchKind,
    pub id: Uuid,
    pub score: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub hits: Vec<Hit>,
    pub total: u64,
}

/// Word matches ranked per query, at most: ranking every one of a million tasks that mention
/// "thông tin" costs seconds and helps nobody. A query matching more should be refined.
pub const CANDIDATES: i64 = 10_000;

/// How much an exact symbol match outranks any match of words.
const SYMBOL_SCORE: f64 = 100.0;

impl Store {
    /// Indexes every agency, document and task that has no entry yet: the entities that existed
    /// before the index did. Runs after migrations. A table whose entities all have entries is
    /// skipped after two counts; otherwise it is read once in key order, in batches, and only
    /// missing or stale entries are written.
    pub async fn index_unindexed(&self) -> Result<u64> {
        let mut indexed = self.index_table::<agency::Entity>(SearchKind::Agency, Entry::agency).await?;
        indexed += self.index_table::<document::Entity>(SearchKind::Document, Entry::document).await?;
        indexed += self.index_table::<task::Entity>(SearchKind::Task, Entry::task).await?;
        Ok(indexed)
    }

    async fn index_table<E>(&self, kind: SearchKind, entry: fn(&E::Model) -> Entry) -> Result<u64>
    where
        E: EntityTrait,
        E::Model: FromQueryResult + Send + Sync + HasId,
    {
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        let count = |sql: String| {
            Count::find_by_statement(sea_orm::Statement::from_string(self.backend(), sql)).one(self.conn())
        };
        let table = E::default().table_name().to_owned();
        let entities = count(format!("SELECT COUNT(*) AS n FROM {table}")).await?.map_or(0, |c| c.n);
        let entries = count(format!("SELECT COUNT(*) AS n FROM search_entry WHERE node_type = '{}'", kind.as_str()))
            .await?
            .map_or(0, |c| c.n);
        if entities == entries {
            return Ok(0);
        }
        let mut after: Option<Uuid> = None;
        let mut written = 0;
        loop {
            let mut batch = E::find().order_by_asc(Expr::col(id_column::<E>())).limit(ENTRIES_PER_STATEMENT as u64);
            if let Some(after) = after {
                batch = batch.filter(Expr::col(id_column::<E>()).gt(after));
            }
            let models = batch.all(self.conn()).await?;
            let Some(last) = models.last() else {
                return Ok(written);
            };
            after = Some(last.id());
            let entries: Vec<Entry> = models.iter().map(entry).collect();
            written += entries.len() as u64;
            upsert(self.conn(), &entries).await?;
        }
    }

    /// Entities matching `query`, best first: a document whose symbol the query spells comes
    /// first, then matches of every word (the last word as a prefix), ranked by the database's
    /// text ranking. `offset` and `limit` page through them. Remembered until the next commit:
    /// the common words of administrative Vietnamese match thousands of entries, all of which
    /// are ranked for every page.
    pub async fn search(&self, query: &str, kinds: &[SearchKind], offset: u64, limit: u64) -> Result<Hits> {
        let key = SearchQuery { text: query.to_owned(), kinds: kinds.to_vec(), offset, limit };
        let mut found = self
            .remembered(self.memo().map(|m| &m.search), vec![key.clone()], |keys| async move {
                let mut out = HashMap::new();
                for key in keys {
                    let hits = self.search_afresh(&key.text, &key.kinds, key.offset, key.limit).await?;
                    out.insert(key, hits);
                }
                Ok(out)
            })
            .await?;
        Ok(found.remove(&key).unwrap_or_default())
    }

    async fn search_afresh(&self, query: &str, kinds: &[SearchKind], offset: u64, limit: u64) -> Result<Hits> {
        let words: Vec<String> = fold(query).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        if words.is_empty() {
            return Ok(Hits::default());
        }
        let key = match DocumentSymbol::parse(query) {
            Ok(symbol) => symbol_key(symbol.normalized()),
            Err(_) => symbol_key(query),
        };
        let postgres = self.backend() == DbBackend::Postgres;
        let mut sql = Sql::new(self.backend());
        // Text that holds the words as written, in order, ranks a point above text that holds them apart.
        let phrase = words.join(" ");
        // The text matches first, on their own: FTS5 ranks only in a query over its table alone.
        if postgres {
            // Words ANDed, the last as a prefix: `thong & tin & doi & ngoai:*`.
            let mut tsquery = words.join(" & ");
            tsquery.push_str(":*");
            sql.push(
                "WITH text_hits AS (SELECT e.node_type, e.node_id, ts_rank(e.search_vector, q.q)::float8 \
                 + CASE WHEN strpos(e.folded, ",
            )
            .bind(phrase)
            .push(") > 0 THEN 1.0 ELSE 0.0 END AS score FROM search_entry e, to_tsquery('simple', ")
            .bind(tsquery)
            .push(") AS q(q) WHERE e.search_vector @@ q.q LIMIT ")
            .bind(CANDIDATES)
            .push(")");
        } else {
            // Each word quoted (it holds only letters and digits), the last as a prefix.
            let mut fts: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            if let Some(last) = fts.last_mut() {
                last.push('*');
            }
            sql.push(
                "WITH text_hits AS MATERIALIZED (SELECT e.node_type, e.node_id, -bm25(search_fts) \
                 + CASE WHEN instr(e.folded, ",
            )
            .bind(phrase)
            .push(
                ") > 0 THEN 1.0 ELSE 0.0 END AS score FROM search_fts JOIN search_entry e ON e.seq = search_fts.rowid \
                 WHERE search_fts MATCH ",
            )
            .bind(fts.join(" "))
            .push(" LIMIT ")
            .bind(CANDIDATES)
            .push(")");
        }
        sql.push(" SELECT node_type, node_id, SUM(score) AS score, COUNT(*) OVER () AS total FROM (");
        if let Some(key) = key {
            sql.push("SELECT e.node_type, e.node_id, ")
                .bind(SYMBOL_SCORE)
                .push(" AS score FROM search_entry e WHERE e.symbol_key = ")
                .bind(key)
                .push(" UNION ALL ");
        }
        sql.push("SELECT node_type, node_id, score FROM text_hits");
        sql.push(") h");
        if !kinds.is_empty() {
            sql.push(" WHERE node_type IN (").bind_list(kinds.iter().map(|k| k.as_str())).push(")");
        }
        sql.push(" GROUP BY node_type, node_id ORDER BY score DESC, node_id LIMIT ")
            .bind(limit as i64)
            .push(" OFFSET ")
            .bind(offset as i64);

        #[derive(FromQueryResult)]
        struct Row {
            node_type: String,
            node_id: Uuid,
            score: f64,
            total: i64,
        }
        let rows = Row::find_by_statement(sql.statement()).all(self.conn()).await?;
        let total = rows.first().map_or(0, |r| r.total as u64);
        let hits = rows
            .into_iter()
            .filter_map(|r| Some(Hit { kind: SearchKind::parse(&r.node_type)?, id: r.node_id, score: r.score }))
            .collect();
        Ok(Hits { hits, total })
    }
}
