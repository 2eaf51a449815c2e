//! The shape of the source tree: data flows one way, so no two files of `src/` import each
//! other through a circle, and no file grows past what one job needs.
//!
//! Imports are read from the text: `use` declarations and `crate::`/`super::` paths, resolved
//! to the file that defines the module, following a `mod.rs`'s re-exports to the file that
//! defines the item. A re-export is the module's front door, not a dependency of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines a source file may have.
const MAX_LINES: usize = 800;

type Module = Vec<String>;

struct Source {
    path: PathBuf,
    module: Module,
    /// The file's text with comments and string literals blanked.
    code: String,
    /// Where an inline `mod tests {` starts (in it, `super` is the file's own module).
    tests_at: Option<usize>,
}

fn sources(root: &Path) -> Vec<Source> {
    let src = root.join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).unwrap();
            let mut module: Module = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.first().is_some_and(|m| m == "bin") {
                return None; // other crates
            }
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let code = blank(&std::fs::read_to_string(&path).unwrap());
            let tests_at = code.find("mod tests {");
            Some(Source {
                path,
                module,
                code,
                tests_at,
            })
        })
        .collect()
}

/// The text with `//` comments and the insides of string and char literals replaced by spaces
/// (lengths kept, so offsets still point at the same code).
fn blank(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let keep_lines = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) {
            // A raw string: r"…", r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            out.extend(&chars[i..i + 2 + hashes]);
            i += 2 + hashes;
            while i < chars.len() && !chars[i..].starts_with(&close) {
                out.push(keep_lines(chars[i]));
                i += 1;
            }
            out.extend(chars.get(i..i + close.len()).unwrap_or_default());
            i += close.len();
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(keep_lines(c));
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal ('"', '\''), not a lifetime.
            let len = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|c| *c == '\'')
                    .map_or(1, |p| p + 3)
            } else {
                3
            };
            out.extend(std::iter::repeat_n(' ', len));
            i += len;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let (prefix, inner) = (&tree[..open], &tree[open + 1..tree.rfind('}').unwrap()]);
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The `use` trees of `code` (`pub` ones when `public`, the others otherwise), each with the
/// offset where it stands.
fn uses(code: &str, public: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("use ") {
        let start = from + at;
        from = start + 4;
        let before = code[..start].trim_end();
        let is_pub = before.ends_with("pub") || before.ends_with(')');
        let at_item = before.is_empty()
            || before.ends_with(';')
            || before.ends_with('}')
            || before.ends_with('{')
            || before.ends_with(']')
            || is_pub;
        if !at_item || code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = code[start..].find(';') else {
            break;
        };
        if is_pub == public {
            for path in expand(&code[start + 4..start + end].replace('\n', " ")) {
                out.push((start, path));
            }
        }
        from = start + end;
    }
    out
}

/// Paths written in full in the code: `crate::a::b`, `super::c`.
fn inline_paths(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for head in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(head) {
            let start = from + at;
            from = start + head.len();
            if code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = code[start..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let path = path.trim_end_matches(':');
            if path.len() > head.len() {
                out.push((start, path.to_owned()));
            }
        }
    }
    out
}

struct Tree {
    modules: BTreeMap<Module, usize>,
    sources: Vec<Source>,
    /// Per module: re-exported name → the path it re-exports.
    reexports: BTreeMap<Module, BTreeMap<String, String>>,
}

