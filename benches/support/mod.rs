//! What the NATS benches share: the release binary, a private nats-server,
//! stream depths and a process's peak memory.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The release binary (`NEWSWORKER_BIN` overrides), which must exist.
pub fn newsworker_bin() -> String {
    let bin = std::env::var("NEWSWORKER_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/newsworker").to_string()
    });
    assert!(
        std::path::Path::new(&bin).exists(),
        "{bin} missing: run cargo build --release first"
    );
    bin
}

/// A nats-server with JetStream on a free port, its store in `dir`, killed
/// when dropped.
pub struct Server {
    child: Child,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
    /// A connected client.
    pub client: async_nats::Client,
}

impl Server {
    /// Starts the server, waits for it, and provisions newsworker's streams
    /// with `bin`.
    #[allow(dead_code)] // not every bench uses it
    pub async fn start(dir: &std::path::Path, bin: &str) -> Server {
        Server::start_with(dir, bin, "").await
    }

    /// As [`Server::start`], with `conf` (nats-server configuration lines,
    /// such as `max_payload: 8MB`) written to a file the server reads.
    #[allow(dead_code)] // not every bench sets any
    pub async fn start_with(dir: &std::path::Path, bin: &str, conf: &str) -> Server {
        let conf_file = dir.join("server.conf");
        std::fs::write(&conf_file, conf).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&conf_file)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(dir.join("store"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server on PATH");
        let url = format!("nats://127.0.0.1:{port}");
        let client = loop {
            if let Ok(c) = async_nats::connect(&url).await {
                break c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let st = Command::new(bin)
            .arg("provision")
            .env("NATS_URL", &url)
            .env("NEWSWORKER__LOG__LEVEL", "warn")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "provision failed");
        Server { child, url, client }
    }
}

impl Server {
    /// The server's process id.
    #[allow(dead_code)] // not every bench reads it
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// CPU seconds (user and system) a live process has used; 0 if gone.
#[allow(dead_code)] // not every bench reads it
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Messages in a stream.
pub async fn messages(js: &async_nats::jetstream::Context, name: &str) -> u64 {
    js.get_stream(name)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages
}

/// Peak resident set size of a live process, in KB (VmHWM); 0 if gone.
pub fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
