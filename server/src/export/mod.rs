//! Ledger exports for auditors: one site's events as NDJSON or CSV, or an evidence bundle
//! ([`bundle`]) that [`verify_bundle`] checks offline, with no database and no key file.
//!
//! Every export reads one consistent snapshot of the site ([`SiteSnapshot`]) a page at a
//! time and writes each page before reading the next, so memory stays bounded by the page
//! size whatever the ledger's size. Two ways out:
//! - [`write_export`] writes to any `std::io::Write` (the CLI's file or stdout);
//! - [`export_stream`] answers a stream of byte chunks for an HTTP body
//!   (`axum::body::Body::from_stream(export.body)`), with backpressure: a slow reader pauses
//!   the database reads.

pub mod bundle;
mod table;
pub mod verify_bundle;

use crate::ledger::{ChainPosition, EventCount, EventFilter, Ledger, Selection, SiteSnapshot};
use anyhow::Context;
use assent_shared::ids::SiteId;
use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use std::io::Write;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub use verify_bundle::{BundleReport, verify_bundle};

/// Events read per database query unless the caller says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// What an export is written as (`ndjson`, `csv`, `bundle` on the wire and the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One stored event JSON per line, exactly as hashed.
    Ndjson,
    /// One row per event with fixed columns: site_id, subject_id, seq, event_id, recorded_at,
    /// method, source, regime, jurisdiction, gpc, language, notice_version, notice_hash,
    /// decisions (`purpose=granted;…`), prev_hash, hash, tc_string (IAB TCF; empty for most events).
    Csv,
    /// An evidence bundle: typed JSON lines with the manifest, the JWKS, the checkpoints, the
    /// events of whole chains and the notices they reference.
    Bundle,
}

impl Format {
    /// The `Content-Type` of the bytes.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Ndjson | Self::Bundle => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// A download name for a site's export: `assent-shop-events.ndjson`, `…-events.csv`,
    /// `assent-shop-bundle.ndjson`.
    pub fn file_name(self, site: &SiteId) -> String {
        match self {
            Self::Ndjson => format!("assent-{site}-events.ndjson"),
            Self::Csv => format!("assent-{site}-events.csv"),
            Self::Bundle => format!("assent-{site}-bundle.ndjson"),
        }
    }

    /// NDJSON and CSV hold exactly the matching events; a bundle holds whole chains so that
    /// each verifies from its first event.
    fn selection(self) -> Selection {
        match self {
            Self::Ndjson | Self::Csv => Selection::Events,
            Self::Bundle => Selection::WholeChains,
        }
    }
}

/// One export: whose, in which format, which events, and how many per database read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub site: SiteId,
    pub format: Format,
    pub filter: EventFilter,
    /// Events per database read (at least 1); memory grows with it, the output does not change.
    pub page_size: u32,
}

impl ExportRequest {
    /// An export with the default page size.
    pub fn new(site: SiteId, format: Format, filter: EventFilter) -> Self {
        Self {
            site,
            format,
            filter,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// How far an export has come: events written so far out of the total it will write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub written: u64,
    pub total: u64,
}

/// What an export held, once written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    pub chains: u64,
    pub events: u64,
    /// Checkpoints and notice versions (bundles only; 0 otherwise).
    pub checkpoints: u64,
    pub notices: u64,
}

/// A started export whose bytes arrive as a stream.
#[derive(Debug)]
pub struct ExportStream {
    /// The events and chains the export will hold (known before the first byte).
    pub count: EventCount,
    /// The bytes, in chunks of about one page. A database error after the first chunk ends
    /// the stream with an `Err` (logged with its cause), so the response is cut short
    /// rather than looking complete.
    pub body: ReceiverStream<std::io::Result<Bytes>>,
}

/// The export opened: its snapshot, and what it will hold counted.
#[derive(Debug)]
struct Export {
    snapshot: Box<dyn SiteSnapshot>,
    request: ExportRequest,
    count: EventCount,
    /// The site's checkpoints (bundles only).
    checkpoints: u64,
}

/// The consumer of an HTTP stream hung up; not an error worth logging loudly.
#[derive(Debug, thiserror::Error)]
#[error("the reader of the export went away")]
struct ReaderGone;

/// Where an export's chunks go.
enum Sink<'a> {
    Writer(&'a mut (dyn Write + Send)),
    Channel(mpsc::Sender<std::io::Result<Bytes>>),
}

impl Sink<'_> {
    async fn put(&mut self, chunk: Vec<u8>) -> anyhow::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        match self {
            Self::Writer(out) => out.write_all(&chunk).context("writing the export"),
            Self::Channel(tx) => tx.send(Ok(Bytes::from(chunk))).await.map_err(|_| ReaderGone.into()),
        }
    }
}

