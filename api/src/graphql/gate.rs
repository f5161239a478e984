//! The one way an operation reaches the schema, over HTTP and over a WebSocket alike: [`Gate`] is
//! the executor both transports run, so that none can skip it. Before anything runs it applies the
//! checks on the text ([`super::input`]) and the guard's limits, introspection rule and budget
//! ([`super::guard`]); then, for a large operation, its turn within the objects in flight
//! ([`crate::limits::in_flight`]); while the operation runs, the time limit; after, a code from the
//! catalogue on every error, the cost in `extensions.cost`, and the metrics and log line
//! ([`super::observe`]).
//!
//! These live around the schema rather than in async-graphql extensions because the engine passes
//! every field and every list item of an answer through the extension chain as soon as a schema
//! has one extension (one boxed future per extension per field, about a fifth of a large nested
//! read's instructions), and none of these checks looks at single fields.

use std::any::TypeId;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError, Value};
use futures_util::stream::{self, BoxStream, StreamExt};

use super::RequestContext;
use super::context::KnownStatuses;
use super::documents::ParsedDocuments;
use super::guard::{ClientAddress, Guard};
use super::input;
use super::observe::{self, Observed};
use super::schema::AppSchema;
use crate::domain::policy::Actor;
use crate::error::complete_codes;
use crate::limits::in_flight::InFlight;
use crate::limits::rate::Budget;
use crate::limits::shape::Shape;
use crate::metrics::Metrics;
use crate::store::Store;

/// The serving schema behind its checks.
#[derive(Clone)]
pub struct Gate {
    schema: AppSchema,
    guard: Arc<Guard>,
    metrics: Metrics,
    documents: Arc<ParsedDocuments>,
    in_flight: InFlight,
}

/// Distinct documents remembered parsed: more than the queries of the clients and pages that use
/// the service, few enough to stay small (each text at most 8 KiB).
const REMEMBERED_DOCUMENTS: usize = 512;

/// Who sends an operation, as the checks need to know them.
struct Caller {
    store: Option<Store>,
    actor: Option<Actor>,
    address: Option<String>,
}

impl Caller {
    fn of(data: Option<&Data>) -> Self {
        let context = data.and_then(|d| d.get(&TypeId::of::<RequestContext>())?.downcast_ref::<RequestContext>());
        let address = data.and_then(|d| d.get(&TypeId::of::<ClientAddress>())?.downcast_ref::<ClientAddress>());
        Self {
            store: context.map(|c| c.store.clone()),
            actor: context.map(|c| c.actor.clone()),
            address: address.and_then(|a| a.0.clone()),
        }
    }
}

/// What the checks learnt of an operation, admitted or not.
#[derive(Default)]
struct Admission {
    observed: Observed,
    shape: Option<Shape>,
    budget: Option<Budget>,
}

impl Admission {
    fn kind(&self) -> Option<OperationType> {
        self.shape.as_ref().and_then(|s| s.kind)
    }

    /// How many objects the operation's connections may return.
    fn nodes(&self) -> u64 {
        self.shape.as_ref().map_or(0, |s| s.nodes)
    }

    /// What the engine is given for an admitted operation: a query remembers the statuses its
    /// filters judged, for its fields to reuse.
    fn prepare(&self, request: &mut Request) {
        if self.kind() == Some(OperationType::Query) {
            request.data.insert(KnownStatuses::default());
        }
    }

    /// `extensions.cost` of the response: what the operation was measured to cost, and the
    /// caller's budget when one was charged.
    fn cost(&self) -> Option<Value> {
        let shape = self.shape.as_ref()?;
        let mut cost = serde_json::json!({ "requested": shape.cost(), "nodes": shape.nodes });
        if let Some(budget) = &self.budget {
            cost["limit"] = budget.limit.into();
            cost["remaining"] = budget.remaining.into();
            cost["resetAt"] = budget.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
        }
        Value::from_json(cost).ok()
    }
}

impl Gate {
    pub fn new(schema: AppSchema, guard: Arc<Guard>, metrics: Metrics) -> Self {
        let in_flight = InFlight::new(guard.limits.nodes_in_flight);
        Self { schema, guard, metrics, documents: Arc::new(ParsedDocuments::new(REMEMBERED_DOCUMENTS)), in_flight }
    }

