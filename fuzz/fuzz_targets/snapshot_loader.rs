//! Snapshot loading never panics: arbitrary bytes as a JSON and as a YAML snapshot are
//! either a snapshot or an error with a position; a loaded snapshot saves and loads back
//! unchanged.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use onus::snapshot::{SnapshotFormat, load_str, to_string};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [SnapshotFormat::Json, SnapshotFormat::Yaml] {
        if let Ok(snapshot) = load_str(text, format, Path::new("fuzz")) {
            let saved = to_string(&snapshot, format).expect("a loaded snapshot serialises");
            let again =
                load_str(&saved, format, Path::new("fuzz-again")).expect("a saved snapshot loads");
            assert_eq!(snapshot, again, "round trip changed the snapshot");
        }
    }
});
