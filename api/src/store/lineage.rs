//! Lineage along IMPLEMENTS links: every document above or below a document, each once, at its
//! shortest distance with one path to it. One recursive statement for any number of roots.

use std::collections::HashMap;

use entity::document;
use entity::sea_orm_active_enums::RelationKind;
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::Store;
use super::documents::{Direction, DocumentQuery, query_condition};
use super::page::{Page, Window, collect_pages};
use super::sql::Sql;
use crate::error::Result;

/// Separates the symbols of a path while SQL builds it; no symbol holds it.
const PATH_SEPARATOR: &str = "\u{1f}";

/// A document reached from a root.
#[derive(Debug, Clone)]
pub struct Lineage {
    pub document: document::Model,
    /// Links between the root and the document on the shortest path.
    pub depth: i32,
    /// Symbols from the root to the document, both included.
    pub path: Vec<String>,
}

/// What to walk: up (`Targets`, what the roots carry out) or down (`Sources`), how far, and which
/// of the documents reached to return.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineageSpec {
    pub direction: Direction,
    pub max_depth: i32,
    pub filter: DocumentQuery,
    /// A page of each root's list, ordered by depth then creation; all of it without one.
    pub window: Option<Window>,
}

/// Appends `WITH RECURSIVE walk(root, id, depth, path) AS (…)`: every path from each root, up to
/// `max_depth` links. IMPLEMENTS links never form a cycle, and the depth bounds the walk anyway.
pub(super) fn push_walk(sql: &mut Sql, roots: &[Uuid], direction: Direction, max_depth: i32) {
    let (here, next) = match direction {
        Direction::Sources => ("to_id", "from_id"),
        Direction::Targets => ("from_id", "to_id"),
    };
    sql.push(
        "WITH RECURSIVE walk(root, id, depth, path) AS (SELECT d.id, d.id, 0, d.symbol FROM document d WHERE d.id IN (",
    )
    .bind_list(roots.iter().copied())
    .push(&format!(") UNION ALL SELECT w.root, r.{next}, w.depth + 1, w.path || "))
    .bind(PATH_SEPARATOR)
    .push(&format!(" || n.symbol FROM walk w JOIN document_relation r ON r.{here} = w.id AND r.kind = "))
    .bind(RelationKind::Implements.as_str())
    .push(&format!(" JOIN document n ON n.id = r.{next} WHERE w.depth < "))
    .bind(max_depth)
    .push(")");
}

impl Store {
    pub async fn lineage(&self, roots: &[Uuid], spec: &LineageSpec) -> Result<HashMap<Uuid, Page<Lineage>>> {
        // Only pages (at most a hundred documents) are remembered: a whole cascade, read for an
        // export or a diagram, may hold thousands.
        let memo = self.memo().map(|m| &m.lineage).filter(|_| spec.window.is_some());
        let keys = roots.iter().map(|root| (*root, spec.clone())).collect();
        let found = self
            .remembered(memo, keys, |missing: Vec<(Uuid, LineageSpec)>| async move {
                let roots: Vec<Uuid> = missing.iter().map(|(root, _)| *root).collect();
                let pages = self.walk_lineage(&roots, spec).await?;
                Ok(pages.into_iter().map(|(root, page)| ((root, spec.clone()), page)).collect())
            })
            .await?;
        Ok(found.into_iter().map(|((root, _), page)| (root, page)).collect())
    }

    /// The lineage pages, walked afresh: one statement.
    async fn walk_lineage(&self, roots: &[Uuid], spec: &LineageSpec) -> Result<HashMap<Uuid, Page<Lineage>>> {
        let mut sql = Sql::new(self.backend());
        push_walk(&mut sql, roots, spec.direction, spec.max_depth);
        // Each document once per root: at its least depth, by the first path in symbol order.
        sql.push(
            ", best AS (SELECT root, id, depth, path, ROW_NUMBER() OVER (PARTITION BY root, id ORDER BY depth, path) \
             AS rn FROM walk WHERE depth > 0)",
        );
        sql.push(", found AS (SELECT root, id, depth, path, COUNT(*) OVER (PARTITION BY root) AS total FROM best WHERE rn = 1");
        if spec.filter != DocumentQuery::default() {
            let ids = Query::select()
                .column((document::Entity, document::Column::Id))
                .from(document::Entity)
                .cond_where(query_condition(&spec.filter))
                .to_owned();
            sql.push(" AND id IN (").push_select(&ids).push(")");
        }
        sql.push(")");
        // Rows past the cursor are numbered first; one row before it at most stays, to carry the total.
        sql.push(", marked AS (SELECT f.*, ");
        match spec.window.and_then(|w| w.after) {
            Some(after) => {
                sql.push(
                    "CASE WHEN (f.depth, f.id) > (SELECT c.depth, c.id FROM found c WHERE c.root = f.root AND c.id = ",
                )
                .bind(after)
                .push(") THEN 1 ELSE 0 END");
            }
            None => {
                sql.push("1");
            }
        }
        sql.push(
            " AS past FROM found f), numbered AS (SELECT m.*, ROW_NUMBER() OVER (PARTITION BY root ORDER BY past DESC, \
             depth, id) AS pos FROM marked m) SELECT n.root AS w_root, n.depth AS l_depth, n.path AS l_path, \
             n.total AS w_total, n.past AS w_past, d.* FROM numbered n JOIN document d ON d.id = n.id",
        );
        if let Some(window) = spec.window {
            sql.push(" WHERE n.pos <= ").bind(window.limit as i64 + 1);
        }
        sql.push(" ORDER BY n.root, n.pos");

        let rows = self.conn().query_all_raw(sql.statement()).await?;
        collect_pages(rows, roots, spec.window, |row| {
            let path: String = row.try_get("", "l_path")?;
            Ok(Lineage {
                document: document::Model::from_query_result(row, "")?,
                depth: row.try_get("", "l_depth")?,
                path: path.split(PATH_SEPARATOR).map(str::to_owned).collect(),
            })
        })
    }
}
