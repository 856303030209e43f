//! The one table every benchmark reports into: a row per measured figure beside its baseline
//! from the same run, printed as aligned text for the terminal and as Markdown for the README.

/// A measured quantity and its unit (`ms`, `jobs/s`, ...).
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    pub value: f64,
    pub unit: &'static str,
}

impl Figure {
    pub fn ms(duration: std::time::Duration) -> Figure {
        Figure {
            value: duration.as_secs_f64() * 1000.0,
            unit: "ms",
        }
    }

    pub fn per_second(value: f64, unit: &'static str) -> Figure {
        Figure { value, unit }
    }

    fn text(&self) -> String {
        format!("{} {}", number(self.value), self.unit)
    }
}

/// Three significant figures or more: whole numbers from 100 up, fewer decimals as values grow.
fn number(value: f64) -> String {
    let magnitude = value.abs();
    if !value.is_finite() {
        "-".to_string()
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// What became of one benchmark row.
#[derive(Debug, Clone)]
pub enum Outcome {
    Measured {
        figure: Figure,
        /// What the baseline is, in a few words.
        baseline: String,
        baseline_figure: Figure,
        notes: String,
    },
    /// Not run, and why (a missing server, a size left for a full run).
    Skipped(String),
    /// The benchmark panicked; its message.
    Failed(String),
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The benchmark's name, which `cargo bench -- NAME` selects.
    pub benchmark: &'static str,
    /// What is measured, in a few words.
    pub measured: String,
    pub outcome: Outcome,
}

impl Row {
    pub fn measured(
        benchmark: &'static str,
        measured: impl Into<String>,
        figure: Figure,
        baseline: impl Into<String>,
        baseline_figure: Figure,
        notes: impl Into<String>,
    ) -> Row {
        Row {
            benchmark,
            measured: measured.into(),
            outcome: Outcome::Measured {
                figure,
                baseline: baseline.into(),
                baseline_figure,
                notes: notes.into(),
            },
        }
    }

    pub fn skipped(
        benchmark: &'static str,
        measured: impl Into<String>,
        reason: impl Into<String>,
    ) -> Row {
        Row {
            benchmark,
            measured: measured.into(),
            outcome: Outcome::Skipped(reason.into()),
        }
    }

    pub fn failed(benchmark: &'static str, message: impl Into<String>) -> Row {
        Row {
            benchmark,
            measured: "-".into(),
            outcome: Outcome::Failed(message.into()),
        }
    }

    /// The row as one line of progress, for stderr while the run goes on.
    pub fn progress_line(&self) -> String {
        self.cells().join("  ")
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![self.benchmark.to_string(), self.measured.clone()];
        match &self.outcome {
            Outcome::Measured {
                figure,
                baseline,
                baseline_figure,
                notes,
            } => cells.extend([
                figure.text(),
                baseline.clone(),
                baseline_figure.text(),
                number(figure.value / baseline_figure.value),
                notes.clone(),
            ]),
            Outcome::Skipped(reason) => cells.extend(dashes(format!("skipped: {reason}"))),
            Outcome::Failed(message) => {
                let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
                cells.extend(dashes(format!("FAILED: {message}")))
            }
        }
        cells
    }
}

fn dashes(notes: String) -> [String; 5] {
    ["-".into(), "-".into(), "-".into(), "-".into(), notes]
}

const HEADER: [&str; 7] = [
    "benchmark",
    "measured",
    "figure",
    "baseline",
    "baseline figure",
    "ratio",
    "notes",
];

/// Which columns hold numbers (aligned right); the others are words (aligned left).
const NUMERIC: [bool; 7] = [false, false, true, false, true, true, false];

/// How to read the ratio column, printed under both forms of the table.
pub const FOOTNOTE: &str = "ratio = figure ÷ baseline figure, both measured in the same run: \
for times (ms) below 1 is faster than the baseline, for rates (/s) above 1 is faster.";

/// The table as aligned text, a header line and a rule first.
pub fn aligned(rows: &[Row]) -> String {
    let lines: Vec<Vec<String>> = std::iter::once(HEADER.map(str::to_string).to_vec())
        .chain(rows.iter().map(Row::cells))
        .collect();
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| {
            lines
                .iter()
                .map(|line| line[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |line: &[String]| -> String {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if NUMERIC[c] {
                    format!("{cell:>w$}", w = widths[c])
                } else {
                    format!("{cell:<w$}", w = widths[c])
                }
            })
            .collect();
        cells.join("  ").trim_end().to_string()
    };
    let mut out = render(&lines[0]);
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&rule.join("  "));
    out.push('\n');
    for line in &lines[1..] {
        out.push_str(&render(line));
        out.push('\n');
    }
    out
}

/// The table in Markdown, numbers aligned right.
pub fn markdown(rows: &[Row]) -> String {
    let line = |cells: &[String]| -> String {
        let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        format!("| {} |\n", escaped.join(" | "))
    };
    let mut out = line(&HEADER.map(str::to_string));
    let rule: Vec<String> = NUMERIC
        .iter()
        .map(|numeric| if *numeric { "---:" } else { "---" }.to_string())
        .collect();
    out.push_str(&line(&rule));
    for row in rows {
        out.push_str(&line(&row.cells()));
    }
    out
}

/// `met` or `missed`, for the notes of a row with a target.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

/// The rows of a run as they are measured; each is echoed to stderr at once, so a long run
/// shows its progress and a failing benchmark keeps the rows measured before it.
#[derive(Default)]
pub struct Rows(Vec<Row>);

impl Rows {
    pub fn push(&mut self, row: Row) {
        eprintln!("  {}", row.progress_line());
        self.0.push(row);
    }

    pub fn as_slice(&self) -> &[Row] {
        &self.0
    }
}
