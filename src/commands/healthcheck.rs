//! `newsworker healthcheck`: asks the worker on this host for `/healthz`
//! (at `http.listen`) and succeeds when it answers 200. For container health
//! checks: the image has no shell, curl or wget.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{bail, Context as _};

use crate::config::Config;

/// Fails unless the worker at `http.listen` answers `/healthz` with 200
/// within 2 seconds.
pub fn run(cfg: &Config) -> anyhow::Result<()> {
    if cfg.http.listen.is_empty() {
        bail!("http.listen is empty: the worker serves no /healthz to check");
    }
    let mut addr: SocketAddr = cfg
        .http
        .listen
        .parse()
        .with_context(|| format!("http.listen {:?} is not an address", cfg.http.listen))?;
    // A worker listening on every interface answers on loopback.
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("no worker answers on {addr} (http.listen)"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 64];
    let n = stream
        .read(&mut head)
        .with_context(|| format!("the worker on {addr} did not answer /healthz"))?;
    let status = String::from_utf8_lossy(&head[..n]);
    let status = status.lines().next().unwrap_or("");
    if status.starts_with("HTTP/1.1 200") || status.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        bail!("the worker on {addr} answered /healthz with {status:?}")
    }
}
