//! Assembling the schema, and its SDL as published in `schema.graphql`.

use async_graphql::Schema;

use super::mutation::Mutation;
use super::query::Query;
use super::subscription::SubscriptionRoot;

pub type AppSchema = Schema<Query, Mutation, SubscriptionRoot>;

pub fn build_schema() -> AppSchema {
    Schema::build(Query, Mutation, SubscriptionRoot).finish()
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
