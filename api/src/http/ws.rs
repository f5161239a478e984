//! GraphQL over a WebSocket (`graphql-transport-ws`). Browsers cannot set headers on a WebSocket,
//! so the token comes in the `connection_init` payload: `{"Authorization": "Bearer …"}`.
//!
//! async-graphql runs the operations; this module holds the connection and enforces the parts of
//! the protocol it leaves out: 4401 for a subscribe before the connection is acknowledged, 4403
//! for a refused `connection_init`, 4408 when none arrives in time, 4409 for a second
//! subscription under an id in use. When the server stops, connections are closed with 1001.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde_json::Value;

use super::auth::{actor_for, request_id};
use crate::app::AppState;
use crate::graphql::RequestContext;
use crate::graphql::batching::Spawner;

/// How long a client has to send `connection_init` (graphql-ws's default).
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// How often an idle connection is pinged, so that proxies do not close it for silence.
const KEEPALIVE: Duration = Duration::from_secs(15);

pub async fn start(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let offered = http.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(protocol) = offered.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()) else {
        return Ok(HttpResponse::BadRequest()
            .body(format!("offer one of the WebSocket subprotocols {}", ALL_WEBSOCKET_PROTOCOLS.join(", "))));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&http, payload, &[protocol.sec_websocket_protocol()])?;
    let request_id = request_id(&http);
    actix_web::rt::spawn(serve(state.into_inner(), session, messages, protocol, request_id));
    Ok(response)
}

/// What the connection has seen, for the rules async-graphql does not enforce.
#[derive(Default)]
struct Protocol {
    init_received: bool,
    acknowledged: bool,
    active: HashSet<String>,
}

impl Protocol {
    /// Checks a client message; `Err` is the close frame that refuses it.
    fn client(&mut self, text: &str) -> Result<(), (u16, String)> {
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return Ok(()); // async-graphql answers malformed messages itself (4400).
        };
        let id = message.get("id").and_then(Value::as_str).map(str::to_owned);
        match message.get("type").and_then(Value::as_str) {
            Some("connection_init") => self.init_received = true,
            Some("subscribe") if !self.acknowledged => return Err((4401, "Unauthorized".to_owned())),
            Some("subscribe") => {
                if let Some(id) = id
                    && !self.active.insert(id.clone())
                {
                    return Err((4409, format!("Subscriber for {id} already exists")));
                }
            }
            Some("complete") => {
                if let Some(id) = id {
                    self.active.remove(&id);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Notes what the server said: the acknowledgement, and operations that ended.
    fn server(&mut self, text: &str) {
        let Ok(message) = serde_json::from_str::<Value>(text) else { return };
        match message.get("type").and_then(Value::as_str) {
            Some("connection_ack") => self.acknowledged = true,
            Some("complete" | "error") => {
                if let Some(id) = message.get("id").and_then(Value::as_str) {
                    self.active.remove(id);
                }
            }
            _ => {}
        }
    }
}

async fn serve(
    state: std::sync::Arc<AppState>,
    mut session: Session,
    messages: actix_ws::MessageStream,
    protocol: WebSocketProtocols,
    request_id: String,
) {
    let _open = state.metrics.websocket_opened();
    let shutdown = state.shutdown.clone();
    let stopping = shutdown.begun();
    tokio::pin!(stopping);
    let mut messages = messages.aggregate_continuations();
    let (to_graphql, from_client) = async_channel::unbounded::<Vec<u8>>();
    let init_state = state.clone();
    let graphql = WebSocket::new(state.schema.clone(), from_client, protocol)
        .on_connection_init(move |init| async move { connection_data(&init_state, &init, request_id) });
    let mut graphql = Box::pin(graphql);
    let mut rules = Protocol::default();
    let deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(deadline);
    let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    let close = loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    if let Err(refusal) = rules.client(&text) {
                        break Some(refusal);
                    }
                    if to_graphql.send(text.as_bytes().to_vec()).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(AggregatedMessage::Binary(bytes))) => {
                    if to_graphql.send(bytes.to_vec()).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => {}
                Some(Ok(AggregatedMessage::Close(_))) | Some(Err(_)) | None => break None,
            },
            reply = graphql.next() => match reply {
                Some(WsMessage::Text(text)) => {
                    rules.server(&text);
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                // async-graphql refuses a failed connection_init with 1002; the protocol says 4403.
                Some(WsMessage::Close(1002, reason)) if rules.init_received && !rules.acknowledged => {
                    break Some((4403, reason));
                }
                Some(WsMessage::Close(code, reason)) => break Some((code, reason)),
                None => break None,
            },
            _ = keepalive.tick() => {
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
            () = &mut stopping => break Some((1001, "the server is shutting down".to_owned())),
            () = &mut deadline, if !rules.init_received => {
                break Some((4408, "Connection initialisation timeout".to_owned()));
            }
        }
    };
    let reason =
        close.map(|(code, description)| CloseReason { code: CloseCode::from(code), description: Some(description) });
    let _ = session.close(reason).await;
}

/// Authenticates the connection; its operations then run as that caller.
fn connection_data(state: &AppState, init: &Value, request_id: String) -> async_graphql::Result<Data> {
    let authorization = ["Authorization", "authorization"].iter().find_map(|key| init.get(key)?.as_str());
    let actor = actor_for(state, authorization).map_err(async_graphql::Error::new)?;
    let mut data = Data::default();
    data.insert(RequestContext::new(state.store(), actor, request_id, Spawner::Detached));
    Ok(data)
}
