//! Keyset pagination in creation order (ids are UUID v7), for top-level lists and, batched with
//! window functions, for the lists nested under many parents at once.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, ColumnRef, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use uuid::Uuid;

use crate::error::Result;

/// A validated page request: `first`/`after` or `last`/`before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Uuid>,
    pub before: Option<Uuid>,
    /// `last` was given: take the page from the end.
    pub from_end: bool,
}

/// A forward page of each of many parents' lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub limit: u64,
    pub after: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
    pub total: Option<u64>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { items: Vec::new(), has_next: false, has_previous: false, total: Some(0) }
    }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
        }
    }
}

/// One page of `select`, ordered by `id`. The total is counted separately, only when asked for.
pub async fn fetch_page<E, C>(conn: &C, select: Select<E>, id: E::Column, req: PageRequest) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let total = None;
    let mut q = select;
    if let Some(after) = req.after {
        q = q.filter(id.gt(after));
    }
    if let Some(before) = req.before {
        q = q.filter(id.lt(before));
    }
    let order = if req.from_end { Order::Desc } else { Order::Asc };
    let mut items = q.order_by(id, order).limit(req.limit + 1).all(conn).await?;
    let more = items.len() as u64 > req.limit;
    items.truncate(req.limit as usize);
    if req.from_end {
        items.reverse();
        Ok(Page { items, has_previous: more, has_next: req.before.is_some(), total })
    } else {
        Ok(Page { items, has_next: more, has_previous: req.after.is_some(), total })
    }
}

/// The first page of each parent's list in one statement. `select` yields the child rows, `parent`
/// is the column naming each row's parent (in a joined table where needed), `id` the child's key
/// column. Parents with no children get an empty page.
pub async fn fetch_windows<E, C>(
    conn: &C,
    select: Select<E>,
    parent: ColumnRef,
    id: E::Column,
    parents: &[Uuid],
    window: Window,
) -> Result<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let (p, total, rn) = (Alias::new("w_root"), Alias::new("w_total"), Alias::new("w_rn"));
    let id_col = Alias::new(id.as_str());

    // Innermost: every child of the parents, with the size of its parent's whole list.
    let mut all = select.filter(Expr::col(parent.clone()).is_in(parents.iter().copied())).into_query();
    all.expr_as(Expr::col(parent.clone()), p.clone()).expr_window_as(
        Expr::cust("COUNT(*)"),
        WindowStatement::partition_by(parent),
        total,
    );

    // Middle: rows numbered within each parent, those past the cursor first. Rows before the
    // cursor are kept (as the first row, at most) only so that every parent's total reaches us.
    let past: Expr = match window.after {
        Some(after) => Expr::case(Expr::col(id_col.clone()).gt(after), 1).finally(0).into(),
        None => Expr::val(1),
    };
    let mut numbered = Query::select();
    numbered
        .column(Asterisk)
        .expr_as(past.clone(), Alias::new("w_past"))
        .from_subquery(all, Alias::new("w_all"))
        .expr_window_as(
            Expr::cust("ROW_NUMBER()"),
            WindowStatement::partition_by(p.clone())
                .order_by_expr(past, Order::Desc)
                .order_by(id_col, Order::Asc)
                .take(),
            rn.clone(),
        );

    // Outer: one row more than the page, to know whether there is a next page.
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(numbered, Alias::new("w_numbered"))
        .and_where(Expr::col(rn.clone()).lte(window.limit + 1))
        .order_by(p, Order::Asc)
        .order_by(rn, Order::Asc);

    let rows = conn.query_all(&outer).await?;
    collect_pages(rows, parents, Some(window), |row| Ok(E::Model::from_query_result(row, "")?))
}

/// Pages of many parents' lists from rows that carry, besides the item, `w_root` (the parent),
/// `w_total` (the size of its whole list) and `w_past` (1 for a row after the cursor, 0 for the one
/// row before it kept only to carry the total), in page order. `limit` of `None` takes every row.
pub fn collect_pages<T>(
    rows: Vec<sea_orm::QueryResult>,
    roots: &[Uuid],
    window: Option<Window>,
    item: impl Fn(&sea_orm::QueryResult) -> Result<T>,
) -> Result<HashMap<Uuid, Page<T>>> {
    let mut pages: HashMap<Uuid, Page<T>> = roots.iter().map(|r| (*r, Page::default())).collect();
    let limit = window.map_or(u64::MAX, |w| w.limit);
    for row in rows {
        let root: Uuid = row.try_get("", "w_root")?;
        let total: i64 = row.try_get("", "w_total")?;
        let past: i32 = row.try_get("", "w_past")?;
        let page = pages.entry(root).or_default();
        page.total = Some(total as u64);
        page.has_previous = window.is_some_and(|w| w.after.is_some());
        if past == 0 {
            continue;
        }
        if page.items.len() as u64 == limit {
            page.has_next = true;
            continue;
        }
        page.items.push(item(&row)?);
    }
    Ok(pages)
}
