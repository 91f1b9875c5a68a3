//! The worker's HTTP endpoints: `/metrics` after real work, `/healthz`, and
//! `/readyz` before NATS is reachable, after binding, and through an outage.
//! Also: the shipped Grafana dashboard and Prometheus alerts use only
//! metrics the worker exports.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{
    corpus, free_port, http_get, provision, publish_all, wait_for_counts, wait_http, NatsServer,
    Worker,
};

/// The value of the sample `name{labels}` (labels given as `key="value"`
/// pairs, in any order), or `None` when the scrape has no such sample.
fn sample(body: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            let Some(rest) = l.strip_prefix(name) else {
                return false;
            };
            if !(rest.starts_with('{') || rest.starts_with(' ')) {
                return false;
            }
            labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn value(body: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(body, name, labels)
        .unwrap_or_else(|| panic!("no sample {name} {labels:?} in /metrics:\n{body}"))
}

/// Metric families named by `# TYPE` lines.
fn exported(body: &str) -> BTreeSet<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Every metric name (`newsworker_*`, `process_*`) in a PromQL text, with
/// the histogram suffixes taken off.
fn referenced(promql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for token in promql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
        if token.starts_with("newsworker_") || token.starts_with("process_") {
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| token.strip_suffix(s))
                .unwrap_or(token);
            out.insert(base.to_string());
        }
    }
    out
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_with_the_articles_processed() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let addr = format!("127.0.0.1:{}", free_port());
    let _w = Worker::spawn(
        &server.url,
        server.dir.path(),
        "m",
        &[("NEWSWORKER__HTTP__LISTEN", &addr)],
    );
    wait_http(&addr, "/readyz", 200, "the worker to be ready");
    assert_eq!(http_get(&addr, "/healthz").map(|r| r.0), Some(200));
    assert_eq!(http_get(&addr, "/nothing").map(|r| r.0), Some(404));

    let before = http_get(&addr, "/metrics").unwrap().1;
    assert_eq!(
        value(
            &before,
            "newsworker_messages_total",
            &[("outcome", "published")]
        ),
        0.0
    );
    assert_eq!(value(&before, "newsworker_ready", &[]), 1.0);
    assert_eq!(value(&before, "newsworker_nats_connected", &[]), 1.0);
    assert_eq!(
        value(
            &before,
            "newsworker_build_info",
            &[
                ("version", env!("CARGO_PKG_VERSION")),
                ("mode", "jetstream")
            ]
        ),
        1.0
    );

    // Six good articles (three HTML, three text, in six languages), three bad.
    let mut items = Vec::new();
    let mut langs = Vec::new();
    for n in 0..6 {
        let g = corpus::article(n, "met");
        langs.push(g.lang);
        items.push((
            "news.raw.met".to_string(),
            g.id,
            serde_json::to_vec(&g.raw).unwrap(),
        ));
    }
    let mut kinds = Vec::new();
    for n in [0, 2, 4] {
        let (payload, kind) = corpus::malformed(n, "met");
        kinds.push(kind);
        items.push(("news.raw.met".to_string(), format!("met-bad-{n}"), payload));
    }
    publish_all(&js, items).await;
    wait_for_counts(&js, "all nine handled", |raw, out, dlq| {
        raw == 0 && out == 6 && dlq == 3
    })
    .await;

    // The counters move once the acks are done; give the last one a moment.
    let mut body = String::new();
    for _ in 0..100 {
        body = http_get(&addr, "/metrics").unwrap().1;
        if sample(&body, "newsworker_processing_duration_seconds_count", &[]) == Some(9.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let messages = |o: &str| value(&body, "newsworker_messages_total", &[("outcome", o)]);
    assert_eq!(messages("published"), 6.0);
    assert_eq!(messages("dead_lettered"), 3.0);
    assert_eq!(messages("duplicate"), 0.0);
    assert_eq!(messages("retried"), 0.0);
    for kind in ["invalid_json", "invalid_schema", "empty_content"] {
        let want = kinds.iter().filter(|k| **k == kind).count() as f64;
        assert_eq!(
            value(&body, "newsworker_dead_letters_total", &[("kind", kind)]),
            want,
            "{kind}"
        );
    }
    for lang in &langs {
        let want = langs.iter().filter(|l| *l == lang).count() as f64;
        assert_eq!(
            value(&body, "newsworker_articles_total", &[("language", lang)]),
            want,
            "{lang}"
        );
    }
    assert_eq!(value(&body, "newsworker_redeliveries_total", &[]), 0.0);
    assert_eq!(value(&body, "newsworker_in_flight_messages", &[]), 0.0);
    // Histograms: every message timed end to end and in processing; each
    // stage as often as it ran (parse for all nine, language detection and
    // assembly for the six good ones).
    for h in [
        "newsworker_processing_duration_seconds",
        "newsworker_end_to_end_latency_seconds",
        "newsworker_input_bytes",
    ] {
        assert_eq!(value(&body, &format!("{h}_count"), &[]), 9.0, "{h}");
        assert!(value(&body, &format!("{h}_sum"), &[]) > 0.0, "{h}");
        assert_eq!(
            value(&body, &format!("{h}_bucket"), &[("le", "+Inf")]),
            9.0,
            "{h}"
        );
    }
    let stage = |s: &str| {
        value(
            &body,
            "newsworker_stage_duration_seconds_count",
            &[("stage", s)],
        )
    };
    assert_eq!(stage("parse"), 9.0);
    assert_eq!(stage("extract"), 3.0, "three HTML articles");
    assert_eq!(stage("language"), 6.0);
    assert_eq!(stage("assemble"), 6.0);
    // The text articles end with a copyright line (the HTML ones lose
    // theirs in extraction, with the footer).
    assert!(
        value(
            &body,
            "newsworker_boilerplate_lines_removed_total",
            &[("reason", "copyright")]
        ) >= 3.0,
        "{body}"
    );
    assert!(
        value(
            &body,
            "newsworker_nats_events_total",
            &[("event", "connected")]
        ) >= 1.0
    );
    assert!(value(&body, "process_resident_memory_bytes", &[]) > 1e6);

    // The dashboard and the alerts refer only to metrics exported here.
    let names = exported(&body);
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("deploy/grafana/dashboards/newsworker.json")).unwrap(),
    )
    .expect("the dashboard is valid JSON");
    assert_eq!(dashboard["uid"], "newsworker");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10);
    let mut used = BTreeSet::new();
    for p in panels {
        assert_eq!(p["datasource"]["uid"], "prometheus", "{}", p["title"]);
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{} has no query", p["title"]);
        for t in targets {
            let expr = t["expr"].as_str().expect("expr");
            let refs = referenced(expr);
            assert!(!refs.is_empty(), "{expr} uses no newsworker metric");
            used.extend(refs);
        }
    }
    let unknown: Vec<_> = used.difference(&names).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard uses metrics the worker does not export: {unknown:?}"
    );
    let alerts = std::fs::read_to_string(repo("deploy/prometheus/alerts.yml")).unwrap();
    let in_alerts = referenced(&alerts);
    assert!(in_alerts.len() >= 5);
    let unknown: Vec<_> = in_alerts.difference(&names).collect();
    assert!(
        unknown.is_empty(),
        "the alerts use metrics the worker does not export: {unknown:?}"
    );
    // And every newsworker metric is on the dashboard.
    let unused: Vec<_> = names
        .iter()
        .filter(|n| n.starts_with("newsworker_") && !used.contains(*n))
        .collect();
    assert!(
        unused.is_empty(),
        "exported but not on the dashboard: {unused:?}"
    );
}

