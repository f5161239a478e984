//! Pure rules with no I/O: document symbols, text and translations, dates and deadlines, authorization.

pub mod dates;
pub mod deadline;
pub mod fold;
pub mod i18n;
pub mod kind;
pub mod policy;
pub mod progress;
pub mod status;
pub mod symbol;
pub mod text;
