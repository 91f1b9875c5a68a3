//! The local cluster smoke test: scripts/cluster-up brings up the compose
//! file's topology from local binaries (three clustered nats-server nodes,
//! R3 streams, three workers), publishes the samples, reads the articles
//! back, and tears it all down.

use std::net::TcpListener;

use crate::common::{bin, nats_server_bin};

/// A base port with the 40 ports the script uses all free, below the
/// kernel's ephemeral range (where the other tests' ports come from).
fn free_base() -> u16 {
    let start = 20_000 + (std::process::id() % 200) as u16 * 40;
    (0..200u16)
        .map(|i| 20_000 + (start - 20_000 + i * 40) % 8_000)
        .find(|base| (0..40).all(|p| TcpListener::bind(("127.0.0.1", base + p)).is_ok()))
        .expect("a free range of 40 ports")
}

#[test]
fn cluster_up_runs_the_samples_through_three_nodes_and_three_workers() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cluster-up");
    let out = std::process::Command::new("bash")
        .arg(script)
        .env("NEWSWORKER_BIN", bin())
        .env("NATS_SERVER_BIN", nats_server_bin())
        .env("CLUSTER_BASE_PORT", free_base().to_string())
        .env_remove("NATS_URL")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cluster-up failed:\n{err}");
    assert!(err.contains("streams provisioned with 3 replicas"), "{err}");
    assert!(err.contains("three workers ready"), "{err}");
    let samples = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/articles.jsonl"
    ))
    .unwrap()
    .lines()
    .count();
    assert!(
        err.contains(&format!("OK: {samples} articles through a 3-node cluster")),
        "{err}"
    );
    assert!(
        err.contains(&format!("read back {samples} articles")),
        "{err}"
    );
}
