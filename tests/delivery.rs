//! Every message reaches a final outcome: an article or a stored dead
//! letter, counted by id, whatever goes wrong. One test per way a message
//! used to be stranded or dropped.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::{
    command, corpus, provision, publish_all, read_stream, stream_len, wait_for_counts, NatsServer,
    Worker, WAIT,
};

/// Waits for the worker's log to say it took work.
async fn started(w: &Worker) {
    let deadline = Instant::now() + WAIT;
    while !w.log_text().contains("Worker started") {
        assert!(
            Instant::now() < deadline,
            "worker did not start:\n{}",
            w.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Articles in NEWS_ARTICLES by id.
async fn articles_by_id(
    js: &async_nats::jetstream::Context,
) -> HashMap<String, Vec<serde_json::Value>> {
    let mut out: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for m in read_stream(js, "NEWS_ARTICLES").await {
        let a: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        out.entry(a["id"].as_str().unwrap().to_string())
            .or_default()
            .push(a);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_and_dlq_unavailable_past_every_retry_strand_nothing() {
    let server = NatsServer::start();
    let env = [
        ("NEWSWORKER__WORKER__MAX_DELIVER", "3"),
        ("NEWSWORKER__WORKER__BACKOFF", r#"["100ms","300ms"]"#),
        ("NEWSWORKER__NATS__REQUEST_TIMEOUT", "1s"),
    ];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let w = Worker::spawn(&server.url, server.dir.path(), "solo", &env);
    started(&w).await;
    js.delete_stream("NEWS_ARTICLES").await.unwrap();
    js.delete_stream("NEWS_DLQ").await.unwrap();
    let items: Vec<_> = (0..10)
        .map(|n| {
            let g = corpus::article(n, "outage");
            (
                "news.raw.x".to_string(),
                g.id.clone(),
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    let ids: Vec<String> = items.iter().map(|(_, id, _)| id.clone()).collect();
    publish_all(&js, items).await;
    // Far past max_deliver x backoff: the server's own max_deliver would
    // have given up on every one of them by now.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        stream_len(&js, "NEWS_RAW").await,
        10,
        "all ten still in NEWS_RAW"
    );
    let status = command(&server.url).arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("stuck 0"),
        "nothing is stranded: {}",
        String::from_utf8_lossy(&status.stdout)
    );
    // The streams come back.
    provision(&server.url, &env);
    wait_for_counts(&js, "every message settled", |raw, out, dlq| {
        raw == 0 && out + dlq == 10
    })
    .await;
    let mut settled: Vec<String> = read_stream(&js, "NEWS_DLQ")
        .await
        .iter()
        .map(|m| {
            assert_eq!(m.headers["Newsworker-Error-Kind"], "max_deliveries");
            m.headers["Newsworker-Article-Id"].clone()
        })
        .chain(articles_by_id(&js).await.into_keys())
        .collect();
    settled.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(
        settled, want,
        "each input once, as an article or a dead letter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_with_line_breaks_is_an_article_not_a_panic() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    let mut g = corpus::article(3, "crlf");
    g.raw["url"] = "https://news.example/a\r\nInjected: yes\nb".into();
    g.raw["source"] = serde_json::Value::Null;
    publish_all(
        &js,
        vec![(
            "news.raw.x".into(),
            g.id.clone(),
            serde_json::to_vec(&g.raw).unwrap(),
        )],
    )
    .await;
    wait_for_counts(&js, "the article", |raw, out, _| raw == 0 && out == 1).await;
    assert!(articles_by_id(&js).await.contains_key(&g.id));
}

/// A raw protocol connection to `port`: CONNECT, then `frames` as written.
fn send_raw(port: u16, frames: &[u8]) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut info = [0u8; 4096];
    let _ = s.read(&mut info).unwrap();
    s.write_all(
        b"CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"protocol\":1}\r\n",
    )
    .unwrap();
    s.write_all(frames).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&reply).contains("PONG") {
        let n = s.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the server closed the connection: {}",
            String::from_utf8_lossy(&reply)
        );
        reply.extend_from_slice(&buf[..n]);
    }
    assert!(
        !String::from_utf8_lossy(&reply).contains("-ERR"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

/// One HPUB frame with a hand-written header block.
fn hpub(subject: &str, header_block: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut f = format!(
        "HPUB {subject} {} {}\r\n",
        header_block.len(),
        header_block.len() + payload.len()
    )
    .into_bytes();
    f.extend_from_slice(header_block);
    f.extend_from_slice(payload);
    f.extend_from_slice(b"\r\n");
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_with_headers_the_client_cannot_read_are_dead_lettered_by_sequence() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let poison: Vec<(&str, Vec<u8>)> = vec![
        (
            "not utf-8",
            b"NATS/1.0\r\nX-Note: \xff\xfe\r\n\r\n".to_vec(),
        ),
        (
            "no colon",
            b"NATS/1.0\r\nthis line has no colon\r\n\r\n".to_vec(),
        ),
        (
            "space in a name",
            b"NATS/1.0\r\nBad Name: x\r\n\r\n".to_vec(),
        ),
        ("not NATS/1.0", b"HTTP/1.1 200\r\nA: b\r\n\r\n".to_vec()),
    ];
    let mut frames = Vec::new();
    for (i, (_, block)) in poison.iter().enumerate() {
        frames.extend(hpub(
            "news.raw.poison",
            block,
            format!("poison payload {i}").as_bytes(),
        ));
    }
    send_raw(server.port, &frames);
    let good: Vec<_> = (0..300)
        .map(|n| {
            let g = corpus::article(n, "hdr");
            (
                "news.raw.x".to_string(),
                g.id.clone(),
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    publish_all(&js, good).await;
    assert_eq!(stream_len(&js, "NEWS_RAW").await, 304);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    wait_for_counts(&js, "all settled", |raw, out, dlq| {
        raw == 0 && out == 300 && dlq == 4
    })
    .await;
    let letters = read_stream(&js, "NEWS_DLQ").await;
    let mut payloads: Vec<String> = letters
        .iter()
        .map(|m| {
            assert_eq!(m.subject, "news.dlq.invalid_headers");
            assert_eq!(m.headers["Newsworker-Error-Kind"], "invalid_headers");
            assert!(m.headers.contains_key("Newsworker-Raw-Headers"));
            String::from_utf8(m.payload.clone()).unwrap()
        })
        .collect();
    payloads.sort();
    assert_eq!(
        payloads,
        (0..4)
            .map(|i| format!("poison payload {i}"))
            .collect::<Vec<_>>()
    );
    // The raw header block is kept byte for byte.
    use base64::Engine as _;
    let raw = letters
        .iter()
        .find(|m| m.payload == b"poison payload 0")
        .unwrap();
    let block = base64::engine::general_purpose::STANDARD
        .decode(&raw.headers["Newsworker-Raw-Headers"])
        .unwrap();
    assert_eq!(block, poison[0].1);
    assert_eq!(articles_by_id(&js).await.len(), 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_too_big_for_the_server_is_kept_by_reference_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("small.conf");
    std::fs::write(&conf, "max_payload: 65536\n").unwrap();
    let server = NatsServer::start_with(&["-c", conf.to_str().unwrap()]);
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    // Invalid JSON within a few bytes of the limit: with the error headers
    // added it would not fit.
    let mut payload = b"not json ".to_vec();
    payload.resize(65536 - 200, b'x');
    publish_all(
        &js,
        vec![("news.raw.x".into(), "near-limit".into(), payload.clone())],
    )
    .await;
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    wait_for_counts(&js, "dead-lettered", |raw, _, dlq| raw == 0 && dlq == 1).await;
    let letter = &read_stream(&js, "NEWS_DLQ").await[0];
    assert_eq!(letter.headers["Newsworker-Error-Kind"], "invalid_json");
    assert!(
        letter.payload.is_empty(),
        "the payload travels by reference"
    );
    assert_eq!(
        letter.headers["Newsworker-Payload-Bytes"],
        payload.len().to_string()
    );
    let name = &letter.headers["Newsworker-Payload-Object"];
    let store = js.get_object_store("NEWS_DLQ_PAYLOADS").await.unwrap();
    let mut object = store.get(name).await.unwrap();
    let mut kept = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut object, &mut kept)
        .await
        .unwrap();
    assert_eq!(kept, payload, "the bytes are kept, byte for byte");
    // Replayed, the stored bytes go back to the input and fail again the
    // same way: nothing lost.
    let out = command(&server.url).arg("replay").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_for_counts(&js, "dead-lettered again", |raw, _, dlq| {
        raw == 0 && dlq == 1
    })
    .await;
    let again = &read_stream(&js, "NEWS_DLQ").await[0];
    assert_ne!(again.headers["Nats-Msg-Id"], letter.headers["Nats-Msg-Id"]);
    assert_eq!(
        again.headers["Newsworker-Payload-Bytes"],
        payload.len().to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_without_a_message_id_stay_apart_when_the_input_stream_is_recreated() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    // No Nats-Msg-Id: the dead letter's id falls back to the stream's
    // identity and the message's sequence.
    js.publish("news.raw.x", "first poison".into())
        .await
        .unwrap()
        .await
        .unwrap();
    wait_for_counts(&js, "one dead letter", |raw, _, dlq| raw == 0 && dlq == 1).await;
    // The input stream is recreated: its sequences start again at 1.
    js.delete_stream("NEWS_RAW").await.unwrap();
    provision(&server.url, &[]);
    let w2 = Worker::spawn(&server.url, server.dir.path(), "second", &[]);
    started(&w2).await;
    js.publish("news.raw.x", "second poison".into())
        .await
        .unwrap()
        .await
        .unwrap();
    wait_for_counts(&js, "two dead letters", |raw, _, dlq| raw == 0 && dlq == 2).await;
    let letters = read_stream(&js, "NEWS_DLQ").await;
    let payloads: Vec<&[u8]> = letters.iter().map(|m| m.payload.as_slice()).collect();
    assert_eq!(payloads, [&b"first poison"[..], b"second poison"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_under_the_same_id_is_published_and_redeliveries_are_not() {
    let server = NatsServer::start();
    provision(&server.url, &[]);
    let js = async_nats::jetstream::new(server.client().await);
    let _w = Worker::spawn(&server.url, server.dir.path(), "solo", &[]);
    let text = "The council approved the new bus network plan on Tuesday after a debate that lasted three days.";
    let first = serde_json::json!({"id": "upd-1", "text": text});
    let update =
        serde_json::json!({"id": "upd-1", "text": format!("{text} The first buses run in May.")});
    let same_text = |source: &str| serde_json::json!({"source": source, "text": text});
    publish_all(
        &js,
        vec![
            (
                "news.raw.x".into(),
                "m1".into(),
                first.to_string().into_bytes(),
            ),
            (
                "news.raw.x".into(),
                "m2".into(),
                update.to_string().into_bytes(),
            ),
            (
                "news.raw.paper-a".into(),
                "m3".into(),
                same_text("paper-a").to_string().into_bytes(),
            ),
            (
                "news.raw.paper-b".into(),
                "m4".into(),
                same_text("paper-b").to_string().into_bytes(),
            ),
        ],
    )
    .await;
    wait_for_counts(&js, "four articles", |raw, out, _| raw == 0 && out == 4).await;
    let by_id = articles_by_id(&js).await;
    let versions = &by_id["upd-1"];
    assert_eq!(versions.len(), 2, "the update is published");
    assert_ne!(versions[0]["revision"], versions[1]["revision"]);
    assert_eq!(
        by_id.len(),
        3,
        "the same text from two sources is two articles"
    );
    // A redelivery (the same body, published again) is stored once.
    let msg = read_stream(&js, "NEWS_ARTICLES").await.remove(0);
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", msg.headers["Nats-Msg-Id"].as_str());
    let ack = js
        .publish_with_headers(msg.subject.clone(), headers, msg.payload.clone().into())
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(ack.duplicate);
}

#[test]
fn a_duplicate_window_shorter_than_redelivery_is_refused_at_start() {
    let out = std::process::Command::new(crate::common::bin())
        .arg("run")
        .env("NEWSWORKER__OUTPUT__DUPLICATE_WINDOW", "2s")
        .env("NEWSWORKER__WORKER__ACK_WAIT", "3s")
        .env("NEWSWORKER__WORKER__MAX_DELIVER", "5")
        .env("NATS_URL", "nats://127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("output.duplicate_window") && err.contains("is 2s") && err.contains("150s"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_request_whose_article_is_too_big_gets_its_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("small.conf");
    std::fs::write(&conf, "max_payload: 65536\n").unwrap();
    let server = NatsServer::start_with(&["-c", conf.to_str().unwrap()]);
    // With the paragraphs sent too, an article is about twice its text.
    let env = [
        ("NEWSWORKER__INPUT__MODE", "core"),
        ("NEWSWORKER__OUTPUT__PARAGRAPHS", "true"),
    ];
    let w = Worker::spawn(&server.url, server.dir.path(), "core", &env);
    let deadline = Instant::now() + WAIT;
    while !w.log_text().contains("Core worker started") {
        assert!(Instant::now() < deadline, "{}", w.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = server.client().await;
    // 38 KB of text becomes an article of about twice that (text and
    // paragraphs).
    let sentence = "The council approved the new bus network plan on Tuesday after a long debate. ";
    let text = (0..450)
        .map(|i| format!("{i}. {sentence}"))
        .collect::<Vec<_>>()
        .join("\n");
    let body = serde_json::json!({"id": "big-req", "text": text}).to_string();
    let reply = tokio::time::timeout(WAIT, client.request("news.raw.req", body.into()))
        .await
        .expect("an answer within the wait")
        .expect("a reply");
    let record = crate::common::schemas::record(&reply.payload);
    assert_eq!(record["id"], "big-req");
    assert_eq!(record["error"]["kind"], "too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_refuses_what_the_server_would_and_stores_every_other_line() {
    let server = NatsServer::start();
    let file = server.dir.path().join("mixed.jsonl");
    let text = "The council approved the new bus network plan on Tuesday after a debate that lasted three days.";
    let lines = [
        serde_json::json!({"id": "ok-1", "text": text}),
        serde_json::json!({"id": "long-source", "source": "s".repeat(5000), "text": text}),
        serde_json::json!({"id": "ok-2", "text": text}),
    ];
    std::fs::write(
        &file,
        lines
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let out = command(&server.url)
        .args(["publish", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("mixed.jsonl:2") && err.contains("the subject would be"),
        "{err}"
    );
    assert!(
        err.contains("published 2, already present 0, refused 1"),
        "{err}"
    );
    let js = async_nats::jetstream::new(server.client().await);
    assert_eq!(stream_len(&js, "NEWS_RAW").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_mode_counts_what_shutdown_loses() {
    let server = NatsServer::start();
    let env = [
        ("NEWSWORKER__INPUT__MODE", "core"),
        ("NEWSWORKER__WORKER__SHUTDOWN_GRACE", "1ms"),
        ("NEWSWORKER__WORKER__CPU_THREADS", "1"),
    ];
    let mut w = Worker::spawn(&server.url, server.dir.path(), "core", &env);
    let deadline = Instant::now() + WAIT;
    while !w.log_text().contains("Core worker started") {
        assert!(Instant::now() < deadline, "{}", w.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Pages slow enough that some are still running when the grace ends.
    let para = "<p>The council approved the new bus network plan on Tuesday after a debate that lasted three days and nights in the town hall.</p>";
    let client = server.client().await;
    for n in 0..20 {
        let html = format!(
            "<html><body><article>{}</article></body></html>",
            para.repeat(800)
        );
        let body = serde_json::json!({"id": format!("slow-{n}"), "html": html}).to_string();
        client.publish("news.raw.slow", body.into()).await.unwrap();
    }
    client.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.signal(libc::SIGTERM);
    assert!(w.wait_exit(WAIT).is_some(), "the worker exits");
    let log = w.log_text();
    let totals = log
        .lines()
        .find(|l| l.contains("Totals of this run"))
        .unwrap_or_else(|| panic!("no totals in the log:\n{log}"));
    let lost: u64 = totals
        .split("lost=")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no lost count: {totals}"));
    assert!(
        lost > 0,
        "in-flight messages cut at shutdown are counted as lost: {totals}"
    );
}
