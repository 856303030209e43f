//! What an evaluator learns from published reports, written as linear constraints on the true
//! counts at the finest granularity the reports show ("atoms"): every published value is a
//! sum of atoms with a known range, rates tie two such sums together, and the metrics of one
//! message relate to each other (a message is delivered only if it was sent).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

/// The row dimensions a table may break counts down by, besides the period.
const DIMENSIONS: [&str; 3] = ["segment", "locale", "variant"];
/// The column of a table not broken down by channel.
const ALL_CHANNELS: &str = "all channels";
/// The period label of a whole-run table.
const WHOLE_RUN: &str = "whole run";
/// `protection.method` of the cell-key perturbation.
const PERTURBATION: &str = "cell key perturbation";

/// What a published count says about the true count, as the report's `protection` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Semantics {
    /// Small-cell and secondary suppression (no `method`): a count is exact or rounded to a
    /// multiple of `round_to`, "suppressed" is at least 1, and rates are computed from the
    /// true counts.
    Suppression { round_to: u64 },
    /// Cell-key perturbation: a published non-zero count is at least `k` and within
    /// `max_noise + round_to / 2` of the truth, 0 is a true 0, "suppressed" is 0 to
    /// k−1+max_noise (a count the noise would take below k is suppressed too; a
    /// zero reads "suppressed" wherever its row or column was counted in another period, so
    /// that a suppressed cell is not known to hold anyone), and rates come from the published
    /// counts (so they add nothing). Tables list every row in every period of the run, so a
    /// row missing from a table was never counted.
    Perturbation {
        k: u64,
        round_to: u64,
        max_noise: u64,
    },
}

impl Semantics {
    /// Reads `protection`; a method this attacker does not know is an error, not a silent
    /// pass.
    pub fn of(report: &Value) -> Semantics {
        let protection = &report["protection"];
        let number = |field: &str| {
            protection[field]
                .as_u64()
                .unwrap_or_else(|| panic!("protection.{field} is not a count: {protection}"))
        };
        match protection.get("method") {
            None => Semantics::Suppression {
                round_to: number("round_to"),
            },
            Some(method) if method == PERTURBATION => Semantics::Perturbation {
                k: number("k"),
                round_to: number("round_to"),
                max_noise: number("max_noise"),
            },
            Some(other) => panic!("the attacker does not know the protection method {other}"),
        }
    }

    /// The true values a published value of a table over `whole_run` or over periods allows,
    /// or `None` when it says nothing.
    fn range(self, published: &Published, whole_run: bool) -> Option<(f64, f64)> {
        match (self, published) {
            (_, Published::Other) => None,
            (Semantics::Suppression { round_to }, Published::Count(v)) => {
                // Rounded halves up: round(x) = v for v − ⌊r/2⌋ ≤ x ≤ v + r − ⌊r/2⌋ − 1.
                let v = *v as f64;
                if round_to <= 1 {
                    Some((v, v))
                } else {
                    let half = (round_to / 2) as f64;
                    Some(((v - half).max(0.0), v + round_to as f64 - half - 1.0))
                }
            }
            (Semantics::Suppression { .. }, Published::Suppressed) => Some((1.0, f64::INFINITY)),
            (Semantics::Perturbation { .. }, Published::Count(0)) => Some((0.0, 0.0)),
            (
                Semantics::Perturbation {
                    k,
                    round_to,
                    max_noise,
                },
                Published::Count(p),
            ) => {
                // Only a true count of at least k is published, once its noise keeps it at
                // k or above; then rounded, and a count rounded below k is raised to the
                // first multiple of round_to from k, which may be any count from k on.
                let bound = (max_noise + round_to / 2) as f64;
                let least_published = k.div_ceil(round_to.max(1)) * round_to.max(1);
                let low = if *p <= least_published {
                    k as f64
                } else {
                    (*p as f64 - bound).max(k as f64)
                };
                Some((low, *p as f64 + bound))
            }
            // Over the whole run a zero would read 0 (it was never counted), so a suppressed
            // value there holds someone.
            // Up to k−1, or a count the noise would have taken below k.
            (Semantics::Perturbation { k, max_noise, .. }, Published::Suppressed) => Some((
                if whole_run { 1.0 } else { 0.0 },
                (k + max_noise).saturating_sub(1) as f64,
            )),
        }
    }

