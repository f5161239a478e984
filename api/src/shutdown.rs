//! Stopping on SIGTERM (or SIGINT): the listener closes at once, requests in flight get the grace
//! period to finish, and WebSocket connections are closed with 1001 (going away) so that clients
//! reconnect to another instance, resuming their change feed from the last cursor.

use std::sync::Arc;

use tokio::sync::watch;

/// Tells the parts of the server that outlive a request (WebSocket connections) that it stops.
#[derive(Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Shutdown {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once the shutdown has begun.
    pub async fn begun(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives as long as `self`, so this ends only when the flag is raised.
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}

/// Resolves on the first SIGTERM or SIGINT, with the signal's name. If the handlers cannot be
/// installed it never resolves, and the process stops as it would by default.
pub async fn signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            },
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot handle SIGTERM: stopping will not be graceful");
                std::future::pending().await
            }
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_waiter_learns_of_the_shutdown_even_one_that_comes_late() {
        let shutdown = Shutdown::default();
        let early = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.begun().await }
        });
        tokio::task::yield_now().await;
        assert!(!early.is_finished());
        shutdown.begin();
        early.await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(1), shutdown.begun()).await.expect("a late waiter");
    }
}
