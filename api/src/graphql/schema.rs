//! Assembling the schema, and its SDL as published in `schema.graphql`.

use async_graphql::{EmptySubscription, Schema};

use super::mutation::Mutation;
use super::query::Query;

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build_schema() -> AppSchema {
    Schema::build(Query, Mutation, EmptySubscription).finish()
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
