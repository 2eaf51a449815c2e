//! `onus kinds`: the resource kinds and the fields rules can read.

use anyhow::{Result, bail};

use super::write;
use crate::analyze::kinds;

pub fn run(kind: Option<&str>) -> Result<u8> {
    let mut out = String::new();
    match kind {
        Some(name) => {
            let Some(k) = kinds::get(name) else {
                bail!("no kind `{name}`; `onus kinds` lists them");
            };
            out.push_str(&format!("{} — {} ({})\n", k.name, k.title, k.model.id()));
            for f in k.fields() {
                match k.doc(f) {
                    Some(doc) => out.push_str(&format!("  {f:<28} {doc}\n")),
                    None => out.push_str(&format!("  {f}\n")),
                }
            }
        }
        None => {
            for k in kinds::all() {
                out.push_str(&format!(
                    "{:<28} {:<14} {}\n",
                    k.name,
                    k.model.id(),
                    k.title
                ));
            }
        }
    }
    write::text(None, &out)?;
    Ok(0)
}
