//! Network security group exposure: which inbound rules decide, in priority order, to let the
//! whole internet reach a port.

use super::super::network::{Ports, is_world};
use crate::snapshot::NsgRule;

/// Source prefixes that mean "anyone on the internet" in an NSG rule.
pub fn is_internet_source(prefix: &str) -> bool {
    let p = prefix.trim();
    p == "*" || p.eq_ignore_ascii_case("internet") || p.eq_ignore_ascii_case("any") || is_world(p)
}

/// A destination port range as written (`*`, `22`, `1000-2000`), as an inclusive range.
fn port_range(text: &str) -> Option<(u16, u16)> {
    let t = text.trim();
    if t == "*" {
        return Some((0, u16::MAX));
    }
    match t.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => t.parse().ok().map(|p| (p, p)),
    }
}

fn protocol_matches(rule: &str, protocol: &str) -> bool {
    rule == "*" || rule.eq_ignore_ascii_case(protocol)
}

fn covers_port(rule: &NsgRule, port: u16) -> bool {
    rule.destination_port_ranges
        .iter()
        .filter_map(|r| port_range(r))
        .any(|(from, to)| from <= port && port <= to)
}

fn from_whole_internet(rule: &NsgRule) -> bool {
    rule.source_application_security_groups.is_empty()
        && rule
            .source_address_prefixes
            .iter()
            .any(|p| is_internet_source(p))
}

/// The inbound Allow rules that let the whole internet reach any of `ports` over `protocol`
/// (`Tcp` or `Udp`): for each port, the first rule in priority order whose source is the
/// whole internet decides; an earlier Deny from the whole internet shuts the port. Each is
/// described as `name (priority N): Tcp 22 from *`.
pub fn internet_exposures(rules: &[NsgRule], ports: &Ports, protocol: &str) -> Vec<String> {
    let mut inbound: Vec<&NsgRule> = rules
        .iter()
        .filter(|r| r.direction.eq_ignore_ascii_case("inbound"))
        .filter(|r| protocol_matches(&r.protocol, protocol))
        .filter(|r| from_whole_internet(r))
        .collect();
    inbound.sort_by_key(|r| r.priority);
    let mut out: Vec<String> = Vec::new();
    let mut note = |rule: &NsgRule| {
        let text = format!(
            "{} (priority {}): {} {} from {}",
            rule.name,
            rule.priority,
            if rule.protocol == "*" {
                "any protocol"
            } else {
                &rule.protocol
            },
            rule.destination_port_ranges.join(","),
            rule.source_address_prefixes.join(",")
        );
        if !out.contains(&text) {
            out.push(text);
        }
    };
    match ports {
        Ports::AnyOf(list) => {
            for &port in list {
                if let Some(rule) = inbound.iter().find(|r| covers_port(r, port))
                    && rule.access.eq_ignore_ascii_case("allow")
                {
                    note(rule);
                }
            }
        }
        Ports::All => {
            // Any port at all: an Allow counts unless every port it opens was already denied
            // to the whole internet by rules of higher priority.
            for (i, rule) in inbound.iter().enumerate() {
                if !rule.access.eq_ignore_ascii_case("allow") {
                    continue;
                }
                let shut = |port: u16| {
                    inbound[..i]
                        .iter()
                        .any(|d| d.access.eq_ignore_ascii_case("deny") && covers_port(d, port))
                };
                let opens_something = rule
                    .destination_port_ranges
                    .iter()
                    .filter_map(|r| port_range(r))
                    .any(|(from, to)| (from..=to).any(|p| !shut(p)));
                if opens_something {
                    note(rule);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(
        name: &str,
        access: &str,
        priority: i64,
        proto: &str,
        src: &str,
        ports: &str,
    ) -> NsgRule {
        NsgRule {
            name: name.into(),
            direction: "Inbound".into(),
            access: access.into(),
            protocol: proto.into(),
            priority,
            source_address_prefixes: vec![src.into()],
            source_application_security_groups: vec![],
            destination_port_ranges: ports.split(',').map(str::to_owned).collect(),
            description: None,
        }
    }

    #[test]
    fn an_allow_from_the_internet_exposes_the_port() {
        let rules = [rule("ssh", "Allow", 100, "Tcp", "Internet", "22")];
        assert_eq!(
            internet_exposures(&rules, &Ports::AnyOf(vec![22]), "Tcp"),
            ["ssh (priority 100): Tcp 22 from Internet"]
        );
        assert!(internet_exposures(&rules, &Ports::AnyOf(vec![3389]), "Tcp").is_empty());
        assert!(internet_exposures(&rules, &Ports::AnyOf(vec![22]), "Udp").is_empty());
    }

    #[test]
    fn a_deny_of_higher_priority_shuts_the_port_and_a_lower_one_does_not() {
        let allow = rule("any", "Allow", 200, "*", "0.0.0.0/0", "1000-4000");
        let deny_first = [rule("deny", "Deny", 100, "*", "*", "3389"), allow.clone()];
        assert!(internet_exposures(&deny_first, &Ports::AnyOf(vec![3389]), "Tcp").is_empty());
        let deny_later = [rule("deny", "Deny", 300, "*", "*", "3389"), allow];
        assert_eq!(
            internet_exposures(&deny_later, &Ports::AnyOf(vec![3389]), "Tcp").len(),
            1
        );
    }

    #[test]
    fn a_narrow_source_or_an_outbound_rule_is_not_internet_exposure() {
        let mut out = rule("out", "Allow", 100, "*", "*", "*");
        out.direction = "Outbound".into();
        let rules = [
            rule("office", "Allow", 100, "Tcp", "203.0.113.0/24", "22"),
            out,
        ];
        assert!(internet_exposures(&rules, &Ports::All, "Tcp").is_empty());
    }

    #[test]
    fn any_udp_port_counts_unless_denied_first() {
        let rules = [
            rule("deny-dns", "Deny", 100, "Udp", "*", "53"),
            rule("dns", "Allow", 200, "Udp", "*", "53"),
            rule("wide", "Allow", 300, "*", "Any", "*"),
        ];
        assert_eq!(
            internet_exposures(&rules, &Ports::All, "Udp"),
            ["wide (priority 300): any protocol * from Any"]
        );
    }
}
