//! The `directives` service: Vietnam's directive-to-task hierarchy over GraphQL.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod exposure;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod limits;
pub mod seed;
pub mod store;
pub mod telemetry;
