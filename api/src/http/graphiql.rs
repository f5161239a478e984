//! GraphiQL, served entirely from assets built into the binary: ministry networks are often
//! closed, so the page loads nothing from any other host. `scripts/fetch-graphiql.sh` fetches
//! the pinned assets from the npm registry and `api/assets/graphiql/MANIFEST.txt` records them.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpResponse, web};

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// The first query a visitor sees.
const DEFAULT_QUERY: &str = r#"# Conclusion 57-KL/TW of the Politburo and everything that carries it out.
query Cascade {
  documents(filter: { symbol: "57-KL/TW" }) {
    nodes {
      symbol
      title(lang: "en")
      issuer { code name }
      implementedBy(first: 20) {
        totalCount
        nodes {
          symbol
          issuedOn
          issuer { code name(lang: "en") }
          tasks(first: 5) {
            totalCount
            nodes {
              code
              content
              lead { code }
              coordinators { code }
            }
          }
        }
      }
    }
  }
}
"#;

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    ("graphql-ws.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/graphql-ws.min.js")),
];

/// JSON to insert into a `<script>`: with `<` escaped it can never close the script element.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The request headers a page starts with: in development mode, the development ADMIN token.
pub fn default_headers(development_token: Option<&str>) -> String {
    match development_token {
        Some(token) => script_json(&serde_json::json!({ "Authorization": format!("Bearer {token}") })),
        None => "{}".to_owned(),
    }
}

/// The explorer; in development mode its headers start with the development ADMIN token.
pub fn page(development_token: Option<&str>) -> HttpResponse {
    let html = PAGE
        .replace("__GRAPHQL_ENDPOINT__", "/graphql")
        .replace("__DEFAULT_HEADERS__", &default_headers(development_token))
        .replace("__DEFAULT_QUERY__", &script_json(&serde_json::Value::from(DEFAULT_QUERY)));
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // The page may only load from this service.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:",
        ))
        .body(html)
}

pub async fn asset(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}
