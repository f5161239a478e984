//! `spawn_app()`: the real server on port 0 over a fresh database, and a client that speaks
//! GraphQL to it over HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use api::app::Application;
use api::auth::{AuthSettings, Minter};
use api::config::{DatabaseSettings, Settings};
use api::domain::policy::Role;
use api::exposure::ExposureSettings;
use api::limits::LimitSettings;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    #[cfg_attr(not(test_pg), allow(dead_code))]
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database_url: String,
    pub minter: Minter,
    /// The token `gql` sends: an ADMIN's.
    pub admin_token: String,
    /// Held for its drop.
    _cleanup: Cleanup,
}

/// The HS256 secret the test servers trust.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

pub fn test_auth() -> AuthSettings {
    AuthSettings { jwt_secret: Some(TEST_SECRET.to_owned()), ..Default::default() }
}

/// What a test's database leaves behind, removed on drop.
pub enum Cleanup {
    File(std::path::PathBuf),
    Database {
        server: String,
        name: String,
    },
    /// Another instance on a database that the first instance cleans up.
    Nothing,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("directives_test_{}_{}_{n}", std::process::id(), uuid::Uuid::now_v7().simple())
}

/// The PostgreSQL server URL with another database name in its path.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let prefix_end = base.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(base.len());
    let url = format!("{}/{name}", &base[..prefix_end]);
    match query {
        Some(q) => format!("{url}?{q}"),
        None => url,
    }
}

async fn admin_exec(server: &str, sql: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(server).await.expect("connect to DIRECTIVES_TEST_PG");
    db.execute_unprepared(sql).await.expect(sql);
    db.close().await.ok();
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_configured(backend, |_| {}).await
}

/// A server with these authentication settings (`AuthSettings::default()` is development mode).
pub async fn spawn_app_with(backend: Backend, auth: AuthSettings, public_read: bool) -> TestApp {
    spawn_app_configured(backend, |settings| {
        settings.auth = auth;
        settings.public_read = public_read;
    })
    .await
}

/// A server whose settings `configure` changes from those of [`spawn_app`].
pub async fn spawn_app_configured(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    api::telemetry::init("warn", api::telemetry::LogFormat::Human);
    let name = unique_name();
    let (database_url, cleanup) = match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (format!("sqlite://{}?mode=rwc", path.display()), Cleanup::File(path))
        }
        Backend::Postgres => {
            let server = std::env::var("DIRECTIVES_TEST_PG").expect("DIRECTIVES_TEST_PG");
            admin_exec(&server, &format!("CREATE DATABASE \"{name}\"")).await;
            (with_database(&server, &name), Cleanup::Database { server, name })
        }
    };
    start(database_url, cleanup, configure).await
}

/// A server on a database the caller owns and cleans up.
#[cfg_attr(not(test_pg), allow(dead_code))]
pub async fn spawn_app_at(database_url: &str) -> TestApp {
    api::telemetry::init("warn", api::telemetry::LogFormat::Human);
    start(database_url.to_owned(), Cleanup::Nothing, |_| {}).await
}

/// An empty PostgreSQL database on `DIRECTIVES_TEST_PG`, dropped when the guard is.
#[cfg_attr(not(test_pg), allow(dead_code))]
pub async fn fresh_postgres_database() -> (String, Cleanup) {
    let server = std::env::var("DIRECTIVES_TEST_PG").expect("DIRECTIVES_TEST_PG");
    let name = unique_name();
    admin_exec(&server, &format!("CREATE DATABASE \"{name}\"")).await;
    (with_database(&server, &name), Cleanup::Database { server, name })
}

async fn start(database_url: String, cleanup: Cleanup, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings {
        database: DatabaseSettings { database_url: database_url.clone(), max_connections: 5 },
        bind: "127.0.0.1:0".to_owned(),
        migrate: true,
        seed_sample: false,
        public_read: false,
        max_upload_bytes: api::config::DEFAULT_MAX_UPLOAD_BYTES,
        cascade_cache: api::config::DEFAULT_CASCADE_CACHE,
        shutdown_grace: Duration::from_secs(30),
        auth: test_auth(),
        // The rate limit and the time limit have tests of their own. Elsewhere a test's requests
        // would share one budget, and on a loaded machine writers queued on SQLite's lock (30 s)
        // would be cut by the time limit.
        limits: LimitSettings {
            rate_limit: 0,
            execution_timeout: Duration::from_secs(120),
            ..LimitSettings::default()
        },
        exposure: ExposureSettings::default(),
    };
    configure(&mut settings);
    let app = Application::build(&settings).await.expect("the application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let development_token = app.development_token().map(str::to_owned);
    tokio::spawn(app.run_until_stopped());
    let minter = Minter::from_settings(&test_auth()).expect("a minter for the test secret");
    let admin_token = development_token
        .unwrap_or_else(|| minter.mint("admin@test", &[Role::Admin], None, Duration::from_secs(3600)).unwrap());
    TestApp { address, client: reqwest::Client::new(), database_url, minter, admin_token, _cleanup: cleanup }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Nothing => {}
            Cleanup::Database { server, name } => {
                let (server, name) = (server.clone(), name.clone());
                // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    rt.block_on(admin_exec(&server, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")));
                })
                .join();
            }
        }
    }
}

