//! Observing each GraphQL operation: its name, type, outcome, duration, error codes and SQL
//! statements go to the metrics and to the request's log line.

use std::time::Duration;

use async_graphql::Response;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};

use crate::metrics::{Metrics, OperationSample, Outcome};
use crate::telemetry::request::{self, Operation};

/// What the checks learn of an operation's name and type before it runs.
#[derive(Default)]
pub struct Observed {
    /// `operationName` as the request gave it.
    pub requested_name: Option<String>,
    name: Option<String>,
    kind: Option<&'static str>,
}

impl Observed {
    /// Learns the name and type of the operation the parsed `document` runs.
    pub fn select(&mut self, document: &ExecutableDocument) {
        if let Some((name, kind)) = selected_operation(document, self.requested_name.as_deref()) {
            self.name = name;
            self.kind = Some(kind);
        }
    }
}

/// Counts a finished operation in the metrics and adds it to the request's log line.
pub fn report(metrics: &Metrics, observed: Observed, response: &Response, duration: Duration, sql_statements: usize) {
    let error_codes: Vec<String> = response
        .errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        })
        .collect();
    let outcome = if response.errors.is_empty() { Outcome::Ok } else { Outcome::Error };
    let name = observed.name.or(observed.requested_name);
    let kind = observed.kind.unwrap_or("unknown");
    metrics.observe_operation(&OperationSample {
        name: name.as_deref(),
        kind,
        outcome,
        duration,
        sql_statements,
        error_codes: &error_codes,
    });
    request::note(Operation { name, kind, outcome, error_codes, sql_statements });
}

/// The name and type of the operation a request runs, as GraphQL selects it: the one named by
/// `operationName`, or the document's only operation. `None` when the request is ambiguous.
fn selected_operation(
    document: &ExecutableDocument,
    requested: Option<&str>,
) -> Option<(Option<String>, &'static str)> {
    let kind = |ty: OperationType| match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    match (&document.operations, requested) {
        (DocumentOperations::Single(op), None) => Some((None, kind(op.node.ty))),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| (Some(name.to_owned()), kind(op.node.ty)))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.iter().next().map(|(name, op)| (Some(name.to_string()), kind(op.node.ty)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(query: &str, requested: Option<&str>) -> Option<(Option<String>, &'static str)> {
        selected_operation(&async_graphql::parser::parse_query(query).unwrap(), requested)
    }

    #[test]
    fn the_operation_is_the_one_graphql_would_run() {
        assert_eq!(select("{ a }", None), Some((None, "query")));
        assert_eq!(select("query Tasks { a }", None), Some((Some("Tasks".into()), "query")));
        let two = "query A { a } mutation B { b }";
        assert_eq!(select(two, Some("B")), Some((Some("B".into()), "mutation")));
        assert_eq!(select(two, None), None, "ambiguous: GraphQL refuses it");
        assert_eq!(select(two, Some("C")), None);
        assert_eq!(select("subscription S { a }", Some("S")), Some((Some("S".into()), "subscription")));
    }
}
