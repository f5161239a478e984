//! Hand-written SQL for the analytical reads (lineage, status, rollups, search), with bound values
//! and the filters that sea-query builds for the lists spliced in.

use sea_orm::sea_query::{Expr, PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder};
use sea_orm::{DbBackend, Statement, Value};

/// SQL text and its bound values, numbered `$1`, `$2`… in the order they were bound. Both backends
/// accept that form.
#[derive(Debug, Clone)]
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Self { backend, text: String::new(), values: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        let n = self.values.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// Appends placeholders for each value, separated by commas; for no values, `NULL`, because
    /// PostgreSQL refuses an empty `IN ()` and `x IN (NULL)` holds for no `x` (never use the list
    /// after `NOT IN`).
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        let mut empty = true;
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
            empty = false;
        }
        if empty {
            self.push("NULL");
        }
        self
    }

    /// Appends a statement built with sea-query (a filter as a sub-select), renumbering its
    /// placeholders to follow the values bound so far.
    pub fn push_select(&mut self, select: &SelectStatement) -> &mut Self {
        let (text, values) = match self.backend {
            DbBackend::Postgres => select.build(PostgresQueryBuilder),
            _ => select.build(SqliteQueryBuilder),
        };
        let offset = self.values.len();
        self.text.push_str(&renumber(&text, offset, self.backend));
        self.values.extend(values.0);
        self
    }

    /// The text as an expression for sea-query to splice into a statement it builds for the
    /// same backend.
    pub fn into_expr(self) -> Expr {
        let text = match self.backend {
            DbBackend::Postgres => self.text,
            // sea-query's SQLite builder takes `?` in order; values were bound in order of appearance.
            _ => renumber_to_question_marks(&self.text),
        };
        Expr::cust_with_values(text, self.values)
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Rewrites the placeholders of a statement built by sea-query as `$n` counting on from `offset`:
/// PostgreSQL's are `$1`…, SQLite's are `?`. Quoted text and identifiers are left alone.
fn renumber(text: &str, offset: usize, backend: DbBackend) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let mut seen = 0;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' if backend != DbBackend::Postgres => {
                seen += 1;
                out.push_str(&format!("${}", offset + seen));
            }
            '$' if backend == DbBackend::Postgres && chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    n.push(d);
                    chars.next();
                }
                let n: usize = n.parse().expect("digits");
                out.push_str(&format!("${}", offset + n));
            }
            _ => out.push(c),
        }
    }
    out
}

fn renumber_to_question_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_matches_nothing_on_every_backend() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let mut sql = Sql::new(backend);
            sql.push("x IN (").bind_list(Vec::<i64>::new()).push(") AND y IN (").bind_list([1_i64, 2]).push(")");
            let statement = sql.statement();
            assert_eq!(statement.sql, "x IN (NULL) AND y IN ($1, $2)");
            assert_eq!(statement.values.map_or(0, |v| v.0.len()), 2, "no value is bound for the empty list");
        }
    }

    #[test]
    fn placeholders_follow_the_values_already_bound() {
        assert_eq!(renumber(r#"SELECT "a?" FROM t WHERE x = $1 AND y IN ($2, $3)"#, 2, DbBackend::Postgres), {
            r#"SELECT "a?" FROM t WHERE x = $3 AND y IN ($4, $5)"#
        });
        assert_eq!(
            renumber(r#"SELECT 'it''s ?' FROM t WHERE x = ? AND y = ?"#, 1, DbBackend::Sqlite),
            r#"SELECT 'it''s ?' FROM t WHERE x = $2 AND y = $3"#
        );
        assert_eq!(
            renumber_to_question_marks("a = $1 AND b = '$2' AND c IN ($2, $3)"),
            "a = ? AND b = '$2' AND c IN (?, ?)"
        );
    }
}
