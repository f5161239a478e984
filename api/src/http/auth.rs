//! Who is calling: a verified bearer token, or an anonymous reader where that is allowed.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest};

use super::requests::RequestId;
use crate::app::AppState;
use crate::auth::bearer;
use crate::domain::policy::{Actor, Principal};

/// The caller of `http`, or why it is refused.
pub fn authenticate(state: &AppState, http: &HttpRequest) -> Result<Actor, String> {
    let value = match http.headers().get(header::AUTHORIZATION) {
        Some(value) => Some(value.to_str().map_err(|_| "the Authorization header is not readable text".to_owned())?),
        None => None,
    };
    actor_for(state, value)
}

/// The caller presenting this `Authorization` value (a header, or a WebSocket's `connection_init`).
pub fn actor_for(state: &AppState, authorization: Option<&str>) -> Result<Actor, String> {
    let Some(value) = authorization else {
        if state.public_read {
            return Ok(Actor::Anonymous);
        }
        return Err("this service needs a bearer token: send `Authorization: Bearer <token>`".to_owned());
    };
    let token = bearer(value).map_err(|e| e.to_string())?;
    let identity = state.verifier.verify(token).map_err(|e| e.to_string())?;
    Ok(Actor::User(Principal { sub: identity.sub, agency: identity.agency, roles: identity.roles }))
}

/// The id of the request: the one the request middleware settled on.
pub fn request_id(http: &HttpRequest) -> String {
    let settled = http.extensions().get::<RequestId>().map(|id| id.0.clone());
    settled.unwrap_or_else(|| RequestId::of(http.headers()).0)
}
