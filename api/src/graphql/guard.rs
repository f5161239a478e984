//! The checks every operation passes before it runs, over HTTP and over a WebSocket alike: trusted
//! documents, the limits on its shape and cost, who may introspect, the caller's budget; the time
//! limit while it runs; and a code from the catalogue on every error it returns. It is an
//! async-graphql extension, so that no transport can skip it.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest, NextRequest,
    NextSubscribe,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, Value, Variables};
use chrono::Utc;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::RequestContext;
use crate::domain::policy::Actor;
use crate::error::{Error, ErrorCode, complete_codes, refusal};
use crate::exposure::trusted::{self, TrustedDocuments};
use crate::exposure::{Callers, ExposureSettings};
use crate::limits::rate::{self, Budget, Charge, Window};
use crate::limits::shape::{Shape, TypeIndex};
use crate::limits::{LimitSettings, describe};

/// The limits and exposure settings in force, with what the checks need of the schema.
pub struct Guard {
    pub limits: LimitSettings,
    pub introspection: Callers,
    pub graphiql: Callers,
    pub trusted: Option<TrustedDocuments>,
    types: TypeIndex,
}

/// The network address of the client, to tell anonymous readers apart for the rate limit.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub Option<String>);

impl Guard {
    pub fn new(limits: LimitSettings, exposure: &ExposureSettings) -> anyhow::Result<Self> {
        let trusted = exposure.trusted_documents.as_deref().map(TrustedDocuments::load).transpose()?;
        let types = TypeIndex::from_sdl(&super::schema::sdl()).map_err(anyhow::Error::msg)?;
        Ok(Self {
            limits,
            introspection: exposure.introspection.clone(),
            graphiql: exposure.graphiql.clone(),
            trusted,
            types,
        })
    }

    /// Fills in a document sent by its hash and checks it against the trusted documents.
    pub fn resolve(&self, request: &mut Request) -> Result<(), Error> {
        trusted::resolve(self.trusted.as_ref(), request)
    }

    /// The first limit the shape goes over, as the error that refuses it.
    fn check(&self, shape: &Shape, actor: Option<&Actor>) -> Result<(), ServerError> {
        if shape.introspects
            && let Some(actor) = actor
            && !self.introspection.admits(actor)
        {
            return Err(refusal(
                ErrorCode::Forbidden,
                format!(
                    "introspection (__schema, __type) is open to {} on this service (setting introspection)",
                    self.introspection
                ),
                [],
            ));
        }
        let l = &self.limits;
        let cost = shape.cost();
        // The whole budget of a minute caps a single operation too, or it could never run.
        let budget = if l.rate_limit > 0 { l.rate_limit } else { u64::MAX };
        let limits: [(&'static str, u64, u64, &dyn Fn() -> String); 7] = [
            ("max-depth", l.max_depth, shape.depth, &|| format!("the operation nests fields {} deep", shape.depth)),
            ("max-aliases", l.max_aliases, shape.aliases, &|| format!("the operation has {} aliases", shape.aliases)),
            ("max-root-fields", l.max_root_fields, shape.root_fields, &|| {
                format!("the operation asks for {} root fields", shape.root_fields)
            }),
            ("max-directives", l.max_directives, shape.directives, &|| {
                format!("{} carries {} directives", shape.directives_on, shape.directives)
            }),
            ("max-nodes", l.max_nodes, shape.nodes, &|| {
                format!("the connections of the operation can return {} objects", shape.nodes)
            }),
            ("max-cost", l.max_cost, cost, &|| format!("the operation costs {cost} points")),
            ("rate-limit", budget, cost, &|| {
                format!("the operation costs {cost} points, more than a whole minute's budget")
            }),
        ];
        match limits.into_iter().find(|(_, maximum, actual, _)| actual > maximum) {
            Some((limit, maximum, actual, what)) => Err(refusal(
                ErrorCode::QueryTooComplex,
                format!("{}; this service allows at most {maximum} (limit {limit})", what()),
                [("limit", Value::from(limit)), ("maximum", Value::from(maximum)), ("actual", Value::from(actual))],
            )),
            None => Ok(()),
        }
    }
}

/// Installs the guard on a schema.
pub struct GuardExtension(pub Arc<Guard>);

impl ExtensionFactory for GuardExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Checks { guard: self.0.clone(), state: Mutex::default() })
    }
}

