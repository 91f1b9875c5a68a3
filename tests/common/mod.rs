//! Test helpers: a private nats-server per test, worker processes, and
//! readers for what landed in the streams.

pub mod corpus;
pub mod gen;
pub mod schemas;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;

/// Every wait in the tests gives up after this long.
pub const WAIT: Duration = Duration::from_secs(90);

/// The nats-server binary: `$NATS_SERVER_BIN`, else on PATH, else Debian's path.
pub fn nats_server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("NATS_SERVER_BIN") {
        return p.into();
    }
    for dir in std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .chain(["/usr/sbin", "/usr/local/bin"])
    {
        let p = Path::new(dir).join("nats-server");
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "nats-server not found: install it (apt-get install nats-server) or set NATS_SERVER_BIN"
    );
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A nats-server with JetStream on a free port and a temporary store,
/// killed when dropped.
pub struct NatsServer {
    child: Option<Child>,
    /// The port it listens on.
    pub port: u16,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
    args: Vec<String>,
    /// Scratch space of the test (store dir, logs, config files).
    pub dir: tempfile::TempDir,
}

impl NatsServer {
    /// Starts a plain JetStream server.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts a server without JetStream, as `nats-server` runs without
    /// `-js`.
    pub fn start_without_jetstream() -> Self {
        let mut s = Self::start_with(&[]);
        s.stop();
        s.args.retain(|a| a != "-js");
        s.spawn();
        s
    }

    /// Starts a server with extra command-line arguments.
    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut args: Vec<String> = vec![
            "-a".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
            "-js".into(),
            "-sd".into(),
            dir.path().join("store").display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut s = NatsServer {
            child: None,
            port,
            url: format!("nats://127.0.0.1:{port}"),
            args,
            dir,
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("nats.log"))
            .unwrap();
        let child = Command::new(nats_server_bin())
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (its store stays, for [`NatsServer::restart`]).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port and store.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// A client connected to this server.
    pub async fn client(&self) -> async_nats::Client {
        async_nats::connect(&self.url)
            .await
            .expect("connect to test nats-server")
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The newsworker binary under test.
/// The binary under test: this build's, or the one `NEWSWORKER_TEST_BIN`
/// names (to show a test fails on an older build).
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("NEWSWORKER_TEST_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_newsworker").to_string())
    })
}

