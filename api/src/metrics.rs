//! The service's Prometheus metrics. Each running server has a registry of its own (several
//! servers may share a process, as the tests do), rendered in the text format by `GET /metrics`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Distinct operation names kept as label values; later names are counted as `other`, so that
/// clients cannot grow the number of time series without bound.
const MAX_OPERATION_NAMES: usize = 200;
/// Longer names are counted as `other` too.
const MAX_OPERATION_NAME_CHARS: usize = 64;

/// Latency buckets in seconds, from a cached lookup to a heavy rollup.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// SQL statements per request: a fixed number per query shape, so small counts dominate.
const STATEMENT_BUCKETS: &[f64] = &[1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0, 144.0];
/// Commit-to-delivery lag of the change feed: about a second across instances, more after a reconnect.
const FEED_LAG_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0, 3600.0];

/// How a GraphQL request ended, as the `outcome` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No error in the response.
    Ok,
    /// At least one error in the response (the data may be partial).
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
        }
    }
}

/// One GraphQL request, as the metrics record it.
pub struct OperationSample<'a> {
    /// The operation's name as the client gave it (`None` for an anonymous one).
    pub name: Option<&'a str>,
    /// `query`, `mutation`, `subscription`, or `unknown` when the document did not parse.
    pub kind: &'a str,
    pub outcome: Outcome,
    pub duration: Duration,
    pub sql_statements: usize,
    /// The `extensions.code` of each error in the response.
    pub error_codes: &'a [String],
}

/// What `GET /metrics` reads at the moment it is scraped.
pub struct Snapshot {
    pub pool_size: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    /// The newest sequence in the change log, when the database answered.
    pub feed_head: Option<i64>,
    /// The newest sequence this instance has been told of.
    pub feed_notified: i64,
    pub ready: bool,
}

#[derive(Clone)]
pub struct Metrics(Arc<Families>);

