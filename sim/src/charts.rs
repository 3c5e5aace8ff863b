//! A run's charts, drawn with `plotters` into SVG (text stays SVG text: no fonts, no system
//! libraries): what mix of outcomes ran over the stream, how fast each replica went, how gas per
//! transaction is distributed, what the run covered, and — on a divergence — where, and between whom.
//! Every chart has axes with ticks and units, and its legend beside the plot, never over the data.
//! Long runs are downsampled (at most [`MAX_BARS`] bars); an empty run draws empty axes that say so.

use crate::report::RunReport;
use crate::run::RunResult;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// The most bars (windows of transactions) a chart over the stream draws.
pub const MAX_BARS: usize = 60;

/// One chart: the file it is written to, a title for people, and its SVG.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name, next to `report.md`.
    pub file: &'static str,
    /// What it shows.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Outcome classes, in stacking order, with their colours.
const CLASSES: [(&str, RGBColor); 8] = [
    ("success", RGBColor(46, 125, 50)),
    ("invalid", RGBColor(158, 158, 158)),
    ("refused", RGBColor(121, 85, 72)),
    ("out-of-gas", RGBColor(255, 143, 0)),
    ("stack-exhausted", RGBColor(171, 71, 188)),
    ("trap", RGBColor(211, 47, 47)),
    ("host", RGBColor(25, 118, 210)),
    ("other", RGBColor(0, 0, 0)),
];

/// The class of an outcome name (`trap:unreachable` → `trap`).
fn class(outcome: &str) -> usize {
    let head = outcome.split(':').next().unwrap_or(outcome);
    CLASSES.iter().position(|(name, _)| *name == head).unwrap_or(CLASSES.len() - 1)
}

/// Every chart of a run.
pub fn run_charts(result: &RunResult, report: &RunReport) -> Vec<Chart> {
    let mut charts = vec![outcomes_over_stream(result), throughput(report), gas_distribution(result), coverage(report)];
    if result.mismatch.is_some() {
        charts.push(divergence_timeline(result));
    }
    charts
}

/// One row per item, items 0 to `n − 1` (a discrete range includes its end).
fn rows(n: usize) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    (0..n.saturating_sub(1)).into_segmented()
}

