//! The expression environment rules are compiled in: strict about undefined fields, with the
//! helpers rules need (CIDR and port arithmetic, exposure, policy questions, dates).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use minijinja::value::{Kwargs, Serde};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior, Value};
use serde_json::Value as Json;

use crate::analyze::azure::nsg;
use crate::analyze::iam::{policy, questions};
use crate::analyze::network::{self, Family, Ports};
use crate::snapshot::{Grant, InlinePolicy, NetworkAclEntry, NsgRule, Permission};

/// The variable every evaluation context carries: the snapshot's collection time, against
/// which ages are measured (so results do not depend on when the report is rendered).
pub const COLLECTED_AT: &str = "collected_at";

pub static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_function("days_since", days_since);
    env.add_function("is_world", |cidr: &str| network::is_world(cidr));
    env.add_function("cidr_contains", |net: &str, inner: &str| {
        network::cidr_contains(net, inner)
            .ok_or_else(|| invalid(format!("not a CIDR or address: {net} / {inner}")))
    });
    env.add_function("cidr_overlaps", |a: &str, b: &str| {
        network::cidr_overlaps(a, b).ok_or_else(|| invalid(format!("not a CIDR: {a} / {b}")))
    });
    env.add_function("ports_intersect", network::ports_intersect);
    env.add_function("world_exposures", world_exposures);
    env.add_function("nacl_world_exposures", nacl_world_exposures);
    env.add_function("nsg_internet_exposures", nsg_internet_exposures);
    env.add_function("policy_full_admin", |doc: Serde<Json>| {
        statements(&doc).map(|s| questions::full_admin_statements(&s))
    });
    env.add_function("inline_full_admin", inline_full_admin);
    env.add_function("policy_public_statements", |doc: Serde<Json>| {
        statements(&doc).map(|s| questions::public_statements(&s))
    });
    env.add_function("policy_denies_insecure_transport", |doc: Serde<Json>| {
        statements(&doc).map(|s| questions::denies_insecure_transport(&s))
    });
    env.add_function("acl_public_grants", acl_public_grants);
    env.add_filter("count", |n: i64, noun: &str| crate::words::count(n, noun));
    env.add_test("older_than", older_than);
    env.add_test("unused_for", unused_for);
    env
});

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

fn statements(doc: &Json) -> Result<Vec<policy::Statement>, Error> {
    policy::statements(doc).map_err(|e| invalid(e.to_string()))
}

fn parse_time(value: &Value) -> Result<Option<DateTime<Utc>>, Error> {
    if value.is_none() || value.is_undefined() {
        return Ok(None);
    }
    let text = value
        .as_str()
        .ok_or_else(|| invalid(format!("expected a timestamp, found {value}")))?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| invalid(format!("bad timestamp {text:?}: {e}")))
}

fn now(state: &State) -> Result<DateTime<Utc>, Error> {
    let value = state
        .lookup(COLLECTED_AT)
        .ok_or_else(|| invalid("no collection time in context".into()))?;
    parse_time(&value)?.ok_or_else(|| invalid("no collection time in context".into()))
}

/// Whole days from `ts` to the snapshot's collection time; none when `ts` is none.
fn days_since(state: &State, ts: Value) -> Result<Value, Error> {
    Ok(match parse_time(&ts)? {
        Some(t) => Value::from((now(state)? - t).num_days()),
        None => Value::from(()),
    })
}

/// `ts is older_than(90)`: more than 90 days before collection; none is never older.
fn older_than(state: &State, ts: Value, days: i64) -> Result<bool, Error> {
    Ok(match parse_time(&ts)? {
        Some(t) => (now(state)? - t).num_days() > days,
        None => false,
    })
}

/// `key is unused_for(45)`: a credential with `last_used` (or, never used, `created`) more than
/// 45 days before collection.
fn unused_for(state: &State, credential: Value, days: i64) -> Result<bool, Error> {
    let last_used = credential.get_attr("last_used")?;
    let reference = if last_used.is_none() || last_used.is_undefined() {
        credential.get_attr("created")?
    } else {
        last_used
    };
    older_than(state, reference, days)
}

/// `inline_full_admin(inline_policies)`: `policy NAME (statement …)` for every inline policy
/// that allows everything on everything. A malformed document is an error (not assessed).
fn inline_full_admin(policies: Serde<Vec<InlinePolicy>>) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for p in policies.iter() {
        let hits = questions::full_admin_statements(&statements(&p.document)?);
        if !hits.is_empty() {
            out.push(format!("policy {} ({})", p.name, hits.join(", ")));
        }
    }
    Ok(out)
}

/// Whether `name` is a function, test or global of the rule environment rather than a field.
pub fn is_builtin_name(name: &str) -> bool {
    name == COLLECTED_AT || ENV.globals().any(|(n, _)| n == name)
}

fn ports_arg(value: &Value) -> Result<Ports, Error> {
    if value.as_str() == Some("all") {
        return Ok(Ports::All);
    }
    if let Some(n) = value.as_i64() {
        return u16::try_from(n)
            .map(|p| Ports::AnyOf(vec![p]))
            .map_err(|_| invalid(format!("not a port: {n}")));
    }
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let n = item
            .as_i64()
            .ok_or_else(|| invalid(format!("not a port: {item}")))?;
        out.push(u16::try_from(n).map_err(|_| invalid(format!("not a port: {n}")))?);
    }
    Ok(Ports::AnyOf(out))
}

