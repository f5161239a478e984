//! The one error type of the service and the stable catalogue of codes that clients match on.

use std::fmt;

/// Stable error codes, sent as `extensions.code`. Clients depend on these names: add, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    QueryTooComplex,
    RateLimited,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 8] = [
        Self::BadUserInput,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::QueryTooComplex,
        Self::RateLimited,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error meant for the client: a code, one helpful message and, where one input is at fault, its field.
/// Internal failures carry no detail to the client; the cause is logged where it is converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// A bad value in one named input field (the GraphQL field name, e.g. `issuerId`).
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::bad_input(message).with_field(field)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn too_complex(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::QueryTooComplex, message)
    }

    /// Logs the cause and returns an error that says nothing about it.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorCode::Internal, "internal error; the service log has the details")
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// The stale-version error shared by every update and delete.
    pub fn stale(what: &str, expected: i32, actual: i32) -> Self {
        Self::conflict(format!(
            "{what} is at version {actual}, not the expected version {expected}: it was changed by someone else; \
             read it again and retry"
        ))
    }
}

// Deliberately no `Display`: async-graphql converts any `Display` type into an error without
// extensions, which would silently drop the code. The conversion below is the only way out.

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("a record with the same unique key already exists")
            }
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::conflict("the change would break a reference between records")
            }
            _ => Self::internal(err),
        }
    }
}

impl From<Error> for async_graphql::Error {
    fn from(err: Error) -> Self {
        use async_graphql::ErrorExtensions;
        let code = err.code.as_str();
        let field = err.field;
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = field {
                ext.set("field", field);
            }
        })
    }
}

/// Gives every error of a response a code from the catalogue. Errors that the GraphQL engine
/// raises itself (syntax, validation, input coercion) are all faults of the request.
pub fn complete_codes(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
}

/// A response that carries only a request-level error.
pub fn request_error(message: impl Into<String>) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![refusal(ErrorCode::BadUserInput, message, [])])
}

/// A request-level error (one that stops the request before it runs, so it has no path): a code
/// from the catalogue, the message, and details a client can act on (the limit and its value).
pub fn refusal(
    code: ErrorCode,
    message: impl Into<String>,
    details: impl IntoIterator<Item = (&'static str, async_graphql::Value)>,
) -> async_graphql::ServerError {
    let mut error = async_graphql::ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code.as_str());
    for (name, value) in details {
        extensions.set(name, value);
    }
    error
}

impl Error {
    /// This error as a request-level error.
    pub fn into_refusal(self) -> async_graphql::ServerError {
        let field = self.field.map(|f| ("field", async_graphql::Value::from(f)));
        refusal(self.code, self.message, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_errors_reach_clients_without_their_text() {
        let err = Error::from(sea_orm::DbErr::Custom("SELECT secret FROM agency WHERE password = 'x'".into()));
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(!err.message.contains("SELECT") && !err.message.contains("secret"), "{}", err.message);
        let gql = async_graphql::Error::from(err);
        assert!(!gql.message.contains("SELECT"));
    }
}