/// An HTTP answer read whole: status, headers, and the body as JSON (a string when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    async fn read(resp: reqwest::Response) -> Self {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("a body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Self { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `extensions.code` of the first error, and the error itself.
    pub fn error(&self) -> (&str, &Value) {
        let error = &self.body["errors"][0];
        (error["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error in {:#}", self.body)), error)
    }
}

/// A GraphQL response, with helpers to read it.
#[derive(Debug, Clone)]
pub struct Gql(pub Value);

impl Gql {
    /// `data` at a dotted path (`createAgency.agency.id`); panics with the whole response if errors came back.
    pub fn data(&self, path: &str) -> &Value {
        assert!(self.0.get("errors").is_none(), "unexpected errors: {:#}", self.0);
        let mut v = &self.0["data"];
        for part in path.split('.').filter(|p| !p.is_empty()) {
            v = match part.parse::<usize>() {
                Ok(i) => &v[i],
                Err(_) => &v[part],
            };
        }
        v
    }

    pub fn str(&self, path: &str) -> String {
        self.data(path).as_str().unwrap_or_else(|| panic!("{path} is not a string in {:#}", self.0)).to_owned()
    }

    pub fn i64(&self, path: &str) -> i64 {
        self.data(path).as_i64().unwrap_or_else(|| panic!("{path} is not a number in {:#}", self.0))
    }

    /// The `extensions.code` of the first error; panics if there was none.
    pub fn error_code(&self) -> String {
        let errors = self.0["errors"].as_array().unwrap_or_else(|| panic!("expected an error, got {:#}", self.0));
        errors[0]["extensions"]["code"].as_str().unwrap_or("<no code>").to_owned()
    }

    pub fn error_message(&self) -> String {
        self.0["errors"][0]["message"].as_str().unwrap_or("").to_owned()
    }

    pub fn error_field(&self) -> Option<String> {
        self.0["errors"][0]["extensions"]["field"].as_str().map(str::to_owned)
    }

    /// Asserts an error with this code and returns its message.
    pub fn expect_error(&self, code: &str) -> String {
        assert_eq!(self.error_code(), code, "in {:#}", self.0);
        self.error_message()
    }

    pub fn sql_statements(&self) -> u64 {
        self.0["extensions"]["sqlStatements"].as_u64().unwrap_or_else(|| panic!("no sqlStatements in {:#}", self.0))
    }
}

