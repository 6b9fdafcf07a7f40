//! The store's repositories do not call each other (issue #27): a module reads and writes its
//! own tables and imports only shared infrastructure; what a change sets off elsewhere (the
//! audit trail, timelines, webhooks, notifications) is recorded as an event in the unit of work
//! of `crates/app`, which writes it at commit.
//!
//! The modules have not all got there yet. This test reads every module's `crate::` paths and
//! holds the calls between repositories to [`KNOWN`], the ones left from before: a new one fails
//! it, and so does one that is gone but still listed, so the list only shrinks, and the day it
//! is empty the circle is gone.

use std::collections::BTreeSet;

/// Shared infrastructure every repository may use: the connection, schema, cursors, list
/// helpers, the numbers people quote (`numbers`) and the pricing of line items from the
/// catalogue (`pricing`); the
/// values every repository takes (`record::Actor`, the `reach` a read and a change obey); and
/// the two indexes each repository keeps for its own records in step with them (`points`: their
/// emails, phones and tags; `terms`: their words for search), which read no repository back.
const INFRASTRUCTURE: [&str; 12] =
    ["schema", "db", "cursor", "error", "time", "listing", "record", "reach", "points", "terms", "numbers", "pricing"];

/// Calls between repositories that remain (module, the module it uses); shrink it, never grow it.
const KNOWN: &[(&str, &str)] = &[("deals", "pipelines")];

/// The sibling modules `source` names through `crate::…` paths (`use crate::{a, b::C}` too).
fn named(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            let group = &group[..end];
            let mut level = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && level == 0 => {
                        out.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => item_start = false,
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

#[test]
fn repositories_call_no_new_siblings_and_the_known_calls_only_shrink() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: Vec<String> = std::fs::read_dir(&dir)
        .expect("the store's sources")
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".rs").map(str::to_owned))
        .filter(|m| m != "lib")
        .collect();
    modules.sort();
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    for m in modules.iter().filter(|m| !INFRASTRUCTURE.contains(&m.as_str())) {
        let source = std::fs::read_to_string(dir.join(format!("{m}.rs"))).expect("a module");
        for used in named(&source) {
            if &used != m && modules.contains(&used) && !INFRASTRUCTURE.contains(&used.as_str()) {
                found.insert((m.clone(), used));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    let new: Vec<_> = found.difference(&known).collect();
    assert!(
        new.is_empty(),
        "store modules now call siblings they did not: {new:?}. A repository reads and writes its own tables; record what else should happen as an event in the unit of work (crates/app/src/uow.rs)"
    );
    let gone: Vec<_> = known.difference(&found).collect();
    // Infrastructure stands below every repository. One use is left: the transaction's memo in
    // `db` keeps the webhook subscriptions a write read, until the unit of work holds them.
    let mut leaning = Vec::new();
    for m in modules.iter().filter(|m| INFRASTRUCTURE.contains(&m.as_str())) {
        let source = std::fs::read_to_string(dir.join(format!("{m}.rs"))).expect("a module");
        for used in named(&source) {
            let known = (m.as_str(), used.as_str()) == ("db", "webhooks");
            if modules.contains(&used) && !INFRASTRUCTURE.contains(&used.as_str()) && !known {
                leaning.push((m.clone(), used));
            }
        }
    }
    assert!(leaning.is_empty(), "shared infrastructure uses repositories: {leaning:?}; it must stand below all of them");
    assert!(gone.is_empty(), "these calls are gone, well done: take them out of KNOWN so they cannot come back: {gone:?}");
}
