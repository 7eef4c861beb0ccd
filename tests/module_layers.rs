//! The crate's top-level modules form layers, not circles: configuration and metrics depend on
//! nothing of ours, the call services and transports on those, the API on the services, and
//! the server and command line on everything. A circle makes every new room (the dashboard,
//! jobs, FHIR) drag in all the others; this test names the first one it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module refers to through `crate::`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if matches!(name.as_str(), "lib" | "main") {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            collect(&path, &mut files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path.clone());
        }
        let deps = graph.entry(name.clone()).or_default();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for part in text.split("crate::").skip(1) {
                let names: Vec<String> = if let Some(group) = part.strip_prefix('{') {
                    group
                        .split('}')
                        .next()
                        .unwrap_or("")
                        .split(',')
                        .map(|n| ident(n.trim()))
                        .collect()
                } else {
                    vec![ident(part)]
                };
                for n in names {
                    if !n.is_empty() && n != name {
                        deps.insert(n);
                    }
                }
            }
        }
    }
    graph
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// A circle through `from`, if there is one, as the path of modules.
fn circle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    at: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    for next in graph.get(at).into_iter().flatten() {
        if next == from {
            let mut c = path.clone();
            c.push(next.clone());
            return Some(c);
        }
        if path.contains(next) {
            continue;
        }
        path.push(next.clone());
        if let Some(c) = circle(graph, from, next, path) {
            return Some(c);
        }
        path.pop();
    }
    None
}

#[test]
fn the_modules_form_no_circle() {
    let graph = dependencies();
    assert!(
        graph.contains_key("api") && graph.contains_key("config"),
        "{graph:?}"
    );
    for m in graph.keys() {
        if let Some(c) = circle(&graph, m, m, &mut vec![m.clone()]) {
            panic!("import circle: {}", c.join(" → "));
        }
    }
}

#[test]
fn configuration_and_metrics_depend_on_nothing_of_ours() {
    let graph = dependencies();
    for m in ["config", "metrics", "auth"] {
        assert_eq!(graph[m], BTreeSet::new(), "{m} imports {:?}", graph[m]);
    }
}
