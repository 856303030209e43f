//! Dependencies between herald's top-level modules point one way (docs/ARCHITECTURE.md, "Which
//! way dependencies point"). This test reads `src/` as text, finds every `crate::<module>` path
//! that leads from one top-level module into another (a module is `src/<name>.rs` together with
//! `src/<name>/`), and fails when those edges form a cycle that is not on the list below.
//!
//! Some cycles are older than this test. Each is listed by the edge that closes it, written as
//! the shortest cycle through that edge. The test fails when
//! - a cycle remains once the listed closing edges are set aside (a new cycle, closed by a new
//!   import);
//! - the shortest cycle through a listed edge is not the listed one (a new import made a
//!   shorter way back, such as `schedule` using `store` again, or the listed way is broken);
//! - a listed edge no longer exists or no longer closes a cycle (take it off: the list only
//!   shrinks).
//!
//! On failure it prints every edge with the files it comes from; the same can be seen with
//! `grep -rn "crate::<module>" src/<other module>`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// The known cycles, each the shortest cycle through its first edge, which is the import that
/// runs against the intended direction. Remove an entry when its import is gone; never add one.
const KNOWN_CYCLES: &[&[&str]] = &[];

/// Module → module → the files whose imports make that edge.
type Edges = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn top_level_modules_depend_on_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_edges(&src);
    let mut problems = Vec::new();

    for &known in KNOWN_CYCLES {
        let (from, to) = (known[0], known[1]);
        let listed = known.join(" -> ");
        if !has_edge(&edges, from, to) {
            problems.push(format!(
                "{listed}: {from} no longer imports {to}; take it off KNOWN_CYCLES"
            ));
            continue;
        }
        match path_between(&edges, to, from, &[]) {
            None => problems.push(format!(
                "{listed}: {to} no longer leads back to {from}; take it off KNOWN_CYCLES"
            )),
            Some(back) => {
                let mut now = vec![from.to_string()];
                now.extend(back);
                if now != known {
                    problems.push(format!(
                        "{listed}: the shortest cycle through {from} -> {to} is now {}",
                        now.join(" -> ")
                    ));
                }
            }
        }
    }
    for cycle in cycles_outside_the_list(&edges) {
        problems.push(format!("a cycle not on the list: {}", cycle.join(" -> ")));
    }

    assert!(
        problems.is_empty(),
        "{}\n\nedges between top-level modules:\n{}",
        problems.join("\n"),
        describe(&edges)
    );
}

/// The checker itself must see a cycle, including one through a grouped `use crate::{..}`.
#[test]
fn a_two_way_import_is_seen_as_a_cycle() {
    let dir = std::env::temp_dir().join(format!("herald-module-edges-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("alpha")).expect("create a scratch tree");
    fs::write(dir.join("lib.rs"), "pub mod alpha;\npub mod beta;\n").expect("write lib.rs");
    fs::write(
        dir.join("alpha/mod.rs"),
        "// use crate::gamma; a comment is not an import\nuse crate::{beta::B, std_like};\n",
    )
    .expect("write alpha");
    fs::write(dir.join("gamma.rs"), "pub struct G;\n").expect("write gamma");
    fs::write(dir.join("beta.rs"), "pub fn f() { crate::alpha::g() }\n").expect("write beta");
    let edges = module_edges(&dir);
    fs::remove_dir_all(&dir).expect("remove the scratch tree");

    assert!(has_edge(&edges, "alpha", "beta"), "{}", describe(&edges));
    assert!(has_edge(&edges, "beta", "alpha"), "{}", describe(&edges));
    assert!(!has_edge(&edges, "alpha", "gamma"), "{}", describe(&edges));
    assert_eq!(edges.values().map(BTreeMap::len).sum::<usize>(), 2);
    let cycles = cycles_outside_the_list(&edges);
    assert_eq!(cycles, vec![vec!["alpha", "beta", "alpha"]]);
}

/// Every edge between top-level modules of the crate rooted at `src`.
fn module_edges(src: &Path) -> Edges {
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in fs::read_dir(src).expect("read src/") {
        let path = entry.expect("read an entry of src/").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_string();
        if path.is_dir() {
            files.entry(name).or_default().extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            files.entry(name).or_default().push(path);
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut edges = Edges::new();
    for (module, paths) in &files {
        edges.entry(module.clone()).or_default();
        for path in paths {
            let text = fs::read_to_string(path).expect("read a source file");
            for target in crate_paths(&text) {
                if &target != module && modules.contains(&target) {
                    let shown = path.strip_prefix(src).unwrap_or(path).display();
                    edges
                        .entry(module.clone())
                        .or_default()
                        .entry(target)
                        .or_default()
                        .insert(format!("src/{shown}"));
                }
            }
        }
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).expect("read a module folder") {
        let path = entry.expect("read a folder entry").path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// The first segment after every `crate::` in code (comments left out), including each name
/// of a grouped `crate::{a::X, b}`.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let ident_at = |rest: &str| -> String { rest.chars().take_while(|&c| is_ident(c)).collect() };
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.push(ident_at(rest));
            continue;
        };
        let mut depth = 0;
        let mut expect_name = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => expect_name = true,
                c if expect_name && is_ident(c) => {
                    found.push(ident_at(&group[i..]));
                    expect_name = false;
                }
                c if c.is_whitespace() => {}
                _ => expect_name = false,
            }
        }
    }
    found
}

fn has_edge(edges: &Edges, from: &str, to: &str) -> bool {
    edges
        .get(from)
        .is_some_and(|targets| targets.contains_key(to))
}

/// A shortest path from `from` to `to` (the first in name order among equals), leaving out the
/// `skipped` edges.
fn path_between(
    edges: &Edges,
    from: &str,
    to: &str,
    skipped: &[(&str, &str)],
) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(here) = queue.pop_front() {
        for next in edges.get(&here).into_iter().flat_map(BTreeMap::keys) {
            if skipped.contains(&(here.as_str(), next.as_str())) || came_from.contains_key(next) {
                continue;
            }
            came_from.insert(next.clone(), here.clone());
            if next == to {
                let mut path = vec![to.to_string()];
                let mut step = to.to_string();
                while step != from {
                    step = came_from[&step].clone();
                    path.push(step.clone());
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(next.clone());
        }
    }
    None
}

/// One cycle for every edge that closes a cycle once the known cycles' closing edges are set
/// aside.
fn cycles_outside_the_list(edges: &Edges) -> Vec<Vec<String>> {
    let closing: Vec<(&str, &str)> = KNOWN_CYCLES.iter().map(|c| (c[0], c[1])).collect();
    let mut cycles = Vec::new();
    let mut seen: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    for (from, targets) in edges {
        for to in targets.keys() {
            if closing.contains(&(from.as_str(), to.as_str())) {
                continue;
            }
            if let Some(back) = path_between(edges, to, from, &closing) {
                let mut cycle = vec![from.clone()];
                cycle.extend(back);
                if seen.insert(cycle.iter().cloned().collect()) {
                    cycles.push(cycle);
                }
            }
        }
    }
    cycles
}

fn describe(edges: &Edges) -> String {
    let mut lines = Vec::new();
    for (from, targets) in edges {
        for (to, files) in targets {
            let closes = KNOWN_CYCLES
                .iter()
                .any(|c| (c[0], c[1]) == (from.as_str(), to.as_str()));
            let known = if closes {
                "  (closes a known cycle)"
            } else {
                ""
            };
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            lines.push(format!("  {from} -> {to}{known}: {}", files.join(", ")));
        }
    }
    lines.join("\n")
}
