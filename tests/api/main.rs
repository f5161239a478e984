//! Integration tests: the real server on port 0, spoken to over HTTP as a ministry system would.

mod helpers;

mod agencies;
mod audit;
mod auth;
mod cascade;
mod changes;
mod cli;
mod documents;
mod exposure;
mod http;
mod idempotency;
mod limits;
mod links;
mod pagination;
mod reorganize;
mod roles;
mod sample;
mod search;
mod sql_counts;
mod tasks;
mod upserts;
mod ws;
