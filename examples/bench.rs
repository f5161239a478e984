//! The benchmark harness of BENCHMARKS.md: drives a running service over HTTP with the operations a
//! national deployment sees, each in turn at a given concurrency for a given time, and prints per
//! operation the requests, throughput, latency percentiles, errors and SQL statements per request,
//! the server's peak memory, and, for the reads that have one, the same answer from hand-written
//! SQL run directly against PostgreSQL, interleaved with the service so that both meet the same
//! noise.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench directives generate --tasks 1000000
//! DATABASE_URL=… DIRECTIVES_JWT_SECRET=… directives serve &
//! DATABASE_URL=… DIRECTIVES_JWT_SECRET=… cargo run --release --example bench -- \
//!     --concurrency 16 --seconds 20 --server-pid $! --json bench.json
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::{AuthSettings, Minter};
use api::domain::policy::Role;
use chrono::{Datelike, NaiveDate, Utc};
use clap::Parser;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Drives a running directives service with a fixed mix of operations and reports the figures")]
struct Args {
    /// The service's GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    url: String,
    /// The service's database: hand-written SQL baselines run there (PostgreSQL only).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// The service's HS256 secret, to mint a READER and a REPORTER token.
    #[arg(long, env = "DIRECTIVES_JWT_SECRET")]
    jwt_secret: String,
    /// Clients sending requests at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds each operation runs, split over the rounds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Rounds of service and baseline, alternated.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Operations to run (all when not given): nested, nested-screen, lineage, progress, overdue,
    /// search, feed, writes, agency.
    #[arg(long, value_delimiter = ',')]
    ops: Vec<String>,
    /// The central document whose cascade is read.
    #[arg(long, default_value = "57-KL/TW")]
    document: String,
    /// The agency whose overdue tasks are listed and whose REPORTER writes: by default the one
    /// presiding over the most overdue tasks of the document's cascade.
    #[arg(long)]
    agency: Option<String>,
    /// A phrase to search for, without diacritics.
    #[arg(long, default_value = "ung dung cong nghe thong tin chuyen doi so")]
    phrase: String,
    /// The server's process id, for its peak memory (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Nested,
    NestedScreen,
    Lineage,
    Progress,
    Overdue,
    Search,
    Feed,
    Writes,
    AgencyByCode,
}

impl Op {
    const ALL: [Op; 9] = [
        Op::Nested,
        Op::NestedScreen,
        Op::Lineage,
        Op::Progress,
        Op::Overdue,
        Op::Search,
        Op::Feed,
        Op::Writes,
        Op::AgencyByCode,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Nested => "nested",
            Op::NestedScreen => "nested-screen",
            Op::Lineage => "lineage",
            Op::Progress => "progress",
            Op::Overdue => "overdue",
            Op::Search => "search",
            Op::Feed => "feed",
            Op::Writes => "writes",
            Op::AgencyByCode => "agency",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Op::Nested => "1 nested read, 50 × 20",
            Op::NestedScreen => "1b nested read, 10 × 10",
            Op::Lineage => "2 lineage + coverage",
            Op::Progress => "3 cascade progress",
            Op::Overdue => "4 overdue tasks of an agency",
            Op::Search => "5 search",
            Op::Feed => "6 change feed (items = changes)",
            Op::Writes => "7 writes as a REPORTER",
            Op::AgencyByCode => "8 one agency by code",
        }
    }
}

const NESTED: &str = "query($id: ID!, $d: Int!, $t: Int!) { node(id: $id) { ... on Document {
    implementedBy(first: $d) { nodes { symbol issuedOn tasks(first: $t) { nodes { code content deadline { kind date year }
      progressState assignments { role assignedOn agency { code name } } } } } } } } }";
const LINEAGE: &str = "query($id: ID!) { node(id: $id) { ... on Document {
    descendants(first: 50) { totalCount nodes { depth path document { symbol } } }
    provinces: implementationCoverage(expected: { kind: PEOPLES_COMMITTEE, level: PROVINCIAL }) { expectedCount coveredCount ratio missing { code } }
    ministries: implementationCoverage(expected: { kind: MINISTRY }) { expectedCount coveredCount ratio } } } }";
const PROGRESS: &str = "query($id: ID!) { node(id: $id) { ... on Document {
    progress(includeDescendants: true) { total overdue onTimeRate byStatus { status count } } } } }";
