//! The `newsworker` binary: parses the command line, sets up logging, loads
//! configuration, installs signal handlers and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
        /// Input files; standard input when none.
        files: Vec<PathBuf>,
    },
    /// Publish raw articles (JSON lines, .html or .txt files) to the input subject.
    Publish {
        /// Files to publish.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Create the streams and the consumer, or verify them if they exist.
    Provision,
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
        /// At most this many messages.
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("newsworker: {e}");
            return ExitCode::from(2);
        }
    };
    // One-shot commands print their own results; their logs stay at
    // warnings unless a level was chosen (log.level or RUST_LOG).
    let mut log = cfg.log.clone();
    if !matches!(cli.command, Command::Run) && log.level == DEFAULT_LOG_LEVEL {
        log.level = "warn".into();
    }
    newsworker::telemetry::init(&log);
    let result = match cli.command {
        Command::Process { files } => match process(&cfg, &files) {
            Ok(0) => Ok(()),
            Ok(internal) => {
                eprintln!(
                    "newsworker: {internal} inputs failed with an internal error (their lines say `internal`); every other line is complete"
                );
                return ExitCode::from(EXIT_INTERNAL);
            }
            Err(e) => Err(e),
        },
        Command::Evaluate { dir, text, worst } => {
            newsworker::evaluate::evaluate(&cfg, &dir, text.as_deref()).map(|report| {
                print!("{}", report.render(worst));
            })
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
            runtime.block_on(async_main(cfg, command))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "Exiting on error.");
            eprintln!("newsworker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Exit code of `process` when the run finished but some inputs hit an
/// internal error (a bug, caught and written as that input's error line).
const EXIT_INTERNAL: u8 = 3;

/// `newsworker process`; returns how many inputs failed with an internal
/// error.
fn process(cfg: &Config, files: &[PathBuf]) -> anyhow::Result<usize> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let started = std::time::Instant::now();
    let summary = newsworker::offline::process(cfg, files, &mut out)?;
    let errors: usize = summary.errors.values().sum();
    let total = (summary.articles + errors) as u64;
    eprintln!(
        "newsworker: {}: {} articles, {} errors {:?}",
        newsworker::progress::line("processed", total, None, started.elapsed()),
        summary.articles,
        errors,
        summary.errors
    );
    Ok(summary.internal)
}

async fn async_main(cfg: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run => newsworker::worker::run(cfg, shutdown_signal()).await,
        Command::Publish { files } => {
            let s = newsworker::publisher::publish(&cfg, &files).await?;
            eprintln!(
                "newsworker: published {}, already present {}, refused {} ({:.1} s)",
                s.published,
                s.duplicates,
                s.refused.len(),
                s.seconds
            );
            for r in &s.refused {
                eprintln!("  refused {r}");
            }
            if s.refused.is_empty() {
                Ok(())
            } else {
                anyhow::bail!("{} inputs were refused", s.refused.len())
            }
        }
        Command::Provision => {
            let client = newsworker::nats::connect(&cfg).await?;
            let js = newsworker::nats::jetstream(client, &cfg);
            let (_, report) = newsworker::nats::provision(&js, &cfg).await?;
            for line in &report.actions {
                println!("{line}");
            }
            for line in &report.mismatches {
                println!("MISMATCH: {line}");
            }
            if report.mismatches.is_empty() {
                Ok(())
            } else {
                anyhow::bail!(
                    "{} existing objects differ from the configuration; newsworker does not reconfigure them (edit or delete them, or change the configuration)",
                    report.mismatches.len()
                )
            }
        }
        Command::Status { json } => {
            let status = newsworker::status::status(&cfg).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print!("{status}");
            }
            Ok(())
        }
        Command::Read {
            stream,
            subject,
            limit,
        } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            newsworker::dlq::read(&cfg, &stream, subject, limit, &mut out).await?;
            Ok(())
        }
        Command::Replay {
            kind,
            limit,
            dry_run,
        } => {
            let opts = newsworker::dlq::ReplayOptions {
                kind,
                limit,
                dry_run,
            };
            let summary = newsworker::dlq::replay(&cfg, &opts).await?;
            if dry_run {
                for line in &summary.listed {
                    println!("{line}");
                }
                eprintln!(
                    "newsworker: {} dead letters would be replayed (dry run)",
                    summary.listed.len()
                );
            } else {
                let total: u64 = summary.replayed.values().sum();
                eprintln!(
                    "newsworker: replayed {total} dead letters {:?}",
                    summary.replayed
                );
            }
            Ok(())
        }
        Command::Process { .. } | Command::Evaluate { .. } => {
            unreachable!("handled without a runtime")
        }
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
