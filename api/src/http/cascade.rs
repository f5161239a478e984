//! `/cascade/{document id}`: the cascade of a document drawn in the browser, with its coverage and
//! progress numbers beside it. The page and Mermaid, which draws the diagram, are served from the
//! binary (`api/assets/cascade/`, `api/assets/mermaid/`): it makes no request to any other host.
//! The page reads everything through `/graphql`, with the caller's token.

use std::io::Read;

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};

use super::graphiql::{default_headers, script_json};
use crate::app::AppState;
use crate::ids::{GlobalId, NodeType};

const PAGE: &str = include_str!("../../assets/cascade/index.html");

/// Mermaid's browser build, stored gzip-compressed (a quarter of its size) by scripts/fetch-assets.sh.
const MERMAID_GZ: &[u8] = include_bytes!("../../assets/mermaid/mermaid.tiny.js.gz");

pub async fn page(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let is_document = GlobalId::decode(&id).is_ok_and(|g| g.node_type == NodeType::Document);
    if !is_document {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no document has this id: /cascade/ takes the ID of a document, as GraphQL gives it");
    }
    let html = PAGE
        .replace("__DOCUMENT_ID__", &script_json(&serde_json::Value::from(id.as_str())))
        .replace("__DEFAULT_HEADERS__", &default_headers(state.development_token.as_deref()));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
        ))
        .body(html)
}

/// Mermaid, compressed for a client that accepts gzip (every browser), plain otherwise.
pub async fn asset(file: web::Path<String>, http: HttpRequest) -> HttpResponse {
    if file.as_str() != "mermaid.tiny.js" {
        return HttpResponse::NotFound().finish();
    }
    let gzip = http
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.split(';').next().is_some_and(|e| e.trim() == "gzip")));
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header(CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]));
    if gzip {
        return response.insert_header((header::CONTENT_ENCODING, "gzip")).body(MERMAID_GZ);
    }
    let mut plain = Vec::new();
    match flate2::read::GzDecoder::new(MERMAID_GZ).read_to_end(&mut plain) {
        Ok(_) => response.body(plain),
        Err(e) => {
            tracing::error!(%e, "the embedded Mermaid does not decompress");
            HttpResponse::InternalServerError().finish()
        }
    }
}
