//! Time and memory of one step of a benchmark, shared by the verification and growth
//! benchmarks: wall time, and this process's resident set (`VmRSS`, Linux) sampled every 5 ms
//! while the step runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// This process's resident set in KiB (0 where `/proc` cannot tell).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs `step`, returning its output, its wall time and the peak resident set above what the
/// process held when it started (MiB).
pub async fn measured<T>(step: impl std::future::Future<Output = T>) -> (T, Duration, f64) {
    let before = rss_kib();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let started = Instant::now();
    let out = step.await;
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    peak.fetch_max(rss_kib(), Ordering::Relaxed);
    let grew = peak.load(Ordering::Relaxed).saturating_sub(before) as f64 / 1024.0;
    (out, took, grew)
}
