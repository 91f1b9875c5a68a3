//! The worker's HTTP endpoints, on `http.listen`:
//!
//! - `GET /metrics`: Prometheus text format.
//! - `GET /healthz`: 200 while the process serves requests.
//! - `GET /readyz`: 200 when connected to NATS with the consumer bound,
//!   503 otherwise (before start-up finished, while NATS is unreachable,
//!   while stopping).
//!
//! Served with hyper's HTTP/1 server on the worker's runtime, guarded
//! against slow and hostile clients: a client has [`HEADER_TIMEOUT`] to send
//! its request head and [`CONNECTION_TIMEOUT`] in all, one request per
//! connection, and at most [`MAX_CONNECTIONS`] are open at once. When that
//! many are, a new one pushes out the oldest that has not yet sent its
//! request head, so a flood of half-open connections cannot keep a health
//! check out (a connection whose whole head is waiting when it is accepted
//! counts as read at once; the kernel hands a connection over only once it
//! has sent its first bytes).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{body::Incoming, Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::telemetry::observe::Health;

/// How long a client may take to send its request head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one connection may last, request and response.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 256;

/// An open connection: its task, and whether its request head arrived.
struct Open {
    task: tokio::task::AbortHandle,
    head_read: Arc<AtomicBool>,
    since: std::time::Instant,
}

/// When full, a newcomer that has not sent its whole request head yet
/// pushes out only a client that has been sending its own for this long:
/// a flood of half-sent requests cannot push out, one after the other, the
/// health check that came in between them.
const MIN_AGE_TO_EVICT: Duration = Duration::from_millis(250);

/// Binds `listen` and serves the endpoints until the task is dropped.
/// Returns the bound address (useful with port 0) and the serving task.
pub async fn serve(
    listen: &str,
    metrics: PrometheusHandle,
    health: Arc<Health>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = match bind(listen).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => anyhow::bail!(
            "cannot listen on {listen} (http.listen): another process, perhaps another worker on this host, has that port; give each worker its own (NEWSWORKER__HTTP__LISTEN=0.0.0.0:9465), or \"\" to turn the endpoints off"
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot listen on {listen} (http.listen)")),
    };
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let mut open: VecDeque<Open> = VecDeque::new();
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors, most likely: make room by
                    // closing the oldest client still sending its head.
                    tracing::warn!(error = %e, "Accepting an HTTP connection failed.");
                    open.retain(|c| !c.task.is_finished());
                    match open
                        .iter()
                        .position(|c| !c.head_read.load(Ordering::Relaxed))
                    {
                        Some(i) => {
                            if let Some(c) = open.remove(i) {
                                c.task.abort();
                            }
                            tokio::task::yield_now().await;
                        }
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                    continue;
                }
            };
            open.retain(|c| !c.task.is_finished());
            // Full: push out the oldest client still sending its request
            // head; when every one is being answered, the new one waits no
            // turn: it is closed.
            let complete = head_waiting(&stream);
            let min_age = if complete {
                Duration::ZERO
            } else {
                MIN_AGE_TO_EVICT
            };
            if open.len() >= MAX_CONNECTIONS && !evict_unread(&mut open, min_age) {
                continue;
            }
            let head_read = Arc::new(AtomicBool::new(complete));
            let metrics = metrics.clone();
            let health = Arc::clone(&health);
            let seen = Arc::clone(&head_read);
            let task = tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    seen.store(true, Ordering::Relaxed);
                    let metrics = metrics.clone();
                    let health = Arc::clone(&health);
                    async move { Ok::<_, Infallible>(route(&req, &metrics, &health)) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(stream), service);
                match tokio::time::timeout(CONNECTION_TIMEOUT, conn).await {
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "HTTP connection ended with an error.")
                    }
                    Err(_) => tracing::debug!("HTTP connection took too long; closed."),
                    Ok(Ok(())) => {}
                }
            });
            open.push_back(Open {
                task: task.abort_handle(),
                head_read,
                since: std::time::Instant::now(),
            });
        }
    });
    Ok((addr, task))
}

