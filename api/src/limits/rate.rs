//! Each caller's budget of cost points per minute.
//!
//! The budget is kept in the database, so it is shared by every instance: a caller has the same
//! budget however many instances run and wherever the load balancer sends each request. A budget
//! per instance would multiply by the number of instances and change with the balancer's choices.
//! The price is one statement per request (an upsert of one row per caller), which also makes the
//! count exact under concurrency: the database serialises the updates of a caller's row.
//!
//! Windows are whole minutes of the instances' clocks (kept in step by NTP). A request whose clock
//! runs behind adds to the newer window rather than resetting it.

use chrono::{DateTime, TimeZone, Utc};

/// A minute of budget: the number of whole minutes since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window(pub i64);

impl Window {
    pub fn at(now: DateTime<Utc>) -> Self {
        Self(now.timestamp().div_euclid(60))
    }

    /// When the next window starts.
    pub fn resets_at(self) -> DateTime<Utc> {
        Utc.timestamp_opt((self.0 + 1) * 60, 0).single().unwrap_or_else(Utc::now)
    }
}

/// What a caller has left in the current window, after the request was charged or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub limit: u64,
    pub remaining: u64,
    pub resets_at: DateTime<Utc>,
}

impl Budget {
    pub fn new(limit: u64, spent: u64, window: Window) -> Self {
        Self { limit, remaining: limit.saturating_sub(spent), resets_at: window.resets_at() }
    }

    /// Whole seconds until the budget is whole again, at least 1.
    pub fn retry_after(&self, now: DateTime<Utc>) -> u64 {
        let seconds = (self.resets_at - now).num_milliseconds().max(0) as u64;
        seconds.div_ceil(1000).max(1)
    }
}

/// The outcome of charging a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    Spent(Budget),
    Refused(Budget),
}

/// Whom a request is charged to: the token's `sub`, or an anonymous reader's address.
pub fn subject(sub: Option<&str>, address: Option<&str>) -> String {
    match (sub, address) {
        (Some(sub), _) => format!("sub:{sub}"),
        (None, Some(address)) => format!("anonymous:{address}"),
        (None, None) => "anonymous".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_minutes() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 8, 30, 59).unwrap();
        let w = Window::at(t);
        assert_eq!(w, Window::at(Utc.with_ymd_and_hms(2026, 3, 1, 8, 30, 0).unwrap()));
        assert_eq!(w.resets_at(), Utc.with_ymd_and_hms(2026, 3, 1, 8, 31, 0).unwrap());
        let budget = Budget::new(1000, 990, w);
        assert_eq!(budget.remaining, 10);
        assert_eq!(budget.retry_after(t), 1);
        assert_eq!(budget.retry_after(Utc.with_ymd_and_hms(2026, 3, 1, 8, 30, 15).unwrap()), 45);
        assert_eq!(Budget::new(10, 25, w).remaining, 0);
    }

    #[test]
    fn callers_are_told_apart() {
        assert_eq!(subject(Some("a@b"), Some("10.0.0.1")), "sub:a@b");
        assert_eq!(subject(None, Some("10.0.0.1")), "anonymous:10.0.0.1");
        assert_ne!(subject(Some("anonymous:10.0.0.1"), None), subject(None, Some("10.0.0.1")));
    }
}
