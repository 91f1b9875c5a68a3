//! `newsworker process`: the pipeline without a broker. Reads raw articles as
//! JSON lines (from files or stdin), or whole `.html` / `.txt` files, and
//! writes one JSON line per input, in order: the article, or
//! `{"id", "error": {"kind", "message"}}`.
//!
//! Each input is isolated: a panic while processing one (a bug) becomes
//! that input's `internal` error line and the run goes on;
//! [`Summary::internal`] counts them so the command can exit non-zero.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::article::ErrorRecord;
use crate::config::Config;
use crate::error::{ErrorKind, PipelineError};
use crate::pipeline::{self, RawMessage};

/// Counts of a `process` run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Articles written.
    pub articles: usize,
    /// Error lines written, by kind.
    pub errors: std::collections::BTreeMap<String, usize>,
    /// Inputs whose processing panicked (also counted in `errors` as
    /// `internal`): a bug in newsworker, never the input's fault.
    pub internal: usize,
    /// Bytes of input read.
    pub bytes: usize,
}

/// `newsworker process`: processes `files` (stdin when empty) to stdout
/// and prints a summary on stderr; returns how many inputs failed with an
/// internal error.
pub fn run(cfg: &Config, files: &[PathBuf], stdin: super::inputs::Stdin) -> anyhow::Result<usize> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let started = Instant::now();
    let summary = process(cfg, files, stdin, &mut out)?;
    let errors: usize = summary.errors.values().sum();
    let total = (summary.articles + errors) as u64;
    let kinds: Vec<String> = summary
        .errors
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    let by_kind = if kinds.is_empty() {
        String::new()
    } else {
        format!(" ({})", kinds.join(", "))
    };
    eprintln!(
        "newsworker: {}: {} articles, {errors} errors{by_kind}",
        super::progress::line("processed", total, None, started.elapsed()),
        summary.articles,
    );
    Ok(summary.internal)
}

/// Processes `files` (stdin when empty; folders walked, `-` for stdin, read
/// as `stdin` says), writing JSON lines to `out`.
pub fn process(
    cfg: &Config,
    files: &[PathBuf],
    stdin: super::inputs::Stdin,
    out: &mut impl Write,
) -> anyhow::Result<Summary> {
    let files = &if files.is_empty() {
        vec![PathBuf::from(super::inputs::STDIN)]
    } else {
        super::inputs::expand(files)?
    };
    let opts = cfg.pipeline_options();
    // Template learning within the run: the lines a source repeats across
    // the articles given are stripped from the later ones.
    let templates = cfg.templates.enabled.then(|| {
        std::sync::Mutex::new(crate::pipeline::templates::Memory::new(
            cfg.templates.settings(),
        ))
    });
    let mut summary = Summary::default();
    let started = Instant::now();
    let whole = |f: &Path| super::inputs::whole_file_type_as(f, stdin);
    let whole_files = files.iter().all(|f| whole(f).is_some());
    let mut progress =
        super::progress::Progress::new("processed", whole_files.then_some(files.len() as u64));
    let mut emit = |msg: RawMessage<'_>, out: &mut dyn Write| -> anyhow::Result<()> {
        progress.inc(1);
        summary.bytes += msg.payload.len();
        match run_isolated(msg, &opts, templates.as_ref()) {
            Ok(mut article) => {
                if !cfg.output.paragraphs {
                    // The text holds them already (output.paragraphs).
                    article.paragraphs = Vec::new();
                }
                serde_json::to_writer(&mut *out, &article)?;
                summary.articles += 1;
            }
            Err(f) => {
                serde_json::to_writer(&mut *out, &ErrorRecord::new(f.id, &f.error))?;
                if f.error.kind == ErrorKind::Internal {
                    summary.internal += 1;
                }
                *summary
                    .errors
                    .entry(f.error.kind.as_str().to_string())
                    .or_default() += 1;
            }
        }
        out.write_all(b"\n")?;
        Ok(())
    };
    let roots = common_root(files);
    for path in files {
        match whole(path) {
            Some(content_type) => {
                let bytes = super::inputs::read_whole(path)?;
                let id = file_id(path, &roots, &bytes);
                emit(
                    RawMessage {
                        payload: &bytes,
                        content_type: Some(content_type),
                        msg_id: Some(&id),
                    },
                    out,
                )?;
            }
            None => {
                let mut reader = super::inputs::open(path)?;
                for_each_line(&mut reader, |_, line| emit(line_message(line), out))
                    .with_context(|| format!("reading {}", path.display()))?;
            }
        }
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    let total = summary.articles + summary.errors.values().sum::<usize>();
    tracing::info!(
        articles = summary.articles,
        errors = total - summary.articles,
        seconds = format!("{secs:.3}"),
        per_second = format!("{:.0}", total as f64 / secs.max(1e-9)),
        "Processed."
    );
    Ok(summary)
}

