//! The `newsworker` binary: parses the command line, sets up logging, loads
//! configuration, installs signal handlers and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsworker::commands;
use newsworker::config::Config;

/// Turns raw news pages and scraped text into clean, structured,
/// language-tagged articles, as a NATS JetStream worker or offline.
#[derive(Parser)]
#[command(name = "newsworker", version, about)]
struct Cli {
    /// Configuration file (only the keys to change; defaults are built in).
    #[arg(long, short, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the worker: consume raw articles, publish structured ones.
    Run,
    /// Run the pipeline offline: JSON lines (or .html/.txt files) in, JSON lines out.
    Process {
        /// Input files and folders (walked for .jsonl, .html, .txt, also
        /// gzipped); `-` or none: standard input.
        files: Vec<PathBuf>,
        /// Standard input is one HTML page, not JSON lines.
        #[arg(long, conflicts_with = "text")]
        html: bool,
        /// Standard input is one scraped text, not JSON lines.
        #[arg(long)]
        text: bool,
    },
    /// Publish raw articles (JSON lines, .html or .txt files) to the input subject.
    Publish {
        /// Files and folders to publish (folders are walked for .jsonl,
        /// .html, .txt, also gzipped); `-`: standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Standard input is one HTML page, not JSON lines.
        #[arg(long, conflicts_with = "text")]
        html: bool,
        /// Standard input is one scraped text, not JSON lines.
        #[arg(long)]
        text: bool,
        /// Send again articles the input stream already holds (within its
        /// duplicate window), under new message ids: after a fix, to have
        /// them processed again.
        #[arg(long)]
        resend: bool,
    },
    /// Create the streams and the consumer, or verify them if they exist.
    Provision,
    /// Exit 0 when the worker on this host answers /healthz at
    /// http.listen (for container health checks).
    Healthcheck,
    /// Print stream depths, the consumer's backlog, unacknowledged and
    /// redelivered messages, and dead letters by kind.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the messages stored in a stream as JSON lines (sequence,
    /// subject, headers, payload), e.g. NEWS_DLQ or NEWS_ARTICLES.
    Read {
        /// Stream name.
        stream: String,
        /// Only messages on this subject (wildcards allowed).
        #[arg(long)]
        subject: Option<String>,
        /// At most this many messages (0: all of them).
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Send dead letters back to the subject they came in on, after a fix;
    /// each is deleted from the dead-letter stream once the input stream has
    /// it. One that fails again is dead-lettered again.
    Replay {
        /// Only dead letters of this kind (too_large, internal, ...).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
        /// List what would be replayed; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Score extraction on labelled pages (WCXB layout: html/<id>.html.gz + ground-truth/<id>.json).
    Evaluate {
        /// Folder with html/ and ground-truth/.
        dir: PathBuf,
        /// Score these scraped-text articles (JSON lines) instead of the HTML pages.
        #[arg(long, value_name = "FILE")]
        text: Option<PathBuf>,
        /// How many of the worst pages to list.
        #[arg(long, default_value_t = 10)]
        worst: usize,
    },
}

/// `log.level` in config/default.toml.
const DEFAULT_LOG_LEVEL: &str = "info,async_nats=warn";

/// Exit code of a configuration error.
const EXIT_CONFIG: u8 = 2;
/// Exit code of `process` when the run finished but some inputs hit an
/// internal error (a bug, caught and written as that input's error line).
const EXIT_INTERNAL: u8 = 3;

/// glibc's malloc raises its mmap threshold each time a mapped block is
/// freed (up to 32 MiB), and from then on serves payload-sized blocks (a few
/// MiB) from its arenas, which it rarely gives back: after a few large pages
/// the worker keeps hundreds of MB it no longer uses. A fixed 1 MiB
/// threshold keeps every larger block mapped and returns it when freed
/// (`cargo bench --bench hostile`: peak resident memory 291 MB before, 91
/// after, on 8 MiB pages).
fn keep_big_blocks_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is
    // called first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    keep_big_blocks_mapped();
    let cli = Cli::parse();
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("newsworker: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    // One-shot commands print their own results; their logs stay at
    // warnings unless a level was chosen (log.level or RUST_LOG).
    let mut log = cfg.log.clone();
    if !matches!(cli.command, Command::Run) && log.level == DEFAULT_LOG_LEVEL {
        log.level = "warn".into();
    }
    newsworker::telemetry::init(&log);
    let worker = matches!(cli.command, Command::Run);
    let result = match cli.command {
        Command::Process { files, html, text } => {
            match commands::process::run(&cfg, &files, stdin_as(html, text)) {
                Ok(0) => Ok(()),
                Ok(internal) => {
                    eprintln!(
                    "newsworker: {internal} inputs failed with an internal error (their lines say `internal`); every other line is complete"
                );
                    return ExitCode::from(EXIT_INTERNAL);
                }
                Err(e) => Err(e),
            }
        }
        Command::Healthcheck => commands::healthcheck::run(&cfg),
        Command::Evaluate { dir, text, worst } => {
            commands::evaluate::evaluate(&cfg, &dir, text.as_deref())
                .map(|report| print!("{}", report.render(worst)))
        }
        command => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("newsworker: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let result = runtime.block_on(async_main(cfg, command));
            // Work given up on past its deadline may still be on the
            // blocking pool (it stops at its next stage): it does not hold
            // the exit up.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            result
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = one_line(&e);
            // The worker's log is what its operator reads; a one-shot
            // command's is its stderr: the error is said once, where it is
            // read.
            if worker {
                tracing::error!(error = %message, "Exiting on error.");
            } else {
                eprintln!("newsworker: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `e` and its causes on one line, each cause once: errors of the NATS
/// client repeat their source in their own text.
fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || out.contains(text) {
            continue;
        }
        // A cause that ends with the previous one's text says it again.
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(text);
    }
    out.replace('\n', " ")
}

/// The commands that talk to NATS, on the async runtime.
async fn async_main(cfg: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run => newsworker::worker::run(cfg, shutdown_signal()).await,
        Command::Publish {
            files,
            resend,
            html,
            text,
        } => commands::publish::run(&cfg, &files, resend, stdin_as(html, text)).await,
        Command::Provision => commands::provision::run(&cfg).await,
        Command::Status { json } => commands::status::run(&cfg, json).await,
        Command::Read {
            stream,
            subject,
            limit,
        } => commands::read::run(&cfg, &stream, subject, limit).await,
        Command::Replay {
            kind,
            limit,
            dry_run,
        } => {
            let opts = commands::replay::ReplayOptions {
                kind,
                limit,
                dry_run,
            };
            commands::replay::run(&cfg, &opts).await
        }
        Command::Process { .. } | Command::Evaluate { .. } | Command::Healthcheck => {
            unreachable!("handled without a runtime")
        }
    }
}

/// How `--html` / `--text` say standard input is read.
fn stdin_as(html: bool, text: bool) -> commands::inputs::Stdin {
    match (html, text) {
        (true, _) => commands::inputs::Stdin::Html,
        (_, true) => commands::inputs::Stdin::Text,
        _ => commands::inputs::Stdin::Lines,
    }
}

/// Completes on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "Cannot listen for SIGTERM; only SIGINT stops the worker.");
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("Shutdown signal received.");
}
