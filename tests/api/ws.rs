//! GraphQL over a WebSocket: the token travels in `connection_init`, as browsers cannot set headers.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::db_tests;
use crate::helpers::TestApp;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(app: &TestApp, init: Value) -> Socket {
    let mut request = format!("{}/graphql", app.address.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the upgrade succeeds");
    socket.send(Message::Text(json!({ "type": "connection_init", "payload": init }).to_string().into())).await.unwrap();
    socket
}

/// The next message: a JSON text, or the close frame's code and reason.
async fn next(socket: &mut Socket) -> Result<Value, (u16, String)> {
    loop {
        match socket.next().await.expect("a message").expect("a readable message") {
            Message::Text(text) => return Ok(serde_json::from_str(&text).unwrap()),
            Message::Close(frame) => {
                return Err(frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string())));
            }
            _ => continue,
        }
    }
}

async fn operations_run_as_the_caller_of_connection_init(app: TestApp) {
    let mut socket = open(&app, json!({ "Authorization": format!("Bearer {}", app.admin_token) })).await;
    assert_eq!(next(&mut socket).await.unwrap()["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ agencies { totalCount } }" } });
    socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    let reply = next(&mut socket).await.unwrap();
    assert_eq!(reply["type"], "next");
    assert_eq!(reply["payload"]["data"]["agencies"]["totalCount"], 0);
    assert_eq!(next(&mut socket).await.unwrap()["type"], "complete");

    for init in [json!({}), json!({ "Authorization": "Bearer not-a-token" })] {
        let mut socket = open(&app, init.clone()).await;
        let (code, reason) = next(&mut socket).await.expect_err("the connection is refused");
        assert_ne!(code, 1000, "{init}: {reason}");
        assert!(reason.contains("token"), "{init}: the reason says why: {reason}");
    }
}

db_tests!(operations_run_as_the_caller_of_connection_init);
