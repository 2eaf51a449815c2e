//! The repository is self-contained: no tracked file refers to a path outside it, so a clone
//! with nothing beside it builds, tests and benchmarks as ours does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Component, Path, PathBuf};

/// The repository's files: what git tracks, or (in a copy without `.git`) every file but the
/// build output.
fn tracked_files(root: &Path) -> Vec<PathBuf> {
    let git = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output();
    if let Some(out) = git.ok().filter(|o| o.status.success()) {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| root.join(String::from_utf8_lossy(p).as_ref()))
            .collect();
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap_or_default();
            if name == "target" || name == ".git" {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// `base` joined with `rel`, `..` resolved lexically; `None` when it climbs above `root`.
fn resolve_inside(root: &Path, base: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<Component<'_>> = base.strip_prefix(root).ok()?.components().collect();
    for c in Path::new(rel).components() {
        match c {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            other => parts.push(other),
        }
    }
    Some(parts.iter().fold(root.to_path_buf(), |p, c| p.join(c)))
}

/// Every relative path in `text` that begins by climbing (`../…`), up to its first glob or
/// variable, with the line it is on.
fn climbing_paths(text: &str) -> Vec<(usize, String)> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(at) = rest.find("../") {
            let start = offset + at;
            let before = line[..start].chars().next_back();
            let token: String = line[start..].chars().take_while(|c| is_path(*c)).collect();
            offset = start + token.len().max(3);
            rest = &line[offset..];
            if before.is_some_and(is_path) {
                continue; // the middle of a longer path, e.g. `a/../b`: checked from its start
            }
            found.push((n + 1, token));
        }
    }
    found
}

#[test]
fn no_tracked_file_refers_to_a_path_outside_the_repository() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut outside = Vec::new();
    for file in tracked_files(&root) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue; // binary
        };
        let dir = file.parent().unwrap();
        for (line, token) in climbing_paths(&text) {
            // A path is read relative to the file that names it (include_str!, a script run
            // from its folder) or to the repository's root (a test, a script that cd's there);
            // it must stay inside the repository and exist from one of them.
            let inside = [dir, root.as_path()].iter().any(|base| {
                resolve_inside(&root, base, token.trim_end_matches('/')).is_some_and(|p| p.exists())
            });
            if !inside {
                outside.push(format!(
                    "{}:{line}: {token}",
                    file.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "paths outside the repository (a clone has nothing beside it):\n{}",
        outside.join("\n")
    );
}

#[test]
fn climbing_paths_are_found_and_resolved() {
    // Written so that this file names no climbing path itself.
    let up = |rest: &str| format!("{}/{rest}", "..");
    let text = format!(
        "include_str!(\"{}\")\n cp {}*.json y\n a/{}\n .join(\"{}\")",
        up("samples/a.json"),
        up("x/"),
        up("b"),
        up("shared/f")
    );
    assert_eq!(
        climbing_paths(&text),
        vec![
            (1, up("samples/a.json")),
            (2, up("x/")),
            (4, up("shared/f")),
        ]
    );
    let root = Path::new("/r");
    assert_eq!(
        resolve_inside(root, Path::new("/r/tests"), &up("samples/a.json")),
        Some(PathBuf::from("/r/samples/a.json"))
    );
    assert_eq!(resolve_inside(root, root, &up("shared/f")), None);
    assert_eq!(
        resolve_inside(root, Path::new("/r/tests/common"), &up("shared/f")),
        Some(PathBuf::from("/r/tests/shared/f"))
    );
}