const OVERDUE: &str =
    "query($a: String!) { tasks(first: 50, filter: { agencyCode: $a, status: [IN_PROGRESS_OVERDUE] }) {
    nodes { id code status document { symbol } } } }";
const SEARCH: &str = "query($q: String!) { search(query: $q, first: 20) { totalCount nodes { score node { id } } } }";
const FEED: &str = "query($c: String) { changes(first: 100, after: $c) { pageInfo { hasNextPage endCursor }
    nodes { sequence entityType entityId operation } } }";
const AGENCY: &str = "query($c: String!) { agency(code: $c) { id code name kind level } }";
const REPORT: &str =
    "mutation($i: SubmitProgressReportInput!) { submitProgressReport(input: $i) { progressReport { id } } }";
const PROGRESS_STATE: &str =
    "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { id version progressState } } }";

/// What the runs need to know of the data.
struct Subjects {
    document: String,
    document_uuid: String,
    agency: String,
    agency_id: String,
    agency_uuid: String,
    /// Open tasks the agency presides over.
    tasks: Vec<String>,
    /// Each of those tasks' current version, kept across rounds as the writes move it on.
    versions: std::sync::Mutex<HashMap<String, i64>>,
    phrase: String,
    today: NaiveDate,
}

struct Client {
    http: reqwest::Client,
    url: String,
    reader: String,
    reporter: String,
}

/// Only what the harness reads of an answer; the data itself is skipped unparsed.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errors: Option<Vec<Value>>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extensions {
    sql_statements: Option<u64>,
}

impl Client {
    async fn post(&self, token: &str, query: &str, variables: Value) -> Result<(Vec<u8>, u16), String> {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(token)
            .header("x-directives-debug", "sql")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        Ok((body.to_vec(), status))
    }

    /// A query whose whole answer the caller reads.
    async fn read(&self, query: &str, variables: Value) -> Value {
        let (body, _) = self.post(&self.reader, query, variables).await.expect("the service answers");
        let v: Value = serde_json::from_slice(&body).expect("the service answers JSON");
        assert!(v.get("errors").is_none(), "the service refused a setup query: {v:#}");
        v
    }
}

