//! Logging. Log lines go to standard error: one JSON object per line for log collectors, or
//! human-readable text when standard error is a terminal (`--log-format` chooses). `RUST_LOG`
//! filters, `default` otherwise (`info` for the service).

pub mod request;

use std::io::IsTerminal;

use clap::{Args, ValueEnum};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON otherwise.
    #[default]
    Auto,
    Json,
    Human,
}

#[derive(Debug, Clone, Args)]
pub struct LogSettings {
    /// Log format: `json` (one object per line), `human`, or `auto` (human on a terminal).
    #[arg(long, env = "DIRECTIVES_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
}

pub fn init(default: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let terminal = std::io::stderr().is_terminal();
    let json = match format {
        LogFormat::Auto => !terminal,
        LogFormat::Json => true,
        LogFormat::Human => false,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (as in tests) keeps the first subscriber.
    let _ = if json {
        // Fields at the top level, next to `timestamp`, `level`, `target` and `message`.
        builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init()
    } else {
        builder.with_ansi(terminal).try_init()
    };
}
