//! `onus baseline create`: a results JSON's failures recorded, so that later runs gate only on
//! new ones.

use anyhow::Result;

use crate::cli::BaselineCommand;
use crate::gate::baseline::Baseline;
use crate::results;
use crate::words::count;

pub fn run(cmd: &BaselineCommand) -> Result<u8> {
    let BaselineCommand::Create { results, output } = cmd;
    let doc = results::read(results)?;
    let collected_at = doc
        .snapshot
        .collected_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let baseline = Baseline::of(&collected_at, &doc.onus_version, &doc.results);
    baseline.save(output)?;
    eprintln!(
        "onus: baseline of {} written to {}",
        count(baseline.failures.len(), "failure"),
        output.display()
    );
    Ok(0)
}