    /// Whether the attacker tries to pin this published value: every hidden one, and under
    /// perturbation every non-zero count too (the noise is meant to keep it unknown).
    fn is_target(self, published: &Published) -> bool {
        match published {
            Published::Suppressed => true,
            Published::Count(p) => matches!(self, Semantics::Perturbation { .. }) && *p > 0,
            Published::Other => false,
        }
    }

    /// Whether rates are computed from the true counts, and so constrain them.
    fn rates_reveal_true_counts(self) -> bool {
        matches!(self, Semantics::Suppression { round_to } if round_to <= 1)
    }
}

/// One published value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Published {
    Count(u64),
    Suppressed,
    /// Anything else (a reason, a label): no constraint.
    Other,
}

impl Published {
    fn of(value: &Value) -> Published {
        match value {
            Value::Number(n) => n.as_u64().map_or(Published::Other, Published::Count),
            Value::String(s) if s == "suppressed" => Published::Suppressed,
            _ => Published::Other,
        }
    }

    fn text(&self, value: &Value) -> String {
        match self {
            Published::Count(n) => n.to_string(),
            Published::Suppressed => "suppressed".to_string(),
            Published::Other => value.to_string(),
        }
    }
}

/// How finely a table splits time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Granularity {
    Run,
    Week,
    Day,
}

impl Granularity {
    fn of(table: &Value) -> Granularity {
        match table["period"].as_str() {
            Some("run") => Granularity::Run,
            Some("week") => Granularity::Week,
            Some("day") => Granularity::Day,
            other => panic!("unknown table period {other:?}"),
        }
    }
}

/// The label of the coarser period (`to`) that contains the period `label` (`from`):
/// run ⊇ ISO weeks (2027-W03) ⊇ days (2027-01-18).
pub(super) fn coarser_label(label: &str, from: Granularity, to: Granularity) -> String {
    match (from, to) {
        (_, Granularity::Run) => WHOLE_RUN.to_string(),
        (from, to) if from == to => label.to_string(),
        (Granularity::Day, Granularity::Week) => {
            let day = NaiveDate::parse_from_str(label, "%Y-%m-%d")
                .unwrap_or_else(|e| panic!("day label {label:?}: {e}"));
            let week = day.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        _ => panic!("{label:?} ({from:?}) is not inside a {to:?} period"),
    }
}

/// Metrics whose counts relate message by message share one universe of atoms.
fn family(metric: &str) -> &str {
    match metric {
        "sent" | "delivered" | "read" | "failed" => "deliveries",
        "clicks" | "link previews" => "clicks",
        other => other,
    }
}

/// A true count at the finest granularity the reports show. A dimension no report breaks
/// down by is "" (everything summed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    pub campaign: String,
    pub metric: String,
    /// segment, locale, variant.
    pub dimensions: [String; 3],
    pub channel: String,
    pub period: String,
}

/// A published value the attacker tries to pin: what it counts, as filters on the atoms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub campaign: String,
    pub metric: String,
    /// `segment`, `locale`, `variant`, `period` (absent for the whole run) and `channel`:
    /// the ones the value is broken down by; what is absent is summed over.
    pub filters: BTreeMap<String, String>,
    /// What the report showed: "suppressed" or the published count.
    pub published: String,
}

impl Target {
    /// Whether the target counts a true value with these labels (`period` a day, an ISO
    /// week or the whole run, at least as fine as the target's).
    pub fn counts(
        &self,
        campaign: &str,
        metric: &str,
        labels: &[(&str, &str)],
        period: &str,
    ) -> bool {
        if campaign != self.campaign || metric != self.metric {
            return false;
        }
        self.filters.iter().all(|(name, value)| {
            if name == "period" {
                let from = granularity_of_label(period);
                let to = granularity_of_label(value);
                from >= to && coarser_label(period, from, to) == *value
            } else {
                labels.iter().any(|(n, v)| n == name && v == value)
            }
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.campaign, self.metric)?;
        for (name, value) in &self.filters {
            write!(f, " {name}={value}")?;
        }
        if !self.filters.contains_key("period") {
            write!(f, " (whole run)")?;
        }
        write!(f, ", published {}", self.published)
    }
}

fn granularity_of_label(label: &str) -> Granularity {
    if label == WHOLE_RUN {
        Granularity::Run
    } else if label.contains("-W") {
        Granularity::Week
    } else {
        Granularity::Day
    }
}

/// `lo ≤ Σ coefficient · atom ≤ hi`.
#[derive(Debug, Clone)]
pub(super) struct Constraint {
    pub terms: Vec<(usize, f64)>,
    pub lo: f64,
    pub hi: f64,
}

/// Everything the attacker knows, over the atoms that may be non-zero.
#[derive(Debug, Default)]
pub(super) struct Knowledge {
    pub atoms: Vec<Atom>,
    pub constraints: Vec<Constraint>,
    /// Each target with the atoms it sums and where it was published.
    pub targets: Vec<(Target, Vec<usize>, Vec<String>)>,
}

/// A published value, the atoms it sums, and its row and column (`None` for a total).
type PublishedSum<'v> = (&'v Value, Vec<usize>, Option<usize>, Option<usize>);

