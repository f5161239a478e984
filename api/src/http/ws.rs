//! GraphQL over a WebSocket (`graphql-transport-ws`). Browsers cannot set headers on a WebSocket,
//! so the token comes in the `connection_init` payload: `{"Authorization": "Bearer …"}`.
//!
//! async-graphql runs the operations; this module holds the connection and enforces the parts of
//! the protocol it leaves out: 4400 for a message of no known type or form, 4401 for a subscribe
//! before the connection is acknowledged, 4403 for a refused `connection_init`, 4408 when none
//! arrives in time, 4409 for a second subscription under an id in use; an `error` message (not
//! `next` and `complete`) for an operation refused before it runs; and silence for an operation
//! once the client has completed it. When the server stops, connections are closed with 1001.

use std::collections::HashSet;
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::Data;
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde_json::Value;

use super::auth::{actor_for, request_id};
use super::negotiate::is_request_error;
use crate::app::AppState;
use crate::graphql::RequestContext;
use crate::graphql::batching::Spawner;
use crate::graphql::guard::ClientAddress;

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
    let protocol = WebSocketProtocols::GraphQLWS;
    if !offered.split(',').any(|p| p.trim() == protocol.sec_websocket_protocol()) {
        return Ok(HttpResponse::BadRequest().body("offer the WebSocket subprotocol graphql-transport-ws"));
    }
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&http, payload, &[protocol.sec_websocket_protocol()])?;
    let connection =
        Connection { request_id: request_id(&http), address: http.peer_addr().map(|a| a.ip().to_string()) };
    actix_web::rt::spawn(serve(state.into_inner(), session, messages, connection));
    Ok(response)
}

/// What the connection has seen, for the rules async-graphql does not enforce.
#[derive(Default)]
struct Protocol {
    init_received: bool,
    acknowledged: bool,
    active: HashSet<String>,
    /// Operations the client completed while they ran: nothing more may be sent for them, and
    /// async-graphql's own `complete` in answer is the last message they have.
    cancelled: HashSet<String>,
    /// Operations refused before they ran, whose `error` already ended them.
    refused: HashSet<String>,
}

/// A refusal: the close code and its reason.
type Close = (u16, String);

fn invalid(reason: impl Into<String>) -> Close {
    (4400, reason.into())
}

/// The optional `payload` of `connection_init`, `ping` and `pong`: an object or null.
fn check_optional_object(message: &Value, name: &str) -> Result<(), Close> {
    match message.get(name) {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(invalid(format!("`{name}` must be an object or null"))),
    }
}

impl Protocol {
    /// Checks a client message; `Err` is the close frame that refuses it.
    fn client(&mut self, text: &str) -> Result<(), Close> {
        let message = serde_json::from_str::<Value>(text).map_err(|_| invalid("Invalid message received: not JSON"))?;
        let id = || match message.get("id") {
            Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
            _ => Err(invalid("Invalid message received: `id` must be a non-empty string")),
        };
        match message.get("type").and_then(Value::as_str) {
            Some("connection_init") => {
                check_optional_object(&message, "payload")?;
                self.init_received = true;
            }
            Some("ping" | "pong") => check_optional_object(&message, "payload")?,
            Some("subscribe") => {
                let id = id()?;
                check_subscribe_payload(message.get("payload"))?;
                if !self.acknowledged {
                    return Err((4401, "Unauthorized".to_owned()));
                }
                if !self.active.insert(id.clone()) {
                    return Err((4409, format!("Subscriber for {id} already exists")));
                }
                self.refused.remove(&id);
            }
            Some("complete") => {
                let id = id()?;
                if self.active.remove(&id) {
                    self.cancelled.insert(id);
                }
            }
            Some(other) => return Err(invalid(format!("Invalid message received: unexpected type `{other}`"))),
            None => return Err(invalid("Invalid message received: no `type`")),
        }
        Ok(())
    }