#[test]
fn readyz_is_false_until_connected_and_bound_and_while_nats_is_down() {
    let mut server = NatsServer::start();
    server.stop();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut w = Worker::spawn(
        &server.url,
        server.dir.path(),
        "r",
        &[
            ("NEWSWORKER__HTTP__LISTEN", &addr),
            // Keep trying to reach the server while the test looks.
            ("NEWSWORKER__NATS__CONNECT_TIMEOUT", "60s"),
        ],
    );
    // Alive, but not ready: nothing to connect to yet.
    wait_http(&addr, "/healthz", 200, "the endpoints to come up");
    let (status, body) = http_get(&addr, "/readyz").unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("not connected"), "{body}");
    let metrics = http_get(&addr, "/metrics").unwrap().1;
    assert_eq!(value(&metrics, "newsworker_ready", &[]), 0.0);

    server.restart();
    wait_http(&addr, "/readyz", 200, "ready once NATS is up");
    assert!(
        w.log_text().contains("Worker started."),
        "ready only after the consumer is bound:\n{}",
        w.log_text()
    );

    server.stop();
    let body = wait_http(&addr, "/readyz", 503, "not ready while NATS is down");
    assert!(body.contains("not connected"), "{body}");
    assert_eq!(
        http_get(&addr, "/healthz").map(|r| r.0),
        Some(200),
        "still alive"
    );
    let metrics = http_get(&addr, "/metrics").unwrap().1;
    assert_eq!(value(&metrics, "newsworker_nats_connected", &[]), 0.0);
    assert!(
        value(
            &metrics,
            "newsworker_nats_events_total",
            &[("event", "disconnected")]
        ) >= 1.0
    );

    server.restart();
    wait_http(&addr, "/readyz", 200, "ready again after the outage");

    // Stopping: not ready while in-flight work finishes, then gone.
    w.signal(libc::SIGTERM);
    assert!(w
        .wait_exit(crate::common::WAIT)
        .is_some_and(|s| s.success()));
    assert!(
        http_get(&addr, "/readyz").is_none(),
        "endpoints close on exit"
    );
}