impl Tree {
    fn new(sources: Vec<Source>) -> Tree {
        let modules = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.module.clone(), i))
            .collect();
        let reexports = sources
            .iter()
            .map(|s| {
                let names = uses(&s.code, true)
                    .into_iter()
                    .map(|(_, path)| {
                        let name = path.rsplit("::").next().unwrap_or_default();
                        let name = name.rsplit(" as ").next().unwrap_or(name).trim();
                        (name.to_owned(), path)
                    })
                    .collect();
                (s.module.clone(), names)
            })
            .collect();
        Tree {
            modules,
            sources,
            reexports,
        }
    }

    /// The file a path written in module `from` leads to, with what is left of the path.
    fn resolve(&self, from: &Module, path: &str) -> Option<(usize, Vec<String>)> {
        let mut segs: Vec<String> = path
            .split("::")
            .map(|s| s.split(" as ").next().unwrap_or(s).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let mut base = from.clone();
        match segs.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                segs.remove(0);
            }
            Some("self") => {
                segs.remove(0);
            }
            Some("super") => {
                while segs.first().is_some_and(|s| s == "super") {
                    base.pop();
                    segs.remove(0);
                }
            }
            Some(first) => {
                let mut child = base.clone();
                child.push(first.to_owned());
                if !self.modules.contains_key(&child) {
                    return None; // another crate
                }
            }
            None => return None,
        }
        let full: Vec<String> = base.into_iter().chain(segs).collect();
        (0..=full.len()).rev().find_map(|n| {
            let module = &full[..n];
            let file = *self.modules.get(module)?;
            Some((file, full[n..].to_vec()))
        })
    }

    /// Like [`Tree::resolve`], through re-exports to the file that defines the item.
    fn defining_file(&self, from: &Module, path: &str) -> Option<usize> {
        let (mut file, mut rest) = self.resolve(from, path)?;
        for _ in 0..8 {
            let module = &self.sources[file].module;
            let Some(target) = rest
                .first()
                .and_then(|name| self.reexports.get(module)?.get(name))
            else {
                break;
            };
            let (next, next_rest) = self.resolve(module, target)?;
            let mut next_rest = next_rest;
            next_rest.extend(rest.into_iter().skip(1));
            (file, rest) = (next, next_rest);
        }
        Some(file)
    }

    /// Which files each file imports.
    fn edges(&self) -> Vec<BTreeSet<usize>> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut paths = uses(&s.code, false);
                paths.extend(inline_paths(&s.code));
                let mut to = BTreeSet::new();
                for (at, path) in paths {
                    // In an inline `mod tests`, `super` is this file's module.
                    let in_tests = s.tests_at.is_some_and(|t| at > t);
                    let path = match (in_tests, path.strip_prefix("super::")) {
                        (true, Some(rest)) => format!("self::{rest}"),
                        _ => path,
                    };
                    if let Some(file) = self.defining_file(&s.module, &path)
                        && file != i
                        && !self.sources[file].module.is_empty()
                    {
                        to.insert(file);
                    }
                }
                to
            })
            .collect()
    }
}

/// The strongly connected components of more than one file (Tarjan's algorithm).
fn circles(edges: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    struct State<'e> {
        edges: &'e [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.edges[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        stack: Vec::new(),
        on_stack: vec![false; n],
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

fn tree() -> Tree {
    Tree::new(sources(Path::new(env!("CARGO_MANIFEST_DIR"))))
}

#[test]
fn no_two_files_import_each_other_through_a_circle() {
    let tree = tree();
    let edges = tree.edges();
    let rel = |i: usize| {
        tree.sources[i]
            .path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string()
    };
    let found: Vec<String> = circles(&edges)
        .into_iter()
        .map(|c| {
            let files: BTreeSet<usize> = c.iter().copied().collect();
            let arrows: Vec<String> = files
                .iter()
                .flat_map(|&a| {
                    edges[a]
                        .iter()
                        .filter(|b| files.contains(b))
                        .map(move |&b| (a, b))
                })
                .map(|(a, b)| format!("  {} -> {}", rel(a), rel(b)))
                .collect();
            arrows.join("\n")
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n\n"));
    // The reading is not blind: the tree has imports, and a planted circle is found.
    assert!(edges.iter().map(BTreeSet::len).sum::<usize>() > 100);
    let mut planted = edges.clone();
    let (a, b) = (0..edges.len())
        .find_map(|a| edges[a].first().map(|&b| (a, b)))
        .unwrap();
    planted[b].insert(a);
    assert!(!circles(&planted).is_empty());
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = tree()
        .sources
        .iter()
        .map(|s| (s, std::fs::read_to_string(&s.path).unwrap().lines().count()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(s, n)| format!("{}: {n} lines", s.path.display()))
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn imports_are_read_as_written() {
    assert_eq!(
        expand("crate::a::{b, c::{d, e as f}}"),
        ["crate::a::b", "crate::a::c::d", "crate::a::c::e as f"]
    );
    let code = blank("use crate::x; // use crate::y;\nlet s = \"crate::z\"; super::w::f();");
    assert_eq!(uses(&code, false), [(0, "crate::x".to_owned())]);
    assert_eq!(
        inline_paths(&code)
            .into_iter()
            .map(|(_, p)| p)
            .collect::<Vec<_>>(),
        ["crate::x", "super::w::f"]
    );
}