/// Runs `cmd` and returns what it printed; the test fails, showing its
/// stderr, when it does not exit 0.
pub fn succeed(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run the command");
    assert!(
        out.status.success(),
        "{cmd:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A `newsworker` command with the test server's URL, quiet plain logs and
/// its HTTP endpoints on a port of its own.
pub fn command(url: &str) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env("NATS_URL", url)
        .env("NEWSWORKER__LOG__FORMAT", "text")
        .env("NEWSWORKER__LOG__LEVEL", "info")
        // Many workers run side by side: each takes a free port for /metrics.
        .env("NEWSWORKER__HTTP__LISTEN", "127.0.0.1:0")
        .env_remove("RUST_LOG");
    cmd
}

/// A worker process, killed when dropped.
pub struct Worker {
    /// The process.
    pub child: Child,
    /// Its stderr log.
    pub log: PathBuf,
}

impl Worker {
    /// Starts `newsworker run` against `url` with extra environment.
    pub fn spawn(url: &str, dir: &Path, name: &str, env: &[(&str, &str)]) -> Worker {
        let log = dir.join(format!("worker-{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut cmd = command(url);
        cmd.arg("run")
            .env("NEWSWORKER__WORKER__INSTANCE", name)
            .stdout(Stdio::null())
            .stderr(file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Worker {
            child: cmd.spawn().expect("start worker"),
            log,
        }
    }

    /// Sends a signal to the process.
    pub fn signal(&self, sig: i32) {
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// Waits for exit, up to `limit`; returns the exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The worker's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `newsworker provision` against `url` and asserts success.
pub fn provision(url: &str, env: &[(&str, &str)]) {
    let mut cmd = command(url);
    cmd.arg("provision");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "provision failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Publishes raw payloads to JetStream with `Nats-Msg-Id`s, awaiting every ack.
pub async fn publish_all(js: &jetstream::Context, items: Vec<(String, String, Vec<u8>)>) {
    let mut acks = Vec::with_capacity(items.len());
    for (subject, id, payload) in items {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        acks.push(
            js.publish_with_headers(subject, headers, payload.into())
                .await
                .unwrap(),
        );
        // The context caps acks in flight: collect them before it blocks.
        if acks.len() >= 1_000 {
            for ack in acks.drain(..) {
                ack.await.unwrap();
            }
        }
    }
    for ack in acks {
        ack.await.unwrap();
    }
}

/// Number of messages in a stream.
pub async fn stream_len(js: &jetstream::Context, name: &str) -> u64 {
    js.get_stream(name)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages
}

/// Waits until `cond` holds on the stream counts (input, output, dlq), or panics.
pub async fn wait_for_counts(
    js: &jetstream::Context,
    what: &str,
    cond: impl Fn(u64, u64, u64) -> bool,
) -> (u64, u64, u64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let counts = (
            stream_len(js, "NEWS_RAW").await,
            stream_len(js, "NEWS_ARTICLES").await,
            stream_len(js, "NEWS_DLQ").await,
        );
        if cond(counts.0, counts.1, counts.2) {
            return counts;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; counts (raw, articles, dlq) = {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One stored message.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Subject it was stored under.
    pub subject: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// Headers, first value of each.
    pub headers: HashMap<String, String>,
}

impl Stored {
    /// The `id` of the article this message holds (an output message's
    /// `Nats-Msg-Id` is `<id>:<revision>`).
    pub fn article_id(&self) -> String {
        let article: serde_json::Value =
            serde_json::from_slice(&self.payload).expect("an article is JSON");
        article["id"]
            .as_str()
            .expect("an article has an id")
            .to_string()
    }
}

/// Every message of a stream, in order, read with a throwaway consumer.
/// Articles and dead letters are checked against schemas/ on the way.
pub async fn read_stream(js: &jetstream::Context, name: &str) -> Vec<Stored> {
    let stream = js.get_stream(name).await.unwrap();
    let total = stream_len(js, name).await as usize;
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            deliver_policy: consumer::DeliverPolicy::All,
            inactive_threshold: Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut out = Vec::with_capacity(total);
    let deadline = Instant::now() + WAIT;
    while out.len() < total {
        assert!(
            Instant::now() < deadline,
            "timed out reading {name}: {} of {total}",
            out.len()
        );
        let mut batch = consumer
            .fetch()
            .max_messages(500)
            .expires(Duration::from_secs(1))
            .messages()
            .await
            .unwrap();
        while let Some(m) = batch.next().await {
            let m = m.unwrap();
            let mut headers = HashMap::new();
            if let Some(h) = &m.headers {
                for (k, v) in h.iter() {
                    if let Some(first) = v.first() {
                        headers.insert(k.to_string(), first.as_str().to_string());
                    }
                }
            }
            // What the worker wrote must match the published schemas.
            if m.subject.starts_with("news.articles.") {
                schemas::article(&m.payload);
            } else if m.subject.starts_with("news.dlq.") {
                schemas::dlq_headers(&headers);
            }
            out.push(Stored {
                subject: m.subject.to_string(),
                payload: m.payload.to_vec(),
                headers,
            });
        }
    }
    out
}

/// `GET path` from a worker's HTTP endpoint at `addr` (`127.0.0.1:port`):
/// the status code and body, or `None` when nothing answers.
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    // The head in one write, as curl, Prometheus and probes send it (a
    // `write!` would send it in pieces).
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// Waits until `GET path` answers `status`, or panics with the last answer.
pub fn wait_http(addr: &str, path: &str, status: u16, what: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = http_get(addr, path);
        if let Some((s, body)) = &got {
            if *s == status {
                return body.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: GET {path} last answered {got:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