/// One table of one report, read.
struct Table<'a> {
    report: usize,
    campaign: String,
    metric: String,
    semantics: Semantics,
    /// Whether the table lists every row with a count: not when the report is narrowed to a
    /// date range (`--from/--until`), which leaves out the periods outside it.
    complete: bool,
    granularity: Granularity,
    /// Indices into [`DIMENSIONS`] of the row labels, in row order, and where the period is.
    dimensions: Vec<usize>,
    period_at: usize,
    json: &'a Value,
    rows: Vec<(Vec<String>, String)>,
    row_index: HashMap<(Vec<String>, String), usize>,
    columns: Vec<String>,
}

impl<'a> Table<'a> {
    fn read(
        report: usize,
        campaign: &str,
        semantics: Semantics,
        complete: bool,
        json: &'a Value,
    ) -> Table<'a> {
        let text = |v: &Value| -> String {
            v.as_str()
                .unwrap_or_else(|| panic!("a label is not text: {v}"))
                .to_string()
        };
        let names: Vec<String> = json["row_dimensions"]
            .as_array()
            .expect("row_dimensions")
            .iter()
            .map(text)
            .collect();
        let period_at = names
            .iter()
            .position(|n| n == "period")
            .expect("every table has a period dimension");
        let dimensions = names
            .iter()
            .filter(|n| *n != "period")
            .map(|n| {
                DIMENSIONS
                    .iter()
                    .position(|d| d == n)
                    .unwrap_or_else(|| panic!("unknown row dimension {n}"))
            })
            .collect();
        let rows = json["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                let labels: Vec<String> = row.as_array().expect("a row").iter().map(text).collect();
                let period = labels[period_at].clone();
                let rest = labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != period_at)
                    .map(|(_, l)| l.clone())
                    .collect();
                (rest, period)
            })
            .collect::<Vec<_>>();
        let row_index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.clone(), i))
            .collect();
        Table {
            report,
            campaign: campaign.to_string(),
            metric: text(&json["metric"]),
            semantics,
            complete,
            granularity: Granularity::of(json),
            dimensions,
            period_at,
            json,
            rows,
            row_index,
            columns: json["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .map(text)
                .collect(),
        }
    }

    fn by_channel(&self) -> bool {
        self.columns.iter().any(|c| c != ALL_CHANNELS)
    }

    /// Totals are sums only for an additive metric (not for reach).
    fn additive(&self) -> bool {
        self.json["total_label"].as_str().unwrap_or("total") == "total"
    }

    /// The row of this table an atom falls in: its labels and period.
    fn row_of(&self, atom: &Atom, finest: Granularity) -> (Vec<String>, String) {
        (
            self.dimensions
                .iter()
                .map(|d| atom.dimensions[*d].clone())
                .collect(),
            coarser_label(&atom.period, finest, self.granularity),
        )
    }

    fn filters(&self, row: Option<usize>, column: Option<usize>) -> BTreeMap<String, String> {
        let mut filters = BTreeMap::new();
        if let Some(r) = row {
            let (labels, period) = &self.rows[r];
            for (d, label) in self.dimensions.iter().zip(labels) {
                filters.insert(DIMENSIONS[*d].to_string(), label.clone());
            }
            if self.granularity != Granularity::Run {
                filters.insert("period".to_string(), period.clone());
            }
        }
        if let Some(c) = column.filter(|c| self.columns[*c] != ALL_CHANNELS) {
            filters.insert("channel".to_string(), self.columns[c].clone());
        }
        filters
    }
}

