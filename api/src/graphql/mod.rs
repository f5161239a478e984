//! The GraphQL API: schema, resolvers, batching loaders, pagination and global ids.

pub mod batching;
pub mod cascade;
pub mod context;
pub mod documents;
pub mod exchange;
pub mod gate;
pub mod guard;
pub mod input;
pub mod loaders;
pub mod mutation;
pub mod observe;
pub mod pagination;
pub mod query;
pub mod reorganize;
pub mod scalars;
pub mod schema;
pub mod subscription;
pub mod types;
pub mod upsert;

pub use context::RequestContext;
pub use schema::{AppSchema, build_schema, serving_schema};
