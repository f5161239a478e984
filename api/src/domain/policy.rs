//! Who may do what. Every resolver that reads or changes data asks [`authorize`] first, so that
//! access rules live in this one place.

use crate::error::{Error, Result};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The service runs without credentials configured: every caller operates it fully.
    Operator,
}

/// What a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    ManageAgencies,
    EditDocuments,
    EditTasks,
    ReportProgress,
}

pub fn authorize(actor: &Actor, action: Action) -> Result<()> {
    match (actor, action) {
        (Actor::Operator, _) => Ok(()),
    }
}

/// The error for a refused action, worded for the caller.
pub fn refused(action: Action) -> Error {
    Error::forbidden(format!("you are not allowed to {}", describe(action)))
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::Read => "read this data",
        Action::ManageAgencies => "change agencies",
        Action::EditDocuments => "change documents",
        Action::EditTasks => "change tasks",
        Action::ReportProgress => "report progress",
    }
}