struct Families {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    http_in_flight: IntGauge,
    graphql_requests: IntCounterVec,
    graphql_duration: HistogramVec,
    graphql_errors: IntCounterVec,
    sql_statements: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    websockets: IntGauge,
    subscriptions: IntGauge,
    feed_head: IntGauge,
    feed_notified: IntGauge,
    feed_lag: Histogram,
    ready: IntGauge,
    operation_names: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let families = Families {
            http_requests: counter_vec(
                &registry,
                "directives_http_requests_total",
                "HTTP requests answered, by method, route and status",
                &["method", "route", "status"],
            ),
            http_duration: histogram_vec(
                &registry,
                "directives_http_request_duration_seconds",
                "Time from a request's arrival to its response, by method and route",
                &["method", "route"],
                LATENCY_BUCKETS,
            ),
            http_in_flight: gauge(&registry, "directives_http_requests_in_flight", "HTTP requests being handled"),
            graphql_requests: counter_vec(
                &registry,
                "directives_graphql_requests_total",
                "GraphQL operations executed over HTTP, by operation name, type and outcome",
                &["operation", "type", "outcome"],
            ),
            graphql_duration: histogram_vec(
                &registry,
                "directives_graphql_request_duration_seconds",
                "Time to parse, validate and execute a GraphQL operation, by operation name, type and outcome",
                &["operation", "type", "outcome"],
                LATENCY_BUCKETS,
            ),
            graphql_errors: counter_vec(
                &registry,
                "directives_graphql_errors_total",
                "Errors returned to clients, by extensions.code",
                &["code"],
            ),
            sql_statements: histogram_vec(
                &registry,
                "directives_graphql_sql_statements",
                "SQL statements executed per GraphQL operation, by operation name and type",
                &["operation", "type"],
                STATEMENT_BUCKETS,
            ),
            pool_connections: gauge_vec(
                &registry,
                "directives_db_pool_connections",
                "Open database connections of this instance, idle or in use",
                &["state"],
            ),
            pool_max: gauge(&registry, "directives_db_pool_max_connections", "The size limit of the database pool"),
            websockets: gauge(&registry, "directives_websocket_connections", "Open graphql-transport-ws connections"),
            subscriptions: gauge(&registry, "directives_subscriptions_active", "Subscriptions being served"),
            feed_head: gauge(
                &registry,
                "directives_change_feed_head_sequence",
                "The newest sequence number in the change log",
            ),
            feed_notified: gauge(
                &registry,
                "directives_change_feed_notified_sequence",
                "The newest committed sequence this instance has been told of (by its own commits or \
                 PostgreSQL NOTIFY); behind the head while notifications are lost",
            ),
            feed_lag: histogram(
                &registry,
                "directives_change_feed_delivery_lag_seconds",
                "Time from a change's commit to its delivery to a subscriber of this instance",
                FEED_LAG_BUCKETS,
            ),
            ready: gauge(&registry, "directives_ready", "1 when the database answers and its schema is current"),
            operation_names: Mutex::default(),
            registry,
        };
        let build = gauge_vec(&families.registry, "directives_build_info", "The running version", &["version"]);
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Self(Arc::new(families))
    }

    /// Records one HTTP request. `route` is the matched route pattern, never the raw path.
    pub fn observe_http(&self, method: &str, route: &str, status: u16, duration: Duration) {
        let m = &self.0;
        m.http_requests.with_label_values(&[method, route, &status.to_string()]).inc();
        m.http_duration.with_label_values(&[method, route]).observe(duration.as_secs_f64());
    }

    /// Records one GraphQL operation and the errors it returned.
    pub fn observe_operation(&self, sample: &OperationSample<'_>) {
        let m = &self.0;
        let operation = self.operation_label(sample.name);
        let labels = [operation.as_str(), sample.kind, sample.outcome.as_str()];
        m.graphql_requests.with_label_values(&labels).inc();
        m.graphql_duration.with_label_values(&labels).observe(sample.duration.as_secs_f64());
        m.sql_statements.with_label_values(&[operation.as_str(), sample.kind]).observe(sample.sql_statements as f64);
        self.observe_errors(sample.error_codes);
    }

    /// Counts errors returned outside GraphQL execution (a refused token, an unavailable database).
    pub fn observe_errors(&self, codes: &[impl AsRef<str>]) {
        for code in codes {
            self.0.graphql_errors.with_label_values(&[code.as_ref()]).inc();
        }
    }

    /// The label for an operation name: the name itself while the set of names stays small.
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else { return "anonymous".to_owned() };
        if name.chars().count() > MAX_OPERATION_NAME_CHARS {
            return "other".to_owned();
        }
        let Ok(mut names) = self.0.operation_names.lock() else { return "other".to_owned() };
        if names.contains(name) || (names.len() < MAX_OPERATION_NAMES && names.insert(name.to_owned())) {
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// Counts a request being handled until the guard is dropped.
    pub fn request_started(&self) -> OpenGuard {
        OpenGuard::new(self.0.http_in_flight.clone())
    }

    /// Counts an open WebSocket connection until the guard is dropped.
    pub fn websocket_opened(&self) -> OpenGuard {
        OpenGuard::new(self.0.websockets.clone())
    }

    /// Counts a subscription being served until the guard is dropped.
    pub fn subscription_started(&self) -> OpenGuard {
        OpenGuard::new(self.0.subscriptions.clone())
    }

    /// Records how long after its commit a change reached a subscriber.
    pub fn observe_feed_delivery(&self, lag: Duration) {
        self.0.feed_lag.observe(lag.as_secs_f64());
    }

    /// The text exposition of every metric, with the gauges that are read at scrape time set
    /// from `snapshot`.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        let m = &self.0;
        m.pool_connections.with_label_values(&["idle"]).set(i64::from(snapshot.pool_idle));
        m.pool_connections
            .with_label_values(&["in_use"])
            .set(i64::from(snapshot.pool_size.saturating_sub(snapshot.pool_idle)));
        m.pool_max.set(i64::from(snapshot.pool_max));
        if let Some(head) = snapshot.feed_head {
            m.feed_head.set(head);
        }
        m.feed_notified.set(snapshot.feed_notified);
        m.ready.set(i64::from(snapshot.ready));
        let mut out = Vec::new();
        // Encoding into memory fails only on a malformed family, which the constructors rule out.
        if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Decrements its gauge when dropped, so a count of open things cannot leak on any exit path.
pub struct OpenGuard(IntGauge);

impl OpenGuard {
    fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

// The names and label sets below are fixed, so registering them cannot fail: a failure is a
// programming error caught by any test that builds a server.

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("a valid counter");
    registry.register(Box::new(metric.clone())).expect("a metric registered once");
    metric
}

fn histogram_vec(registry: &Registry, name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    let metric = HistogramVec::new(opts, labels).expect("a valid histogram");
    registry.register(Box::new(metric.clone())).expect("a metric registered once");
    metric
}

fn histogram(registry: &Registry, name: &str, help: &str, buckets: &[f64]) -> Histogram {
    let metric =
        Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec())).expect("a valid histogram");
    registry.register(Box::new(metric.clone())).expect("a metric registered once");
    metric
}

