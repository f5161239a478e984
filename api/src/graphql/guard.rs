//! The checks every operation passes before it runs, over HTTP and over a WebSocket alike: trusted
//! documents, the limits on its shape and cost, who may introspect, the caller's budget; the time
//! limit while it runs. [`super::gate::Gate`] applies them to every operation.

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, ServerError, Value};
use chrono::Utc;

use crate::domain::policy::Actor;
use crate::error::{Error, ErrorCode, refusal};
use crate::exposure::trusted::{self, TrustedDocuments};
use crate::exposure::{Callers, ExposureSettings};
use crate::limits::rate::{self, Budget, Charge, Window};
use crate::limits::shape::{Shape, TypeIndex};
use crate::limits::{LimitSettings, describe};
use crate::store::Store;

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
    pub fn check(&self, shape: &Shape, actor: Option<&Actor>) -> Result<(), ServerError> {
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

impl Guard {
    /// What the shape measure needs to know of the schema.
    pub fn types(&self) -> &TypeIndex {
        &self.types
    }

    /// Charges `cost` to the caller's budget for this minute, shared by every instance; `budget`
    /// learns what is left, whether the operation is admitted or refused.
    pub async fn charge(
        &self,
        store: &Store,
        actor: &Actor,
        address: Option<&str>,
        cost: u64,
        budget: &mut Option<Budget>,
    ) -> Result<(), ServerError> {
        let limit = self.limits.rate_limit;
        if limit == 0 {
            return Ok(());
        }
        let sub = match actor {
            Actor::User(user) => Some(user.sub.as_str()),
            Actor::Anonymous => None,
        };
        let subject = rate::subject(sub, address);
        let now = Utc::now();
        match store.charge(&subject, Window::at(now), cost, limit).await.map_err(Error::into_refusal)? {
            Charge::Spent(spent) => {
                *budget = Some(spent);
                Ok(())
            }
            Charge::Refused(left) => {
                let retry_after = left.retry_after(now);
                let message = format!(
                    "the rate limit of {limit} points per minute is spent: {} points are left and this operation \
                     costs {cost}; the budget is whole again at {} (in {retry_after} s)",
                    left.remaining,
                    left.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
                let error = refusal(
                    ErrorCode::RateLimited,
                    message,
                    [
                        ("resetAt", Value::from(left.resets_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
                        ("retryAfter", Value::from(retry_after)),
                        ("limit", Value::from(limit)),
                        ("remaining", Value::from(left.remaining)),
                    ],
                );
                *budget = Some(left);
                Err(error)
            }
        }
    }

    /// The answer of an operation of `kind` stopped at the execution time limit.
    pub fn timed_out(&self, kind: Option<OperationType>) -> Response {
        let timeout = self.limits.execution_timeout;
        let mut message = format!(
            "the operation took longer than the execution time limit of {} (limit execution-timeout; a large \
             operation's wait for its turn among the others counts) and was stopped",
            describe(timeout)
        );
        if kind == Some(OperationType::Mutation) {
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