/// Runs the pipeline on one message; a panic becomes its `internal`
/// failure, with the id the message declares.
fn run_isolated(
    msg: RawMessage<'_>,
    opts: &pipeline::Options,
    templates: Option<&std::sync::Mutex<crate::pipeline::templates::Memory>>,
) -> Result<crate::article::Article, pipeline::Failure> {
    // The template memory behind its mutex stays usable after a panic
    // (poisoning is ignored where it is locked), and nothing else is shared.
    let run = std::panic::AssertUnwindSafe(|| pipeline::run_with(msg, opts, templates));
    match std::panic::catch_unwind(run) {
        Ok(result) => result.map(|(article, _)| article),
        Err(panic) => Err(pipeline::Failure {
            id: pipeline::input_id(&msg),
            error: PipelineError::new(
                ErrorKind::Internal,
                format!(
                    "a pipeline stage panicked: {} (a bug in newsworker; please report it with this input)",
                    crate::error::panic_message(panic.as_ref())
                ),
            ),
        }),
    }
}

/// The longest path part of a whole file's id, in bytes.
const MAX_NAME: usize = 200;

/// The folder that holds every file of `files` (after making them
/// absolute), against which whole-file ids are written.
pub fn common_root(files: &[PathBuf]) -> PathBuf {
    let mut root: Option<PathBuf> = None;
    for f in files {
        let Some(parent) = std::path::absolute(f)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            continue;
        };
        root = Some(match root {
            None => parent,
            Some(r) => r
                .components()
                .zip(parent.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    root.unwrap_or_default()
}

/// The article id of a file processed whole: its path below `root` (the
/// common folder of the files named, see [`common_root`]) without the
/// extension, then `-` and the first 12 hex digits of the SHA-256 of its
/// bytes. Two files never share an id unless they have the same place and
/// the same bytes, so `site/a/index.html` and `site/b/index.html` are two
/// articles, and publishing a file again after it changed is an update.
pub fn file_id(path: &Path, root: &Path, bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let stdin = path.as_os_str() == super::inputs::STDIN;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let relative = absolute.strip_prefix(root).unwrap_or(&absolute);
    let mut name: Vec<String> = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    // The name without its extensions (`index.html.gz` is `index`).
    let file = path
        .file_name()
        .map_or_else(|| "file".into(), |s| s.to_string_lossy().into_owned());
    let file = file.strip_suffix(".gz").unwrap_or(&file);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    if stdin {
        name = vec!["stdin".into()];
    } else {
        name.push(if stem.is_empty() { file } else { stem }.to_string());
    }
    let digest = Sha256::digest(bytes);
    // Ids travel in headers: no control characters, and a bounded length
    // (the end of a long path is what tells files apart).
    let mut id: String = name
        .join("/")
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    if id.len() > MAX_NAME {
        id = id.split_off(id.ceil_char_boundary(id.len() - MAX_NAME));
    }
    id.push('-');
    for b in &digest[..6] {
        use std::fmt::Write as _;
        let _ = write!(id, "{b:02x}");
    }
    id
}

fn line_message(line: &[u8]) -> RawMessage<'_> {
    RawMessage {
        payload: line,
        content_type: None,
        msg_id: None,
    }
}

/// Calls `f` on every non-blank line with its number in the file (blank
/// lines counted), as bytes (a line need not be UTF-8: the pipeline reports
/// that as `invalid_json`).
pub fn for_each_line(
    reader: &mut impl BufRead,
    mut f: impl FnMut(usize, &[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        number += 1;
        let line = trim_ascii(&buf);
        if !line.is_empty() {
            f(number, line)?;
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}
