//! Each pipeline stage alone, with criterion, on realistic inputs from
//! tests/fixtures: a news page as fetched (bench/wcxb-4370.html.gz, The
//! Guardian, 105 KB of HTML, a median-sized page of the WCXB dev set), an
//! Arabic page in windows-1256, and the seed article (4 KB of scraped Arabic
//! text with its boilerplate).
//!
//! ```sh
//! cargo bench --bench stages            # all
//! cargo bench --bench stages -- extract # one
//! ```

use std::io::Read as _;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use newsworker::pipeline::{
    self, assemble, boilerplate, clean, decode, extract, guard, language, RawMessage,
};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    if path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

fn stages(c: &mut Criterion) {
    let page_bytes = fixture("bench/wcxb-4370.html.gz");
    let page = String::from_utf8_lossy(&page_bytes).into_owned();
    let legacy = fixture("scripts/ar-windows-1256-undeclared.html");
    let seed = String::from_utf8(fixture("seed-article.txt")).unwrap();

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(legacy.len() as u64));
    g.bench_function("decode/windows-1256 page, charset detected", |b| {
        b.iter(|| decode::decode(black_box(&legacy), None, true))
    });
    g.throughput(Throughput::Bytes(page.len() as u64));
    g.bench_function("guard/nesting depth of a news page", |b| {
        b.iter(|| guard::nesting_depth(black_box(&page), 1024))
    });
    g.bench_function(
        "extract/news page (parse, Readability, blocks, metadata)",
        |b| b.iter(|| extract::extract(black_box(&page), Some("https://example.com/a"))),
    );

    g.throughput(Throughput::Bytes(seed.len() as u64));
    g.bench_function("clean/seed article", |b| {
        b.iter(|| clean::clean_lines(black_box(&seed)))
    });
    let lines = clean::clean_lines(&seed);
    g.bench_function("boilerplate/seed article", |b| {
        b.iter(|| {
            boilerplate::strip(
                black_box(lines.clone()),
                &boilerplate::Context {
                    origin: boilerplate::Origin::Text,
                    title: None,
                    learned: &[],
                    normalised: &[],
                    language: Some("ar"),
                },
            )
        })
    });
    let kept = boilerplate::strip(
        lines.clone(),
        &boilerplate::Context {
            origin: boilerplate::Origin::Text,
            title: None,
            learned: &[],
            normalised: &[],
            language: Some("ar"),
        },
    )
    .kept;
    g.bench_function("language/seed article", |b| {
        b.iter(|| language::detect(black_box(&kept)))
    });
    let text = kept.join("\n\n");
    g.bench_function("assemble/fingerprints (sha256, simhash) of the seed", |b| {
        b.iter(|| assemble::fingerprint(black_box(&text)))
    });
    g.finish();

    let mut g = c.benchmark_group("pipeline");
    let opts = pipeline::Options::default();
    let seed_msg = serde_json::to_vec(&serde_json::json!({"id": "seed", "text": seed})).unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("seed article, JSON in, article out", |b| {
        b.iter(|| {
            pipeline::run(
                RawMessage {
                    payload: black_box(&seed_msg),
                    content_type: None,
                    msg_id: None,
                },
                &opts,
            )
        })
    });
    g.bench_function("news page, HTML in, article out", |b| {
        b.iter(|| {
            pipeline::run(
                RawMessage {
                    payload: black_box(&page_bytes),
                    content_type: Some("text/html"),
                    msg_id: Some("page"),
                },
                &opts,
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