/// The label of a row: the name of the item it stands for.
fn row_name(names: &[String], value: &SegmentValue<usize>) -> String {
    match value {
        SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// A chart builder on `plot` with `title` and room for y labels `y_labels` pixels wide.
fn builder<'a, 'b>(
    plot: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(plot);
    builder.caption(title, ("sans-serif", 16)).margin(10).x_label_area_size(40).y_label_area_size(y_labels);
    builder
}

/// Draws into an SVG string: `draw` gets the plot area and the legend area beside it.
fn svg(
    width: u32,
    height: u32,
    legend: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>, &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(|e| e.to_string()).and_then(|()| {
            let (plot, side) = root.split_horizontally(width - legend);
            draw(&plot, &side)
        });
        if let Err(e) = drawn {
            let _ = root.draw(&Text::new(format!("chart not drawn: {e}"), (10, 20), ("sans-serif", 14)));
        }
        let _ = root.present();
    }
    out
}

/// A legend of coloured boxes and names, top to bottom, in its own area.
fn legend(area: &DrawingArea<SVGBackend<'_>, Shift>, entries: &[(String, RGBColor)]) -> Result<(), String> {
    for (i, (name, colour)) in entries.iter().enumerate() {
        let y = 40 + 20 * i as i32;
        area.draw(&Rectangle::new([(8, y), (20, y + 12)], colour.filled())).map_err(|e| e.to_string())?;
        area.draw(&Text::new(name.clone(), (26, y), ("sans-serif", 13))).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Stacked bars: per window of transactions, how many ended in each outcome class (first replica).
fn outcomes_over_stream(result: &RunResult) -> Chart {
    let receipts = result.replicas.first().map(|r| r.receipts.as_slice()).unwrap_or_default();
    let window = receipts.len().div_ceil(MAX_BARS).max(1);
    let windows: Vec<[u32; CLASSES.len()]> = receipts
        .chunks(window)
        .map(|chunk| {
            let mut counts = [0u32; CLASSES.len()];
            for receipt in chunk {
                counts[class(&receipt.outcome.name())] += 1;
            }
            counts
        })
        .collect();
    let present: Vec<usize> = (0..CLASSES.len()).filter(|&c| windows.iter().any(|w| w[c] > 0)).collect();
    let title = format!("Outcomes over the stream (first replica; each bar: {window} transaction(s))");
    let svg = svg(900, 360, 170, |plot, side| {
        let x_max = (windows.len() * window).max(1);
        let mut chart =
            builder(plot, &title, 50).build_cartesian_2d(0..x_max, 0..window as u32).map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(if receipts.is_empty() { "transaction (none ran)" } else { "transaction" })
            .y_desc("transactions")
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, counts) in windows.iter().enumerate() {
            let x0 = i * window;
            let mut base = 0u32;
            for &c in &present {
                if counts[c] == 0 {
                    continue;
                }
                let bar = Rectangle::new([(x0, base), (x0 + window, base + counts[c])], CLASSES[c].1.filled());
                chart.draw_series(std::iter::once(bar)).map_err(|e| e.to_string())?;
                base += counts[c];
            }
        }
        let entries: Vec<(String, RGBColor)> =
            present.iter().map(|&c| (CLASSES[c].0.to_string(), CLASSES[c].1)).collect();
        legend(side, &entries)
    });
    Chart { file: "outcomes.svg", title, svg }
}

/// Horizontal bars: each replica's transactions per second.
fn throughput(report: &RunReport) -> Chart {
    let names: Vec<String> = report.replicas.iter().map(|r| r.name.clone()).collect();
    let max = report.replicas.iter().map(|r| r.tps).fold(1.0f64, f64::max);
    let title = "Throughput per replica (transactions per second, faults and restarts included)".to_string();
    let height = 80 + 28 * names.len().max(1) as u32;
    let svg = svg(900, height, 10, |plot, _| {
        let mut chart = builder(plot, &title, 150)
            .build_cartesian_2d(0.0..max * 1.1, rows(names.len()))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("tx/s")
            .y_labels(names.len().max(1))
            .y_label_formatter(&|v| row_name(&names, v))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(report.replicas.iter().enumerate().map(|(i, r)| {
                let colour = if r.fault.is_some() { RGBColor(211, 47, 47) } else { RGBColor(25, 118, 210) };
                Rectangle::new([(0.0, SegmentValue::Exact(i)), (r.tps, SegmentValue::Exact(i + 1))], colour.filled())
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    });
    Chart { file: "throughput.svg", title, svg }
}

/// A histogram of gas per transaction on a log scale (bars of a quarter decade; no gas at 1), first
/// replica.
fn gas_distribution(result: &RunResult) -> Chart {
    let receipts = result.replicas.first().map(|r| r.receipts.as_slice()).unwrap_or_default();
    let bucket = |gas: u64| ((gas.max(1) as f64).log10() * 4.0).floor() as i32;
    let mut counts: BTreeMap<i32, u32> = BTreeMap::new();
    for receipt in receipts {
        *counts.entry(bucket(receipt.gas_used)).or_insert(0) += 1;
    }
    let edge = |b: i32| 10f64.powf(b as f64 / 4.0);
    let top = edge(counts.keys().last().copied().unwrap_or(0) + 1).max(10.0);
    let highest = counts.values().copied().max().unwrap_or(0).max(1);
    let title = "Gas per transaction (first replica; bars of a quarter decade, log scale)".to_string();
    let svg = svg(900, 360, 10, |plot, _| {
        let mut chart = builder(plot, &title, 50)
            .build_cartesian_2d((1.0..top).log_scale(), 0..highest + highest / 10 + 1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(if receipts.is_empty() { "gas used (no transaction ran)" } else { "gas used" })
            .y_desc("transactions")
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                counts
                    .iter()
                    .map(|(&b, &n)| Rectangle::new([(edge(b), 0), (edge(b + 1), n)], RGBColor(25, 118, 210).filled())),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    });
    Chart { file: "gas.svg", title, svg }
}

/// Horizontal bars: calls per vmcall (first replica), log scale.
fn coverage(report: &RunReport) -> Chart {
    let calls: Vec<(&String, &u64)> = report.coverage.vmcalls.iter().collect();
    let names: Vec<String> = calls.iter().map(|(n, _)| (*n).clone()).collect();
    let max = calls.iter().map(|(_, n)| **n).max().unwrap_or(1).max(1) as f64;
    let reached = calls.iter().filter(|(_, n)| **n > 0).count();
    let title = format!("Coverage: calls per vmcall ({reached} of {} called; log scale)", calls.len());
    let height = 80 + 20 * names.len().max(1) as u32;
    let svg = svg(900, height, 10, |plot, _| {
        let mut chart = builder(plot, &title, 200)
            .build_cartesian_2d((1.0..max * 2.0).log_scale(), rows(names.len()))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("calls")
            .y_labels(names.len().max(1))
            .y_label_formatter(&|v| row_name(&names, v))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(calls.iter().enumerate().filter(|(_, (_, n))| **n > 0).map(|(i, (_, n))| {
                Rectangle::new(
                    [(1.0, SegmentValue::Exact(i)), (**n as f64 + 1.0, SegmentValue::Exact(i + 1))],
                    RGBColor(46, 125, 50).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    });
    Chart { file: "coverage.svg", title, svg }
}

/// One row per replica: how far it agreed, the first divergent transaction marked, the replica groups
/// in colours.
fn divergence_timeline(result: &RunResult) -> Chart {
    let Some(mismatch) = &result.mismatch else {
        return Chart { file: "divergence.svg", title: "No divergence".into(), svg: String::new() };
    };
    let names: Vec<String> = result.replicas.iter().map(|r| r.node.config.name.clone()).collect();
    let group_of = |i: usize| mismatch.groups.iter().position(|g| g.contains(&i)).unwrap_or(0);
    let palette = [RGBColor(25, 118, 210), RGBColor(211, 47, 47), RGBColor(255, 143, 0), RGBColor(171, 71, 188)];
    let total = result.replicas.iter().map(|r| r.fingerprints.len()).max().unwrap_or(0).max(mismatch.tx + 1);
    let title = format!("Divergence at transaction {} ({} replica groups)", mismatch.tx, mismatch.groups.len());
    let height = 80 + 28 * names.len().max(1) as u32;
    let svg = svg(900, height, 170, |plot, side| {
        let mut chart =
            builder(plot, &title, 150).build_cartesian_2d(0..total, rows(names.len())).map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("transaction")
            .y_labels(names.len().max(1))
            .y_label_formatter(&|v| row_name(&names, v))
            .draw()
            .map_err(|e| e.to_string())?;
        // Grey while every replica agreed; from the first divergent transaction, the replica's group.
        let agreed = RGBColor(189, 189, 189);
        chart
            .draw_series(result.replicas.iter().enumerate().flat_map(|(i, r)| {
                let upto = r.fingerprints.len().min(mismatch.tx);
                let colour = palette[group_of(i) % palette.len()];
                [
                    Rectangle::new([(0, SegmentValue::Exact(i)), (upto, SegmentValue::Exact(i + 1))], agreed.filled()),
                    Rectangle::new(
                        [(upto, SegmentValue::Exact(i)), (r.fingerprints.len(), SegmentValue::Exact(i + 1))],
                        colour.filled(),
                    ),
                ]
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(mismatch.tx, SegmentValue::Exact(0)), (mismatch.tx, SegmentValue::Last)],
                BLACK.stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
        let mut entries = vec![("agreed".to_string(), agreed)];
        entries.extend(
            mismatch.groups.iter().enumerate().map(|(g, members)| {
                (format!("group {} ({} replicas)", g + 1, members.len()), palette[g % palette.len()])
            }),
        );
        legend(side, &entries)
    });
    Chart { file: "divergence.svg", title, svg }
}

/// A sweep's chart: one bar per seed — its campaign's stream transactions per second — coloured by
/// verdict, so that findings and slow seeds stand out across the range.
pub fn sweep_chart(campaigns: &[crate::sweep::CampaignSummary]) -> Chart {
    let verdicts = [
        ("agree", RGBColor(46, 125, 50)),
        ("divergence", RGBColor(211, 47, 47)),
        ("finding", RGBColor(255, 143, 0)),
        ("error", RGBColor(0, 0, 0)),
    ];
    let colour = |verdict: &str| verdicts.iter().find(|(v, _)| *v == verdict).map_or(BLACK, |(_, c)| *c);
    let rate = |c: &crate::sweep::CampaignSummary| c.transactions as f64 / c.seconds.max(1e-9);
    let max = campaigns.iter().map(rate).fold(1.0f64, f64::max);
    let (first, last) = (campaigns.first().map_or(0, |c| c.seed), campaigns.last().map_or(1, |c| c.seed + 1));
    let title =
        format!("Sweep: stream transactions per second per seed ({} campaigns), coloured by verdict", campaigns.len());
    let svg = svg(900, 360, 150, |plot, side| {
        let mut chart = builder(plot, &title, 60)
            .build_cartesian_2d(first..last.max(first + 1), 0.0..max * 1.1)
            .map_err(|e| e.to_string())?;
        chart.configure_mesh().x_desc("seed").y_desc("tx/s").draw().map_err(|e| e.to_string())?;
        chart
            .draw_series(
                campaigns
                    .iter()
                    .map(|c| Rectangle::new([(c.seed, 0.0), (c.seed + 1, rate(c))], colour(&c.verdict).filled())),
            )
            .map_err(|e| e.to_string())?;
        let present: Vec<(String, RGBColor)> = verdicts
            .iter()
            .filter(|(v, _)| campaigns.iter().any(|c| c.verdict == *v))
            .map(|(v, c)| (v.to_string(), *c))
            .collect();
        legend(side, &present)
    });
    Chart { file: "sweep.svg", title, svg }
}
