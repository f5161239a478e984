//! What the one log line of a request tells, gathered while the request runs: the HTTP layer
//! opens a record around the handler, and the GraphQL layer adds each operation it executed.
//! The record travels with the request's task, so neither layer needs to know the other.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::metrics::Outcome;

/// One GraphQL operation of the request (a batched request has several).
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: Option<String>,
    pub kind: &'static str,
    pub outcome: Outcome,
    pub error_codes: Vec<String>,
    pub sql_statements: usize,
}

tokio::task_local! {
    static CURRENT: Arc<Mutex<Vec<Operation>>>;
}

/// Runs `f` with an open record; returns its output and the operations it executed.
pub async fn scope<F: Future>(f: F) -> (F::Output, Vec<Operation>) {
    let record = Arc::new(Mutex::new(Vec::new()));
    let output = CURRENT.scope(record.clone(), f).await;
    let operations = record.lock().map(|mut ops| std::mem::take(&mut *ops)).unwrap_or_default();
    (output, operations)
}

/// Adds an operation to the record of the running request; does nothing outside one (an
/// operation over a WebSocket).
pub fn note(operation: Operation) {
    let _ = CURRENT.try_with(|record| {
        if let Ok(mut ops) = record.lock() {
            ops.push(operation);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str) -> Operation {
        Operation {
            name: Some(name.to_owned()),
            kind: "query",
            outcome: Outcome::Ok,
            error_codes: vec![],
            sql_statements: 1,
        }
    }

    #[tokio::test]
    async fn operations_noted_inside_the_scope_are_returned_and_others_are_not() {
        note(op("Outside"));
        let ((), ops) = scope(async {
            note(op("First"));
            tokio::task::yield_now().await;
            note(op("Second"));
        })
        .await;
        let names: Vec<_> = ops.iter().filter_map(|o| o.name.as_deref()).collect();
        assert_eq!(names, ["First", "Second"]);
        let ((), ops) = scope(async {}).await;
        assert!(ops.is_empty());
    }
}
