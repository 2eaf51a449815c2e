//! Writing a results document: the bytes of one pretty serialisation, with its two long
//! arrays (the results, the privileged identities) serialised on every core.

use std::borrow::Cow;
use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use super::document::Document;
use crate::analyze::privileged::PrivilegedIdentity;
use crate::finding::Finding;

/// The document, written to `out` as it is serialised: the same bytes as
/// `serde_json::to_writer_pretty` of the whole document followed by a newline. The rest of the
/// document is serialised with the two long arrays empty, and the arrays are spliced in where
/// it holds `[]`.
pub fn write(doc: &Document<'_>, out: &mut dyn Write) -> Result<(), serde_json::Error> {
    let mut frame_doc = doc.borrowed();
    frame_doc.results = Cow::Borrowed(&[]);
    let identities = doc.privileged.as_ref().map(|p| &p.identities[..]);
    if let Some(p) = &doc.privileged {
        frame_doc.privileged = Some(Cow::Owned(p.without_identities()));
    }
    let frame = serde_json::to_vec_pretty(&frame_doc)?;
    let missing = |what: &str| {
        <serde_json::Error as serde::ser::Error>::custom(format!(
            "the {what} key is missing from the document"
        ))
    };
    let results_at = find(&frame, RESULTS_KEY, 0).ok_or_else(|| missing("results"))?;
    let mut splices: Vec<(usize, Splice<'_>)> = vec![(
        results_at + RESULTS_KEY.len(),
        Splice::Results(&doc.results),
    )];
    if let Some(identities) = identities {
        let privileged = find(&frame, PRIVILEGED_KEY, 0).ok_or_else(|| missing("privileged"))?;
        let at = find(&frame, IDENTITIES_KEY, privileged).ok_or_else(|| missing("identities"))?;
        splices.push((at + IDENTITIES_KEY.len(), Splice::Identities(identities)));
    }
    let io = serde_json::Error::io;
    let mut from = 0;
    for (end, splice) in splices {
        // `end` is just past the `[]` that the array replaces.
        out.write_all(&frame[from..end - 2]).map_err(io)?;
        match splice {
            Splice::Results(items) => write_array(items, out, 1, BATCH, BATCH / 32),
            Splice::Identities(items) => write_array(items, out, 2, BATCH / 16, BATCH / 512),
        }
        .map_err(io)?;
        from = end;
    }
    out.write_all(&frame[from..]).map_err(io)?;
    out.write_all(b"\n").map_err(io)?;
    Ok(())
}

/// An array written apart from the document.
enum Splice<'a> {
    Results(&'a [Finding]),
    Identities(&'a [PrivilegedIdentity]),
}

// How the spliced keys read in the pretty document when their arrays are empty. A key at a
// given indentation after a newline is a key at that depth: strings cannot hold raw newlines.
const RESULTS_KEY: &[u8] = b"\n  \"results\": []";
const PRIVILEGED_KEY: &[u8] = b"\n  \"privileged\": {";
const IDENTITIES_KEY: &[u8] = b"\n    \"identities\": []";

/// Where `needle` first occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Results per parallel batch: enough to keep every core busy, few enough to keep the
/// serialised batch small (about 12 MB).
const BATCH: usize = 16_384;

/// `items` as the pretty-printed array at nesting `depth`: `[`, each item indented by
/// `depth + 1` levels, the closing `]` by `depth`; `batch` items at a time, serialised in
/// parallel pieces of `piece` on another thread while this one writes the batch before.
fn write_array<T: Serialize + Sync>(
    items: &[T],
    out: &mut dyn std::io::Write,
    depth: usize,
    batch: usize,
    piece: usize,
) -> std::io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let indent = "  ".repeat(depth + 1);
    out.write_all(b"[\n")?;
    std::thread::scope(|scope| {
        // One serialised batch waits while the next is serialised and the one before written.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
        let indent = indent.as_bytes();
        let serialiser = scope.spawn(move || {
            for batch in items.chunks(batch) {
                let parts = batch
                    .par_chunks(piece)
                    .map(|chunk| {
                        let mut buf = Vec::new();
                        for item in chunk {
                            if !buf.is_empty() {
                                buf.extend_from_slice(b",\n");
                            }
                            indented(item, indent, &mut buf)?;
                        }
                        Ok(buf)
                    })
                    .collect::<Result<_, serde_json::Error>>()?;
                if tx.send(parts).is_err() {
                    break; // the writer stopped on an error of its own
                }
            }
            Ok::<(), serde_json::Error>(())
        });
        let written = (|| {
            let mut first = true;
            for part in rx.iter().flatten() {
                if !std::mem::take(&mut first) {
                    out.write_all(b",\n")?;
                }
                out.write_all(&part)?;
            }
            Ok::<(), std::io::Error>(())
        })();
        drop(rx);
        let serialised = serialiser
            .join()
            .unwrap_or_else(|_| Err(serde::ser::Error::custom("serialising panicked")));
        written?;
        serialised.map_err(std::io::Error::other)
    })?;
    out.write_all(b"\n")?;
    out.write_all(&indent.as_bytes()[2..])?;
    out.write_all(b"]")
}

/// One item, pretty-printed with every line indented by `indent`, appended to `buf`.
fn indented<T: Serialize>(
    item: &T,
    indent: &[u8],
    buf: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    let text = serde_json::to_vec_pretty(item)?;
    buf.extend_from_slice(indent);
    for line in text.split_inclusive(|&b| b == b'\n') {
        buf.extend_from_slice(line);
        if line.ends_with(b"\n") {
            buf.extend_from_slice(indent);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::{ResourceRef, Severity, Status};
    use crate::matrix::{Cell, Layer, Owner};

    fn finding(n: usize) -> Finding {
        Finding {
            rule: format!("rule-{}", n % 3).into(),
            status: Status::Fail,
            severity: Severity::High,
            resource: Arc::new(ResourceRef {
                kind: "aws.iam.user".into(),
                id: format!("arn:aws:iam::1:user/u{n}"),
                name: format!("u{n} \"quoted\"\n\u{2028}<b>"),
                region: n.is_multiple_of(2).then(|| "eu-west-1".to_owned()),
                account: "1".into(),
                tags: [("k".to_owned(), "v\tw".to_owned())].into(),
            }),
            matrix: Arc::new(Cell {
                layer: Layer::Identity,
                model: "iaas".into(),
                owner: Owner::Customer,
            }),
            message: format!("message {n}\r\n\\"),
            fingerprint: format!("{n:032x}"),
            waiver: None,
        }
    }

    /// The results as serialising them in one piece, inside a document, prints them.
    fn whole(results: &[Finding]) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            results: &'a [Finding],
        }
        let text = serde_json::to_string_pretty(&Doc { results }).unwrap();
        let body = text.strip_prefix("{\n  \"results\": ").unwrap();
        body.strip_suffix("\n}").unwrap().to_owned()
    }

    #[test]
    fn results_written_in_parallel_pieces_are_the_bytes_of_one_serialisation() {
        for n in [0, 1, 2, 5, 6, 11, 40] {
            let results: Vec<Finding> = (0..n).map(finding).collect();
            for (batch, piece) in [(5, 2), (4, 4), (1, 1), (100, 3)] {
                let mut out = Vec::new();
                write_array(&results, &mut out, 1, batch, piece).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    whole(&results),
                    "{n} results in batches of {batch}, pieces of {piece}"
                );
            }
        }
    }
}
