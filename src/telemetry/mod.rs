//! What the worker tells its operators: logs ([`init`], a tracing
//! subscriber writing to stderr, since stdout carries data for `newsworker
//! process`, as text on a terminal and JSON elsewhere), metrics, readiness
//! and the periodic summary ([`observe`]), served over HTTP ([`http`]).

pub mod http;
pub mod observe;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber. `RUST_LOG`, when set, wins over `log.level`.
/// html5ever's warnings (notes on odd markup, such as "foster parenting not
/// implemented", one per element) are left out unless the filter names
/// html5ever.
pub fn init(log: &LogConfig) {
    let quiet_parser = |f: String| {
        if f.contains("html5ever") {
            f
        } else {
            format!("{f},html5ever=error")
        }
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(quiet_parser(f)).ok())
        .unwrap_or_else(|| EnvFilter::new(quiet_parser(log.level.clone())));
    let json = match log.format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests calling into the library) is not an error.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}
