//! Configuration errors stop start-up with a message naming the key and its
//! source; `provision` creates, then verifies.

use crate::common::{command, NatsServer};

fn run_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = command("nats://127.0.0.1:1");
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_environment_key_names_the_key_and_variable() {
    let (code, err) = run_with(&["run"], &[("NEWSWORKER__WORKER__CONCURENCY", "4")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("worker.concurency") && err.contains("NEWSWORKER__WORKER__CONCURENCY"),
        "{err}"
    );
    assert!(err.contains("concurrency"), "lists the known keys: {err}");
}

#[test]
fn bad_value_in_file_names_the_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[input]\nmode = \"sometimes\"\n").unwrap();
    let (code, err) = run_with(&["run", "--config", path.to_str().unwrap()], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("input.mode") && err.contains("bad.toml") && err.contains("sometimes"),
        "{err}"
    );
}

#[test]
fn unknown_key_in_file_and_missing_file_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    std::fs::write(&path, "[nats]\nurls = [\"nats://x:4222\"]\n").unwrap();
    let (code, err) = run_with(&["run", "--config", path.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nats.urls") && err.contains("typo.toml"),
        "{err}"
    );
    let (code, err) = run_with(&["run", "--config", "/nonexistent/newsworker.toml"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/newsworker.toml"), "{err}");
}

#[test]
fn unreachable_server_fails_with_a_clear_error() {
    let (code, err) = run_with(&["run"], &[("NEWSWORKER__NATS__CONNECT_TIMEOUT", "1s")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nats://127.0.0.1:1"), "{err}");
    assert!(err.contains("is nats-server running there?"), "{err}");
    // The wait is said once, not once per retry.
    let warned = err.matches("NATS not reachable yet").count();
    assert_eq!(warned, 1, "{err}");
    // Each cause once.
    assert_eq!(
        err.matches("Connection refused").count(),
        2,
        "the warning and the error: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_creates_then_verifies_and_reports_mismatches() {
    let server = NatsServer::start();
    let out = command(&server.url).arg("provision").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("created stream NEWS_RAW") && text.contains("created consumer newsworker"),
        "{text}"
    );
    let out = command(&server.url).arg("provision").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("stream NEWS_RAW exists"));
    let out = command(&server.url)
        .arg("provision")
        .env("NEWSWORKER__WORKER__ACK_WAIT", "45s")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("MISMATCH") && text.contains("ack_wait"),
        "{text}"
    );
    let js = async_nats::jetstream::new(server.client().await);
    let info = js
        .get_stream("NEWS_RAW")
        .await
        .unwrap()
        .consumer_info("newsworker")
        .await
        .unwrap();
    assert_eq!(
        info.config.ack_wait,
        std::time::Duration::from_secs(30),
        "the existing consumer was not reconfigured"
    );
    // Created unlimited: the worker counts deliveries itself.
    assert_eq!(info.config.max_deliver, -1);

    // Retention: the output and dead-letter streams are created with
    // output.max_age and dlq.max_age (30 days), and a change is reported.
    for name in ["NEWS_ARTICLES", "NEWS_DLQ"] {
        let mut stream = js.get_stream(name).await.unwrap();
        let config = stream.info().await.unwrap().config.clone();
        assert_eq!(
            config.max_age,
            std::time::Duration::from_secs(30 * 86_400),
            "{name}"
        );
    }
    let out = command(&server.url)
        .arg("provision")
        .env("NEWSWORKER__DLQ__MAX_AGE", "7d")
        .env("NEWSWORKER__DLQ__MAX_BYTES", "1GiB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("MISMATCH: stream NEWS_DLQ keeps messages for")
            && text.contains("1073741824 bytes"),
        "{text}"
    );
    let fresh = NatsServer::start();
    crate::common::succeed(
        command(&fresh.url)
            .arg("provision")
            .env("NEWSWORKER__OUTPUT__MAX_BYTES", "64MiB"),
    );
    let fresh_js = async_nats::jetstream::new(fresh.client().await);
    let mut stream = fresh_js.get_stream("NEWS_ARTICLES").await.unwrap();
    assert_eq!(stream.info().await.unwrap().config.max_bytes, 64 << 20);
}

/// A mistyped key is named as written, once: `worker.concurency`, not
/// `worker.concurency.concurency`; an unknown section is named alone.
#[test]
fn an_unknown_key_is_named_as_written() {
    let (code, err) = run_with(&["status"], &[("NEWSWORKER__WORKER__CONCURENCY", "64")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`worker.concurency` is not a known key"),
        "{err}"
    );
    let (code, err) = run_with(&["status"], &[("NEWSWORKER__FOO__BAR", "1")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`foo` is not a known key"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    std::fs::write(&path, "[worker]\nconcurency = 64\n").unwrap();
    let (code, err) = run_with(&["status", "--config", path.to_str().unwrap()], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`worker.concurency` is not a known key"),
        "{err}"
    );
}

/// Every configuration mistake exits 2 with one line naming the key or
/// file, the cause once, and what to write instead.
#[test]
fn configuration_mistakes_exit_2_with_one_line_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let syntax = dir.path().join("syntax.toml");
    std::fs::write(&syntax, "worker.x = \n").unwrap();
    let number = dir.path().join("number.toml");
    std::fs::write(&number, "[worker]\nack_wait = 30\n").unwrap();
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec!["--config", syntax.to_str().unwrap()],
            vec![],
            vec!["syntax.toml", "is not valid TOML", "line 1"],
        ),
        (
            vec!["--config", number.to_str().unwrap()],
            vec![],
            vec!["`worker.ack_wait`", "\"30s\"", "number.toml"],
        ),
        (
            vec![],
            vec![("NATS_URL", "http://127.0.0.1:4222")],
            vec!["`nats.url`", "http://", "nats://"],
        ),
        (
            vec![],
            vec![("NEWSWORKER__NATS__TLS_CA_FILE", "/nonexistent/ca.pem")],
            vec!["`nats.tls_ca_file`", "/nonexistent/ca.pem"],
        ),
    ];
    for (args, env, wanted) in cases {
        let mut all = args.clone();
        all.push("status");
        let (code, err) = run_with(&all, &env);
        assert_eq!(code, 2, "{args:?} {env:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        for w in wanted {
            assert!(err.contains(w), "{w:?} missing: {err}");
        }
        assert!(
            !err.contains("os error 2): No such"),
            "cause repeated: {err}"
        );
    }
}

/// Authentication is one way at most: two at once is a configuration
/// error naming both, instead of one being used silently.
#[test]
fn two_ways_to_authenticate_are_refused() {
    for env in [
        vec![
            ("NEWSWORKER__NATS__TOKEN", "t0ken"),
            ("NEWSWORKER__NATS__USER", "alice"),
            ("NEWSWORKER__NATS__PASSWORD", "pw"),
        ],
        vec![
            ("NEWSWORKER__NATS__TOKEN", "t0ken"),
            ("NATS_URL", "nats://bob:secret@127.0.0.1:1"),
        ],
    ] {
        let (code, err) = run_with(&["status"], &env);
        assert_eq!(code, 2, "{env:?}: {err}");
        assert!(err.contains("ways to authenticate"), "{err}");
        assert!(err.contains("nats.token"), "{err}");
        assert!(
            !err.contains("t0ken") && !err.contains("secret"),
            "a secret shown: {err}"
        );
    }
}

/// A second worker on the same host and port exits saying why and what to
/// set, instead of a bare "Address already in use".
#[test]
fn a_second_worker_on_the_same_port_says_what_to_set() {
    let server = NatsServer::start();
    let port = crate::common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let _first = crate::common::Worker::spawn(
        &server.url,
        server.dir.path(),
        "first",
        &[("NEWSWORKER__HTTP__LISTEN", &listen)],
    );
    crate::common::wait_http(&listen, "/healthz", 200, "the first worker");
    let out = command(&server.url)
        .arg("run")
        .env("NEWSWORKER__HTTP__LISTEN", &listen)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("perhaps another worker on this host")
            && err.contains("NEWSWORKER__HTTP__LISTEN="),
        "{err}"
    );
    // The container health check: the worker answers, an empty port does not.
    crate::common::succeed(
        command(&server.url)
            .arg("healthcheck")
            .env("NEWSWORKER__HTTP__LISTEN", format!("0.0.0.0:{port}")),
    );
    let none = command(&server.url)
        .arg("healthcheck")
        .env(
            "NEWSWORKER__HTTP__LISTEN",
            format!("127.0.0.1:{}", crate::common::free_port()),
        )
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no worker answers"));
}
