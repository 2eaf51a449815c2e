//! Network exposure: which security-group permissions and network-ACL entries let the whole
//! internet reach a port, and CIDR arithmetic for rule helpers.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::snapshot::{NetworkAclEntry, Permission};

/// Which address family a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Any,
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "any" => Some(Family::Any),
            "ipv4" => Some(Family::Ipv4),
            "ipv6" => Some(Family::Ipv6),
            _ => None,
        }
    }
}

/// The ports a question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    /// Any of these ports.
    AnyOf(Vec<u16>),
    /// Every port (the rule is about "all ports open").
    All,
}

/// Whether `cidr` is the whole address space of its family (`0.0.0.0/0`, `::/0`).
pub fn is_world(cidr: &str) -> bool {
    cidr.trim()
        .parse::<IpNet>()
        .is_ok_and(|n| n.prefix_len() == 0)
}

/// Whether `net` contains `inner` (an address or a network). Unparseable input is `None`.
pub fn cidr_contains(net: &str, inner: &str) -> Option<bool> {
    let net: IpNet = net.trim().parse().ok()?;
    if let Ok(other) = inner.trim().parse::<IpNet>() {
        return Some(net.contains(&other));
    }
    let addr: IpAddr = inner.trim().parse().ok()?;
    Some(net.contains(&addr))
}

/// Whether two networks share any address. Unparseable input is `None`.
pub fn cidr_overlaps(a: &str, b: &str) -> Option<bool> {
    let a: IpNet = a.trim().parse().ok()?;
    let b: IpNet = b.trim().parse().ok()?;
    Some(a.contains(&b.network()) || b.contains(&a.network()))
}

/// Whether the inclusive ranges `[a_from, a_to]` and `[b_from, b_to]` intersect.
pub fn ports_intersect(a_from: i64, a_to: i64, b_from: i64, b_to: i64) -> bool {
    a_from <= b_to && b_from <= a_to
}

fn family_matches(cidr: &str, family: Family) -> bool {
    matches!(
        (cidr.parse::<IpNet>(), family),
        (Ok(_), Family::Any) | (Ok(IpNet::V4(_)), Family::Ipv4) | (Ok(IpNet::V6(_)), Family::Ipv6)
    )
}

/// The port range a protocol and bounds allow; `None` for protocols without ports (ICMP).
/// `-1`/absent bounds and the all-protocols value `-1` mean every port.
fn port_range(protocol: &str, from: Option<i32>, to: Option<i32>) -> Option<(i64, i64)> {
    match protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => Some((0, 65535)),
        "tcp" | "6" | "udp" | "17" => match (from, to) {
            (Some(f), Some(t)) if f >= 0 && t >= 0 => Some((i64::from(f), i64::from(t))),
            _ => Some((0, 65535)),
        },
        _ => None,
    }
}

/// Protocols that carry ports: TCP, UDP, or every protocol.
fn carries_ports(protocol: &str) -> bool {
    matches!(
        protocol.to_ascii_lowercase().as_str(),
        "-1" | "all" | "tcp" | "6" | "udp" | "17"
    )
}

fn reaches(range: (i64, i64), ports: &Ports) -> bool {
    match ports {
        // Port 0 is reserved: 1-65535 opens every usable port.
        Ports::All => range.0 <= 1 && range.1 >= 65535,
        Ports::AnyOf(list) => list
            .iter()
            .any(|p| ports_intersect(range.0, range.1, i64::from(*p), i64::from(*p))),
    }
}

fn describe_range(protocol: &str, range: (i64, i64)) -> String {
    let proto = match protocol {
        "-1" | "all" => "all traffic".to_owned(),
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        p => p.to_owned(),
    };
    if range == (0, 65535) {
        if proto == "all traffic" {
            proto
        } else {
            format!("{proto} all ports")
        }
    } else if range.0 == range.1 {
        format!("{proto} {}", range.0)
    } else {
        format!("{proto} {}-{}", range.0, range.1)
    }
}

