//! Inline SVG charts for the HTML report: drawn from published values only (a suppressed
//! count draws no bar), with a title and text for screen readers, and no external assets.

use std::fmt::Write as _;

use super::build::Report;
use super::published::Cell;
use super::rates::RateCell;
use super::statistics::Lift;

use super::export::escape;

/// A round step (1, 2 or 5 times a power of ten) that divides `0..=max` into at most
/// `ticks` parts, so that an axis reads in round numbers.
fn nice_step(max: f64, ticks: usize) -> f64 {
    let raw = (max / ticks.max(1) as f64).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// Whether every cell of a channel's column in the named rate table says the platform does
/// not report it (Telegram has no delivered or read; posts are not messages).
fn not_reported(report: &Report, rate: &str, channel: &str) -> bool {
    report
        .rates
        .iter()
        .find(|r| r.rate == rate)
        .and_then(|r| {
            let c = r.columns.iter().position(|x| x == channel)?;
            Some(
                !r.cells.is_empty()
                    && r.cells
                        .iter()
                        .all(|row| matches!(row.get(c), Some(RateCell::NotReported { .. }))),
            )
        })
        .unwrap_or(false)
}

/// The stages of the delivery funnel, in the order their bars stand.
const STAGES: [&str; 3] = ["sent", "delivered", "read"];

/// The colour of each stage's bars.
const STAGE_COLOURS: [&str; 3] = ["#1f4e79", "#2e75b6", "#9dc3e6"];

/// Sent, delivered and read per channel (column totals), as grouped bars.
pub fn funnel(report: &Report) -> Option<String> {
    let first = STAGES
        .iter()
        .find_map(|s| report.tables.iter().find(|t| t.metric == *s))?;
    let channels = &first.columns;
    let max = channels
        .iter()
        .flat_map(|c| {
            STAGES
                .iter()
                .filter_map(move |s| column_total(report, s, c))
        })
        .max()
        .filter(|m| *m > 0)?;
    let layout = FunnelLayout::new(channels, max);
    let mut svg = String::new();
    layout.axes(&mut svg);
    let mut any_not_reported = false;
    for (i, channel) in channels.iter().enumerate() {
        any_not_reported |= layout.channel_bars(&mut svg, report, i, channel);
    }
    layout.legend(&mut svg, any_not_reported);
    svg.push_str("</svg>");
    Some(svg)
}

/// A channel's published column total of `metric`; `None` where it is suppressed or absent.
fn column_total(report: &Report, metric: &str, channel: &str) -> Option<u64> {
    let table = report.tables.iter().find(|t| t.metric == metric)?;
    let c = table.columns.iter().position(|x| x == channel)?;
    match table.column_totals[c] {
        Cell::Count(n) => Some(n),
        Cell::Suppressed(_) => None,
    }
}

/// Where the funnel's parts go: the y axis in round ticks from 0 to at least the largest bar,
/// and a group of bars per channel, wide enough for its name and for the legend.
#[derive(Clone, Copy)]
struct FunnelLayout {
    /// The y axis: its tick step and the value at its top.
    step: f64,
    top_value: f64,
    /// Bar width, gap between bars, plot height and left margin.
    bar: f64,
    gap: f64,
    height: f64,
    left: f64,
    /// Width of a channel's group of bars, of the whole chart, and the y of the x axis.
    group: f64,
    width: f64,
    base: f64,
}

impl FunnelLayout {
    fn new(channels: &[String], max: u64) -> FunnelLayout {
        // The y axis: round ticks from 0 to at least the largest bar.
        let step = nice_step(max as f64, 5);
        let top_value = (max as f64 / step).ceil() * step;
        let (bar, gap, group_gap, height, left) = (18.0, 4.0, 28.0, 160.0, 70.0);
        // Each channel's group is wide enough for its name under it (11 px text).
        let longest = channels
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let group = (STAGES.len() as f64 * (bar + gap) + group_gap).max(longest * 6.6 + 14.0);
        // Wide enough for the bars and for the legend under them.
        let width = (left + 10.0 + channels.len() as f64 * group)
            .max(left + 10.0 + STAGES.len() as f64 * 90.0)
            .max(left + 280.0);
        FunnelLayout {
            step,
            top_value,
            bar,
            gap,
            height,
            left,
            group,
            width,
            base: 10.0 + height,
        }
    }

    /// The y of a value.
    fn y(&self, v: f64) -> f64 {
        self.base - self.height * v / self.top_value
    }

    /// The chart's opening: its title, both axes, the y axis label and ticks.
    fn axes(&self, svg: &mut String) {
        let FunnelLayout {
            step,
            top_value,
            height,
            left,
            width,
            base,
            ..
        } = *self;
        let _ = write!(
            svg,
            "<svg role=\"img\" aria-labelledby=\"funnel-title\" viewBox=\"0 0 {width} {total}\" width=\"{width}\" height=\"{total}\"><title id=\"funnel-title\">Delivery funnel per channel: sent, delivered and read</title>\
             <line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{base}\" stroke=\"#888\"/><line x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" stroke=\"#888\"/>\
             <text x=\"12\" y=\"{mid}\" font-size=\"11\" transform=\"rotate(-90 12 {mid})\" text-anchor=\"middle\">messages and posts</text>",
            total = height + 76.0,
            right = width - 10.0,
            mid = 10.0 + height / 2.0,
        );
        let mut tick = 0.0;
        while tick <= top_value + step / 2.0 {
            let _ = write!(
                svg,
                "<line x1=\"{}\" y1=\"{ty:.1}\" x2=\"{left}\" y2=\"{ty:.1}\" stroke=\"#888\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
                left - 4.0,
                left - 6.0,
                self.y(tick) + 3.5,
                tick as u64,
                ty = self.y(tick),
            );
            tick += step;
        }
    }

    /// The `i`th channel's bars with its name under them; whether a stage was not reported
    /// by its platform.
    fn channel_bars(&self, svg: &mut String, report: &Report, i: usize, channel: &str) -> bool {
        let x0 = self.left + 10.0 + i as f64 * self.group;
        let mut any_not_reported = false;
        for j in 0..STAGES.len() {
            let x = x0 + j as f64 * (self.bar + self.gap);
            any_not_reported |= self.stage_bar(svg, report, x, j, channel);
        }
        let _ = write!(
            svg,
            "<text x=\"{x0}\" y=\"{}\" font-size=\"11\">{}</text>",
            self.height + 28.0,
            escape(channel)
        );
        any_not_reported
    }

    /// The bar of the `j`th stage of a channel at `x`, or a mark saying why there is none
    /// ("n/r": not reported by the platform, "s": suppressed); whether it is "n/r".
    fn stage_bar(
        &self,
        svg: &mut String,
        report: &Report,
        x: f64,
        j: usize,
        channel: &str,
    ) -> bool {
        let FunnelLayout {
            bar,
            height,
            base,
            top_value,
            ..
        } = *self;
        let stage = STAGES[j];
        // Reads come from the same status callbacks as deliveries: a platform without
        // delivery receipts has no read receipts either (and no read-rate column).
        let rates: &[&str] = match stage {
            "delivered" => &["delivery rate"],
            "read" => &["read rate", "delivery rate"],
            _ => &[],
        };
        if rates.iter().any(|rate| not_reported(report, rate, channel)) {
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"{}\" font-size=\"9\">n/r<title>{}: {stage} not reported by this platform</title></text>",
                base - 2.0,
                escape(channel)
            );
            return true;
        }
        match column_total(report, stage, channel) {
            Some(n) => {
                let h = height * n as f64 / top_value;
                let _ = write!(
                    svg,
                    "<rect x=\"{x}\" y=\"{:.1}\" width=\"{bar}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {stage} {n}</title></rect>",
                    base - h,
                    STAGE_COLOURS[j],
                    escape(channel)
                );
            }
            None => {
                let _ = write!(
                    svg,
                    "<text x=\"{x}\" y=\"{}\" font-size=\"9\">s<title>{}: {stage} suppressed</title></text>",
                    base - 2.0,
                    escape(channel)
                );
            }
        }
        false
    }

    /// The legend under the bars: a swatch per stage, and what "s" and "n/r" stand for.
    fn legend(&self, svg: &mut String, any_not_reported: bool) {
        let FunnelLayout { height, left, .. } = *self;
        for (j, stage) in STAGES.iter().enumerate() {
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{stage}</text>",
                left + 10.0 + j as f64 * 90.0,
                height + 42.0,
                STAGE_COLOURS[j],
                left + 24.0 + j as f64 * 90.0,
                height + 51.0
            );
        }
        let note = if any_not_reported {
            "s: suppressed; n/r: not reported by this platform"
        } else {
            "s: suppressed"
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\">{note}</text>",
            left + 10.0,
            height + 68.0
        );
    }
}