/// The atoms of one campaign and family: every combination of the labels its tables show,
/// at the finest period any of them has.
struct Universe {
    labels: [Option<BTreeSet<String>>; 3],
    channels: Option<BTreeSet<String>>,
    finest: Granularity,
    periods: BTreeSet<String>,
}

impl Universe {
    fn of(tables: &[&Table]) -> Universe {
        let finest = tables.iter().map(|t| t.granularity).max().expect("a table");
        let mut labels: [Option<BTreeSet<String>>; 3] = [None, None, None];
        let mut channels: Option<BTreeSet<String>> = None;
        let mut periods = BTreeSet::new();
        for table in tables {
            for (at, d) in table.dimensions.iter().enumerate() {
                let set = labels[*d].get_or_insert_with(BTreeSet::new);
                set.extend(table.rows.iter().map(|(l, _)| l[at].clone()));
            }
            if table.by_channel() {
                channels
                    .get_or_insert_with(BTreeSet::new)
                    .extend(table.columns.iter().filter(|c| *c != ALL_CHANNELS).cloned());
            }
            if table.granularity == finest {
                periods.extend(table.rows.iter().map(|(_, p)| p.clone()));
            }
        }
        Universe {
            labels,
            channels,
            finest,
            periods,
        }
    }

    fn atoms(&self, campaign: &str, metric: &str) -> Vec<Atom> {
        let one = |set: &Option<BTreeSet<String>>| -> Vec<String> {
            set.as_ref()
                .map_or_else(|| vec![String::new()], |s| s.iter().cloned().collect())
        };
        let mut out = Vec::new();
        for segment in one(&self.labels[0]) {
            for locale in one(&self.labels[1]) {
                for variant in one(&self.labels[2]) {
                    for channel in one(&self.channels) {
                        for period in &self.periods {
                            out.push(Atom {
                                campaign: campaign.to_string(),
                                metric: metric.to_string(),
                                dimensions: [segment.clone(), locale.clone(), variant.clone()],
                                channel: channel.clone(),
                                period: period.clone(),
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

/// Per atom: in which row and column of a table it falls (`None`: the table shows no such row
/// or column, so the atom is 0).
fn place(table: &Table, atom: &Atom, finest: Granularity) -> Option<(usize, usize)> {
    let row = table.row_of(atom, finest);
    let r = *table.row_index.get(&row)?;
    let c = if table.by_channel() {
        table.columns.iter().position(|c| *c == atom.channel)?
    } else {
        0
    };
    Some((r, c))
}

impl Knowledge {
    pub fn read(reports: &[Value]) -> Knowledge {
        // A comparison of campaigns (`--compare`) holds each campaign's report.
        let reports: Vec<&Value> = reports
            .iter()
            .flat_map(|r| match r.get("tables") {
                Some(_) => vec![r],
                None => r["reports"].as_array().into_iter().flatten().collect(),
            })
            .collect();
        let mut tables: Vec<Table> = Vec::new();
        for (i, report) in reports.iter().enumerate() {
            let campaign = report["campaign"].as_str().expect("report.campaign");
            let semantics = Semantics::of(report);
            let complete = report.get("range").is_none_or(Value::is_null);
            for table in report["tables"].as_array().expect("report.tables") {
                tables.push(Table::read(i, campaign, semantics, complete, table));
            }
        }
        let mut knowledge = Knowledge::default();
        // (campaign, family) → tables; the universe and atoms of each metric.
        let mut groups: BTreeMap<(String, String), Vec<&Table>> = BTreeMap::new();
        for table in &tables {
            groups
                .entry((table.campaign.clone(), family(&table.metric).to_string()))
                .or_default()
                .push(table);
        }
        let mut index: HashMap<Atom, usize> = HashMap::new();
        let mut finest_of: HashMap<(String, String), Granularity> = HashMap::new();
        for ((campaign, family_name), group) in &groups {
            let universe = Universe::of(group);
            finest_of.insert((campaign.clone(), family_name.clone()), universe.finest);
            let metrics: BTreeSet<&str> = group.iter().map(|t| t.metric.as_str()).collect();
            for metric in metrics {
                let own: Vec<&&Table> = group.iter().filter(|t| t.metric == metric).collect();
                for atom in universe.atoms(campaign, metric) {
                    // A table lists every row and column with a count: elsewhere the atom is 0.
                    if own
                        .iter()
                        .all(|t| !t.complete || place(t, &atom, universe.finest).is_some())
                    {
                        index.insert(atom.clone(), knowledge.atoms.len());
                        knowledge.atoms.push(atom);
                    }
                }
            }
        }
        let mut targets: HashMap<Vec<usize>, usize> = HashMap::new();
        for table in &tables {
            let finest = finest_of[&(table.campaign.clone(), family(&table.metric).to_string())];
            knowledge.add_table(table, finest, &mut targets);
        }
        for (i, report) in reports.iter().enumerate() {
            let semantics = Semantics::of(report);
            if !semantics.rates_reveal_true_counts() {
                continue;
            }
            let own: Vec<&Table> = tables.iter().filter(|t| t.report == i).collect();
            for rates in report["rates"].as_array().into_iter().flatten() {
                knowledge.add_rates(rates, &own, &finest_of);
            }
        }
        knowledge.add_relations();
        knowledge
    }

    /// Every published value of a table: a constraint on its atoms, and a target if hidden.
    fn add_table(
        &mut self,
        table: &Table,
        finest: Granularity,
        targets: &mut HashMap<Vec<usize>, usize>,
    ) {
        let rows = table.rows.len();
        let columns = table.columns.len();
        let mut cells: Vec<Vec<usize>> = vec![Vec::new(); rows * columns];
        for (a, atom) in self.atoms.iter().enumerate() {
            if atom.campaign != table.campaign || atom.metric != table.metric {
                continue;
            }
            // Outside a narrowed table's periods, or a true 0 the table leaves out.
            let Some((r, c)) = place(table, atom, finest) else {
                continue;
            };
            cells[r * columns + c].push(a);
        }
        let json = table.json;
        let mut values: Vec<PublishedSum> = Vec::new();
        for r in 0..rows {
            for c in 0..columns {
                values.push((
                    &json["cells"][r][c],
                    cells[r * columns + c].clone(),
                    Some(r),
                    Some(c),
                ));
            }
        }
        if table.additive() {
            for r in 0..rows {
                let atoms = (0..columns)
                    .flat_map(|c| cells[r * columns + c].clone())
                    .collect();
                values.push((&json["row_totals"][r], atoms, Some(r), None));
            }
            for c in 0..columns {
                let atoms = (0..rows)
                    .flat_map(|r| cells[r * columns + c].clone())
                    .collect();
                values.push((&json["column_totals"][c], atoms, None, Some(c)));
            }
            values.push((&json["grand_total"], cells.concat(), None, None));
        }
        for (value, mut atoms, row, column) in values {
            let published = Published::of(value);
            let whole_run = table.granularity == Granularity::Run;
            if let Some((lo, hi)) = table.semantics.range(&published, whole_run) {
                self.constraints.push(Constraint {
                    terms: atoms.iter().map(|a| (*a, 1.0)).collect(),
                    lo,
                    hi,
                });
            }
            if !table.semantics.is_target(&published) {
                continue;
            }
            atoms.sort_unstable();
            let place = format!(
                "report {} table {} {}",
                table.report,
                table.metric,
                describe(table, row, column)
            );
            match targets.get(&atoms) {
                Some(t) => self.targets[*t].2.push(place),
                None => {
                    targets.insert(atoms.clone(), self.targets.len());
                    self.targets.push((
                        Target {
                            campaign: table.campaign.clone(),
                            metric: table.metric.clone(),
                            filters: table.filters(row, column),
                            published: published.text(value),
                        },
                        atoms,
                        vec![place],
                    ));
                }
            }
        }
    }

    /// `numerator / denominator` per row and column, printed from the true counts: with d
    /// decimals (at most 4 for a short number, as the CSV prints; else the JSON's full
    /// precision) the ratio lies within half a unit of the last decimal.
    fn add_rates(
        &mut self,
        rates: &Value,
        tables: &[&Table],
        finest_of: &HashMap<(String, String), Granularity>,
    ) {
        let definition = rates["definition"].as_str().unwrap_or_default();
        let Some((numerator, denominator)) = definition.split_once(" / ") else {
            return;
        };
        let Some(bottom) = tables.iter().find(|t| t.metric == denominator) else {
            return;
        };
        let finest = finest_of[&(bottom.campaign.clone(), family(denominator).to_string())];
        // Atoms of either metric by (row, column) of the denominator's table.
        let mut sums: HashMap<(usize, usize), (Vec<usize>, Vec<usize>)> = HashMap::new();
        for (a, atom) in self.atoms.iter().enumerate() {
            if atom.campaign != bottom.campaign || family(&atom.metric) != family(denominator) {
                continue;
            }
            let top = atom.metric == numerator;
            if !top && atom.metric != denominator {
                continue;
            }
            let Some(at) = place(bottom, atom, finest) else {
                continue;
            };
            let entry = sums.entry(at).or_default();
            if top {
                entry.0.push(a);
            } else {
                entry.1.push(a);
            }
        }
        let row_labels: Vec<Vec<String>> = rates["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                r.as_array()
                    .expect("a rate row")
                    .iter()
                    .map(|l| l.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .collect();
        for (i, labels) in row_labels.iter().enumerate() {
            let mut key: Vec<String> = labels.clone();
            let period = key.remove(bottom.period_at.min(key.len().saturating_sub(1)));
            let Some(&r) = bottom.row_index.get(&(key, period)) else {
                continue;
            };
            for (c, cell) in rates["cells"][i]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(rate) = cell.as_f64() else {
                    continue;
                };
                let column = rates["columns"][c].as_str().unwrap_or_default();
                let Some(col) = bottom.columns.iter().position(|x| x == column) else {
                    continue;
                };
                let tolerance = rate_tolerance(cell);
                let (top, below) = sums.get(&(r, col)).cloned().unwrap_or_default();
                for (ratio, lo, hi) in [
                    (rate + tolerance, f64::NEG_INFINITY, 0.0),
                    (rate - tolerance, 0.0, f64::INFINITY),
                ] {
                    let mut terms: Vec<(usize, f64)> = top.iter().map(|a| (*a, 1.0)).collect();
                    terms.extend(below.iter().map(|a| (*a, -ratio)));
                    self.constraints.push(Constraint { terms, lo, hi });
                }
            }
        }
    }

    /// Per message key: delivered ≤ sent, read ≤ delivered, delivered + failed ≤ sent. The
    /// demo's partners report a status on the day of the send, so this holds per day.
    fn add_relations(&mut self) {
        let mut by_key: HashMap<Atom, HashMap<String, usize>> = HashMap::new();
        for (a, atom) in self.atoms.iter().enumerate() {
            if family(&atom.metric) != "deliveries" {
                continue;
            }
            let key = Atom {
                metric: String::new(),
                ..atom.clone()
            };
            by_key
                .entry(key)
                .or_default()
                .insert(atom.metric.clone(), a);
        }
        for metrics in by_key.values() {
            let term = |m: &str, c: f64| metrics.get(m).map(|a| (*a, c));
            for terms in [
                vec![term("delivered", 1.0), term("sent", -1.0)],
                vec![term("read", 1.0), term("delivered", -1.0)],
                vec![
                    term("delivered", 1.0),
                    term("failed", 1.0),
                    term("sent", -1.0),
                ],
            ] {
                let terms: Vec<(usize, f64)> = terms.into_iter().flatten().collect();
                if terms.iter().any(|(_, c)| *c > 0.0) {
                    self.constraints.push(Constraint {
                        terms,
                        lo: f64::NEG_INFINITY,
                        hi: 0.0,
                    });
                }
            }
        }
    }
}

/// Half a unit of the last decimal a rate was printed with: 4 decimals or fewer read as the
/// CSV's rounding; a longer number is the JSON's full precision.
fn rate_tolerance(cell: &Value) -> f64 {
    let text = cell.to_string();
    let decimals = match text.split_once('.') {
        Some((_, fraction)) if !text.contains(['e', 'E']) => fraction.len(),
        _ => usize::MAX,
    };
    if decimals <= 4 {
        0.5 * 10f64.powi(-4)
    } else {
        5e-9
    }
}

fn describe(table: &Table, row: Option<usize>, column: Option<usize>) -> String {
    let row = row.map_or("total".to_string(), |r| {
        let (labels, period) = &table.rows[r];
        let mut all = labels.clone();
        all.push(period.clone());
        all.join(" / ")
    });
    let column = column.map_or("total".to_string(), |c| table.columns[c].clone());
    format!("[{row}] [{column}]")
}