/// One request's checks.
struct Checks {
    guard: Arc<Guard>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    operation_name: Option<String>,
    shape: Option<Shape>,
    budget: Option<Budget>,
}

impl Checks {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn charge(&self, ctx: &ExtensionContext<'_>, cost: u64) -> Result<(), ServerError> {
        let limit = self.guard.limits.rate_limit;
        let Some(rc) = ctx.data_opt::<RequestContext>().filter(|_| limit > 0) else { return Ok(()) };
        let address = ctx.data_opt::<ClientAddress>().and_then(|a| a.0.as_deref());
        let sub = match &rc.actor {
            Actor::User(user) => Some(user.sub.as_str()),
            Actor::Anonymous => None,
        };
        let subject = rate::subject(sub, address);
        let now = Utc::now();
        match rc.store.charge(&subject, Window::at(now), cost, limit).await.map_err(Error::into_refusal)? {
            Charge::Spent(budget) => {
                self.state().budget = Some(budget);
                Ok(())
            }
            Charge::Refused(budget) => {
                let retry_after = budget.retry_after(now);
                let message = format!(
                    "the rate limit of {limit} points per minute is spent: {} points are left and this operation \
                     costs {cost}; the budget is whole again at {} (in {retry_after} s)",
                    budget.remaining,
                    budget.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
                let error = refusal(
                    ErrorCode::RateLimited,
                    message,
                    [
                        ("resetAt", Value::from(budget.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
                        ("retryAfter", Value::from(retry_after)),
                        ("limit", Value::from(limit)),
                        ("remaining", Value::from(budget.remaining)),
                    ],
                );
                self.state().budget = Some(budget);
                Err(error)
            }
        }
    }
}

#[async_trait::async_trait]
impl Extension for Checks {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        complete_codes(&mut response);
        let state = std::mem::take(&mut *self.state());
        if let Some(shape) = state.shape {
            let mut cost = serde_json::json!({ "requested": shape.cost(), "nodes": shape.nodes });
            if let Some(budget) = state.budget {
                cost["limit"] = budget.limit.into();
                cost["remaining"] = budget.remaining.into();
                cost["resetAt"] = budget.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
            }
            response.extensions.insert("cost".to_owned(), Value::from_json(cost).unwrap_or_default());
        }
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let coded = stream.map(|mut response| {
            complete_codes(&mut response);
            response
        });
        next.run(ctx, Box::pin(coded))
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.guard.resolve(&mut request).map_err(Error::into_refusal)?;
        self.state().operation_name = request.operation_name.clone();
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
        let name = self.state().operation_name.clone();
        let Some(shape) = Shape::measure(&self.guard.types, &document, name.as_deref(), variables) else {
            return Ok(document); // no operation by that name: the engine says so
        };
        let cost = shape.cost();
        let actor = ctx.data_opt::<RequestContext>().map(|rc| &rc.actor);
        let checked = self.guard.check(&shape, actor);
        self.state().shape = Some(shape);
        checked?;
        self.charge(ctx, cost).await?;
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let timeout = self.guard.limits.execution_timeout;
        if let Ok(response) = tokio::time::timeout(timeout, next.run(ctx, operation_name)).await {
            return response;
        }
        let mutation = self.state().shape.as_ref().and_then(|s| s.kind) == Some(OperationType::Mutation);
        let mut message = format!(
            "the operation ran longer than the execution time limit of {} (limit execution-timeout) and was stopped",
            describe(timeout)
        );
        if mutation {
            message.push_str(
                "; a mutation stopped this way is rolled back unless it was already committing: retry it with the \
                 same idempotencyKey to be sure it is applied once",
            );
        }
        let seconds = Value::from(timeout.as_secs_f64());
        Response::from_errors(vec![refusal(
            ErrorCode::QueryTooComplex,
            message,
            [("limit", Value::from("execution-timeout")), ("maximum", seconds)],
        )])
    }
}
