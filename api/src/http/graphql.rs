//! `POST /graphql` and `GET /graphql`: GraphQL over HTTP, and the explorer for browsers.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use async_graphql::parser::types::OperationType;
use async_graphql::{Executor, ServerError, Value};

use super::auth::{authenticate, request_id};
use super::graphiql;
use super::negotiate::{Media, body, negotiate};
use super::wire::{self, Incoming, Refused};
use crate::app::AppState;
use crate::domain::i18n;
use crate::domain::policy::Actor;
use crate::error::{ErrorCode, refusal};
use crate::graphql::RequestContext;
use crate::graphql::batching::{Spawner, run_with};
use crate::graphql::guard::ClientAddress;
use crate::graphql::input;

/// A request with this header set to `sql` gets `extensions.sqlStatements` in its response.
pub const DEBUG_HEADER: &str = "x-directives-debug";

pub async fn post(state: web::Data<AppState>, http: HttpRequest, payload: web::Payload) -> HttpResponse {
    let id = request_id(&http);
    let Some(media) = negotiate(&http) else { return not_acceptable(&id) };
    let actor = match authenticate(&state, &http) {
        Ok(actor) => actor,
        Err(why) => return unauthenticated(media, &id, &why),
    };
    match wire::read_post(&http, payload, &state.guard.limits).await {
        Err(refused) => refuse(media, &id, refused),
        Ok(Incoming::Single(request)) => {
            let response = execute(&state, &http, actor, id.clone(), *request).await;
            respond(media, &id, response)
        }
        Ok(Incoming::Batch(requests)) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(&state, &http, actor.clone(), id.clone(), request).await);
            }
            respond_batch(media, &id, responses)
        }
    }
}

/// A browser asking for HTML gets GraphiQL; anything else is a query in the URL.
pub async fn get(state: web::Data<AppState>, http: HttpRequest) -> HttpResponse {
    let wants_html = http
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && http.query_string().is_empty() {
        return explorer(&state, &http);
    }
    let id = request_id(&http);
    let Some(media) = negotiate(&http) else { return not_acceptable(&id) };
    let actor = match authenticate(&state, &http) {
        Ok(actor) => actor,
        Err(why) => return unauthenticated(media, &id, &why),
    };
    let mut request = match wire::read_get(http.query_string()) {
        Ok(request) => request,
        Err(refused) => return refuse(media, &id, refused),
    };
    // A document sent by its hash must be known before deciding whether it may run over GET.
    if let Err(error) = state.guard.resolve(&mut request) {
        return respond(media, &id, async_graphql::Response::from_errors(vec![error.into_refusal()]));
    }
    // A GET must not change anything: links and prefetches follow GETs.
    if is_mutation(&request) {
        let mut response = reply(StatusCode::METHOD_NOT_ALLOWED, media, &id);
        response.insert_header((header::ALLOW, "POST"));
        let error = refusal(ErrorCode::BadUserInput, "mutations are accepted only with POST", []);
        return response.json(body(&errors_only(error)));
    }
    let response = execute(&state, &http, actor, id.clone(), request).await;
    respond(media, &id, response)
}

/// GraphiQL, for the callers it is open to.
fn explorer(state: &AppState, http: &HttpRequest) -> HttpResponse {
    let open_to = &state.guard.graphiql;
    if open_to.is_none() {
        return HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("GraphiQL is turned off here");
    }
    if !open_to.admits_anonymous() {
        match authenticate(state, http) {
            Ok(actor) if open_to.admits(&actor) => {}
            Ok(Actor::User(_)) => {
                return HttpResponse::Forbidden()
                    .content_type("text/plain; charset=utf-8")
                    .body(format!("GraphiQL is open to {open_to} here, and this token has none of those roles"));
            }
            Ok(Actor::Anonymous) | Err(_) => {
                return HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                    .content_type("text/plain; charset=utf-8")
                    .body(format!(
                        "GraphiQL is open to {open_to} here: the page needs a bearer token with one of those roles"
                    ));
            }
        }
    }
    graphiql::page(state.development_token.as_deref())
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    // Too deep to parse safely: execution refuses it before any parse.
    if input::check_nesting(&request.query).is_err() {
        return false;
    }
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let name = request.operation_name.as_deref();
    doc.operations.iter().any(|(op_name, op)| {
        (name.is_none() || op_name.map(|n| n.as_str()) == name) && op.node.ty == OperationType::Mutation
    })
}

