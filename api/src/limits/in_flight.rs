//! How many objects the operations running at once on one instance may return. A large read holds
//! every object of its answer, and the machinery that resolves them, until it is written out: about
//! 11 MB for a document's first 50 implementing plans with 20 tasks each, so sixteen of them at once
//! took the service from 80 to 250 MiB. On two cores they gain nothing by running all at once, so
//! past the budget a large operation waits for others to finish, in the order they came, within its
//! time limit. Small operations never wait: they are bounded by their size already.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Operations whose connections may return fewer objects than this skip the queue.
pub const SMALL: u64 = 200;

/// The budget of one instance; `None` when it is off.
#[derive(Clone)]
pub struct InFlight {
    budget: Option<(Arc<Semaphore>, u32)>,
}

/// An operation's share of the budget, given back when it is dropped.
#[must_use = "the share is given back as soon as it is dropped"]
pub struct Share(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

impl InFlight {
    /// A budget of `nodes` objects at once; 0 turns it off.
    pub fn new(nodes: u64) -> Self {
        let nodes = u32::try_from(nodes).unwrap_or(u32::MAX);
        Self { budget: (nodes > 0).then(|| (Arc::new(Semaphore::new(nodes as usize)), nodes)) }
    }

    /// Waits until an operation that may return `nodes` objects fits in the budget. One larger than
    /// the whole budget waits until it has the budget to itself.
    pub async fn enter(&self, nodes: u64) -> Share {
        let Some((semaphore, total)) = &self.budget else { return Share(None) };
        if nodes < SMALL {
            return Share(None);
        }
        let wanted = u32::try_from(nodes).unwrap_or(u32::MAX).min(*total);
        // The semaphore is never closed, so acquiring fails only if it were.
        Share(Arc::clone(semaphore).acquire_many_owned(wanted).await.ok())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::timeout;

    use super::*;

    const SOON: Duration = Duration::from_millis(50);

    #[tokio::test]
    async fn large_operations_wait_for_room_and_small_ones_never() {
        let in_flight = InFlight::new(1_000);
        let first = in_flight.enter(600).await;
        assert!(timeout(SOON, in_flight.enter(600)).await.is_err(), "600 more do not fit beside 600");
        let _small = timeout(SOON, in_flight.enter(SMALL - 1)).await.expect("a small operation does not wait");
        let _fits = timeout(SOON, in_flight.enter(400)).await.expect("400 fit beside 600");
        drop(first);
        let _second = timeout(SOON, in_flight.enter(600)).await.expect("room once the first is done");
    }

    #[tokio::test]
    async fn an_operation_larger_than_the_budget_runs_alone() {
        let in_flight = InFlight::new(1_000);
        let huge = timeout(SOON, in_flight.enter(100_000)).await.expect("it gets the whole budget");
        assert!(timeout(SOON, in_flight.enter(SMALL)).await.is_err(), "nothing large beside it");
        drop(huge);
        let _next = timeout(SOON, in_flight.enter(SMALL)).await.expect("the budget came back");
    }

    #[tokio::test]
    async fn a_budget_of_zero_is_no_budget() {
        let in_flight = InFlight::new(0);
        let _a = in_flight.enter(100_000).await;
        let _b = timeout(SOON, in_flight.enter(100_000)).await.expect("nothing waits");
    }
}