fn gauge_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let metric = IntGaugeVec::new(Opts::new(name, help), labels).expect("a valid gauge");
    registry.register(Box::new(metric.clone())).expect("a metric registered once");
    metric
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let metric = IntGauge::new(name, help).expect("a valid gauge");
    registry.register(Box::new(metric.clone())).expect("a metric registered once");
    metric
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(name: Option<&'a str>, codes: &'a [String]) -> OperationSample<'a> {
        OperationSample {
            name,
            kind: "query",
            outcome: if codes.is_empty() { Outcome::Ok } else { Outcome::Error },
            duration: Duration::from_millis(3),
            sql_statements: 4,
            error_codes: codes,
        }
    }

    fn snapshot() -> Snapshot {
        Snapshot { pool_size: 3, pool_idle: 2, pool_max: 10, feed_head: Some(7), feed_notified: 7, ready: true }
    }

    #[test]
    fn operations_are_counted_by_name_outcome_and_error_code() {
        let metrics = Metrics::new();
        let codes = vec!["NOT_FOUND".to_owned(), "NOT_FOUND".to_owned()];
        metrics.observe_operation(&sample(Some("Tasks"), &[]));
        metrics.observe_operation(&sample(Some("Tasks"), &codes));
        metrics.observe_operation(&sample(None, &[]));
        let text = metrics.render(&snapshot());
        for line in [
            r#"directives_graphql_requests_total{operation="Tasks",outcome="ok",type="query"} 1"#,
            r#"directives_graphql_requests_total{operation="Tasks",outcome="error",type="query"} 1"#,
            r#"directives_graphql_requests_total{operation="anonymous",outcome="ok",type="query"} 1"#,
            r#"directives_graphql_errors_total{code="NOT_FOUND"} 2"#,
            r#"directives_graphql_sql_statements_sum{operation="Tasks",type="query"} 8"#,
            r#"directives_db_pool_connections{state="in_use"} 1"#,
            r#"directives_db_pool_connections{state="idle"} 2"#,
            "directives_change_feed_head_sequence 7",
            "directives_ready 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn operation_names_cannot_grow_the_series_without_bound() {
        let metrics = Metrics::new();
        for i in 0..MAX_OPERATION_NAMES + 50 {
            metrics.observe_operation(&sample(Some(&format!("Op{i}")), &[]));
        }
        metrics.observe_operation(&sample(Some(&"X".repeat(MAX_OPERATION_NAME_CHARS + 1)), &[]));
        let text = metrics.render(&snapshot());
        let series = text.lines().filter(|l| l.starts_with("directives_graphql_requests_total{")).count();
        assert_eq!(series, MAX_OPERATION_NAMES + 1, "{MAX_OPERATION_NAMES} names and `other`");
        assert!(text.contains(r#"directives_graphql_requests_total{operation="other",outcome="ok",type="query"} 51"#));
        // A name admitted early keeps its own series.
        metrics.observe_operation(&sample(Some("Op0"), &[]));
        assert!(metrics.render(&snapshot()).contains(r#"{operation="Op0",outcome="ok",type="query"} 2"#));
    }

    #[test]
    fn open_counts_fall_when_guards_drop() {
        let metrics = Metrics::new();
        let a = metrics.subscription_started();
        let b = metrics.subscription_started();
        let _ws = metrics.websocket_opened();
        drop(a);
        let text = metrics.render(&snapshot());
        assert!(text.lines().any(|l| l == "directives_subscriptions_active 1"), "{text}");
        assert!(text.lines().any(|l| l == "directives_websocket_connections 1"), "{text}");
        drop(b);
        assert!(metrics.render(&snapshot()).lines().any(|l| l == "directives_subscriptions_active 0"));
    }
}