async fn execute(
    state: &AppState,
    http: &HttpRequest,
    actor: Actor,
    request_id: String,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let store = state.store();
    let spawner = Spawner::default();
    let mut context = RequestContext::new(store.clone(), actor, request_id, spawner.clone());
    context.languages = http
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(i18n::accepted)
        .unwrap_or_default();
    let address = ClientAddress(http.peer_addr().map(|a| a.ip().to_string()));
    let mut response = run_with(&spawner, state.schema.execute(request.data(context).data(address))).await;
    let debug_sql = http
        .headers()
        .get(DEBUG_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("sql")));
    if debug_sql {
        response.extensions.insert("sqlStatements".to_owned(), Value::from(store.statements() as u64));
    }
    response
}

/// A reply in the negotiated media type, carrying the request id that the audit trail recorded.
fn reply(status: StatusCode, media: Media, request_id: &str) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.content_type(media.content_type()).insert_header(("x-request-id", request_id.to_owned()));
    builder
}

fn respond(media: Media, request_id: &str, response: async_graphql::Response) -> HttpResponse {
    let mut builder = reply(media.status(&response), media, request_id);
    rate_limit_headers(&mut builder, std::slice::from_ref(&response));
    builder.json(body(&response))
}

/// A batch is answered with an array, in the order of the requests, with status 200.
fn respond_batch(media: Media, request_id: &str, responses: Vec<async_graphql::Response>) -> HttpResponse {
    let mut builder = reply(StatusCode::OK, media, request_id);
    rate_limit_headers(&mut builder, &responses);
    builder.json(responses.iter().map(body).collect::<Vec<_>>())
}

/// `x-ratelimit-*` from the budget the guard reported (GitHub's names), and `Retry-After` when
/// the budget is spent.
fn rate_limit_headers(builder: &mut HttpResponseBuilder, responses: &[async_graphql::Response]) {
    let cost = responses.iter().rev().find_map(|r| match r.extensions.get("cost") {
        Some(Value::Object(cost)) if cost.contains_key("limit") => Some(cost),
        _ => None,
    });
    if let Some(cost) = cost {
        let number = |key: &str| match cost.get(key) {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        if let (Some(limit), Some(remaining)) = (number("limit"), number("remaining")) {
            builder.insert_header(("x-ratelimit-limit", limit.to_string()));
            builder.insert_header(("x-ratelimit-remaining", remaining.to_string()));
            builder.insert_header(("x-ratelimit-used", limit.saturating_sub(remaining).to_string()));
        }
        if let Some(Value::String(reset)) = cost.get("resetAt")
            && let Ok(reset) = chrono::DateTime::parse_from_rfc3339(reset)
        {
            builder.insert_header(("x-ratelimit-reset", reset.timestamp().to_string()));
        }
    }
    let retry_after = responses.iter().flat_map(|r| &r.errors).find_map(|e| {
        let extensions = e.extensions.as_ref()?;
        match (extensions.get("code"), extensions.get("retryAfter")) {
            (Some(Value::String(code)), Some(Value::Number(seconds))) if code == ErrorCode::RateLimited.as_str() => {
                seconds.as_u64()
            }
            _ => None,
        }
    });
    if let Some(seconds) = retry_after {
        builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
}

fn errors_only(error: ServerError) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![error])
}

/// A request refused before GraphQL ran, with its code left on the response for the metrics and
/// the log line.
fn refused(mut builder: HttpResponseBuilder, code: ErrorCode, error: ServerError) -> HttpResponse {
    let mut response = builder.json(body(&errors_only(error)));
    response.extensions_mut().insert(super::refusal::Refused(code));
    response
}

fn refuse(media: Media, request_id: &str, refused_as: Refused) -> HttpResponse {
    let code = refused_as
        .error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|code| ErrorCode::ALL.into_iter().find(|c| *code == Value::from(c.as_str())))
        .unwrap_or(ErrorCode::BadUserInput);
    refused(reply(refused_as.status, media, request_id), code, *refused_as.error)
}

fn unauthenticated(media: Media, request_id: &str, why: &str) -> HttpResponse {
    let mut builder = reply(StatusCode::UNAUTHORIZED, media, request_id);
    builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    refused(builder, ErrorCode::Unauthenticated, refusal(ErrorCode::Unauthenticated, why, []))
}

fn not_acceptable(request_id: &str) -> HttpResponse {
    let error = refusal(
        ErrorCode::BadUserInput,
        "this service answers in application/graphql-response+json or application/json: accept one of them",
        [],
    );
    refused(reply(StatusCode::NOT_ACCEPTABLE, Media::Json, request_id), ErrorCode::BadUserInput, error)
}
