//! The HTTP/1.1 server loop: axum's router on hyper, with the limits `axum::serve` leaves
//! out, so that no client holds a connection and its file descriptor for good:
//! - a client must send each request's whole header section within [`HEADER_READ_TIMEOUT`],
//!   counted from the connection's start and, on a kept-alive connection, from the end of the
//!   previous answer (a slowloris client, or one that sends nothing, is disconnected);
//! - an answer that cannot be written for [`WRITE_TIMEOUT`] (a client that stopped reading)
//!   ends the connection.
//!
//! HTTP/1.1 only — what browsers and proxies speak to an origin server; `axum::serve`'s
//! cleartext HTTP/2 is not kept.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client may take to send a request's header section (RFC 9112 §9.8 lets a server
/// close a connection it no longer wants to wait on).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write may wait for the client to make room (a slow but live reader makes some
/// room far sooner; one that stopped reading never does).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and waits for
/// the requests in flight (idle connections are closed). Each request carries the peer's
/// address as axum's `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: the connections that hold them end
                    // within the header timeout at worst, so wait a little and go on.
                    tracing::error!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY the JS glue response intermittently stalls ~40 ms (Nagle).
        let _ = tcp.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                request
            });
        let mut io = tokio_io_timeout::TimeoutStream::new(tcp);
        io.set_write_timeout(Some(WRITE_TIMEOUT));
        let connection = http.serve_connection(TokioIo::new(Box::pin(io)), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
