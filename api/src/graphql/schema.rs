//! Assembling the schema, and its SDL as published in `schema.graphql`.

use std::sync::Arc;

use async_graphql::{MergedObject, Schema, SchemaBuilder};

use super::cascade::CascadeMutation;
use super::exchange::ExchangeMutation;
use super::gate::Gate;
use super::guard::Guard;
use super::mutation::Mutation;
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

/// The schema a server runs, behind the [`Gate`] that checks, limits and counts its operations.
/// Errors never suggest other names ("Did you mean …?"), which would reveal the schema to callers
/// who may not introspect it.
pub fn serving_schema(metrics: Metrics, guard: Arc<Guard>) -> Gate {
    let schema = builder().data(metrics.clone()).disable_suggestions().finish();
    Gate::new(schema, guard, metrics)
}

/// The SDL that `directives schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