/// Whether a whole request head already waits on the just-accepted socket.
/// A health check or a scrape sends its head at once, and is marked read
/// from the start: under a flood, the loop may accept hundreds more
/// connections before this one's task first runs, and it must not be the
/// one pushed out.
fn head_waiting(stream: &tokio::net::TcpStream) -> bool {
    use std::os::fd::AsRawFd as _;
    let mut buf = [0u8; 1024];
    // SAFETY: recv(2) writes at most `buf.len()` bytes into `buf`, which
    // lives across the call; MSG_PEEK leaves them on the socket and
    // MSG_DONTWAIT makes it return at once when nothing is there.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    usize::try_from(n)
        .ok()
        .and_then(|n| buf.get(..n))
        .is_some_and(|head| head.windows(4).any(|w| w == b"\r\n\r\n"))
}

/// Makes room for one more connection: none needed when one of them has
/// finished meanwhile; else closes the oldest connection whose request
/// head has not arrived and that has been open for `min_age` at least.
/// `false` when there is no room.
fn evict_unread(open: &mut VecDeque<Open>, min_age: Duration) -> bool {
    open.retain(|c| !c.task.is_finished());
    if open.len() < MAX_CONNECTIONS {
        return true;
    }
    let Some(i) = open
        .iter()
        .position(|c| !c.head_read.load(Ordering::Relaxed) && c.since.elapsed() >= min_age)
    else {
        return false;
    };
    if let Some(c) = open.remove(i) {
        c.task.abort();
    }
    true
}

/// Pending connections the kernel queues for accept (capped by
/// `net.core.somaxconn`). The default 128 fills in a burst of connections
/// faster than the loop accepts them, and a health check's SYN dropped then
/// waits a second to be sent again.
const BACKLOG: u32 = 4096;

/// How long the kernel holds a connection that has sent nothing before it
/// hands it to the accept loop all the same ([`defer_accept`]).
const DEFER_ACCEPT_SECS: libc::c_int = 2;

/// Asks the kernel (Linux's `TCP_DEFER_ACCEPT`) to hand a connection to the
/// accept loop only once its first bytes arrived. A health check is then
/// accepted with its whole request head waiting, and is marked read from
/// the start; without it, one accepted between its `connect` and its
/// `write` looked like one more half-sent request of a flood, and could be
/// closed. Where the option is missing, the endpoints work as before.
fn defer_accept(socket: &tokio::net::TcpSocket) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        let secs = DEFER_ACCEPT_SECS;
        // SAFETY: setsockopt(2) reads `size_of::<c_int>()` bytes from a
        // live c_int; the descriptor is the socket's own, open for the
        // call.
        let rc = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_DEFER_ACCEPT,
                std::ptr::addr_of!(secs).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "TCP_DEFER_ACCEPT not set.");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = socket;
}

/// Binds `listen` (host or address, and port) with a deep accept queue.
async fn bind(listen: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(listen).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        defer_accept(&socket);
        match socket.bind(addr).and_then(|()| socket.listen(BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolves to nothing",
        )
    }))
}

fn route(
    req: &Request<Incoming>,
    metrics: &PrometheusHandle,
    health: &Health,
) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
    }
    match req.uri().path() {
        "/metrics" => {
            // Keep the ready gauges current for this scrape.
            health.ready();
            reply(
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                crate::telemetry::observe::render(metrics),
            )
        }
        "/healthz" => reply(StatusCode::OK, "text/plain", "ok\n"),
        "/readyz" => {
            if health.ready() {
                reply(StatusCode::OK, "text/plain", "ready\n")
            } else if !health.connected() {
                reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "not ready: not connected to NATS\n",
                )
            } else {
                reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "not ready: the consumer is not bound\n",
                )
            }
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found: try /metrics, /healthz or /readyz\n",
        ),
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}
