//! Assembling the schema, and its SDL as published in `schema.graphql`.

use std::sync::Arc;

use async_graphql::{MergedObject, Schema};

use super::cascade::CascadeMutation;
use super::guard::{Guard, GuardExtension};
use super::mutation::Mutation;
use super::query::Query;
use super::reorganize::ReorganizeMutation;
use super::subscription::SubscriptionRoot;
use super::upsert::UpsertMutation;

/// Every mutation, from the modules that hold them.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(Mutation, CascadeMutation, ReorganizeMutation, UpsertMutation);

pub type AppSchema = Schema<Query, MutationRoot, SubscriptionRoot>;

pub fn build_schema() -> AppSchema {
    Schema::build(Query, MutationRoot::default(), SubscriptionRoot).finish()
}

/// The schema as served: every operation passes the guard, and errors never suggest other names
/// ("Did you mean …?"), which would reveal the schema to callers who may not introspect it.
pub fn serving_schema(guard: Arc<Guard>) -> AppSchema {
    Schema::build(Query, MutationRoot::default(), SubscriptionRoot)
        .extension(GuardExtension(guard))
        .disable_suggestions()
        .finish()
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
