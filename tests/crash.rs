//! A worker killed with SIGKILL mid-stream and restarted: nothing lost,
//! nothing duplicated in the output stream.

use std::collections::HashMap;

use crate::common::{
    corpus, provision, publish_all, read_stream, wait_for_counts, NatsServer, Worker,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_and_duplicates_nothing() {
    const N: usize = 2000;
    let server = NatsServer::start();
    // A short ack_wait so what the killed worker held comes back quickly.
    let env = [
        ("NEWSWORKER__WORKER__ACK_WAIT", "2s"),
        ("NEWSWORKER__WORKER__CONCURRENCY", "16"),
    ];
    provision(&server.url, &env);
    let js = async_nats::jetstream::new(server.client().await);
    let items = (0..N)
        .map(|n| {
            let g = corpus::article(n, "crash");
            let source = g.raw["source"].as_str().unwrap().to_string();
            (
                format!("news.raw.{source}"),
                g.id,
                serde_json::to_vec(&g.raw).unwrap(),
            )
        })
        .collect();
    publish_all(&js, items).await;

    let mut a = Worker::spawn(&server.url, server.dir.path(), "a", &env);
    let _b = Worker::spawn(&server.url, server.dir.path(), "b", &env);
    let (_, done_at_kill, _) = wait_for_counts(&js, "some progress", |_, out, _| out >= 200).await;
    a.signal(libc::SIGKILL);
    a.wait_exit(std::time::Duration::from_secs(5))
        .expect("killed worker exited");
    assert!(
        (done_at_kill as usize) < N,
        "the kill must land mid-stream ({done_at_kill} of {N} done)"
    );
    let _a2 = Worker::spawn(&server.url, server.dir.path(), "a2", &env);

    wait_for_counts(&js, "everything processed", |raw, out, _| {
        raw == 0 && out as usize >= N
    })
    .await;
    let articles = read_stream(&js, "NEWS_ARTICLES").await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &articles {
        *seen.entry(m.article_id()).or_default() += 1;
    }
    assert_eq!(articles.len(), N, "no duplicates in the output stream");
    assert_eq!(seen.len(), N, "no article lost");
    for n in 0..N {
        assert_eq!(seen.get(&format!("crash-{n:05}")), Some(&1));
    }
    assert_eq!(crate::common::stream_len(&js, "NEWS_DLQ").await, 0);
}
