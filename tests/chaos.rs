//! Chaos: a three-node cluster (R3 streams), three workers, 10,000 articles
//! of which 5% are malformed. While the backlog drains, workers are killed
//! with SIGKILL and restarted at random, and the node leading the input
//! stream is killed and brought back, and later the output and dead-letter
//! streams are both unavailable for longer than the backoff delays add up
//! to, then back. In the end every good
//! article is in NEWS_ARTICLES exactly once, every malformed one in
//! NEWS_DLQ exactly once with its original bytes, and the input stream is
//! empty.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::common::{
    command, corpus, free_port, publish_all, read_stream, stream_len, NatsServer, Worker,
};

const ARTICLES: usize = 10_000;
const MALFORMED_EVERY: usize = 20; // 5%
/// The whole run must finish within this.
const LIMIT: Duration = Duration::from_secs(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_and_a_leader_failover_lose_and_duplicate_nothing() {
    // Three nodes that route to each other.
    let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let routes = cluster_ports
        .iter()
        .map(|p| format!("nats://127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut nodes: Vec<NatsServer> = (0..3)
        .map(|i| {
            let name = format!("node{i}");
            let cluster = format!("nats://127.0.0.1:{}", cluster_ports[i]);
            NatsServer::start_with(&[
                "-n",
                &name,
                "--cluster_name",
                "nw",
                "--cluster",
                &cluster,
                "--routes",
                &routes,
            ])
        })
        .collect();
    let urls = nodes
        .iter()
        .map(|n| n.url.clone())
        .collect::<Vec<_>>()
        .join(",");
    let env = [
        ("NEWSWORKER__NATS__REPLICAS", "3"),
        ("NEWSWORKER__WORKER__ACK_WAIT", "3s"),
        ("NEWSWORKER__WORKER__BACKOFF", r#"["200ms","1s"]"#),
        ("NEWSWORKER__WORKER__MAX_DELIVER", "20"),
        ("NEWSWORKER__NATS__REQUEST_TIMEOUT", "3s"),
        // Few messages in flight per worker: a longer drain, more kills mid-stream.
        ("NEWSWORKER__WORKER__CONCURRENCY", "4"),
    ];

    // Provision once the cluster has elected its JetStream leader.
    let started = Instant::now();
    loop {
        let mut cmd = command(&urls);
        cmd.arg("provision");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        if out.status.success() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "cluster never became ready: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let client = async_nats::ConnectOptions::new()
        .connect(
            nodes
                .iter()
                .map(|n| n.url.parse::<async_nats::ServerAddr>().unwrap())
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    // Short API timeouts: while a node is down, a stalled status read must
    // not hold up the chaos.
    let js = async_nats::jetstream::ContextBuilder::new()
        .timeout(Duration::from_millis(700))
        .build(client);

    let mut good = Vec::new();
    let mut bad: HashMap<String, (Vec<u8>, &'static str)> = HashMap::new();
    let mut items = Vec::with_capacity(ARTICLES);
    for n in 0..ARTICLES {
        if n % MALFORMED_EVERY == 7 {
            let (payload, kind) = corpus::malformed(n, "chaos");
            let id = format!("chaos-bad-{n:05}");
            bad.insert(id.clone(), (payload.clone(), kind));
            items.push(("news.raw.chaos".to_string(), id, payload));
        } else {
            let g = corpus::article(n, "chaos");
            good.push(g.id.clone());
            items.push((
                format!("news.raw.{}", g.raw["source"].as_str().unwrap()),
                g.id,
                serde_json::to_vec(&g.raw).unwrap(),
            ));
        }
    }
    eprintln!(
        "chaos: cluster ready in {:.0?}; publishing",
        started.elapsed()
    );
    publish_all(&js, items).await;
    eprintln!("chaos: published in {:.0?}", started.elapsed());
    assert_eq!(stream_len(&js, "NEWS_RAW").await as usize, ARTICLES);

    let dir = tempfile::tempdir().unwrap();
    let spawn =
        |i: usize, gen: usize| Worker::spawn(&urls, dir.path(), &format!("w{i}-{gen}"), &env);
    let mut workers: Vec<Worker> = (0..3).map(|i| spawn(i, 0)).collect();
    let mut generation = 1;
    let (mut kills, mut restarts, mut node_kills) = (0, 0, 0);
    let mut rng = corpus::Lcg(2026);
    let mut last_kill = Instant::now();
    let mut leader_killed = false;
    let mut leader_down: Option<(usize, Instant)> = None;
    let mut last = [ARTICLES as u64, 0, 0];
    let mut blocked: Option<Instant> = None;
    let mut last_report = Instant::now();
    let mut unblocked = false;

    let counts = || async {
        // A node may be down: a failed read counts as "not yet".
        let mut c = [0u64; 3];
        for (k, name) in ["NEWS_RAW", "NEWS_ARTICLES", "NEWS_DLQ"].iter().enumerate() {
            match js.get_stream(*name).await {
                Ok(mut s) => match s.info().await {
                    Ok(i) => c[k] = i.state.messages,
                    Err(_) => return None,
                },
                Err(_) => return None,
            }
        }
        Some(c)
    };
    loop {
        assert!(
            started.elapsed() < LIMIT,
            "the chaos run did not finish within {LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Stream info can fail while a leader is being elected: keep the
        // last counts then, and keep the chaos going.
        if let Some(c) = counts().await {
            last = c;
            if c[0] == 0 && c[1] as usize == good.len() && c[2] as usize == bad.len() {
                break;
            }
        }
        let [raw, out, dlq] = last;
        let done = (out + dlq) as usize;
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "chaos: {:.0?}: raw {raw}, articles {out}, dead letters {dlq}",
                started.elapsed()
            );
            last_report = Instant::now();
        }
        // Kill the node leading the input stream once, early on, and bring
        // it back three seconds later; the workers keep being killed meanwhile.
        if !leader_killed && done > ARTICLES / 6 {
            if let Ok(mut s) = js.get_stream("NEWS_RAW").await {
                if let Some(leader) = s
                    .info()
                    .await
                    .ok()
                    .and_then(|i| i.cluster.clone().and_then(|c| c.leader))
                {
                    let idx: usize = leader.trim_start_matches("node").parse().unwrap();
                    nodes[idx].stop();
                    node_kills += 1;
                    leader_down = Some((idx, Instant::now()));
                    leader_killed = true;
                    eprintln!("chaos: killed stream leader {leader} at {done} done");
                }
            }
        }
        if let Some((idx, since)) = leader_down {
            if since.elapsed() > Duration::from_secs(3) {
                nodes[idx].restart();
                leader_down = None;
                eprintln!("chaos: node{idx} back at {done} done");
            }
        }
        // Once the leader is back, both output streams are unavailable for
        // 4 s (the backoff delays add up to 1.2 s), then back.
        if leader_killed
            && leader_down.is_none()
            && blocked.is_none()
            && done > ARTICLES / 2
            && set_unavailable(&js, true).await
        {
            blocked = Some(Instant::now());
            eprintln!("chaos: output and DLQ streams unavailable at {done} done");
        }
        if let (Some(since), false) = (blocked, unblocked) {
            if since.elapsed() > Duration::from_secs(4) && set_unavailable(&js, false).await {
                unblocked = true;
                eprintln!("chaos: output and DLQ streams back at {done} done");
            }
        }
        // Kill a random worker every second or so while work remains.
        if raw > 0 && last_kill.elapsed() > Duration::from_millis(400) {
            let i = rng.below(workers.len());
            workers[i].signal(libc::SIGKILL);
            workers[i].wait_exit(Duration::from_secs(5));
            kills += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            workers[i] = spawn(i, generation);
            generation += 1;
            restarts += 1;
            last_kill = Instant::now();
        }
    }
    assert!(leader_killed, "the run ended before the leader failover");
    assert!(
        unblocked,
        "the run ended before the output streams were full and back"
    );
    if let Some((idx, _)) = leader_down {
        nodes[idx].restart();
    }

    // Settle: nothing more arrives.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let articles = read_stream(&js, "NEWS_ARTICLES").await;
    let letters = read_stream(&js, "NEWS_DLQ").await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &articles {
        *seen.entry(m.article_id()).or_default() += 1;
    }
    let lost = good.iter().filter(|id| !seen.contains_key(*id)).count();
    let duplicated = seen.values().filter(|&&c| c > 1).count();
    let mut dead: HashMap<String, usize> = HashMap::new();
    for l in &letters {
        let id = l.headers["Nats-Msg-Id"].clone();
        *dead.entry(id.clone()).or_default() += 1;
        let (payload, kind) = bad
            .get(&id)
            .unwrap_or_else(|| panic!("unexpected dead letter {id}: {:?}", l.headers));
        assert_eq!(&l.payload, payload, "{id}: original bytes");
        assert_eq!(l.headers["Newsworker-Error-Kind"], *kind, "{id}");
    }
    let dead_lost = bad.keys().filter(|id| !dead.contains_key(*id)).count();
    let dead_duplicated = dead.values().filter(|&&c| c > 1).count();
    eprintln!(
        "chaos summary: {} articles ({} good, {} malformed), {kills} worker kills, {restarts} restarts, {node_kills} leader kill, \
         lost {lost}, duplicated {duplicated}, dead letters lost {dead_lost}, duplicated {dead_duplicated}, input left {}, in {:.0?}",
        ARTICLES,
        good.len(),
        bad.len(),
        stream_len(&js, "NEWS_RAW").await,
        started.elapsed()
    );
    assert_eq!((lost, duplicated, dead_lost, dead_duplicated), (0, 0, 0, 0));
    assert_eq!(articles.len(), good.len());
    assert_eq!(letters.len(), bad.len());
    assert_eq!(stream_len(&js, "NEWS_RAW").await, 0);
    assert!(
        kills >= 5,
        "too few kills landed ({kills}) to call this chaos"
    );
}

/// Makes NEWS_ARTICLES and NEWS_DLQ unavailable to writers (they stop
/// capturing their subjects, so a publish finds no stream: what a stream
/// that lost its quorum looks like to a client), or available again.
/// Nothing they hold is touched. Returns false when the cluster could not
/// be asked (a leader election): the caller tries again.
async fn set_unavailable(js: &async_nats::jetstream::Context, unavailable: bool) -> bool {
    for (name, subject) in [
        ("NEWS_ARTICLES", "news.articles.*"),
        ("NEWS_DLQ", "news.dlq.*"),
    ] {
        let Ok(mut stream) = js.get_stream(name).await else {
            return false;
        };
        let Ok(info) = stream.info().await else {
            return false;
        };
        let mut config = info.config.clone();
        config.subjects = if unavailable {
            vec![format!("unavailable.{name}")]
        } else {
            vec![subject.to_string()]
        };
        if js.update_stream(config).await.is_err() {
            return false;
        }
    }
    true
}
