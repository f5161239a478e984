//! Assembling the schema, and its SDL as published in `schema.graphql`.

use async_graphql::{MergedObject, Schema, SchemaBuilder};

use super::cascade::CascadeMutation;
use super::exchange::ExchangeMutation;
use super::guard::InputGuard;
use super::mutation::Mutation;
use super::observe::Observe;
use super::query::Query;
use super::reorganize::ReorganizeMutation;
use super::subscription::SubscriptionRoot;
use super::upsert::UpsertMutation;
use crate::metrics::Metrics;

/// Every mutation, from the modules that hold them.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(Mutation, CascadeMutation, ReorganizeMutation, UpsertMutation, ExchangeMutation);

pub type AppSchema = Schema<Query, MutationRoot, SubscriptionRoot>;

fn builder() -> SchemaBuilder<Query, MutationRoot, SubscriptionRoot> {
    Schema::build(Query, MutationRoot::default(), SubscriptionRoot)
}

pub fn build_schema() -> AppSchema {
    builder().finish()
}

/// The schema a server runs: observed, its operations counted in `metrics`.
pub fn serving_schema(metrics: Metrics) -> AppSchema {
    // The guard comes after the observer, so that refused documents are counted too.
    builder().data(metrics.clone()).extension(Observe(metrics)).extension(InputGuard).finish()
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