/// One operation's measurements.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
    statements: u64,
    items: u64,
    elapsed: Duration,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.statements += other.statements;
        self.items += other.items;
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i] as f64 / 1000.0
    }

    fn rate(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn json(&self) -> Value {
        json!({
            "requests": self.latencies_us.len(),
            "per_second": round(self.rate()),
            "items_per_second": round(self.items as f64 / self.elapsed.as_secs_f64().max(1e-9)),
            "p50_ms": round(self.percentile(0.50)),
            "p95_ms": round(self.percentile(0.95)),
            "p99_ms": round(self.percentile(0.99)),
            "errors": self.errors,
            "first_error": self.first_error,
            "sql_per_request": if self.latencies_us.is_empty() { 0.0 } else { round(self.statements as f64 / self.latencies_us.len() as f64) },
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Worker state for the operations that move on from request to request.
struct Worker {
    cursor: Value,
    read_in_pass: u64,
    step: u64,
    tasks: Vec<String>,
}

async fn request(client: &Client, s: &Subjects, op: Op, w: &mut Worker) -> Result<(u64, u64), String> {
    let id = &s.document;
    let (token, query, variables) = match op {
        Op::Nested => (&client.reader, NESTED, json!({ "id": id, "d": 50, "t": 20 })),
        Op::NestedScreen => (&client.reader, NESTED, json!({ "id": id, "d": 10, "t": 10 })),
        Op::Lineage => (&client.reader, LINEAGE, json!({ "id": id })),
        Op::Progress => (&client.reader, PROGRESS, json!({ "id": id })),
        Op::Overdue => (&client.reader, OVERDUE, json!({ "a": s.agency })),
        Op::Search => (&client.reader, SEARCH, json!({ "q": s.phrase })),
        Op::Feed => (&client.reader, FEED, json!({ "c": w.cursor })),
        Op::AgencyByCode => (&client.reader, AGENCY, json!({ "c": s.agency })),
        Op::Writes => {
            if w.tasks.is_empty() {
                return Err(format!("{} presides over no open task to report on", s.agency));
            }
            w.step += 1;
            let k = (w.step as usize / 2) % w.tasks.len();
            if w.step.is_multiple_of(2) {
                let task = &w.tasks[k];
                let input = json!({ "taskId": task, "agencyId": s.agency_id, "periodKind": "AD_HOC",
                    "periodStart": s.today.to_string(), "periodEnd": s.today.to_string(),
                    "percentComplete": 50, "narrative": "Đang triển khai theo kế hoạch." });
                (&client.reporter, REPORT, json!({ "i": input }))
            } else {
                let task = &w.tasks[k];
                let version = s.versions.lock().expect("versions").get(task).copied().unwrap_or(1);
                let input = json!({ "id": task, "expectedVersion": version, "progressState": "IN_PROGRESS" });
                (&client.reporter, PROGRESS_STATE, json!({ "i": input }))
            }
        }
    };
    let (body, status) = client.post(token, query, variables).await?;
    let answer: Answer = serde_json::from_slice(&body).map_err(|e| format!("HTTP {status}: not JSON: {e}"))?;
    if let Some(errors) = answer.errors.filter(|e| !e.is_empty()) {
        return Err(format!("HTTP {status}: {}", errors[0]));
    }
    if status != 200 {
        return Err(format!("HTTP {status}"));
    }
    let statements = answer.extensions.and_then(|e| e.sql_statements).unwrap_or(0);
    let mut items = 1;
    match op {
        Op::Feed => {
            let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            let page = &v["data"]["changes"];
            items = page["nodes"].as_array().map_or(0, |n| n.len() as u64);
            w.read_in_pass += items;
            let more = page["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false);
            w.cursor =
                if more && w.read_in_pass < 100_000 { page["pageInfo"]["endCursor"].clone() } else { Value::Null };
            if w.cursor.is_null() {
                w.read_in_pass = 0;
            }
        }
        Op::Writes if !w.step.is_multiple_of(2) => {
            let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            let k = (w.step as usize / 2) % w.tasks.len();
            if let Some(version) = v["data"]["setTaskProgress"]["task"]["version"].as_i64() {
                s.versions.lock().expect("versions").insert(w.tasks[k].clone(), version);
            }
        }
        _ => {}
    }
    Ok((statements, items))
}

/// Runs `op` against the service from `concurrency` clients for `time`.
async fn run_service(client: Arc<Client>, s: Arc<Subjects>, op: Op, concurrency: usize, time: Duration) -> Tally {
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|index| {
            let (client, s) = (client.clone(), s.clone());
            tokio::spawn(async move {
                // Each writer has tasks of its own, so that versions do not collide.
                let tasks: Vec<String> = s.tasks.iter().skip(index).step_by(concurrency).cloned().collect();
                let mut w = Worker { cursor: Value::Null, read_in_pass: 0, step: 0, tasks };
                let mut t = Tally::default();
                while started.elapsed() < time {
                    let sent = Instant::now();
                    match request(&client, &s, op, &mut w).await {
                        Ok((statements, items)) => {
                            t.latencies_us.push(sent.elapsed().as_micros() as u64);
                            t.statements += statements;
                            t.items += items;
                        }
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(e);
                            if op == Op::Writes && w.tasks.is_empty() {
                                break;
                            }
                            // A failing service is not to be hammered: the error is what is measured.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
                t
            })
        })
        .collect();
    let mut tally = Tally::default();
    for w in workers {
        tally.merge(w.await.expect("a worker panicked"));
    }
    tally.elapsed = started.elapsed();
    tally
}

/// Runs one hand-written statement from `concurrency` connections for `time`.
async fn run_baseline(db: DatabaseConnection, sql: String, concurrency: usize, time: Duration) -> Tally {
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (db, sql) = (db.clone(), sql.clone());
            tokio::spawn(async move {
                let mut t = Tally::default();
                while started.elapsed() < time {
                    let sent = Instant::now();
                    match db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.clone())).await {
                        Ok(rows) => {
                            // Read the answer as a client would: the JSON text of each row.
                            for row in &rows {
                                let _: Option<String> = row.try_get_by_index(0).ok();
                            }
                            t.latencies_us.push(sent.elapsed().as_micros() as u64);
                        }
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                t
            })
        })
        .collect();
    let mut tally = Tally::default();
    for w in workers {
        tally.merge(w.await.expect("a worker panicked"));
    }
    tally.elapsed = started.elapsed();
    tally
}

/// A task's status on `day`, written out by hand for PostgreSQL with the day's period ends as
/// literals: the rule of the README, for tasks `t` of documents `d`.
fn status_sql(day: NaiveDate) -> String {
    let last_end = |first_month: u32| {
        NaiveDate::from_ymd_opt(day.year(), first_month, 1).and_then(|d| d.pred_opt()).unwrap_or(day)
    };
    let (monthly, quarterly, semiannual, yearly) = (
        last_end(day.month()),
        last_end((day.month() - 1) / 3 * 3 + 1),
        last_end((day.month() - 1) / 6 * 6 + 1),
        last_end(1),
    );
    let due = format!(
        "(CASE WHEN t.extended_on > DATE '{day}' THEN (SELECT e.previous_due_on FROM deadline_extension e \
         WHERE e.task_id = t.id AND e.effective_on > DATE '{day}' ORDER BY e.effective_on LIMIT 1) ELSE t.due_on END)"
    );
    let period_end = format!(
        "(CASE t.deadline_recurrence WHEN 'MONTHLY' THEN DATE '{monthly}' WHEN 'QUARTERLY' THEN DATE '{quarterly}' \
         WHEN 'SEMIANNUAL' THEN DATE '{semiannual}' ELSE DATE '{yearly}' END)"
    );
    format!(
        "(CASE WHEN t.progress_state = 'CANCELLED' THEN 'CANCELLED' \
         WHEN t.completed_on <= DATE '{day}' THEN CASE WHEN t.completed_on > {due} THEN 'COMPLETED_LATE' ELSE 'COMPLETED_ON_TIME' END \
         WHEN t.deadline_kind = 'NONE' THEN 'ONGOING' \
         WHEN t.deadline_kind = 'RECURRING' THEN CASE WHEN {period_end} >= d.issued_on AND NOT EXISTS (SELECT 1 FROM progress_report r \
           WHERE r.task_id = t.id AND r.period_start <= {period_end} AND r.period_end >= {period_end}) \
           THEN 'IN_PROGRESS_OVERDUE' ELSE 'IN_PROGRESS_ON_TIME' END \
         WHEN {due} < DATE '{day}' THEN 'IN_PROGRESS_OVERDUE' ELSE 'IN_PROGRESS_ON_TIME' END)"
    )
}

/// The hand-written PostgreSQL statement that gives the same answer as `op`, if it has one.
fn baseline_sql(op: Op, s: &Subjects) -> Option<String> {
    let root = &s.document_uuid;
    let nested = |documents: u32, tasks: u32| {
        format!(
            "SELECT json_build_object('data', json_build_object('node', json_build_object('implementedBy', json_build_object('nodes', \
               COALESCE(json_agg(json_build_object('symbol', c.symbol, 'issuedOn', c.issued_on, 'tasks', json_build_object('nodes', tk.tasks)) ORDER BY c.id), '[]')))))::text \
             FROM (SELECT d.id, d.symbol, d.issued_on FROM document d JOIN document_relation r ON r.from_id = d.id \
                   WHERE r.to_id = '{root}' AND r.kind = 'IMPLEMENTS' ORDER BY d.id LIMIT {documents}) c \
             CROSS JOIN LATERAL (SELECT COALESCE(json_agg(json_build_object('code', t.code, 'content', t.content, \
                 'deadline', json_build_object('kind', t.deadline_kind, 'date', t.deadline_date, 'year', t.deadline_year), \
                 'progressState', t.progress_state, 'assignments', (SELECT COALESCE(json_agg(json_build_object('role', a.role, \
                 'assignedOn', a.assigned_on, 'agency', json_build_object('code', g.code, 'name', g.name)) ORDER BY a.id), '[]') \
                 FROM task_assignment a JOIN agency g ON g.id = a.agency_id WHERE a.task_id = t.id)) ORDER BY t.id), '[]') AS tasks \
               FROM (SELECT * FROM task WHERE document_id = c.id ORDER BY id LIMIT {tasks}) t) tk"
        )
    };
    let day = s.today;
    let status = status_sql(day);
    match op {
        Op::Nested => Some(nested(50, 20)),
        Op::NestedScreen => Some(nested(10, 10)),
        Op::Progress => Some(format!(
            "WITH RECURSIVE c(id) AS (SELECT '{root}'::uuid UNION SELECT r.from_id FROM document_relation r JOIN c ON r.to_id = c.id \
               WHERE r.kind = 'IMPLEMENTS') \
             SELECT json_agg(json_build_object('status', status, 'count', n))::text FROM (SELECT status, count(*) AS n FROM \
               (SELECT {status} AS status FROM task t JOIN document d ON d.id = t.document_id \
                WHERE t.document_id IN (SELECT id FROM c) AND d.issued_on <= DATE '{day}') x GROUP BY status) y"
        )),
        Op::Overdue => Some(format!(
            "SELECT COALESCE(json_agg(json_build_object('id', x.id, 'code', x.code, 'status', x.status, 'document', \
               json_build_object('symbol', x.symbol)) ORDER BY x.id), '[]')::text FROM \
             (SELECT t.id, t.code, d.symbol, {status} AS status FROM task t JOIN document d ON d.id = t.document_id \
              WHERE EXISTS (SELECT 1 FROM task_assignment a WHERE a.task_id = t.id AND a.agency_id = '{agency}' AND a.ended_on IS NULL) \
                AND {status} = 'IN_PROGRESS_OVERDUE' ORDER BY t.id LIMIT 50) x",
            agency = s.agency_uuid
        )),
        _ => None,
    }
}

/// Peak and current resident memory of a process, in MiB, from /proc.
fn memory_of(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| -> Option<f64> {
        status.lines().find(|l| l.starts_with(key))?.split_whitespace().nth(1)?.parse::<f64>().ok()
    };
    Some((kib("VmHWM:")? / 1024.0, kib("VmRSS:")? / 1024.0))
}

/// The UUID inside a global id.
fn uuid_of(global: &str) -> String {
    api::ids::GlobalId::decode(global).expect("the service issued this id").uuid.to_string()
}

async fn subjects(client: &Client, args: &Args) -> Subjects {
    let agency = match &args.agency {
        Some(code) => code.clone(),
        None => {
            let r = client
                .read(
                    "query($s: String!) { documents(filter: { symbol: $s }, first: 1) { nodes {
                       progressByAgency(includeDescendants: true, role: PRESIDING) { agency { code } } } } }",
                    json!({ "s": args.document }),
                )
                .await;
            r["data"]["documents"]["nodes"][0]["progressByAgency"][0]["agency"]["code"]
                .as_str()
                .unwrap_or_else(|| panic!("no agency presides over tasks of {}", args.document))
                .to_owned()
        }
    };
    let r = client
        .read(
            "query($s: String!, $a: String!) { documents(filter: { symbol: $s }, first: 1) { nodes { id } }
               agency(code: $a) { id }
               tasks(filter: { agencyCode: $a, role: PRESIDING, progressState: IN_PROGRESS }, first: 100) { nodes { id version } } }",
            json!({ "s": args.document, "a": agency }),
        )
        .await;
    let document = r["data"]["documents"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no document {} in the service", args.document))
        .to_owned();
    let agency_id =
        r["data"]["agency"]["id"].as_str().unwrap_or_else(|| panic!("no agency {agency} in the service")).to_owned();
    let versions: HashMap<String, i64> = r["data"]["tasks"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|t| (t["id"].as_str().unwrap_or_default().to_owned(), t["version"].as_i64().unwrap_or(1)))
                .collect()
        })
        .unwrap_or_default();
    let mut tasks: Vec<String> = versions.keys().cloned().collect();
    tasks.sort();
    Subjects {
        document_uuid: uuid_of(&document),
        document,
        agency,
        agency_uuid: uuid_of(&agency_id),
        agency_id,
        tasks,
        versions: std::sync::Mutex::new(versions),
        phrase: args.phrase.clone(),
        today: (Utc::now() + chrono::Duration::hours(7)).date_naive(),
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let ops: Vec<Op> = if args.ops.is_empty() {
        Op::ALL.to_vec()
    } else {
        args.ops
            .iter()
            .map(|name| {
                Op::ALL.into_iter().find(|op| op.name() == name).unwrap_or_else(|| panic!("no operation {name}"))
            })
            .collect()
    };
    let minter =
        Minter::from_settings(&AuthSettings { jwt_secret: Some(args.jwt_secret.clone()), ..Default::default() })
            .expect("the secret mints tokens");
    let day = Duration::from_secs(86_400);
    let mut client = Client {
        http: reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().expect("an HTTP client"),
        url: args.url.clone(),
        reader: minter.mint("bench-reader", &[Role::Reader], None, day).expect("a token"),
        reporter: String::new(),
    };
    let s = Arc::new(subjects(&client, &args).await);
    client.reporter = minter.mint("bench-reporter", &[Role::Reporter], Some(&s.agency), day).expect("a token");
    let client = Arc::new(client);
    eprintln!("document {}, agency {} ({} open tasks to write to)", args.document, s.agency, s.tasks.len());
    let db = match &args.database_url {
        Some(url) if url.starts_with("postgres") => Some(
            Database::connect(
                sea_orm::ConnectOptions::new(url.clone()).max_connections(args.concurrency as u32).to_owned(),
            )
            .await
            .expect("the baseline connects to the database"),
        ),
        _ => None,
    };
    let slice = Duration::from_secs_f64(args.seconds / args.rounds.max(1) as f64);
    let mut results: BTreeMap<usize, (Op, Tally, Option<Tally>)> = BTreeMap::new();
    for (i, op) in ops.iter().copied().enumerate() {
        let sql = db.as_ref().and_then(|_| baseline_sql(op, &s));
        let mut service = Tally::default();
        let mut baseline: Option<Tally> = None;
        let (mut service_time, mut baseline_time) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..args.rounds.max(1) {
            let t = run_service(client.clone(), s.clone(), op, args.concurrency, slice).await;
            service_time += t.elapsed;
            service.merge(t);
            if let (Some(db), Some(sql)) = (&db, &sql) {
                let t = run_baseline(db.clone(), sql.clone(), args.concurrency, slice).await;
                baseline_time += t.elapsed;
                baseline.get_or_insert_with(Tally::default).merge(t);
            }
        }
        service.elapsed = service_time;
        if let Some(b) = baseline.as_mut() {
            b.elapsed = baseline_time;
        }
        eprintln!("{:<34} done: {} requests, {} errors", op.title(), service.latencies_us.len(), service.errors);
        results.insert(i, (op, service, baseline));
    }
    let memory = args.server_pid.and_then(memory_of);

    println!(
        "\n| operation | requests | req/s | items/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | SQL baseline p50 ms | SQL baseline req/s | service ÷ SQL (p50) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut json_rows = Vec::new();
    for (op, service, baseline) in results.values() {
        let j = service.json();
        let (base_p50, base_rate, ratio) = match baseline {
            Some(b) if !b.latencies_us.is_empty() => {
                let ratio = service.percentile(0.5) / b.percentile(0.5);
                (format!("{:.2}", b.percentile(0.5)), format!("{:.1}", b.rate()), format!("{ratio:.2}"))
            }
            _ => ("—".into(), "—".into(), "—".into()),
        };
        println!(
            "| {} | {} | {:.1} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {base_p50} | {base_rate} | {ratio} |",
            op.title(),
            j["requests"],
            service.rate(),
            j["items_per_second"].as_f64().unwrap_or(0.0),
            service.percentile(0.5),
            service.percentile(0.95),
            service.percentile(0.99),
            service.errors,
            j["sql_per_request"],
        );
        if let Some(e) = &service.first_error {
            eprintln!("  {}: first error: {e}", op.name());
        }
        json_rows.push(json!({ "operation": op.name(), "title": op.title(), "service": j,
            "baseline": baseline.as_ref().map(Tally::json) }));
    }
    if let Some((peak, now)) = memory {
        println!("\nserver memory: peak {peak:.0} MiB, now {now:.0} MiB");
    }
    if let Some(path) = &args.json {
        let out = json!({ "concurrency": args.concurrency, "seconds_per_operation": args.seconds, "rounds": args.rounds,
            "operations": json_rows, "server_memory_mib": memory.map(|(peak, now)| json!({ "peak": peak, "now": now })) });
        std::fs::write(path, serde_json::to_string_pretty(&out).expect("JSON")).expect("the results are written");
    }
    let failed: u64 = results.values().map(|(_, s, _)| s.errors).sum();
    if failed > 0 {
        eprintln!("{failed} requests failed");
        std::process::exit(1);
    }
}
