//! Runs the loaders' batch loads inside the request's own task instead of on the runtime.
//!
//! A batch load spawned on a multi-threaded runtime fires after its delay whether or not the
//! request has finished asking for keys, so the same query could cost a different number of
//! statements from one run to the next. Here the loads are polled only once the request is idle
//! (its last poll did not ask to be polled again), so every key the resolvers can ask for at that
//! point joins the same batch.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::{ArcWake, AtomicWaker};

#[derive(Default)]
pub struct Queue {
    spawned: Mutex<Vec<BoxFuture<'static, ()>>>,
    waker: AtomicWaker,
}

/// Hands loads to the [`Driver`]; given to the DataLoader as its spawner.
#[derive(Clone)]
pub enum Spawner {
    /// Loads wait for the request's [`Driver`]: deterministic batches.
    Driven(Arc<Queue>),
    /// Loads go to the runtime, for executions the service does not drive itself (operations
    /// over a WebSocket, run by the protocol handler).
    Detached,
}

impl Default for Spawner {
    fn default() -> Self {
        Self::Driven(Arc::default())
    }
}

impl Spawner {
    pub fn spawn(&self, fut: BoxFuture<'static, ()>) {
        match self {
            Self::Driven(queue) => {
                if let Ok(mut spawned) = queue.spawned.lock() {
                    spawned.push(fut);
                }
                queue.waker.wake();
            }
            Self::Detached => {
                tokio::spawn(fut);
            }
        }
    }

    /// The future that runs what was spawned; it never finishes, so poll it beside the request.
    pub fn driver(&self) -> Driver {
        let queue = match self {
            Self::Driven(queue) => queue.clone(),
            Self::Detached => Arc::default(),
        };
        Driver { queue, running: FuturesUnordered::new() }
    }
}

pub struct Driver {
    queue: Arc<Queue>,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
}

impl Future for Driver {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.queue.waker.register(cx.waker());
        let spawned = match self.queue.spawned.lock() {
            Ok(mut spawned) => std::mem::take(&mut *spawned),
            Err(_) => Vec::new(),
        };
        self.running.extend(spawned);
        while let Poll::Ready(Some(())) = self.running.poll_next_unpin(cx) {}
        Poll::Pending
    }
}

/// Runs `request` with its loads driven in the same task; returns the request's output.
pub async fn run_with<T>(spawner: &Spawner, request: impl Future<Output = T>) -> T {
    RunWith { request: Box::pin(request), driver: spawner.driver() }.await
}

struct RunWith<F> {
    request: Pin<Box<F>>,
    driver: Driver,
}

/// Forwards wake-ups and remembers that one happened.
struct Flagged {
    woken: AtomicBool,
    inner: Waker,
}

impl ArcWake for Flagged {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::SeqCst);
        arc_self.inner.wake_by_ref();
    }
}

impl<F: Future> Future for RunWith<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let flag = Arc::new(Flagged { woken: AtomicBool::new(false), inner: cx.waker().clone() });
        let waker = futures_util::task::waker(flag.clone());
        if let Poll::Ready(out) = self.request.as_mut().poll(&mut Context::from_waker(&waker)) {
            return Poll::Ready(out);
        }
        // The request yielded with more to do: let it ask for all its keys before loading any.
        if flag.woken.load(Ordering::SeqCst) {
            return Poll::Pending;
        }
        let _ = Pin::new(&mut self.driver).poll(cx);
        Poll::Pending
    }
}
