//! Checks on a request's text around the GraphQL parser, for inputs that would otherwise break
//! the service rather than be refused:
//!
//! - nesting: the parser and the validator walk nested values recursively, and a list literal
//!   nested a few thousand deep (`[[[[…]]]]`, a few kilobytes) overflows a server thread's stack,
//!   which aborts the whole process. Documents are scanned for bracket depth before anything
//!   parses them.
//! - the NUL character: PostgreSQL cannot store it in text, so a string holding one (`"\u0000"`)
//!   failed deep in a write as an internal error. It is refused in every string of the document
//!   and the variables, on both databases alike.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Variables};

use crate::error::Error;

/// Brackets (`{`, `[`, `(`) open at once, at most. Twice the selection depth the parser itself
/// accepts (64), so that no document it would take is refused here for its selections alone.
pub const MAX_NESTING: usize = 128;

/// Refuses a document whose brackets nest deeper than [`MAX_NESTING`]. Brackets inside strings,
/// block strings and comments do not count.
pub fn check_nesting(document: &str) -> Result<(), Error> {
    let bytes = document.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped delimiter inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Error::too_complex(format!(
                        "the document nests brackets more than {MAX_NESTING} deep; nest less"
                    )));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn nul_refused() -> Error {
    Error::bad_input("text may not contain the NUL character (U+0000)")
}

/// Whether a string in `value` (a literal or the variables, seen through their JSON form) holds a
/// NUL character.
fn holds_nul(value: &impl serde::Serialize) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || walk(v)),
            _ => false,
        }
    }
    serde_json::to_value(value).is_ok_and(|v| walk(&v))
}

/// Refuses a NUL character in any string of the variables.
pub fn check_variables(variables: &Variables) -> Result<(), Error> {
    if holds_nul(variables) { Err(nul_refused()) } else { Ok(()) }
}

/// Refuses a NUL character in any string literal of the document: arguments, directives and
/// variables' defaults. The walk is bounded by [`check_nesting`], which runs first.
pub fn check_literals(document: &ExecutableDocument) -> Result<(), Error> {
    fn arguments<V: serde::Serialize>(args: &[(Positioned<Name>, Positioned<V>)]) -> bool {
        args.iter().any(|(_, v)| holds_nul(&v.node))
    }
    fn directives(list: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
        list.iter().any(|d| arguments(&d.node.arguments))
    }
    fn selections(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                arguments(&f.node.arguments) || directives(&f.node.directives) || selections(&f.node.selection_set.node)
            }
            Selection::FragmentSpread(s) => directives(&s.node.directives),
            Selection::InlineFragment(i) => directives(&i.node.directives) || selections(&i.node.selection_set.node),
        })
    }
    let operations = document.operations.iter().any(|(_, op)| {
        let op = &op.node;
        directives(&op.directives)
            || selections(&op.selection_set.node)
            || op.variable_definitions.iter().any(|v| {
                directives(&v.node.directives) || v.node.default_value.as_ref().is_some_and(|d| holds_nul(&d.node))
            })
    });
    let fragments =
        document.fragments.values().any(|f| directives(&f.node.directives) || selections(&f.node.selection_set.node));
    if operations || fragments { Err(nul_refused()) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{{ nodes(ids: {}\"x\"{}) {{ id }} }}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing_and_shallow_is_not() {
        // 2,000 levels crashed the server before this guard existed.
        let err = check_nesting(&nested(2000)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::QueryTooComplex);
        assert!(err.message.contains("128"), "{}", err.message);
        // The query's own two levels plus the list.
        assert!(check_nesting(&nested(MAX_NESTING - 2)).is_ok());
        assert!(check_nesting(&nested(MAX_NESTING - 1)).is_err());
        let selections = format!("{}{}", "{ a ".repeat(64), "}".repeat(64));
        assert!(check_nesting(&selections).is_ok(), "what the parser accepts passes");
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let deep = "[".repeat(500);
        for document in [
            format!("{{ search(query: \"{deep}\") {{ totalCount }} }}"),
            format!("{{ search(query: \"\\\"{deep}\") {{ totalCount }} }}"),
            format!("{{ search(query: \"\"\"{deep} \\\"\"\" {deep}\"\"\") {{ totalCount }} }}"),
            format!("# {deep}\n{{ agencies {{ totalCount }} }}"),
        ] {
            assert!(check_nesting(&document).is_ok(), "{document}");
        }
        // An unterminated string ends the scan quietly; the parser reports it.
        assert!(check_nesting("{ a(b: \"[[[[").is_ok());
    }

    #[test]
    fn nul_characters_are_refused_wherever_a_string_can_hold_one() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        for document in [
            r#"{ search(query: "a\u0000b") { totalCount } }"#,
            r#"query($q: String = "\u0000") { search(query: $q) { totalCount } }"#,
            r#"{ agencies @include(if: true) { nodes { name(lang: "\u0000") } } }"#,
            r#"{ ...F } fragment F on Query { agency(code: "\u0000") { code } }"#,
            r#"{ ... on Query { tasks(filter: {agencyCode: ["x", {a: "\u0000"}]}) { totalCount } } }"#,
        ] {
            let err = check_literals(&parse(document)).expect_err(document);
            assert_eq!(err.code, crate::error::ErrorCode::BadUserInput);
            assert!(err.message.contains("U+0000"), "{}", err.message);
        }
        assert!(check_literals(&parse(r#"{ search(query: "\\u0000 is how it is written") { totalCount } }"#)).is_ok());
        let variables = |v: serde_json::Value| Variables::from_json(v);
        assert!(check_variables(&variables(serde_json::json!({"i": {"items": [{"name": "a\u{0}"}]}}))).is_err());
        assert!(check_variables(&variables(serde_json::json!({"i": {"name": "Sở Thông tin"}}))).is_ok());
    }

    #[test]
    fn closing_brackets_cannot_bank_depth() {
        let document = format!("{}{}", "]".repeat(1000), "[".repeat(MAX_NESTING + 1));
        assert!(check_nesting(&document).is_err());
    }
}
