//! Observing each GraphQL operation: its name, type, outcome, duration, error codes and SQL
//! statements go to the metrics and to the request's log line.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest, NextRequest,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerResult, Variables};

use super::RequestContext;
use crate::error::complete_codes;
use crate::metrics::{Metrics, OperationSample, Outcome};
use crate::telemetry::request::{self, Operation};

/// The extension factory: one [`Observation`] per request.
pub struct Observe(pub Metrics);

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Observation { metrics: self.0.clone(), seen: Mutex::default() })
    }
}

/// What the hooks of one request learn before it ends.
#[derive(Default)]
struct Seen {
    requested_name: Option<String>,
    name: Option<String>,
    kind: Option<&'static str>,
    sql_statements: usize,
}

struct Observation {
    metrics: Metrics,
    seen: Mutex<Seen>,
}

impl Observation {
    fn with_seen(&self, f: impl FnOnce(&mut Seen)) {
        if let Ok(mut seen) = self.seen.lock() {
            f(&mut seen);
        }
    }
}

#[async_trait::async_trait]
impl Extension for Observation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let mut response = next.run(ctx).await;
        let duration = started.elapsed();
        // Codes are completed here so that the metrics count what the client receives.
        complete_codes(&mut response);
        let error_codes: Vec<String> = response
            .errors
            .iter()
            .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .collect();
        let outcome = if response.errors.is_empty() { Outcome::Ok } else { Outcome::Error };
        let seen = self.seen.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default();
        let name = seen.name.or(seen.requested_name);
        let kind = seen.kind.unwrap_or("unknown");
        self.metrics.observe_operation(&OperationSample {
            name: name.as_deref(),
            kind,
            outcome,
            duration,
            sql_statements: seen.sql_statements,
            error_codes: &error_codes,
        });
        request::note(Operation { name, kind, outcome, error_codes, sql_statements: seen.sql_statements });
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let requested = request.operation_name.clone();
        self.with_seen(|seen| seen.requested_name = requested);
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.with_seen(|seen| {
            if let Some((name, kind)) = selected_operation(&document, seen.requested_name.as_deref()) {
                seen.name = name;
                seen.kind = Some(kind);
            }
        });
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if let Some(rc) = ctx.data_opt::<RequestContext>() {
            let statements = rc.store.statements();
            self.with_seen(|seen| seen.sql_statements = statements);
        }
        response
    }
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
