//! The report's counts (by rule, cell, layer and severity) and its failures by layer, from
//! one pass over the results: there can be millions of results, and the sections that read
//! these would otherwise each walk all of them, some once per rule.

use std::collections::{BTreeMap, HashMap};

use crate::finding::{Finding, Severity, Status};
use crate::matrix::Layer;
use crate::results::Counts;

/// What results of one rule, in one cell, at one severity, have in common.
type Key<'f> = (&'f str, Layer, &'f str, Severity);

pub(super) struct Tally<'f> {
    pub by_rule: BTreeMap<&'f str, Counts>,
    pub by_cell: BTreeMap<(Layer, &'f str), Counts>,
    /// The finest counts the layer, severity and total counts are summed from.
    by_layer_severity: BTreeMap<(Layer, Severity), Counts>,
    /// The cell of each rule's last result.
    pub rule_cell: BTreeMap<&'f str, (Layer, &'f str)>,
    /// Failed results by layer, in report order.
    pub failures_by_layer: BTreeMap<Layer, Vec<&'f Finding>>,
}

impl<'f> Tally<'f> {
    pub fn of(findings: &'f [Finding]) -> Tally<'f> {
        // Counted by key, hashed once per run of equal keys (results come in report order,
        // so a rule's results mostly sit together); the last index tells each rule's cell.
        let mut by_key: HashMap<Key<'f>, (Counts, usize)> = HashMap::new();
        let mut run: Option<(Key<'f>, Counts, usize)> = None;
        let mut failures_by_layer: BTreeMap<Layer, Vec<&'f Finding>> = BTreeMap::new();
        let flush = |by_key: &mut HashMap<Key<'f>, (Counts, usize)>, (key, counts, last)| {
            let entry: &mut (Counts, usize) = by_key.entry(key).or_default();
            entry.0.merge(&counts);
            entry.1 = entry.1.max(last);
        };
        for (i, f) in findings.iter().enumerate() {
            let key = (
                &*f.rule,
                f.matrix.layer,
                f.matrix.model.as_str(),
                f.severity,
            );
            match &mut run {
                Some((k, counts, last)) if *k == key => {
                    counts.add(f.status);
                    *last = i;
                }
                _ => {
                    if let Some(done) = run.take() {
                        flush(&mut by_key, done);
                    }
                    let mut counts = Counts::default();
                    counts.add(f.status);
                    run = Some((key, counts, i));
                }
            }
            if f.status == Status::Fail {
                failures_by_layer.entry(f.matrix.layer).or_default().push(f);
            }
        }
        if let Some(done) = run.take() {
            flush(&mut by_key, done);
        }

        let mut tally = Tally {
            by_rule: BTreeMap::new(),
            by_cell: BTreeMap::new(),
            by_layer_severity: BTreeMap::new(),
            rule_cell: BTreeMap::new(),
            failures_by_layer,
        };
        let mut last_of_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for ((rule, layer, model, severity), (counts, last)) in by_key {
            tally.by_rule.entry(rule).or_default().merge(&counts);
            tally
                .by_cell
                .entry((layer, model))
                .or_default()
                .merge(&counts);
            let at = (layer, severity);
            tally
                .by_layer_severity
                .entry(at)
                .or_default()
                .merge(&counts);
            let latest = last_of_rule.entry(rule).or_insert(last);
            if last >= *latest {
                *latest = last;
                tally.rule_cell.insert(rule, (layer, model));
            }
        }
        tally
    }

    /// The counts within `layer` (all layers when `None`) at `severity` (all when `None`).
    pub fn counts(&self, layer: Option<Layer>, severity: Option<Severity>) -> Counts {
        let mut out = Counts::default();
        for ((l, s), counts) in &self.by_layer_severity {
            if layer.is_none_or(|layer| layer == *l) && severity.is_none_or(|sev| sev == *s) {
                out.merge(counts);
            }
        }
        out
    }
}