    /// Notes what the server says and decides what goes out: an operation refused before it ran
    /// ends with one `error` message (async-graphql sends `next` and `complete`), and an operation
    /// the client completed gets nothing more.
    fn server(&mut self, text: String) -> Option<String> {
        let Ok(mut message) = serde_json::from_str::<Value>(&text) else { return Some(text) };
        let id = message.get("id").and_then(Value::as_str).map(str::to_owned);
        match (message.get("type").and_then(Value::as_str), id) {
            (Some("connection_ack"), _) => self.acknowledged = true,
            (Some(kind), Some(id)) if self.cancelled.contains(&id) => {
                if kind == "complete" {
                    self.cancelled.remove(&id);
                }
                return None;
            }
            (Some("complete"), Some(id)) => {
                self.active.remove(&id);
                if self.refused.remove(&id) {
                    return None;
                }
            }
            (Some("next"), Some(id)) => {
                let refused = serde_json::from_value::<async_graphql::Response>(message["payload"].clone())
                    .is_ok_and(|response| is_request_error(&response));
                if refused {
                    self.active.remove(&id);
                    self.refused.insert(id.clone());
                    let errors = message["payload"]["errors"].take();
                    return Some(serde_json::json!({ "id": id, "type": "error", "payload": errors }).to_string());
                }
            }
            _ => {}
        }
        Some(text)
    }
}

/// `subscribe`'s payload: `query` a string (unless a trusted document is named by its hash),
/// `operationName` a string or null, `variables` and `extensions` objects or null.
fn check_subscribe_payload(payload: Option<&Value>) -> Result<(), Close> {
    let Some(Value::Object(payload)) = payload else {
        return Err(invalid("Invalid message received: `payload` must be an object"));
    };
    let persisted = payload.get("extensions").and_then(|e| e.get("persistedQuery")).is_some();
    match payload.get("query") {
        Some(Value::String(_)) => {}
        None | Some(Value::Null) if persisted => {}
        _ => return Err(invalid("Invalid message received: `payload.query` must be a string")),
    }
    if !matches!(payload.get("operationName"), None | Some(Value::Null) | Some(Value::String(_))) {
        return Err(invalid("Invalid message received: `payload.operationName` must be a string or null"));
    }
    for name in ["variables", "extensions"] {
        if !matches!(payload.get(name), None | Some(Value::Null) | Some(Value::Object(_))) {
            return Err(invalid(format!("Invalid message received: `payload.{name}` must be an object or null")));
        }
    }
    Ok(())
}

async fn serve(
    state: std::sync::Arc<AppState>,
    mut session: Session,
    messages: actix_ws::MessageStream,
    connection: Connection,
) {
    let _open = state.metrics.websocket_opened();
    let shutdown = state.shutdown.clone();
    let stopping = shutdown.begun();
    tokio::pin!(stopping);
    let mut messages = messages.aggregate_continuations();
    let (to_graphql, from_client) = async_channel::unbounded::<Vec<u8>>();
    let init_state = state.clone();
    let graphql = WebSocket::new(state.schema.clone(), from_client, WebSocketProtocols::GraphQLWS)
        .on_connection_init(move |init| async move { connection_data(&init_state, &init, connection) });
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
                    let checked = std::str::from_utf8(&bytes)
                        .map_err(|_| invalid("Invalid message received: not UTF-8 text"))
                        .and_then(|text| rules.client(text));
                    if let Err(refusal) = checked {
                        break Some(refusal);
                    }
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
                    if let Some(text) = rules.server(text)
                        && session.text(text).await.is_err()
                    {
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

/// What is known of a connection when it opens.
struct Connection {
    request_id: String,
    address: Option<String>,
}

/// Authenticates the connection; its operations then run as that caller.
fn connection_data(state: &AppState, init: &Value, connection: Connection) -> async_graphql::Result<Data> {
    let authorization = ["Authorization", "authorization"].iter().find_map(|key| init.get(key)?.as_str());
    let actor = actor_for(state, authorization).map_err(async_graphql::Error::new)?;
    let mut data = Data::default();
    data.insert(RequestContext::new(state.store(), actor, connection.request_id, Spawner::Detached));
    data.insert(ClientAddress(connection.address));
    Ok(data)
}