impl TestApp {
    /// Another server on the same database, as a second instance behind a load balancer.
    #[cfg_attr(not(test_pg), allow(dead_code))]
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {}).await
    }

    /// Another server on the same database, with its settings changed by `configure`.
    pub async fn second_instance_with(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        start(self.database_url.clone(), Cleanup::Nothing, configure).await
    }

    /// A client of another server (another process) on the same database, with the same tokens.
    #[cfg_attr(not(test_pg), allow(dead_code))]
    pub fn client_of(&self, address: String) -> TestApp {
        TestApp {
            address,
            client: reqwest::Client::new(),
            database_url: self.database_url.clone(),
            minter: Minter::from_settings(&test_auth()).expect("a minter for the test secret"),
            admin_token: self.admin_token.clone(),
            _cleanup: Cleanup::Nothing,
        }
    }

    /// A token for `sub` with `roles`, acting for `agency`.
    pub fn token(&self, sub: &str, roles: &[Role], agency: Option<&str>) -> String {
        self.minter.mint(sub, roles, agency, Duration::from_secs(3600)).unwrap()
    }

    /// Sends a GraphQL request with `token` (none when `None`); returns the HTTP status and the body.
    pub async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Gql) {
        let mut req = self.client.post(format!("{}/graphql", self.address));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.json(&json!({ "query": query, "variables": variables })).send().await.expect("request");
        (resp.status().as_u16(), Gql(resp.json().await.expect("a JSON response")))
    }

    /// Sends a GraphQL request as `token`'s holder; the HTTP status must be 200.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Gql {
        let (status, body) = self.gql_with(Some(token), query, variables).await;
        assert_eq!(status, 200, "{:#}", body.0);
        body
    }

    async fn post(&self, query: &str, variables: Value, debug_sql: bool) -> Gql {
        let mut req = self.client.post(format!("{}/graphql", self.address)).bearer_auth(&self.admin_token);
        if debug_sql {
            req = req.header("X-Directives-Debug", "sql");
        }
        let resp = req.json(&json!({ "query": query, "variables": variables })).send().await.expect("request");
        Gql(resp.json().await.expect("a JSON response"))
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.post(query, variables, false).await
    }

    /// Like [`gql`], with one more request header.
    pub async fn gql_with_header(&self, name: &str, value: &str, query: &str) -> Gql {
        let req =
            self.client.post(format!("{}/graphql", self.address)).bearer_auth(&self.admin_token).header(name, value);
        let resp = req.json(&json!({ "query": query })).send().await.expect("request");
        Gql(resp.json().await.expect("a JSON response"))
    }

    /// Like [`gql`], asking for `extensions.sqlStatements`.
    pub async fn gql_counted(&self, query: &str, variables: Value) -> Gql {
        self.post(query, variables, true).await
    }

    pub async fn get(&self, path: &str, accept: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header("Accept", accept)
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .expect("request")
    }

    /// Sends `body` to `POST /graphql` with `token` and these headers, as it is, and reads the answer.
    pub async fn post_raw(
        &self,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut req = self.client.post(format!("{}/graphql", self.address)).body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        Answer::read(req.send().await.expect("request")).await
    }

    /// Posts a JSON body as `token`'s holder, accepting `accept`.
    pub async fn post_json(&self, token: &str, accept: &str, body: &Value) -> Answer {
        self.post_raw(Some(token), &[("content-type", "application/json"), ("accept", accept)], body.to_string()).await
    }

    /// `GET /graphql?…` with these parameters, as `token`'s holder, accepting `accept`.
    pub async fn get_query(&self, token: &str, accept: &str, params: &[(&str, &str)]) -> Answer {
        let req = self
            .client
            .get(format!("{}/graphql", self.address))
            .query(params)
            .bearer_auth(token)
            .header("accept", accept);
        Answer::read(req.send().await.expect("request")).await
    }

    /// Loads the sample hierarchy into this app's database, as `directives seed sample` does.
    pub async fn seed_sample(&self) -> api::seed::Loaded {
        let db = api::store::connect(&self.database_url, 2).await.expect("connect");
        api::seed::load_sample(&api::store::Store::new(db)).await.expect("sample loads")
    }

    pub async fn create_agency(&self, code: &str, kind: &str, level: &str, parent: Option<&str>) -> String {
        let r = self
            .gql(
                "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }",
                json!({ "i": { "code": code, "name": format!("Cơ quan {code}"), "kind": kind, "level": level,
                               "parentId": parent } }),
            )
            .await;
        r.str("createAgency.agency.id")
    }

    pub async fn create_document(&self, symbol: &str, issuer: &str, issued_on: &str, implements: &[&str]) -> String {
        let r = self
            .gql(
                "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
                json!({ "i": { "symbol": symbol, "issuerId": issuer, "issuedOn": issued_on,
                               "title": format!("Văn bản {symbol}"), "implementsIds": implements } }),
            )
            .await;
        r.str("createDocument.document.id")
    }

    pub async fn create_task(&self, document: &str, code: &str, lead: &str, coordinators: &[&str]) -> String {
        let r = self
            .gql(
                "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
                json!({ "i": { "documentId": document, "code": code, "content": format!("Nhiệm vụ {code}"),
                               "leadAgencyId": lead, "coordinatorIds": coordinators } }),
            )
            .await;
        r.str("createTask.task.id")
    }

    /// An agency, a document it issued, and the agency's id: the least a task needs.
    pub async fn document_with_issuer(&self) -> (String, String) {
        let agency = self.create_agency("BTTTT", "MINISTRY", "CENTRAL", None).await;
        let doc = self.create_document("47/NQ-CP", &agency, "2024-04-15", &[]).await;
        (agency, doc)
    }
}

/// Declares each named `async fn(TestApp)` as a test on SQLite and, with `cfg(test_pg)`, on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await).await;
                }

                #[cfg(test_pg)]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await).await;
                }
            }
        )+
    };
}

/// Like [`db_tests`], for tests that start their own servers: each named `async fn(Backend)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }

                #[cfg(test_pg)]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// Operations of 310 objects each (10 + 10 × 30): under a budget of 300 objects in flight, each
/// takes it whole.
pub const LARGE_AGENCIES: &str = "{ agencies(first: 10) { nodes { tasks(first: 30) { nodes { code } } } } }";
pub const LARGE_DOCUMENTS: &str = "{ documents(first: 10) { nodes { tasks(first: 30) { nodes { code } } } } }";

/// Holds `table` of `app`'s PostgreSQL database locked against every read until the transaction
/// is rolled back or dropped, so that a read of it waits as long as a test needs.
#[cfg(test_pg)]
pub async fn lock_against_reads(app: &TestApp, table: &str) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let db = api::store::connect(&app.database_url, 1).await.unwrap();
    let lock = db.begin().await.unwrap();
    lock.execute_unprepared(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")).await.unwrap();
    lock
}
