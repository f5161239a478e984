//! GraphQL over a WebSocket (`graphql-transport-ws`). Browsers cannot set headers on a WebSocket,
//! so the token comes in the `connection_init` payload: `{"Authorization": "Bearer …"}`.

use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Data;
use async_graphql_actix_web::GraphQLSubscription;

use super::auth::{actor_for, request_id};
use crate::app::AppState;
use crate::graphql::RequestContext;
use crate::graphql::batching::Spawner;

pub async fn start(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let request_id = request_id(&http);
    let schema = state.schema.clone();
    GraphQLSubscription::new(schema)
        .on_connection_init(move |init| async move { connection_data(&state, &init, request_id) })
        .start(&http, payload)
}

/// Authenticates the connection; its operations then run as that caller.
fn connection_data(state: &AppState, init: &serde_json::Value, request_id: String) -> async_graphql::Result<Data> {
    let authorization = ["Authorization", "authorization"].iter().find_map(|key| init.get(key)?.as_str());
    let actor = actor_for(state, authorization).map_err(async_graphql::Error::new)?;
    let store = state.store();
    let mut data = Data::default();
    data.insert(RequestContext::new(store, actor, request_id, Spawner::Detached));
    Ok(data)
}
