//! `POST /graphql` and `GET /graphql`: queries, mutations, and the explorer for browsers.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Value;
use async_graphql::parser::types::OperationType;
use async_graphql_actix_web::GraphQLRequest;

use super::auth::{authenticate, request_id, unauthenticated};
use super::graphiql;
use crate::app::AppState;
use crate::domain::i18n;
use crate::domain::policy::Actor;
use crate::error::{complete_codes, request_error};
use crate::graphql::batching::{Spawner, run_with};
use crate::graphql::{RequestContext, guard};

/// A request with this header set to `sql` gets `extensions.sqlStatements` in its response.
pub const DEBUG_HEADER: &str = "x-directives-debug";

pub async fn post(state: web::Data<AppState>, http: HttpRequest, req: GraphQLRequest) -> HttpResponse {
    let actor = match authenticate(&state, &http) {
        Ok(actor) => actor,
        Err(why) => return unauthenticated(&why),
    };
    let id = request_id(&http);
    let response = execute(&state, &http, actor, id.clone(), req.into_inner()).await;
    respond(id, response)
}

/// The reply, carrying the request id that the audit trail recorded.
fn respond(request_id: String, response: async_graphql::Response) -> HttpResponse {
    HttpResponse::Ok().insert_header(("x-request-id", request_id)).json(response)
}

/// A browser asking for HTML gets GraphiQL; anything else is a query in the URL.
pub async fn get(state: web::Data<AppState>, http: HttpRequest) -> HttpResponse {
    let wants_html = http
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && http.query_string().is_empty() {
        return graphiql::page(state.development_token.as_deref());
    }
    let actor = match authenticate(&state, &http) {
        Ok(actor) => actor,
        Err(why) => return unauthenticated(&why),
    };
    let request = match async_graphql::http::parse_query_string(http.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return HttpResponse::BadRequest()
                .json(request_error(format!("the query string is not a GraphQL request: {e}")));
        }
    };
    // A GET must not change anything: links and prefetches follow GETs.
    if is_mutation(&request) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .json(request_error("mutations are accepted only with POST"));
    }
    let id = request_id(&http);
    let response = execute(&state, &http, actor, id.clone(), request).await;
    respond(id, response)
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    // Too deep to parse safely: execution refuses it before any parse.
    if guard::check_nesting(&request.query).is_err() {
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
    let mut response = run_with(&spawner, state.schema.execute(request.data(context))).await;
    let debug_sql = http
        .headers()
        .get(DEBUG_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("sql")));
    complete_codes(&mut response);
    if debug_sql {
        response.extensions.insert("sqlStatements".to_owned(), Value::from(store.statements() as u64));
    }
    response
}
