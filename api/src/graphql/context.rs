//! What every resolver of one request shares: the store, the batching loader, the caller.

use async_graphql::Context;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;

use super::batching::Spawner;
use super::loaders::{Loaders, StatusOf};
use crate::domain::i18n;
use crate::domain::policy::{self, Action, Actor};
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::Result;
use crate::ids::TaskId;
use crate::store::{AuditContext, Store};

pub struct RequestContext {
    pub store: Store,
    pub loader: DataLoader<Loaders>,
    pub actor: Actor,
    /// The client's `X-Request-Id`, or one made for the request; recorded in the audit trail.
    pub request_id: String,
    /// The languages of the request's `Accept-Language`, most wanted first: the default of every
    /// `lang` argument.
    pub languages: Vec<String>,
}

/// Statuses one query operation already knows: the tasks a filter on one status found have that
/// status on its day, so their `status` fields need no statement of their own. The gate gives one
/// to each query operation and to nothing else: a mutation may change a status after reading it,
/// and a subscription's events, like the later operations of a WebSocket connection, are answered
/// later, so they always ask the database.
#[derive(Default)]
pub struct KnownStatuses(Mutex<HashMap<StatusOf, TaskStatus>>);

impl KnownStatuses {
    /// Notes the status of `tasks`, found by a filter that names only this one
    /// ([`crate::store::TaskQuery::sole_status`]).
    pub fn note(ctx: &Context<'_>, sole: Option<(AsOf, TaskStatus)>, tasks: impl IntoIterator<Item = TaskId>) {
        let (Some(known), Some((as_of, status))) = (ctx.data_opt::<Self>(), sole) else { return };
        let mut known = known.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        known.extend(tasks.into_iter().map(|task| (StatusOf(task, as_of), status)));
    }

    /// The status of a task on a day: known from the filter that found it, or loaded.
    pub async fn status(ctx: &Context<'_>, key: StatusOf) -> Result<TaskStatus> {
        let known = ctx
            .data_opt::<Self>()
            .and_then(|known| known.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&key).copied());
        match known {
            Some(status) => Ok(status),
            None => request(ctx).load_ref(key).await,
        }
    }
}

impl RequestContext {
    /// A context whose batch loads run on `spawner`: run the request with [`super::batching::run_with`].
    pub fn new(store: Store, actor: Actor, request_id: String, spawner: Spawner) -> Self {
        // No delay: the batching driver starts a load only once the request has asked for every key it can.
        let loader = DataLoader::new(Loaders::new(store.clone()), move |fut| spawner.spawn(Box::pin(fut)))
            .delay(std::time::Duration::ZERO);
        Self { store, loader, actor, request_id, languages: Vec::new() }
    }

    /// The text in `lang` if asked for, else in the request's languages, falling back to the
    /// Vietnamese original.
    pub fn localized<'a>(&self, original: &'a str, translations: &'a serde_json::Value, lang: Option<&str>) -> &'a str {
        match lang {
            Some(lang) => i18n::pick(original, translations, Some(lang)),
            None => i18n::pick_first(original, translations, &self.languages),
        }
    }

    /// Loads one value through the request's batching loader.
    pub async fn load<K>(&self, key: K) -> Result<Option<<Loaders as Loader<K>>::Value>>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Loaders: Loader<K, Error = crate::error::Error>,
    {
        self.loader.load_one(key).await
    }

    /// Loads a value that must exist because another row refers to it.
    pub async fn load_ref<K>(&self, key: K) -> Result<<Loaders as Loader<K>>::Value>
    where
        K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
        Loaders: Loader<K, Error = crate::error::Error>,
    {
        // The message is made only when the row is missing: a nested read loads thousands of rows.
        let found = self.load(key.clone()).await?;
        found.ok_or_else(|| crate::error::Error::internal(format!("{key:?} vanished while the request read it")))
    }

    /// Asks the policy; every resolver that reads or changes data calls this first.
    pub fn authorize(&self, action: Action<'_>) -> Result<()> {
        policy::authorize(&self.actor, action)
    }

    /// Who changes data in this request, for the audit trail of `operation`.
    pub fn audit(&self, operation: &str) -> AuditContext {
        let (sub, agency_code, roles) = match &self.actor {
            Actor::User(user) => {
                (user.sub.clone(), user.agency.clone(), user.roles.iter().map(|r| r.as_str().to_owned()).collect())
            }
            Actor::Anonymous => ("anonymous".to_owned(), None, Vec::new()),
        };
        AuditContext {
            sub,
            agency_code,
            roles,
            operation: operation.to_owned(),
            request_id: Some(self.request_id.clone()),
            generated: false,
        }
    }
}

/// The request's context, from any resolver.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}

/// The request context after the policy allowed `action`.
pub fn authorized<'a>(ctx: &Context<'a>, action: Action<'_>) -> Result<&'a RequestContext> {
    let rc = request(ctx);
    rc.authorize(action)?;
    Ok(rc)
}

/// Today in Vietnam (UTC+7, no daylight saving), the day that deadlines and defaults count from.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}