fn family_arg(kwargs: &Kwargs) -> Result<Family, Error> {
    let family: Option<&str> = kwargs.get("family")?;
    kwargs.assert_all_used()?;
    match family {
        None => Ok(Family::Any),
        Some(f) => Family::parse(f)
            .ok_or_else(|| invalid(format!("family must be any, ipv4 or ipv6, not {f}"))),
    }
}

/// `world_exposures(ingress, [22, 3389], family="ipv4")`: descriptions of the permissions that
/// open those ports (or `"all"` ports) to the whole internet.
fn world_exposures(
    perms: Serde<Vec<Permission>>,
    ports: Value,
    kwargs: Kwargs,
) -> Result<Vec<String>, Error> {
    Ok(network::world_exposures(
        &perms,
        &ports_arg(&ports)?,
        family_arg(&kwargs)?,
    ))
}

/// `nacl_world_exposures(entries, [22, 3389])`: the network-ACL entries that decide, in rule
/// order, to let the whole internet reach those ports.
fn nacl_world_exposures(
    entries: Serde<Vec<NetworkAclEntry>>,
    ports: Value,
    kwargs: Kwargs,
) -> Result<Vec<String>, Error> {
    Ok(network::nacl_world_exposures(
        &entries,
        &ports_arg(&ports)?,
        family_arg(&kwargs)?,
    ))
}

/// `nsg_internet_exposures(security_rules, [22, 3389], protocol="Udp")`: the inbound rules of
/// a network security group that decide, in priority order, to let the whole internet reach
/// those ports (or `"all"` ports) over that protocol (`Tcp` when not given).
fn nsg_internet_exposures(
    rules: Serde<Vec<NsgRule>>,
    ports: Value,
    kwargs: Kwargs,
) -> Result<Vec<String>, Error> {
    let protocol: Option<&str> = kwargs.get("protocol")?;
    kwargs.assert_all_used()?;
    let protocol = match protocol.unwrap_or("Tcp") {
        p if p.eq_ignore_ascii_case("tcp") => "Tcp",
        p if p.eq_ignore_ascii_case("udp") => "Udp",
        p => return Err(invalid(format!("protocol must be Tcp or Udp, not {p}"))),
    };
    Ok(nsg::internet_exposures(
        &rules,
        &ports_arg(&ports)?,
        protocol,
    ))
}

const PUBLIC_GROUPS: &[(&str, &str)] = &[
    (
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "everyone (AllUsers)",
    ),
    (
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        "any AWS account (AuthenticatedUsers)",
    ),
];

/// Grants of an S3 ACL to everyone or to every AWS account, e.g. `READ to everyone (AllUsers)`.
fn acl_public_grants(grants: Serde<Vec<Grant>>) -> Vec<String> {
    grants
        .iter()
        .filter_map(|g| {
            let uri = g.grantee_uri.as_deref()?;
            PUBLIC_GROUPS
                .iter()
                .find(|(u, _)| *u == uri)
                .map(|(_, who)| format!("{} to {who}", g.permission))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn eval(expr: &str, ctx: Value) -> Value {
        ENV.compile_expression(expr).unwrap().eval(ctx).unwrap()
    }

    #[test]
    fn ages_are_measured_from_collection_time() {
        let ctx =
            context! { collected_at => "2026-06-30T00:00:00Z", created => "2026-03-01T00:00:00Z" };
        assert_eq!(eval("days_since(created)", ctx.clone()), Value::from(121));
        assert!(eval("created is older_than(90)", ctx.clone()).is_true());
        assert!(!eval("created is older_than(200)", ctx).is_true());
    }

    #[test]
    fn unused_credentials_fall_back_to_creation() {
        let ctx = context! {
            collected_at => "2026-06-30T00:00:00Z",
            keys => vec![
                context! { created => "2026-01-01T00:00:00Z", last_used => () },
                context! { created => "2026-01-01T00:00:00Z", last_used => "2026-06-29T00:00:00Z" },
            ],
        };
        assert_eq!(
            eval("keys | select('unused_for', 45) | list | length", ctx),
            Value::from(1)
        );
    }

    #[test]
    fn strict_undefined_fields_are_errors() {
        let err = ENV
            .compile_expression("nope.field")
            .unwrap()
            .eval(context! {})
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UndefinedError);
    }

    #[test]
    fn exposure_helpers() {
        let ctx = context! { ingress => vec![context! {
            protocol => "tcp", from_port => 22, to_port => 22, ipv4_ranges => vec!["0.0.0.0/0"],
            ipv6_ranges => Vec::<String>::new(), prefix_list_ids => Vec::<String>::new(), security_groups => Vec::<String>::new(),
        }]};
        assert_eq!(
            eval("world_exposures(ingress, [22, 3389]) | length", ctx.clone()),
            Value::from(1)
        );
        assert_eq!(
            eval(
                "world_exposures(ingress, 22, family='ipv6') | length",
                ctx.clone()
            ),
            Value::from(0)
        );
        assert_eq!(
            eval("world_exposures(ingress, 'all') | length", ctx),
            Value::from(0)
        );
    }
}
