//! Live updates over `graphql-transport-ws`.

use std::collections::VecDeque;
use std::time::Duration;

use async_graphql::connection::CursorType;
use async_graphql::{Context, Subscription};
use futures_util::Stream;

use super::context::authorized;
use super::types::{Change, ChangeScope, FeedCursor};
use crate::domain::policy::Action;
use crate::error::{Error, Result};
use crate::metrics::Metrics;

/// How many changes a subscriber reads from the log at a time.
const BATCH: u64 = 100;
/// A subscriber that heard nothing reads the log anyway after this long, in case a wake-up was lost.
const RECHECK: Duration = Duration::from_secs(5);

pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Every committed change after the cursor `after`: first those already in the log, then each as
    /// it commits, in sequence order, with no gap and no duplicate between the two. A client that
    /// reconnects with the last cursor it received misses nothing.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        scope: Option<ChangeScope>,
    ) -> Result<impl Stream<Item = Change> + use<>> {
        let rc = authorized(ctx, Action::Read)?;
        let after = after
            .map(|a| FeedCursor::decode_cursor(&a).map_err(|e| Error::bad_field("after", e)))
            .transpose()?
            .map_or(0, |c| c.0);
        let scope = scope.unwrap_or_default().resolve(ctx).await?;
        let store = rc.store.clone();
        let wake = store.feed_signal().map(|signal| signal.subscribe());
        let state = (after, VecDeque::new(), wake);
        let metrics = ctx.data_opt::<Metrics>().cloned();
        // Counted as active for as long as the stream lives.
        let active = metrics.as_ref().map(Metrics::subscription_started);
        Ok(futures_util::stream::unfold(state, move |(mut after, mut buffer, mut wake)| {
            let _active = &active;
            let (store, scope, metrics) = (store.clone(), scope.clone(), metrics.clone());
            async move {
                loop {
                    if let Some(change) = buffer.pop_front() {
                        let change: entity::change_log::Model = change;
                        if let Some(metrics) = &metrics {
                            let lag = chrono::Utc::now() - change.changed_at;
                            metrics.observe_feed_delivery(lag.to_std().unwrap_or_default());
                        }
                        after = change.sequence;
                        return Some((Change(change), (after, buffer, wake)));
                    }
                    match store.list_changes(after, BATCH, &scope).await {
                        Ok(page) if !page.changes.is_empty() => buffer.extend(page.changes),
                        Ok(_) => match wake.as_mut() {
                            Some(rx) => {
                                let _ = tokio::time::timeout(RECHECK, rx.changed()).await;
                            }
                            None => tokio::time::sleep(RECHECK).await,
                        },
                        // The log is unreadable (the database is away): end the stream; the client
                        // resumes from its last cursor.
                        Err(_) => return None,
                    }
                }
            }
        }))
    }
}
