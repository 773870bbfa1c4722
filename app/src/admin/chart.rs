//! Charts drawn as SVG in the page (no chart library, nothing fetched): horizontal bars for
//! counts, lines for a share over days. Colours come from the stylesheet (`.ad-series-N`), and
//! each line also has its own dash pattern and marker-free legend entry, so colour is never the
//! only way to tell series apart. Every chart has a text alternative (`<title>`), and the
//! screens show a table of the same numbers beside it.

use leptos::prelude::*;

/// How many series styles the stylesheet defines (`.ad-series-0` …).
const SERIES_STYLES: usize = 6;

/// Width of the drawing, in SVG units (it scales to its box, at most 1.4× on wide screens).
const WIDTH: f64 = 420.0;
const BAR_HEIGHT: f64 = 22.0;
const BAR_GAP: f64 = 10.0;
const LABEL_WIDTH: f64 = 120.0;
/// Room right of the longest bar for its number.
const VALUE_WIDTH: f64 = 56.0;

/// A horizontal bar per row, labelled, its count at its end.
#[component]
pub fn Bars(
    /// The chart's accessible name.
    title: String,
    rows: Vec<(String, u64)>,
    #[prop(optional)] test: &'static str,
) -> impl IntoView {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = rows.len() as f64 * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let y = BAR_GAP + i as f64 * (BAR_HEIGHT + BAR_GAP);
            let w = (n as f64 / max as f64 * span).max(if n > 0 { 2.0 } else { 0.0 });
            let text_y = y + BAR_HEIGHT * 0.7;
            view! {
                <g>
                    <text x=LABEL_WIDTH - 8.0 y=text_y class="ad-chart-label" text-anchor="end">{label}</text>
                    <rect x=LABEL_WIDTH y=y width=w height=BAR_HEIGHT rx="3" class=format!("ad-series-{}", i % SERIES_STYLES) />
                    <text x=LABEL_WIDTH + w + 6.0 y=text_y class="ad-chart-value">{n.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="ad-chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" data-test=test>
            <title>{title}</title>
            <line x1=LABEL_WIDTH y1="0" x2=LABEL_WIDTH y2=height class="ad-chart-axis" />
            {bars}
        </svg>
    }
}

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value in `[0, 1]` per day; `None` where there is nothing to show (no decisions).
    pub values: Vec<Option<f64>>,
}

const LINE_HEIGHT: f64 = 200.0;
const PLOT_LEFT: f64 = 44.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_BOTTOM: f64 = 30.0;

/// Shares over days: one line per series, with 0 %, 50 % and 100 % marked; the first and
/// last day named under the axis. A day without a value breaks the line.
#[component]
pub fn Lines(
    title: String,
    days: Vec<String>,
    series: Vec<Series>,
    #[prop(optional)] test: &'static str,
) -> impl IntoView {
    let plot_w = WIDTH - PLOT_LEFT - 8.0;
    let plot_h = LINE_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
    let steps = days.len().saturating_sub(1).max(1) as f64;
    let x = move |i: usize| PLOT_LEFT + i as f64 / steps * plot_w;
    let y = move |v: f64| PLOT_TOP + (1.0 - v.clamp(0.0, 1.0)) * plot_h;
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|v| {
            view! {
                <line x1=PLOT_LEFT y1=y(v) x2=PLOT_LEFT + plot_w y2=y(v) class="ad-chart-grid" />
                <text x=PLOT_LEFT - 6.0 y=y(v) + 4.0 class="ad-chart-label" text-anchor="end">{format!("{:.0}%", v * 100.0)}</text>
            }
        })
        .collect_view();
    let lines = series
        .iter()
        .enumerate()
        .map(|(s, series)| {
            let class = format!("ad-line ad-series-{}", s % SERIES_STYLES);
            segments(&series.values)
                .into_iter()
                .map(|segment| {
                    let points = segment
                        .iter()
                        .map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v)))
                        .collect::<Vec<_>>()
                        .join(" ");
                    // A lone day is a dot: a line needs two points.
                    if segment.len() == 1 {
                        let (i, v) = segment[0];
                        view! { <circle cx=x(i) cy=y(v) r="3" class=class.clone() /> }.into_any()
                    } else {
                        view! { <polyline points=points class=class.clone() /> }.into_any()
                    }
                })
                .collect_view()
        })
        .collect_view();
    let first = days.first().cloned().unwrap_or_default();
    let last = days.last().cloned().unwrap_or_default();
    let legend = series
        .iter()
        .enumerate()
        .map(|(s, series)| {
            view! {
                <li>
                    <svg class="ad-swatch" viewBox="0 0 24 8" aria-hidden="true">
                        <line x1="0" y1="4" x2="24" y2="4" class=format!("ad-line ad-series-{}", s % SERIES_STYLES) />
                    </svg>
                    {series.name.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <svg class="ad-chart" viewBox=format!("0 0 {WIDTH} {LINE_HEIGHT}") role="img" data-test=test>
            <title>{title}</title>
            {grid}
            {lines}
            <text x=PLOT_LEFT y=LINE_HEIGHT - 8.0 class="ad-chart-label">{first}</text>
            <text x=PLOT_LEFT + plot_w y=LINE_HEIGHT - 8.0 class="ad-chart-label" text-anchor="end">{last}</text>
        </svg>
        <ul class="ad-legend" aria-hidden="true">{legend}</ul>
    }
}

/// The runs of consecutive days that have a value, each as (day index, value).
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut run = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((i, *v)),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}
