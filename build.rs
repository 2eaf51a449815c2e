//! Embeds every rule file under `rules/`, every compliance framework under `frameworks/` and
//! every report template under `templates/` into the binary.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

/// Writes `OUT_DIR/name`: a static list of (path under `dir`, contents) for the files under
/// `dir` whose names end with `ext`.
fn embed(root: &Path, dir: &str, ext: &str, name: &str, doc: &str, var: &str) {
    let base = root.join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    collect(&base, ext, &mut files);
    files.sort();
    let mut code = format!(
        "/// {doc}: (path under `{dir}/`, contents).\npub static {var}: &[(&str, &str)] = &[\n"
    );
    for file in &files {
        let rel = file
            .strip_prefix(&base)
            .expect("under the embedded directory")
            .to_string_lossy()
            .replace('\\', "/");
        // Relative to the package, not absolute: one build cache serves clones at any path,
        // and a cached list must not point into another clone.
        let path = format!("/{dir}/{rel}");
        writeln!(
            code,
            "    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {path:?}))),"
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    std::fs::write(out, code).expect("write the embedded file list");
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    embed(
        &root,
        "rules",
        ".yaml",
        "builtin_rules.rs",
        "Built-in rule files",
        "BUILTIN_RULES",
    );
    embed(
        &root,
        "frameworks",
        ".yaml",
        "builtin_frameworks.rs",
        "Built-in compliance frameworks",
        "BUILTIN_FRAMEWORKS",
    );
    embed(
        &root,
        "templates",
        ".j2",
        "templates.rs",
        "Report templates",
        "TEMPLATES",
    );
}