    /// Runs `answer`, the answer of an admitted query or mutation, once the operation has its turn
    /// among the objects in flight, within the time limit; the wait counts against the limit, as
    /// the client waits all the same. Past the limit, the refusal that says so.
    async fn run<T>(&self, admission: &Admission, answer: impl Future<Output = T>) -> Result<T, Response> {
        let turn = async {
            let _share = self.in_flight.enter(admission.nodes()).await;
            answer.await
        };
        tokio::time::timeout(self.guard.limits.execution_timeout, turn)
            .await
            .map_err(|_| self.guard.timed_out(admission.kind()))
    }

    /// Every check before the operation runs, in order: the trusted document, the text's nesting
    /// and NUL characters, the parse, the shape's limits and who may introspect, the budget. The
    /// document stays parsed in `request`, so the engine does not parse it again; a text that
    /// passed the checks on the text before is not parsed or checked again.
    async fn admit(
        &self,
        request: &mut Request,
        caller: &Caller,
        admission: &mut Admission,
    ) -> Result<(), ServerError> {
        admission.observed.requested_name = request.operation_name.clone();
        self.guard.resolve(request).map_err(crate::error::Error::into_refusal)?;
        let remembered = self.documents.get(&request.query);
        // The text of a document seen for the first time, to remember it by once it passes.
        let first_seen = remembered.is_none().then(|| request.query.clone());
        if first_seen.is_some() {
            input::check_nesting(&request.query).map_err(crate::error::Error::into_refusal)?;
        }
        input::check_variables(&request.variables).map_err(crate::error::Error::into_refusal)?;
        if let Some(document) = remembered {
            request.set_parsed_query(document);
        }
        let name = request.operation_name.clone();
        let variables = request.variables.clone();
        let document = request.parsed_query()?;
        if let Some(text) = first_seen {
            input::check_literals(document).map_err(crate::error::Error::into_refusal)?;
            self.documents.keep(text, document);
        }
        admission.observed.select(document);
        // No operation by that name: the engine says so.
        let Some(shape) = Shape::measure(self.guard.types(), document, name.as_deref(), &variables) else {
            return Ok(());
        };
        let cost = shape.cost();
        let checked = self.guard.check(&shape, caller.actor.as_ref());
        admission.shape = Some(shape);
        checked?;
        if let (Some(store), Some(actor)) = (&caller.store, &caller.actor) {
            self.guard.charge(store, actor, caller.address.as_deref(), cost, &mut admission.budget).await?;
        }
        Ok(())
    }
}

impl Executor for Gate {
    async fn execute(&self, mut request: Request) -> Response {
        let started = Instant::now();
        let caller = Caller::of(Some(&request.data));
        let mut admission = Admission::default();
        let mut response = match self.admit(&mut request, &caller, &mut admission).await {
            Err(refused) => Response::from_errors(vec![refused]),
            Ok(()) => {
                admission.prepare(&mut request);
                self.run(&admission, self.schema.execute(request)).await.unwrap_or_else(|timed_out| timed_out)
            }
        };
        complete_codes(&mut response);
        if let Some(cost) = admission.cost() {
            response.extensions.insert("cost".to_owned(), cost);
        }
        let statements = caller.store.as_ref().map_or(0, Store::statements);
        observe::report(&self.metrics, admission.observed, &response, started.elapsed(), statements);
        response
    }

    fn execute_stream(&self, mut request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let gate = self.clone();
        let admitted = async move {
            let caller = Caller::of(session_data.as_deref());
            let mut admission = Admission::default();
            if let Err(refused) = gate.admit(&mut request, &caller, &mut admission).await {
                let mut response = Response::from_errors(vec![refused]);
                complete_codes(&mut response);
                return stream::once(async { response }).boxed();
            }
            admission.prepare(&mut request);
            let responses = gate.schema.execute_stream_with_session_data(request, session_data.unwrap_or_default());
            let responses = match admission.kind() {
                // A subscription runs as long as the client wants it; the turn and the time limit
                // are for the one answer of a query or mutation.
                Some(OperationType::Subscription) | None => responses,
                Some(_) => {
                    let first = async move {
                        match gate.run(&admission, responses.into_future()).await {
                            Ok((response, _)) => response,
                            Err(timed_out) => Some(timed_out),
                        }
                    };
                    stream::once(first).filter_map(|r| async { r }).boxed()
                }
            };
            responses
                .map(|mut response| {
                    complete_codes(&mut response);
                    response
                })
                .boxed()
        };
        stream::once(admitted).flatten().boxed()
    }
}
