//! Whole-pipeline CPU cost per page, offline (no NATS).
//!
//! ```text
//! cargo bench --bench pipeline                      # tests/fixtures/wcxb-mini
//! cargo bench --bench pipeline -- DIR|FILE.jsonl... # your own pages
//! ```
//!
//! A directory is read the WCXB way (`html/<id>.html.gz` or `.html`, or the
//! pages directly in it); a `.jsonl` file holds one raw article per line, as
//! published to the input subject. Each page goes through `pipeline::run`
//! once to warm up, then `NEWSWORKER_BENCH_PASSES` times (default 3); a
//! page's cost is its least CPU time over the passes (the thread's own CPU
//! clock, so other processes do not count). Prints the median, mean, p90
//! and p99 milliseconds per page and pages per CPU-second.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use newsworker::commands::evaluate::thread_cpu_ms;
use newsworker::config::Config;
use newsworker::pipeline::{self, RawMessage};

/// One input: its bytes and the content type it is sent with.
struct Page {
    payload: Vec<u8>,
    content_type: Option<&'static str>,
}

fn html_pages(dir: &Path) -> Vec<Page> {
    let dir = if dir.join("html").is_dir() {
        dir.join("html")
    } else {
        dir.to_path_buf()
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut pages = Vec::new();
    for path in paths {
        let name = path.to_string_lossy().to_string();
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let payload = if name.ends_with(".html.gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("cannot gunzip {name}: {e}"));
            out
        } else if name.ends_with(".html") || name.ends_with(".htm") {
            raw
        } else {
            continue;
        };
        pages.push(Page {
            payload,
            content_type: Some("text/html"),
        });
    }
    pages
}

fn jsonl_pages(file: &Path) -> Vec<Page> {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Page {
            payload: l.as_bytes().to_vec(),
            content_type: None,
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    // `cargo bench` passes `--bench`; everything else is an input.
    let mut inputs: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if inputs.is_empty() {
        inputs.push(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/wcxb-mini"
        )));
    }
    let passes: usize = std::env::var("NEWSWORKER_BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let cfg = Config::load(None).expect("built-in configuration");
    let opts = cfg.pipeline_options();
    for input in inputs {
        let pages = if input.is_dir() {
            html_pages(&input)
        } else {
            jsonl_pages(&input)
        };
        if pages.is_empty() {
            println!("{}: no pages", input.display());
            continue;
        }
        let run = |p: &Page| {
            let start = thread_cpu_ms();
            let out = pipeline::run(
                RawMessage {
                    payload: &p.payload,
                    content_type: p.content_type,
                    msg_id: None,
                },
                &opts,
            );
            let ms = thread_cpu_ms() - start;
            (ms, out.is_ok())
        };
        let mut best: Vec<f64> = pages.iter().map(|p| run(p).0).collect();
        for _ in 0..passes {
            for (b, p) in best.iter_mut().zip(&pages) {
                *b = b.min(run(p).0);
            }
        }
        let ok = pages.iter().filter(|p| run(p).1).count();
        let total: f64 = best.iter().sum();
        let bytes: usize = pages.iter().map(|p| p.payload.len()).sum();
        best.sort_by(f64::total_cmp);
        println!(
            "{}: {} pages ({} articles, {} rejected), {:.1} MB",
            input.display(),
            pages.len(),
            ok,
            pages.len() - ok,
            bytes as f64 / 1e6
        );
        println!(
            "  CPU ms per page: median {:.2}, mean {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
            percentile(&best, 0.5),
            total / best.len() as f64,
            percentile(&best, 0.9),
            percentile(&best, 0.99),
            best[best.len() - 1]
        );
        println!(
            "  {:.0} pages per CPU-second (one thread; least of {passes} passes)",
            best.len() as f64 * 1000.0 / total
        );
    }
}
