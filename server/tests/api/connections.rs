//! The connection layer against raw TCP, as a careless or hostile client uses it: a header
//! section sent a byte at a time, or a body announced larger than the limit. Not ledger
//! tests: they run on SQLite only.

use crate::helpers::{Backend, spawn_app};
use assent_server::serve::{HEADER_READ_TIMEOUT, WRITE_TIMEOUT};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn connect(app: &crate::helpers::TestApp) -> TcpStream {
    TcpStream::connect(app.api.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection (or `bound` passes): what it sent.
async fn read_to_close(stream: &mut TcpStream, bound: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    tokio::time::timeout(bound, stream.read_to_end(&mut got))
        .await
        .ok()?
        .ok()?;
    Some(got)
}

#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_or_not_at_all_is_disconnected() {
    let app = spawn_app(Backend::Sqlite).await;
    let bound = HEADER_READ_TIMEOUT * 4;
    let mut silent = connect(&app).await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    // The slow client keeps adding a header line every second, never ending the section.
    let drip = tokio::spawn(async move {
        for i in 0.. {
            if slow.write_all(format!("X-Drip-{i}: 1\r\n").as_bytes()).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        slow
    });
    assert!(
        read_to_close(&mut silent, bound).await.is_some(),
        "a connection that sends nothing is closed"
    );
    let mut slow = tokio::time::timeout(bound, drip)
        .await
        .expect("the drip stops")
        .expect("task");
    assert!(
        read_to_close(&mut slow, bound).await.is_some(),
        "a slow header section is cut off"
    );
    println!(
        "slow and silent connections closed after {:.1} s (header timeout {} s)",
        started.elapsed().as_secs_f64(),
        HEADER_READ_TIMEOUT.as_secs()
    );
    // The server still answers everyone else.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_before_it_is_read() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /v1/sites/demo/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
        assent_server::error::BODY_LIMIT_BYTES + 1
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0; 8192];
    let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut answer))
        .await
        .expect("an answer without the body")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert_eq!(app.event_rows().await, 0);
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_disconnected() {
    let app = spawn_app(Backend::Sqlite).await;
    let one = app.get("/openapi.json").await.bytes().await.expect("document").len();
    let mut stream = connect(&app).await;
    // Many large answers asked for at once, none read: the server's writes stall.
    let asks = 64;
    let request = "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n".repeat(asks);
    stream.write_all(request.as_bytes()).await.expect("write");
    tokio::time::sleep(WRITE_TIMEOUT + Duration::from_secs(5)).await;
    let mut got = Vec::new();
    let read = tokio::time::timeout(HEADER_READ_TIMEOUT * 4, async {
        let mut buf = vec![0; 64 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the connection ends");
    println!(
        "a stalled reader got {} of {} bytes before the server gave up on it",
        got.len(),
        one * asks
    );
    assert!(
        got.len() < one * asks,
        "the server stopped writing to a client that stopped reading"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_body_that_arrives_too_slowly_is_a_408_not_a_database_outage() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /v1/sites/demo/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .expect("write");
    let bound = assent_server::request_bound::BODY_READ_TIMEOUT * 3;
    let mut answer = vec![0; 8192];
    let n = tokio::time::timeout(bound, stream.read(&mut answer))
        .await
        .expect("an answer within the bound")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert_eq!(app.event_rows().await, 0);
}
