//! The shape of the code, checked: a newcomer must be able to tell from a
//! path alone whether a file may touch SQL or HTTP, and no file grows past
//! what one can read in a sitting.
//!
//! - `rules.rs` files are pure: no actix-web, no diesel, no storage.
//! - No source file is over 600 lines, except the diesel schema and data
//!   tables (word lists, reference data).
//! - No handler takes an untyped `web::Path<String>`: path parameters are
//!   parsed once, into typed ids or other checked values.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

/// Files that are data rather than code, allowed to be long.
const LONG_DATA_FILES: &[&str] = &["storage/src/schema.rs", "listing-generator/src/vocabulary.rs"];

/// What a pure file must not name.
const IMPURE: &[&str] = &["actix_web", "diesel", "storage::", "HttpResponse", "web::"];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `crates/*/src`, with its path relative to `crates/`.
fn sources() -> Vec<(String, String)> {
    let root = crates_dir();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (rel, text)
        })
        .collect()
}

/// The code of a file without its comments, so a doc comment may say
/// "no diesel here" without failing the check.
fn code_only(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

#[test]
fn rules_files_touch_neither_sql_nor_http() {
    let sources = sources();
    let rules: Vec<_> = sources.iter().filter(|(p, _)| p.ends_with("/rules.rs")).collect();
    assert!(rules.len() >= 5, "expected a rules.rs per resource, found {}", rules.len());
    let mut broken = Vec::new();
    for (path, text) in rules {
        let code = code_only(text);
        for word in IMPURE {
            if code.contains(word) {
                broken.push(format!("{path} uses `{word}`"));
            }
        }
    }
    assert!(broken.is_empty(), "rules.rs files must be pure:\n{}", broken.join("\n"));
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| !LONG_DATA_FILES.contains(&path.as_str()))
        .filter_map(|(path, text)| {
            let n = text.lines().count();
            (n > MAX_LINES).then(|| format!("{path}: {n} lines"))
        })
        .collect();
    assert!(long.is_empty(), "split these (at most {MAX_LINES} lines):\n{}", long.join("\n"));
}

#[test]
fn path_parameters_are_typed() {
    let untyped: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| code_only(text).contains("web::Path<String>"))
        .map(|(path, _)| path)
        .collect();
    assert!(untyped.is_empty(), "parse path parameters into typed values:\n{}", untyped.join("\n"));
}