impl Export {
    async fn open(ledger: &dyn Ledger, request: ExportRequest) -> anyhow::Result<Self> {
        anyhow::ensure!(request.page_size > 0, "the page size must be at least 1");
        let mut snapshot = ledger.snapshot(&request.site).await?;
        let count = snapshot.count(&request.filter, request.format.selection()).await?;
        let checkpoints = match request.format {
            Format::Bundle => snapshot.checkpoint_count().await?,
            Format::Ndjson | Format::Csv => 0,
        };
        Ok(Self {
            snapshot,
            request,
            count,
            checkpoints,
        })
    }

    async fn run(
        mut self,
        jwks: &serde_json::Value,
        sink: &mut Sink<'_>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> anyhow::Result<ExportSummary> {
        let ExportRequest {
            format,
            filter,
            page_size,
            ..
        } = &self.request;
        let mut summary = ExportSummary {
            chains: self.count.chains,
            ..ExportSummary::default()
        };
        let mut notices = bundle::NoticeVersions::default();
        match format {
            Format::Ndjson => {}
            Format::Csv => sink.put(table::header()?).await?,
            Format::Bundle => {
                let counts = bundle::Counts {
                    chains: self.count.chains,
                    events: self.count.events,
                    checkpoints: self.checkpoints,
                };
                sink.put(bundle::head(self.snapshot.site(), filter, counts, jwks)?)
                    .await?;
                let mut after = 0;
                while let Some(checkpoint) = self.snapshot.checkpoint_after(after).await? {
                    after = checkpoint.number;
                    sink.put(bundle::checkpoint(checkpoint)?).await?;
                    summary.checkpoints += 1;
                }
                anyhow::ensure!(
                    summary.checkpoints == self.checkpoints,
                    "the export read {} checkpoints but counted {}",
                    summary.checkpoints,
                    self.checkpoints
                );
            }
        }
        let mut after: Option<ChainPosition> = None;
        loop {
            let page = self
                .snapshot
                .events_page(filter, format.selection(), after.as_ref(), *page_size)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.into());
            let mut chunk = Vec::with_capacity(page.iter().map(|r| r.event.len() + 32).sum());
            match format {
                Format::Ndjson => {
                    for row in &page {
                        chunk.extend_from_slice(row.event.as_bytes());
                        chunk.push(b'\n');
                    }
                }
                Format::Csv => table::rows(&mut chunk, &page)?,
                Format::Bundle => bundle::events(&mut chunk, &page, &mut notices),
            }
            sink.put(chunk).await?;
            summary.events += page.len() as u64;
            progress(Progress {
                written: summary.events,
                total: self.count.events,
            });
            if page.len() < *page_size as usize {
                break;
            }
        }
        // The snapshot makes this hold; a bundle's manifest announced the count.
        anyhow::ensure!(
            summary.events == self.count.events,
            "the export read {} events but counted {}",
            summary.events,
            self.count.events
        );
        if *format == Format::Bundle {
            let (chunk, written) = notices.write(self.snapshot.as_mut()).await?;
            sink.put(chunk).await?;
            summary.notices = written;
        }
        if let Sink::Writer(out) = sink {
            out.flush().context("writing the export")?;
        }
        Ok(summary)
    }
}

/// Writes one export to `out`, reporting [`Progress`] after every page (first with
/// `written: 0`, once the total is known). Writes are blocking: meant for the CLI, or for a
/// buffer. Errors: the site's snapshot cannot be read, an event cannot be written as CSV (its
/// stored JSON is unreadable: run `assent verify`), or `out` fails.
pub async fn write_export(
    ledger: &dyn Ledger,
    jwks: &serde_json::Value,
    request: ExportRequest,
    out: &mut (dyn Write + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> anyhow::Result<ExportSummary> {
    let export = Export::open(ledger, request).await?;
    progress(Progress {
        written: 0,
        total: export.count.events,
    });
    export.run(jwks, &mut Sink::Writer(out), progress).await
}

/// Starts one export on a background task and answers its bytes as a stream, for an HTTP
/// response (`jwks` is `Keys::jwks()`, needed by bundles only). The snapshot is opened and
/// counted before this returns, so an unreadable database is an error here (a 500), not a
/// truncated body.
pub async fn export_stream(
    ledger: &dyn Ledger,
    jwks: serde_json::Value,
    request: ExportRequest,
) -> anyhow::Result<ExportStream> {
    let export = Export::open(ledger, request).await?;
    let count = export.count;
    let site = export.request.site.clone();
    // A few pages in flight at most: a slow reader pauses the export.
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(async move {
        let mut sink = Sink::Channel(tx.clone());
        match export.run(&jwks, &mut sink, &mut |_| {}).await {
            Ok(_) => {}
            Err(err) if err.is::<ReaderGone>() => tracing::debug!(%site, "export abandoned by its reader"),
            Err(err) => {
                tracing::error!(%site, error = format!("{err:#}"), "export failed after it started");
                let _ = tx.send(Err(std::io::Error::other("the export failed"))).await;
            }
        }
    });
    Ok(ExportStream {
        count,
        body: ReceiverStream::new(rx),
    })
}
