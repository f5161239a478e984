//! The `directives` service: Vietnam's directive-to-task hierarchy over GraphQL.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod exchange;
pub mod exposure;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod limits;
pub mod metrics;
pub mod readiness;
pub mod seed;
pub mod shutdown;
pub mod store;
pub mod telemetry;
