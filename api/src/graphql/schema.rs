//! Assembling the schema, and its SDL as published in `schema.graphql`.

use async_graphql::{MergedObject, Schema};

use super::cascade::CascadeMutation;
use super::exchange::ExchangeMutation;
use super::mutation::Mutation;
use super::query::Query;
use super::reorganize::ReorganizeMutation;
use super::subscription::SubscriptionRoot;
use super::upsert::UpsertMutation;

/// Every mutation, from the modules that hold them.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(Mutation, CascadeMutation, ReorganizeMutation, UpsertMutation, ExchangeMutation);

pub type AppSchema = Schema<Query, MutationRoot, SubscriptionRoot>;

pub fn build_schema() -> AppSchema {
    Schema::build(Query, MutationRoot::default(), SubscriptionRoot).finish()
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