/// Each variant comparison as a point (B − A) with its 95% interval as a whisker, around zero.
pub fn variants(report: &Report) -> Option<String> {
    let estimates: Vec<(String, f64, f64, f64)> = report
        .comparisons
        .iter()
        .filter_map(|c| match &c.lift {
            Some(Lift::Estimate {
                difference,
                low,
                high,
                ..
            }) => Some((
                format!(
                    "{} · {} · {} ({} vs {})",
                    c.row.join(" / "),
                    c.channel,
                    c.rate,
                    c.b,
                    c.a
                ),
                *difference,
                *low,
                *high,
            )),
            _ => None,
        })
        .collect();
    if estimates.is_empty() {
        return None;
    }
    let widest = estimates
        .iter()
        .map(|(_, _, l, h)| l.abs().max(h.abs()))
        .fold(0.0f64, f64::max)
        .max(1e-6);
    // A symmetric axis around 0 in round steps, wide enough for every whisker.
    let step = nice_step(widest, 2);
    let reach = (widest / step).ceil() * step;
    let (left, width, row) = (330.0, 300.0, 26.0);
    let scale = |v: f64| left + width / 2.0 + v / reach * (width / 2.0 - 10.0);
    let plot = 30.0 + estimates.len() as f64 * row;
    let total = plot + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg role=\"img\" aria-labelledby=\"variants-title\" viewBox=\"0 0 {w} {total}\" width=\"{w}\" height=\"{total}\"><title id=\"variants-title\">Variants compared: difference B − A with 95% intervals</title>\
         <line x1=\"{z}\" y1=\"0\" x2=\"{z}\" y2=\"{plot}\" stroke=\"#888\" stroke-dasharray=\"3 3\"/>\
         <line x1=\"{x0:.1}\" y1=\"{plot}\" x2=\"{x1:.1}\" y2=\"{plot}\" stroke=\"#888\"/>",
        w = left + width + 20.0,
        z = scale(0.0),
        x0 = scale(-reach),
        x1 = scale(reach),
    );
    let steps = (reach / step).round() as i64;
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    for k in -steps..=steps {
        let v = k as f64 * step;
        let x = scale(v);
        let label = if k == 0 {
            "0".to_string()
        } else {
            format!("{v:+.decimals$}")
        };
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{plot}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#888\"/><text x=\"{x:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{label}</text>",
            plot + 4.0,
            plot + 15.0,
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">difference of rates, B − A (0 = no difference)</text>",
        scale(0.0),
        plot + 32.0
    );
    for (i, (label, d, low, high)) in estimates.iter().enumerate() {
        let y = 20.0 + i as f64 * row;
        let _ = write!(
            svg,
            "<text x=\"4\" y=\"{}\" font-size=\"11\">{}</text>\
             <line x1=\"{:.1}\" y1=\"{y}\" x2=\"{:.1}\" y2=\"{y}\" stroke=\"#1f4e79\" stroke-width=\"2\"/>\
             <circle cx=\"{:.1}\" cy=\"{y}\" r=\"4\" fill=\"#1f4e79\"><title>{d:+.4} ({low:+.4} to {high:+.4})</title></circle>",
            y + 4.0,
            escape(label),
            scale(*low),
            scale(*high),
            scale(*d)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Reach over time, one line per locale: x is the reporting window, y the largest published
/// single-post reach in it (reach is not additive, so posts are not summed). A window with
/// nothing published draws no point, and the line breaks there.
pub fn reach_over_time(report: &Report) -> Option<String> {
    let series = &report.post_metrics.reach_over_time;
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|(_, v)| *v))
        .max()
        .filter(|m| *m > 0)?;
    let windows: Vec<&str> = series
        .first()
        .map(|s| s.points.iter().map(|(w, _)| w.as_str()).collect())
        .unwrap_or_default();
    let (left, top, plot_w, plot_h) = (70.0, 20.0, 420.0, 180.0);
    let step = plot_w / (windows.len().max(2) - 1) as f64;
    let x = |i: usize| left + i as f64 * step;
    let y = |v: u64| top + plot_h - plot_h * v as f64 / max as f64;
    let legend_rows = series.len().div_ceil(4) as f64;
    let height = top + plot_h + 50.0 + legend_rows * 16.0;
    let width = left + plot_w + 40.0;
    let colours = [
        "#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a50021", "#404040",
    ];
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg role=\"img\" aria-labelledby=\"reach-title\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title id=\"reach-title\">Reach over time per locale: the largest single-post reach in each window</title>\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"#888\"/><line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#888\"/>\
         <text x=\"{lx}\" y=\"{ty}\" font-size=\"10\" text-anchor=\"end\">{max}</text><text x=\"{lx}\" y=\"{b}\" font-size=\"10\" text-anchor=\"end\">0</text>",
        b = top + plot_h,
        r = left + plot_w,
        lx = left - 6.0,
        ty = top + 4.0,
    );
    for (i, window) in windows.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i),
            top + plot_h + 16.0,
            escape(window)
        );
    }
    for (n, line) in series.iter().enumerate() {
        let colour = colours[n % colours.len()];
        let points: Vec<Option<(f64, f64, u64)>> = line
            .points
            .iter()
            .enumerate()
            .map(|(i, (_, v))| v.map(|v| (x(i), y(v), v)))
            .collect();
        for pair in points.windows(2) {
            if let (Some((x1, y1, _)), Some((x2, y2, _))) = (pair[0], pair[1]) {
                let _ = write!(
                    svg,
                    "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>"
                );
            }
        }
        for (i, point) in points.iter().enumerate() {
            if let Some((cx, cy, v)) = point {
                let _ = write!(
                    svg,
                    "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{} {}: reach {v}</title></circle>",
                    escape(&line.locale),
                    escape(windows.get(i).copied().unwrap_or_default())
                );
            }
        }
        let (col, row) = ((n % 4) as f64, (n / 4) as f64);
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            left + col * 100.0,
            top + plot_h + 30.0 + row * 16.0,
            left + col * 100.0 + 14.0,
            top + plot_h + 39.0 + row * 16.0,
            escape(&line.locale)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(nice_step(8200.0, 5), 2000.0);
        assert_eq!(nice_step(8200.0, 4), 5000.0);
        assert_eq!(nice_step(100.0, 4), 50.0);
        assert_eq!(nice_step(3.0, 4), 1.0);
        assert!((nice_step(0.0155, 2) - 0.01).abs() < 1e-12);
        assert!((nice_step(0.00096, 2) - 0.0005).abs() < 1e-12);
    }
}
