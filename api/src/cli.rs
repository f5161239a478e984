//! The `directives` command line.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::{Application, operator_error};
use crate::auth::{AuthSettings, Minter, parse_ttl};
use crate::config::{DatabaseSettings, ServeSettings, Settings};
use crate::domain::policy::Role;
use crate::exchange::{FileFormat, commands};
use crate::graphql::context::today;
use crate::graphql::schema::sdl;
use crate::store::{self, Store};
use crate::telemetry::LogSettings;
use crate::{generate, seed, telemetry};

#[derive(Parser)]
#[command(name = "directives", version, about = "Vietnam's directive-to-task hierarchy as a GraphQL service")]
struct Cli {
    #[command(flatten)]
    database: DatabaseSettings,

    #[command(flatten)]
    log: LogSettings,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API (the default command).
    Serve(ServeSettings),
    /// Apply pending database migrations.
    Migrate,
    /// Load data into the database.
    Seed {
        #[command(subcommand)]
        what: SeedWhat,
    },
    /// Fill an empty database with a deterministic national dataset, for measuring at scale.
    Generate(GenerateArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Tokens for operators and tests.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
    /// Add a plan's tasks to a document from XLSX, CSV or JSON (with --document), or load an
    /// exported cascade with the agencies it names (without).
    Import(ImportArgs),
    /// Write a document's cascade, with its tasks' status on a day, as JSON, CSV or XLSX.
    Export(ExportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The file: a task list (.xlsx, .csv, .json) with --document, a hierarchy file (.json) without.
    file: std::path::PathBuf,
    /// The document the tasks belong to: its ID, or its symbol if one document alone has it.
    #[arg(long)]
    document: Option<String>,
    /// Check the task list and report what it would add; write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct ExportArgs {
    /// The document whose cascade to write: its ID, or its symbol if one document alone has it.
    #[arg(long)]
    document: String,
    /// json, csv or xlsx.
    #[arg(long, default_value = "json")]
    format: FileFormat,
    /// The day the tasks' status is taken on (2026-11-22 or 22/11/2026); today in Vietnam by default.
    #[arg(long, value_parser = commands::day_argument)]
    as_of: Option<chrono::NaiveDate>,
    /// How many links below the document to follow.
    #[arg(long, default_value_t = 20)]
    max_depth: i32,
    /// The file to write; `-` for standard output.
    #[arg(long, short)]
    output: std::path::PathBuf,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Mint an HS256 token with the configured secret (DIRECTIVES_JWT_SECRET or --jwt-secret-file).
    Issue(IssueArgs),
}

#[derive(Args)]
struct IssueArgs {
    /// The subject: who the token is for.
    #[arg(long)]
    sub: String,
    /// ADMIN, EDITOR, REPORTER or READER; repeat for several.
    #[arg(long = "role", required = true)]
    roles: Vec<Role>,
    /// The code of the agency the holder acts for (EDITOR and REPORTER need one).
    #[arg(long)]
    agency: Option<String>,
    /// How long the token is valid: 90s, 15m, 1h, 7d.
    #[arg(long, default_value = "1h", value_parser = parse_ttl)]
    ttl: std::time::Duration,
    #[command(flatten)]
    auth: AuthSettings,
}

#[derive(Args)]
struct GenerateArgs {
    /// How many tasks: the documents, agencies, assignments and reports follow from it.
    #[arg(long, env = "DIRECTIVES_GENERATE_TASKS")]
    tasks: u64,
    /// The same seed gives the same data.
    #[arg(long, env = "DIRECTIVES_GENERATE_SEED", default_value_t = 1)]
    seed: u64,
}

#[derive(Subcommand)]
enum SeedWhat {
    /// The sample hierarchy: 57-KL/TW and the documents that carry it out, with tasks and agencies.
    Sample,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init("info", cli.log.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or_else(|| Command::Serve(ServeSettings::parse_defaults()));
    match command {
        Command::Serve(serve) => {
            let settings = Settings::new(cli.database, serve);
            let application = Application::build(&settings).await?;
            let host = settings.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            let host = if host == "0.0.0.0" || host == "[::]" { "127.0.0.1" } else { host };
            println!("directives is listening on {}", settings.bind.replace(":0", &format!(":{}", application.port())));
            println!("GraphiQL: http://{host}:{}/graphql", application.port());
            if let Some(token) = application.development_token() {
                println!(
                    "\n*** DEVELOPMENT MODE: no JWT key is configured, so the service made one that lives until it \
                     stops. ***\n*** Configure DIRECTIVES_JWT_SECRET (or public keys) before exposing it. GraphiQL \
                     starts with this ADMIN token: ***\n\nAuthorization: Bearer {token}\n"
                );
            }
            application.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = store::connect(&cli.database.database_url, 2).await?;
            let applied = store::migrate(&db).await?;
            println!("applied {applied} migration(s); the schema is current");
        }
        Command::Seed { what: SeedWhat::Sample } => {
            let loaded = seed::load_sample(&current_store(&cli.database).await?).await.map_err(operator_error)?;
            println!(
                "sample loaded: {} agencies, {} documents, {} tasks, {} progress reports, {} reorganisations added",
                loaded.agencies, loaded.documents, loaded.tasks, loaded.reports, loaded.events
            );
        }
        Command::Generate(args) => {
            let db = store::connect(&cli.database.database_url, 2).await?;
            if !store::pending_migrations(&db).await?.is_empty() {
                anyhow::bail!("the database schema is not current: run `directives migrate` first");
            }
            let started = std::time::Instant::now();
            let spec = generate::Spec { tasks: args.tasks, seed: args.seed };
            let made = generate::generate(&Store::new(db), spec).await.map_err(operator_error)?;
            println!(
                "generated in {:.1} s: {} agencies, {} documents, {} tasks, {} assignments, {} progress reports",
                started.elapsed().as_secs_f64(),
                made.agencies,
                made.documents,
                made.tasks,
                made.assignments,
                made.reports
            );
        }
        Command::Schema => print!("{}", sdl()),
        Command::Token { what: TokenCommand::Issue(args) } => {
            let minter = Minter::from_settings(&args.auth)?;
            println!("{}", minter.mint(&args.sub, &args.roles, args.agency.as_deref(), args.ttl)?);
        }
        Command::Import(args) => {
            let store = current_store(&cli.database).await?;
            commands::import(&store, &args.file, args.document.as_deref(), args.dry_run).await?;
        }
        Command::Export(args) => {
            let store = current_store(&cli.database).await?;
            let as_of = args.as_of.unwrap_or_else(today);
            commands::export(&store, &args.document, args.format, as_of, args.max_depth, &args.output).await?;
        }
    }
    Ok(())
}

/// The store of a database whose schema is current, for the commands that read or write data.
async fn current_store(database: &DatabaseSettings) -> anyhow::Result<Store> {
    let db = store::connect(&database.database_url, 2).await?;
    if !store::pending_migrations(&db).await?.is_empty() {
        anyhow::bail!("the database schema is not current: run `directives migrate` first");
    }
    Ok(Store::new(db))
}

impl ServeSettings {
    /// The settings of `serve` when no command is given, still honouring the environment.
    fn parse_defaults() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            serve: ServeSettings,
        }
        Defaults::parse_from(["directives"]).serve
    }
}