/// Security-group permissions that let the whole internet (of `family`) reach `ports` over
/// TCP, UDP or all protocols, each described as e.g. `tcp 22 from 0.0.0.0/0`.
pub fn world_exposures(perms: &[Permission], ports: &Ports, family: Family) -> Vec<String> {
    let mut out = Vec::new();
    for p in perms {
        if !carries_ports(&p.protocol) {
            continue;
        }
        let Some(range) = port_range(&p.protocol, p.from_port, p.to_port) else {
            continue;
        };
        if !reaches(range, ports) {
            continue;
        }
        for cidr in p.ipv4_ranges.iter().chain(&p.ipv6_ranges) {
            if is_world(cidr) && family_matches(cidr, family) {
                out.push(format!(
                    "{} from {cidr}",
                    describe_range(&p.protocol, range)
                ));
            }
        }
    }
    if out.is_empty() {
        out = union_exposures(perms, ports, family);
    }
    out
}

/// Exposures no single range makes but several together do: security groups only allow, so
/// the internet reaches a port when the ranges allowing it cover the whole address space
/// (0.0.0.0/1 and 128.0.0.0/1 are the whole IPv4 internet).
fn union_exposures(perms: &[Permission], ports: &Ports, family: Family) -> Vec<String> {
    let probes: Vec<Ports> = match ports {
        Ports::All => vec![Ports::All],
        Ports::AnyOf(list) => list.iter().map(|p| Ports::AnyOf(vec![*p])).collect(),
    };
    let mut out = Vec::new();
    for fam in families(family) {
        for probe in &probes {
            let mut cover = Cover::default();
            let mut cidrs: Vec<&str> = Vec::new();
            let mut protocols: Vec<String> = Vec::new();
            for p in perms.iter().filter(|p| carries_ports(&p.protocol)) {
                let Some(range) = port_range(&p.protocol, p.from_port, p.to_port) else {
                    continue;
                };
                if !reaches(range, probe) {
                    continue;
                }
                for cidr in p.ipv4_ranges.iter().chain(&p.ipv6_ranges) {
                    if let Some(span) = span(cidr, *fam) {
                        cover.add(span);
                        cidrs.push(cidr);
                        let described = describe_range(&p.protocol, range);
                        if !protocols.contains(&described) {
                            protocols.push(described);
                        }
                    }
                }
            }
            if cover.is_whole(*fam) {
                let text = format!(
                    "{} from {} (together the whole {} internet)",
                    protocols.join(", "),
                    cidrs.join(", "),
                    fam.name()
                );
                if !out.contains(&text) {
                    out.push(text);
                }
            }
        }
    }
    out
}

/// The single families a question about `family` covers.
fn families(family: Family) -> &'static [Family] {
    match family {
        Family::Any => &[Family::Ipv4, Family::Ipv6],
        Family::Ipv4 => &[Family::Ipv4],
        Family::Ipv6 => &[Family::Ipv6],
    }
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Ipv6 => "IPv6",
            _ => "IPv4",
        }
    }

    /// The highest address of the family, as a number.
    fn max(self) -> u128 {
        match self {
            Family::Ipv6 => u128::MAX,
            _ => u128::from(u32::MAX),
        }
    }
}

/// The addresses of `cidr` as an inclusive numeric range, when it is of `family`.
fn span(cidr: &str, family: Family) -> Option<(u128, u128)> {
    match (cidr.trim().parse::<IpNet>().ok()?, family) {
        (IpNet::V4(n), Family::Ipv4) => Some((
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        )),
        (IpNet::V6(n), Family::Ipv6) => Some((u128::from(n.network()), u128::from(n.broadcast()))),
        _ => None,
    }
}

/// A set of addresses as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Cover(Vec<(u128, u128)>);

