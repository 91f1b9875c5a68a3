//! The worker's HTTP endpoints, on `http.listen`:
//!
//! - `GET /metrics`: Prometheus text format.
//! - `GET /healthz`: 200 while the process serves requests.
//! - `GET /readyz`: 200 when connected to NATS with the consumer bound,
//!   503 otherwise (before start-up finished, while NATS is unreachable,
//!   while stopping).
//!
//! Served with hyper's HTTP/1 server on the worker's runtime.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{body::Incoming, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::telemetry::observe::Health;

/// Binds `listen` and serves the endpoints until the task is dropped.
/// Returns the bound address (useful with port 0) and the serving task.
pub async fn serve(
    listen: &str,
    metrics: PrometheusHandle,
    health: Arc<Health>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (http.listen)"))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "Accepting an HTTP connection failed.");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let metrics = metrics.clone();
            let health = Arc::clone(&health);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let metrics = metrics.clone();
                    let health = Arc::clone(&health);
                    async move { Ok::<_, Infallible>(route(&req, &metrics, &health)) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "HTTP connection ended with an error.");
                }
            });
        }
    });
    Ok((addr, task))
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
