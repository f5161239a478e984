//! Integration tests: the real server on port 0, spoken to over HTTP as a ministry system would.

mod helpers;

mod agencies;
mod audit;
mod auth;
mod bad_input;
mod cascade;
mod changes;
mod cli;
mod documents;
mod exchange;
mod exposure;
mod generate;
mod generator;
mod http;
mod idempotency;
mod limits;
mod links;
#[cfg(test_pg)]
mod migrations;
mod operations;
#[cfg(test_pg)]
mod outage;
mod pagination;
#[cfg(test_pg)]
mod pg_cluster;
mod process;
mod readme;
mod reorganize;
mod roles;
mod sample;
mod search;
mod shutdown;
mod sql_counts;
mod tasks;
mod upserts;
mod ws;
