//! What one request may ask of the service: the size of its body, the shape of its operation, its
//! cost, how long it may run, and how many cost points a caller may spend per minute.
//!
//! The defaults follow the OWASP GraphQL Cheat Sheet, with GitHub's and Shopify's published limits as
//! the reference for the numbers; every one can be changed by a flag and its `DIRECTIVES_…` variable.
//! A refusal names the limit (by its flag) and its value, so that a client knows what to change and
//! an operator knows what to raise.

pub mod in_flight;
pub mod rate;
pub mod shape;

use std::time::Duration;

use clap::Args;

pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
pub const DEFAULT_MAX_DEPTH: u64 = 15;
pub const DEFAULT_MAX_ALIASES: u64 = 30;
pub const DEFAULT_MAX_ROOT_FIELDS: u64 = 20;
pub const DEFAULT_MAX_DIRECTIVES: u64 = 5;
pub const DEFAULT_MAX_BATCH: u64 = 10;
pub const DEFAULT_MAX_COST: u64 = 500;
pub const DEFAULT_MAX_NODES: u64 = 100_000;
pub const DEFAULT_RATE_LIMIT: u64 = 1_000;
pub const DEFAULT_EXECUTION_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_NODES_IN_FLIGHT: u64 = 5_000;

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitSettings {
    /// Largest request body in bytes (after decompression); a larger one is refused with 413.
    #[arg(long, env = "DIRECTIVES_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES,
          value_parser = clap::value_parser!(usize))]
    pub max_body_bytes: usize,

    /// Deepest nesting of fields in an operation (introspection fields count as one level).
    #[arg(long, env = "DIRECTIVES_MAX_DEPTH", value_name = "N", default_value_t = DEFAULT_MAX_DEPTH,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_depth: u64,

    /// Most aliased fields in an operation, fragments counted each time they are spread.
    #[arg(long, env = "DIRECTIVES_MAX_ALIASES", value_name = "N", default_value_t = DEFAULT_MAX_ALIASES)]
    pub max_aliases: u64,

    /// Most fields at the root of an operation.
    #[arg(long, env = "DIRECTIVES_MAX_ROOT_FIELDS", value_name = "N", default_value_t = DEFAULT_MAX_ROOT_FIELDS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_root_fields: u64,

    /// Most directives on one field, fragment spread or inline fragment.
    #[arg(long, env = "DIRECTIVES_MAX_DIRECTIVES", value_name = "N", default_value_t = DEFAULT_MAX_DIRECTIVES)]
    pub max_directives: u64,

    /// Most operations in one batched request (a JSON array of requests).
    #[arg(long, env = "DIRECTIVES_MAX_BATCH", value_name = "N", default_value_t = DEFAULT_MAX_BATCH,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_batch: u64,

    /// Highest cost of one operation, in points (see "Limits, cost and rate limit" in the README).
    #[arg(long, env = "DIRECTIVES_MAX_COST", value_name = "POINTS", default_value_t = DEFAULT_MAX_COST,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_cost: u64,

    /// Most objects the connections of one operation may return, all pages of all levels together.
    #[arg(long, env = "DIRECTIVES_MAX_NODES", value_name = "N", default_value_t = DEFAULT_MAX_NODES,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_nodes: u64,

    /// Cost points each caller (JWT `sub`) may spend per minute, shared by all instances; 0 turns it off.
    #[arg(long, env = "DIRECTIVES_RATE_LIMIT", value_name = "POINTS", default_value_t = DEFAULT_RATE_LIMIT)]
    pub rate_limit: u64,

    /// Longest a query or mutation may run, in seconds (fractions allowed).
    #[arg(long, env = "DIRECTIVES_EXECUTION_TIMEOUT", value_name = "SECONDS", default_value = "10",
          value_parser = parse_seconds)]
    pub execution_timeout: Duration,

    /// Most objects the connections of all operations running at once on this instance may return
    /// together; past it a large operation waits for others to finish, within its time limit
    /// (operations of fewer than 200 objects never wait). 0 turns it off.
    #[arg(long, env = "DIRECTIVES_NODES_IN_FLIGHT", value_name = "N", default_value_t = DEFAULT_NODES_IN_FLIGHT)]
    pub nodes_in_flight: u64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_aliases: DEFAULT_MAX_ALIASES,
            max_root_fields: DEFAULT_MAX_ROOT_FIELDS,
            max_directives: DEFAULT_MAX_DIRECTIVES,
            max_batch: DEFAULT_MAX_BATCH,
            max_cost: DEFAULT_MAX_COST,
            max_nodes: DEFAULT_MAX_NODES,
            rate_limit: DEFAULT_RATE_LIMIT,
            execution_timeout: DEFAULT_EXECUTION_TIMEOUT,
            nodes_in_flight: DEFAULT_NODES_IN_FLIGHT,
        }
    }
}

/// `10`, `2.5`, `0.25`: a positive number of seconds.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let seconds: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number of seconds, as in 10 or 2.5"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
        return Err(format!("`{s}` is out of range: give more than 0 and at most 86400 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Seconds as a person writes them: `10 s`, `2.5 s`.
pub fn describe(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds.fract() == 0.0 { format!("{seconds:.0} s") } else { format!("{seconds} s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_what_the_flags_say() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            limits: LimitSettings,
        }
        let parsed = <Cli as clap::Parser>::parse_from(["directives"]).limits;
        let default = LimitSettings::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
    }

    #[test]
    fn seconds_take_fractions_and_refuse_nonsense() {
        assert_eq!(parse_seconds("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "ten", "NaN", "1e9"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(describe(Duration::from_secs(10)), "10 s");
        assert_eq!(describe(Duration::from_millis(1500)), "1.5 s");
    }
}
