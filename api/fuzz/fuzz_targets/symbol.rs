//! The document symbol parser on arbitrary text: it must never panic, what it accepts must be
//! canonical (its normalised form parses back to the same symbol), and what it refuses must be
//! explained in a message of bounded length, whatever was pasted.

#![no_main]

use libfuzzer_sys::fuzz_target;

// The parser is pure and depends on two small crates; compiling its file alone keeps the
// instrumented build free of the service's database and HTTP stack.
#[allow(dead_code)]
#[path = "../../src/domain/symbol.rs"]
mod symbol;

use symbol::{DocumentSymbol, DocumentSystem};

/// Error messages quote at most 40 characters of the input; the rest is fixed text.
const MAX_MESSAGE_BYTES: usize = 600;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    match DocumentSymbol::parse(input) {
        Ok(symbol) => {
            let again = DocumentSymbol::parse(symbol.normalized())
                .unwrap_or_else(|e| panic!("{input:?} parsed as {symbol:?}, whose normal form is refused: {e}"));
            assert_eq!(again, symbol, "{input:?}: the normal form parses to another symbol");
            assert_eq!(symbol.to_string(), symbol.normalized());
            match symbol.system() {
                DocumentSystem::Party => {
                    assert!(symbol.year().is_none() && symbol.type_code().is_some() && symbol.unit().is_none());
                }
                DocumentSystem::State => {}
            }
            assert!(!symbol.issuer_code().is_empty() && !symbol.number().is_empty(), "{symbol:?}");
        }
        Err(e) => {
            assert!(e.message().len() <= MAX_MESSAGE_BYTES, "{input:?}: a message of {} bytes", e.message().len());
            assert!(e.message().contains("expected"), "{input:?}: {e}");
        }
    }
});
