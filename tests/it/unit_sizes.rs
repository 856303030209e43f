//! Units small enough to read: no source file under `src/` over 1,000 lines, and no function
//! over 100 lines (a function's lines run from its `fn` to its closing brace, comments and
//! blank lines included; unit tests are not counted). The scan reads the text: it counts
//! braces outside strings, chars and comments, which is enough for herald's own code.

use std::fs;
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 1_000;
const MAX_FUNCTION_LINES: usize = 100;

/// Functions known to be longer, as `path:name`; the list only shrinks.
const KNOWN_LONG: &[&str] = &[];

#[test]
fn no_source_file_is_over_a_thousand_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long: Vec<String> = rust_files(&root.join("src"))
        .into_iter()
        .filter_map(|path| {
            let lines = fs::read_to_string(&path).ok()?.lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{} ({lines} lines)", relative(root, &path)))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines: {long:#?}"
    );
}

#[test]
fn no_function_is_over_a_hundred_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long = Vec::new();
    let mut seen_known = Vec::new();
    for path in rust_files(&root.join("src")) {
        let text = fs::read_to_string(&path).unwrap();
        for (name, lines) in function_lengths(&text) {
            let key = format!("{}:{name}", relative(root, &path));
            if KNOWN_LONG.contains(&key.as_str()) {
                seen_known.push(key);
            } else if lines > MAX_FUNCTION_LINES {
                long.push(format!("{key} ({lines} lines)"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: {long:#?}"
    );
    let gone: Vec<_> = KNOWN_LONG
        .iter()
        .filter(|known| !seen_known.iter().any(|seen| seen == *known))
        .collect();
    assert!(gone.is_empty(), "take these off KNOWN_LONG: {gone:?}");
}

#[test]
fn the_scan_measures_a_function_from_fn_to_its_closing_brace() {
    let text = "fn short() {\n    let s = \"}\";\n}\n\npub async fn longer(x: u8) -> u8 {\n    // }\n    if x > 0 {\n        x\n    } else {\n        0\n    }\n}\n\n#[cfg(test)]\nmod tests {\n    fn ignored() {}\n}\n";
    assert_eq!(
        function_lengths(text),
        vec![("short".to_string(), 3), ("longer".to_string(), 8)]
    );
}

/// Every function's name and length in lines, up to the first `#[cfg(test)]`.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim_start();
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        match function_name(line) {
            Some(name) => match closing_line(&lines, index) {
                Some(end) => {
                    found.push((name, end - index + 1));
                    index = end + 1;
                }
                None => index += 1,
            },
            None => index += 1,
        }
    }
    found
}

/// The name when `line` starts a function definition.
fn function_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(word) = words.peek() {
        let qualifier = word.starts_with("pub")
            || ["async", "const", "unsafe", "extern", "default"].contains(word);
        if !qualifier {
            break;
        }
        words.next();
    }
    if words.next()? != "fn" {
        return None;
    }
    let rest = words.next()?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The line where the body that opens at or after `start` closes; `None` for a declaration
/// without a body (in a trait).
fn closing_line(lines: &[&str], start: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut opened = false;
    for (offset, line) in lines[start..].iter().enumerate() {
        let code = code_of(line);
        if !opened && code.contains(';') && !code.contains('{') {
            return None;
        }
        for c in code.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        if opened && depth <= 0 {
            return Some(start + offset);
        }
    }
    None
}

/// A line without its string and char literals and its `//` comment.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A char literal ('{', '\'') or a lifetime ('a): skip only the literal.
                let literal: String = chars.clone().take(3).collect();
                if literal.starts_with('\\') {
                    chars.next();
                    chars.next();
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    }
                } else if literal.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