impl Cover {
    fn add(&mut self, (lo, hi): (u128, u128)) {
        self.0.push((lo, hi));
        self.0.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(self.0.len());
        for (lo, hi) in self.0.drain(..) {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        self.0 = merged;
    }

    /// The part of `(lo, hi)` this set does not hold.
    fn outside(&self, (lo, hi): (u128, u128)) -> Vec<(u128, u128)> {
        let mut out = Vec::new();
        let mut from = lo;
        for &(a, b) in &self.0 {
            if b < from || a > hi {
                continue;
            }
            if a > from {
                out.push((from, a - 1));
            }
            if b >= hi {
                return out;
            }
            from = b + 1;
        }
        out.push((from, hi));
        out
    }

    fn is_whole(&self, family: Family) -> bool {
        self.0 == [(0, family.max())]
    }
}

/// Network-ACL ingress entries through which the whole internet reaches `ports`, evaluated
/// in rule-number order as AWS does: the first entry matching world traffic on a port decides.
pub fn nacl_world_exposures(
    entries: &[NetworkAclEntry],
    ports: &Ports,
    family: Family,
) -> Vec<String> {
    let mut ingress: Vec<&NetworkAclEntry> = entries.iter().filter(|e| !e.egress).collect();
    ingress.sort_by_key(|e| e.rule_number);
    let probe_ports: Vec<u16> = match ports {
        Ports::AnyOf(list) => list.clone(),
        // "All ports open" means one entry allows the full range before any deny applies.
        Ports::All => vec![],
    };
    let families: &[Family] = match family {
        Family::Any => &[Family::Ipv4, Family::Ipv6],
        f => std::slice::from_ref(match f {
            Family::Ipv4 => &Family::Ipv4,
            _ => &Family::Ipv6,
        }),
    };
    let mut out = Vec::new();
    for fam in families {
        let world_entries = ingress.iter().filter(|e| {
            let cidr = match fam {
                Family::Ipv6 => e.ipv6_cidr_block.as_deref(),
                _ => e.cidr_block.as_deref(),
            };
            cidr.is_some_and(|c| is_world(c) && family_matches(c, *fam))
                && carries_ports(&e.protocol)
        });
        let decisive: Vec<&&NetworkAclEntry> = world_entries.collect();
        let mut found = Vec::new();
        if probe_ports.is_empty() {
            // First world entry covering the whole range decides, unless an earlier deny
            // carves some port out.
            let mut denied_any = false;
            for e in &decisive {
                let Some(range) = port_range(&e.protocol, e.port_from, e.port_to) else {
                    continue;
                };
                if e.rule_action.eq_ignore_ascii_case("deny") {
                    denied_any = true;
                } else if !denied_any && reaches(range, &Ports::All) {
                    found.push(describe_entry(e, range, *fam));
                    break;
                }
            }
        } else {
            for port in &probe_ports {
                let p = i64::from(*port);
                let first = decisive.iter().find(|e| {
                    port_range(&e.protocol, e.port_from, e.port_to)
                        .is_some_and(|r| ports_intersect(r.0, r.1, p, p))
                });
                if let Some(e) = first
                    && e.rule_action.eq_ignore_ascii_case("allow")
                {
                    let range =
                        port_range(&e.protocol, e.port_from, e.port_to).unwrap_or((0, 65535));
                    let text = describe_entry(e, range, *fam);
                    if !found.contains(&text) {
                        found.push(text);
                    }
                }
            }
        }
        if found.is_empty()
            && let Ports::AnyOf(list) = ports
        {
            found = nacl_union_exposures(&ingress, list, *fam);
        }
        out.extend(found);
    }
    out
}

/// Exposures no single world entry makes but several entries together do: the allow entries
/// for a port, each not wholly shadowed by earlier deny entries, span the whole address
/// space. Carve-outs are treated as for a single world entry: they narrow the opening, they
/// do not close it.
fn nacl_union_exposures(
    ingress: &[&NetworkAclEntry],
    ports: &[u16],
    family: Family,
) -> Vec<String> {
    let mut out = Vec::new();
    for port in ports {
        let p = i64::from(*port);
        let mut denied = Cover::default();
        let mut allowed = Cover::default();
        let mut allowing: Vec<String> = Vec::new();
        for e in ingress.iter().filter(|e| carries_ports(&e.protocol)) {
            let Some(range) = port_range(&e.protocol, e.port_from, e.port_to) else {
                continue;
            };
            if !ports_intersect(range.0, range.1, p, p) {
                continue;
            }
            let cidr = match family {
                Family::Ipv6 => e.ipv6_cidr_block.as_deref(),
                _ => e.cidr_block.as_deref(),
            };
            let Some(span) = cidr.and_then(|c| span(c, family)) else {
                continue;
            };
            if e.rule_action.eq_ignore_ascii_case("deny") {
                denied.add(span);
            } else {
                // As with a single world entry, an earlier deny that carves out part of an
                // allow entry leaves the rest open; only one that shadows it entirely closes it.
                if !denied.outside(span).is_empty() {
                    allowing.push(format!("{} ({})", e.rule_number, cidr.unwrap_or_default()));
                    allowed.add(span);
                }
            }
        }
        if allowed.is_whole(family) {
            let text = format!(
                "rules {} allow port {port} (together the whole {} internet)",
                allowing.join(", "),
                family.name()
            );
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

fn describe_entry(e: &NetworkAclEntry, range: (i64, i64), family: Family) -> String {
    let cidr = match family {
        Family::Ipv6 => e.ipv6_cidr_block.as_deref().unwrap_or("::/0"),
        _ => e.cidr_block.as_deref().unwrap_or("0.0.0.0/0"),
    };
    format!(
        "rule {} allows {} from {cidr}",
        e.rule_number,
        describe_range(&e.protocol, range)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(protocol: &str, from: i32, to: i32, v4: &[&str], v6: &[&str]) -> Permission {
        Permission {
            protocol: protocol.into(),
            from_port: Some(from),
            to_port: Some(to),
            ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
            ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
            ..Permission::default()
        }
    }

    fn entry(n: i32, action: &str, cidr: &str, from: i32, to: i32) -> NetworkAclEntry {
        NetworkAclEntry {
            rule_number: n,
            protocol: "6".into(),
            rule_action: action.into(),
            egress: false,
            cidr_block: Some(cidr.into()),
            ipv6_cidr_block: None,
            port_from: Some(from),
            port_to: Some(to),
        }
    }

    #[test]
    fn world_cidrs() {
        assert!(is_world("0.0.0.0/0"));
        assert!(is_world("::/0"));
        assert!(!is_world("10.0.0.0/8"));
        assert!(!is_world("garbage"));
    }

    #[test]
    fn cidr_math() {
        assert_eq!(cidr_contains("10.0.0.0/8", "10.1.2.3"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "10.1.0.0/16"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "11.0.0.1"), Some(false));
        assert_eq!(cidr_overlaps("10.0.0.0/8", "10.200.0.0/16"), Some(true));
        assert_eq!(cidr_overlaps("10.0.0.0/16", "10.1.0.0/16"), Some(false));
        assert_eq!(cidr_contains("x", "10.0.0.1"), None);
    }

    #[test]
    fn ssh_range_and_family() {
        let perms = vec![
            perm("tcp", 20, 25, &["0.0.0.0/0"], &[]),
            perm("tcp", 3389, 3389, &[], &["::/0"]),
        ];
        let admin = Ports::AnyOf(vec![22, 3389]);
        assert_eq!(
            world_exposures(&perms, &admin, Family::Ipv4),
            vec!["tcp 20-25 from 0.0.0.0/0"]
        );
        assert_eq!(
            world_exposures(&perms, &admin, Family::Ipv6),
            vec!["tcp 3389 from ::/0"]
        );
        assert_eq!(world_exposures(&perms, &admin, Family::Any).len(), 2);
        assert!(world_exposures(&perms, &Ports::AnyOf(vec![443]), Family::Any).is_empty());
    }

    #[test]
    fn all_traffic_and_icmp() {
        let all = vec![perm("-1", -1, -1, &["0.0.0.0/0"], &[])];
        assert_eq!(
            world_exposures(&all, &Ports::All, Family::Any),
            vec!["all traffic from 0.0.0.0/0"]
        );
        assert_eq!(
            world_exposures(&all, &Ports::AnyOf(vec![22]), Family::Any).len(),
            1
        );
        let almost = vec![perm("tcp", 1, 65535, &["0.0.0.0/0"], &[])];
        assert_eq!(
            world_exposures(&almost, &Ports::All, Family::Any),
            vec!["tcp 1-65535 from 0.0.0.0/0"]
        );
        let rdp_udp = vec![perm("udp", 3389, 3389, &["0.0.0.0/0"], &[])];
        assert_eq!(
            world_exposures(&rdp_udp, &Ports::AnyOf(vec![3389]), Family::Any),
            vec!["udp 3389 from 0.0.0.0/0"]
        );
        let icmp = vec![perm("icmp", -1, -1, &["0.0.0.0/0"], &[])];
        assert!(world_exposures(&icmp, &Ports::All, Family::Any).is_empty());
        let private = vec![perm("-1", -1, -1, &["10.0.0.0/8"], &[])];
        assert!(world_exposures(&private, &Ports::All, Family::Any).is_empty());
    }

    #[test]
    fn nacl_order_decides() {
        let denied_first = vec![
            entry(200, "allow", "0.0.0.0/0", 0, 65535),
            entry(100, "deny", "0.0.0.0/0", 22, 22),
        ];
        let ssh = Ports::AnyOf(vec![22]);
        assert!(nacl_world_exposures(&denied_first, &ssh, Family::Any).is_empty());
        let allowed_first = vec![
            entry(100, "allow", "0.0.0.0/0", 0, 65535),
            entry(200, "deny", "0.0.0.0/0", 22, 22),
        ];
        assert_eq!(
            nacl_world_exposures(&allowed_first, &ssh, Family::Any),
            vec!["rule 100 allows tcp all ports from 0.0.0.0/0"]
        );
        let narrow = vec![entry(100, "allow", "203.0.113.0/24", 22, 22)];
        assert!(nacl_world_exposures(&narrow, &ssh, Family::Any).is_empty());
    }

    #[test]
    fn ranges_that_together_are_the_internet_expose_the_port() {
        let halves = vec![
            perm("tcp", 22, 22, &["0.0.0.0/1"], &[]),
            perm("tcp", 20, 30, &["128.0.0.0/1"], &[]),
        ];
        let ssh = Ports::AnyOf(vec![22]);
        assert_eq!(
            world_exposures(&halves, &ssh, Family::Any),
            vec![
                "tcp 22, tcp 20-30 from 0.0.0.0/1, 128.0.0.0/1 (together the whole IPv4 internet)"
            ]
        );
        // A hole of one address is not the whole internet.
        let holed = vec![
            perm(
                "tcp",
                22,
                22,
                &["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"],
                &[],
            ),
            perm(
                "tcp",
                22,
                22,
                &[
                    "240.0.0.0/5",
                    "248.0.0.0/6",
                    "252.0.0.0/7",
                    "254.0.0.0/8",
                    "255.0.0.0/9",
                ],
                &[],
            ),
        ];
        assert!(world_exposures(&holed, &ssh, Family::Any).is_empty());
        // Ranges on another port do not add up with these.
        let apart = vec![
            perm("tcp", 22, 22, &["0.0.0.0/1"], &[]),
            perm("tcp", 80, 80, &["128.0.0.0/1"], &[]),
        ];
        assert!(world_exposures(&apart, &ssh, Family::Any).is_empty());
        let v6 = vec![perm("tcp", 22, 22, &[], &["::/1", "8000::/1"])];
        assert_eq!(world_exposures(&v6, &ssh, Family::Ipv6).len(), 1);
        assert!(world_exposures(&v6, &ssh, Family::Ipv4).is_empty());
    }

    #[test]
    fn nacl_entries_that_together_are_the_internet_expose_the_port() {
        let ssh = Ports::AnyOf(vec![22]);
        let halves = vec![
            entry(100, "allow", "0.0.0.0/1", 22, 22),
            entry(110, "allow", "128.0.0.0/1", 0, 65535),
        ];
        assert_eq!(
            nacl_world_exposures(&halves, &ssh, Family::Any),
            vec![
                "rules 100 (0.0.0.0/1), 110 (128.0.0.0/1) allow port 22 (together the whole IPv4 internet)"
            ]
        );
        // An earlier deny that shadows one entry entirely closes its half.
        let mut shadowed = halves.clone();
        shadowed.push(entry(50, "deny", "0.0.0.0/1", 22, 22));
        assert!(nacl_world_exposures(&shadowed, &ssh, Family::Any).is_empty());
        // A carve-out narrows the opening, as it does for a single 0.0.0.0/0 entry.
        let mut carved = halves.clone();
        carved.push(entry(50, "deny", "10.0.0.0/8", 22, 22));
        assert_eq!(nacl_world_exposures(&carved, &ssh, Family::Any).len(), 1);
        let single = vec![
            entry(50, "deny", "10.0.0.0/8", 22, 22),
            entry(100, "allow", "0.0.0.0/0", 22, 22),
        ];
        assert_eq!(nacl_world_exposures(&single, &ssh, Family::Any).len(), 1);
        // A later deny changes nothing.
        let mut later = halves.clone();
        later.push(entry(200, "deny", "10.0.0.0/8", 22, 22));
        assert_eq!(nacl_world_exposures(&later, &ssh, Family::Any).len(), 1);
    }

    #[test]
    fn covers_merge_and_subtract() {
        let mut c = Cover::default();
        c.add((10, 20));
        c.add((21, 30));
        c.add((40, 50));
        assert_eq!(c.0, vec![(10, 30), (40, 50)]);
        assert_eq!(c.outside((0, 60)), vec![(0, 9), (31, 39), (51, 60)]);
        assert_eq!(c.outside((12, 28)), Vec::<(u128, u128)>::new());
        c.add((0, u128::from(u32::MAX)));
        assert!(c.is_whole(Family::Ipv4));
    }
}
