//! Drift renderers: a terminal listing, Markdown for a pull-request comment, and JSON.

use std::fmt::Write;

use minijinja::Value;

use super::RenderError;
use super::text::printable;
use crate::gate::drift::{Drift, Entry, Resolution};

fn line(out: &mut String, e: &Entry, note: &str) {
    let _ = writeln!(
        out,
        "  {:<8} {}  {}: {}{}",
        match e.waived {
            Some(_) => "WAIVED".to_owned(),
            None => e.severity.id().to_uppercase(),
        },
        e.rule,
        printable(&e.resource.id),
        printable(&e.message),
        note
    );
}

pub fn text(drift: &Drift) -> Result<String, RenderError> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) → {} ({})\n{}",
        printable(&drift.old.path),
        printable(&drift.old.collected_at),
        printable(&drift.new.path),
        printable(&drift.new.collected_at),
        drift.summary()
    );
    if !drift.new_failures.is_empty() {
        let _ = writeln!(out, "\nNew failures ({}):", drift.new_failures.len());
        for e in &drift.new_failures {
            line(&mut out, e, "");
        }
    }
    if !drift.resolved.is_empty() {
        let _ = writeln!(out, "\nResolved ({}):", drift.resolved.len());
        for r in &drift.resolved {
            let note = match r.resolution {
                Resolution::Passes => "  [passes now]",
                Resolution::ResourceGone => "  [resource gone]",
            };
            line(&mut out, &r.entry, note);
        }
    }
    if !drift.changed.is_empty() {
        let _ = writeln!(out, "\nChanged ({}):", drift.changed.len());
        for c in &drift.changed {
            line(
                &mut out,
                &c.entry,
                &format!("  [{}]", printable(&c.changes.join("; "))),
            );
        }
    }
    if !drift.no_longer_assessed.is_empty() {
        let _ = writeln!(
            out,
            "\nNo longer assessed ({}): failing before, not checked now, so not resolved:",
            drift.no_longer_assessed.len()
        );
        for e in &drift.no_longer_assessed {
            line(&mut out, e, "");
        }
    }
    Ok(out)
}

pub fn markdown(drift: &Drift) -> Result<String, RenderError> {
    let ctx = minijinja::context! { summary => drift.summary(), ..Value::from(minijinja::value::Serde(drift)) };
    super::templates::render("diff.md.j2", ctx)
}

pub fn json(drift: &Drift) -> Result<String, RenderError> {
    let mut text = serde_json::to_string_pretty(drift)?;
    text.push('\n');
    Ok(text)
}
