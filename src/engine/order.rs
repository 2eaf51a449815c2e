//! Report order ([`Finding::report_order`]) as one integer per result, so that sorting
//! millions of results compares integers instead of following every result to its rule and
//! resource strings.

use rayon::prelude::*;

use crate::finding::{Finding, Severity, Status};

/// Bits of the key below the rule's rank: room for the places of 2^40 / 2 resources.
const PLACE_BITS: u32 = 40;
const RULE_BITS: u32 = 16;

/// The key of a result: status (failures first), severity (highest first), the rule's rank
/// among rule ids, then the resource's place among all resources by account and id.
pub(super) fn key(status: Status, severity: Severity, rule_rank: u16, place: u64) -> u64 {
    let status = match status {
        Status::Fail => 0u64,
        Status::NotAssessed => 1,
        Status::Pass => 2,
    };
    let severity = match severity {
        Severity::Critical => 0u64,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    };
    debug_assert!(place < 1 << PLACE_BITS);
    (status << 62)
        | (severity << (PLACE_BITS + RULE_BITS))
        | (u64::from(rule_rank) << PLACE_BITS)
        | place
}

/// Each rule's rank among the rules' ids, by rule index (past 65,535 rules, the last rank is
/// shared, and those rules' results sort by resource instead).
pub(super) fn rule_ranks(ids: &[&str]) -> Vec<u16> {
    let mut by_id: Vec<usize> = (0..ids.len()).collect();
    by_id.sort_by_key(|&i| ids[i]);
    let mut ranks = vec![0u16; ids.len()];
    for (rank, i) in by_id.into_iter().enumerate() {
        ranks[i] = u16::try_from(rank).unwrap_or(u16::MAX);
    }
    ranks
}

/// Sorts `findings` by `keys` (one per finding, in the same order), then by message where
/// keys are equal, moving each finding once.
pub(super) fn sort(findings: &mut [Finding], keys: &[u64]) {
    let mut order: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    order.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            let (x, y) = (&findings[a.1 as usize], &findings[b.1 as usize]);
            x.message.cmp(&y.message).then(a.1.cmp(&b.1))
        })
    });
    // order[k] names the finding that belongs at k: follow each cycle of that permutation.
    let mut from: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
    for start in 0..from.len() {
        let mut at = start;
        while from[at] as usize != start {
            let next = from[at] as usize;
            findings.swap(at, next);
            from[at] = u32::try_from(at).unwrap_or(u32::MAX);
            at = next;
        }
        from[at] = u32::try_from(at).unwrap_or(u32::MAX);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::{ResourceRef, Status};
    use crate::matrix::{Cell, Layer, Owner};

    fn findings(n: usize) -> Vec<Finding> {
        let cell = Arc::new(Cell {
            layer: Layer::Data,
            model: "paas".into(),
            owner: Owner::Customer,
        });
        (0..n)
            .map(|i| Finding {
                rule: format!("rule-{}", i % 7).into(),
                status: [Status::Fail, Status::Pass, Status::NotAssessed][i % 3],
                severity: Severity::ALL[i % 5],
                resource: Arc::new(ResourceRef {
                    kind: "k".into(),
                    id: format!("id-{}", i % 11),
                    name: format!("n-{i}"),
                    region: None,
                    account: "a".into(),
                    tags: Default::default(),
                }),
                matrix: cell.clone(),
                message: format!("message {i:03}"),
                fingerprint: format!("{i:032x}"),
                waiver: None,
            })
            .collect()
    }

    #[test]
    fn sorting_by_key_moves_every_finding_to_its_place() {
        let original = findings(200);
        // Keys that reverse the order, with ties (pairs share a key) broken by message.
        let keys: Vec<u64> = (0..original.len() as u64).rev().map(|k| k / 2).collect();
        let mut sorted = original.clone();
        sort(&mut sorted, &keys);
        let mut expected: Vec<(u64, &Finding)> = keys.iter().copied().zip(&original).collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.message.cmp(&b.1.message)));
        let expected: Vec<&Finding> = expected.into_iter().map(|(_, f)| f).collect();
        assert_eq!(sorted.iter().collect::<Vec<_>>(), expected);
    }
}
