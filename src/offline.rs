//! `newsworker process`: the pipeline without a broker. Reads raw articles as
//! JSON lines (from files or stdin), or whole `.html` / `.txt` files, and
//! writes one JSON line per input, in order: the article, or
//! `{"id", "error": {"kind", "message"}}`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::article::ErrorRecord;
use crate::config::Config;
use crate::pipeline::{self, RawMessage};
use crate::worker::pipeline_options;

/// Counts of a `process` run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Articles written.
    pub articles: usize,
    /// Error lines written, by kind.
    pub errors: std::collections::BTreeMap<String, usize>,
    /// Bytes of input read.
    pub bytes: usize,
}

/// Processes `files` (stdin when empty), writing JSON lines to `out`.
pub fn process(cfg: &Config, files: &[PathBuf], out: &mut impl Write) -> anyhow::Result<Summary> {
    let opts = pipeline_options(cfg);
    // Template learning within the run: the lines a source repeats across
    // the articles given are stripped from the later ones.
    let templates = cfg
        .templates
        .enabled
        .then(|| std::sync::Mutex::new(crate::templates::Memory::new(cfg.templates.settings())));
    let mut summary = Summary::default();
    let started = Instant::now();
    let whole_files = files.iter().all(|f| whole_file_type(f).is_some()) && !files.is_empty();
    let mut progress =
        crate::progress::Progress::new("processed", whole_files.then_some(files.len() as u64));
    let mut emit = |msg: RawMessage<'_>, out: &mut dyn Write| -> anyhow::Result<()> {
        progress.inc(1);
        summary.bytes += msg.payload.len();
        match pipeline::run_with(msg, &opts, templates.as_ref()) {
            Ok((article, _)) => {
                serde_json::to_writer(&mut *out, &article)?;
                summary.articles += 1;
            }
            Err(f) => {
                serde_json::to_writer(&mut *out, &ErrorRecord::new(f.id, &f.error))?;
                *summary
                    .errors
                    .entry(f.error.kind.as_str().to_string())
                    .or_default() += 1;
            }
        }
        out.write_all(b"\n")?;
        Ok(())
    };
    if files.is_empty() {
        let stdin = std::io::stdin();
        for_each_line(&mut stdin.lock(), |line| emit(line_message(line), out))
            .context("reading stdin")?;
    }
    for path in files {
        match whole_file_type(path) {
            Some(content_type) => {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let id = file_id(path);
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
                let file = std::fs::File::open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                let mut reader = std::io::BufReader::new(file);
                for_each_line(&mut reader, |line| emit(line_message(line), out))
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

/// The content type of a file processed whole, by extension: `.html`/`.htm`
/// as HTML, `.txt` as scraped text. Anything else is JSON lines.
pub fn whole_file_type(path: &Path) -> Option<&'static str> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm" | "xhtml") => Some("text/html"),
        Some("txt") => Some("text/plain"),
        _ => None,
    }
}

/// The article id of a file processed whole: its name without extension.
pub fn file_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

fn line_message(line: &[u8]) -> RawMessage<'_> {
    RawMessage {
        payload: line,
        content_type: None,
        msg_id: None,
    }
}

/// Calls `f` on every non-blank line, as bytes (a line need not be UTF-8:
/// the pipeline reports that as `invalid_json`).
pub fn for_each_line(
    reader: &mut impl BufRead,
    mut f: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let line = trim_ascii(&buf);
        if !line.is_empty() {
            f(line)?;
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
