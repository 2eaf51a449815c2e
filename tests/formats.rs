//! Machine formats from the real binary: SARIF, JUnit XML, CSV and OCSF on the sample (as
//! reviewed snapshots), their structure, hostile account data, and --output-dir.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod hostile;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{onus, stderr};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// The sample's report in one format, which must succeed.
fn sample(format: &str) -> String {
    let out = onus(&["evaluate", "--sample", "-f", format]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn sample_json() -> serde_json::Value {
    serde_json::from_str(&sample("json")).unwrap()
}

/// Results in the JSON report with this status.
fn count(json: &serde_json::Value, status: &str) -> usize {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == status)
        .count()
}

#[test]
fn sample_sarif_is_as_reviewed() {
    insta::assert_snapshot!(sample("sarif"));
}

#[test]
fn sample_junit_is_as_reviewed() {
    insta::assert_snapshot!(sample("junit"));
}

#[test]
fn sample_csv_is_as_reviewed() {
    insta::assert_snapshot!(sample("csv"));
}

#[test]
fn sample_ocsf_is_as_reviewed() {
    insta::assert_snapshot!(sample("ocsf"));
}

/// Validates a SARIF log against the official SARIF 2.1.0 JSON schema (shipped in
/// `tests/schemas/`), with format assertions (URIs, date-times) on.
fn assert_valid_sarif(text: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource("file:///sarif-schema-2.1.0.json", schema)
        .unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile("file:///sarif-schema-2.1.0.json", &mut schemas)
        .unwrap();
    let log: serde_json::Value = serde_json::from_str(text).unwrap();
    if let Err(e) = schemas.validate(&log, index) {
        panic!("SARIF does not validate against the 2.1.0 schema: {e:#}");
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    assert_valid_sarif(&sample("sarif"));
    assert_valid_sarif(&hostile("sarif"));
    // The validator does reject what the schema forbids: a result without a message.
    let mut broken: serde_json::Value = serde_json::from_str(&sample("sarif")).unwrap();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let caught = std::panic::catch_unwind(|| assert_valid_sarif(&broken.to_string()));
    assert!(caught.is_err(), "a result without a message validated");
}

#[test]
fn sarif_is_2_1_0_with_consistent_rules_and_unique_fingerprints() {
    let sarif: serde_json::Value = serde_json::from_str(&sample("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "onus");
    assert!(driver.get("informationUri").is_none());
    let rules = driver["rules"].as_array().unwrap();
    for rule in rules {
        for key in ["id", "name", "shortDescription", "fullDescription", "help"] {
            assert!(rule.get(key).is_some(), "rule lacks {key}: {rule}");
        }
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        if let Some(uri) = rule.get("helpUri") {
            assert!(uri.as_str().unwrap().starts_with("https://"));
        }
    }

    let results = runs[0]["results"].as_array().unwrap();
    let json = sample_json();
    assert_eq!(
        results.len(),
        count(&json, "fail") + count(&json, "not-assessed"),
        "SARIF holds the failures and the not-assessed results, not the passes"
    );
    let mut fingerprints = BTreeSet::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
        match result["kind"].as_str().unwrap() {
            "fail" => {
                assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()))
            }
            "open" => assert_eq!(result["level"], "none"),
            other => panic!("unexpected kind {other}"),
        }
        let location = &result["locations"][0];
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.contains(':'), "a URI scheme or raw ARN in {uri}");
        assert_eq!(location["logicalLocations"][0]["kind"], "resource");
        let fingerprint = result["partialFingerprints"]["onus/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fingerprint.to_owned()),
            "duplicate fingerprint {fingerprint}"
        );
    }
}

/// Test suites and cases of a JUnit report: per suite name, its counts as written and as
/// counted from the test cases, and every test case's name.
#[derive(Default, Debug)]
struct Junit {
    suites: BTreeMap<String, Suite>,
    case_names: Vec<String>,
}

#[derive(Default, Debug)]
struct Suite {
    declared: [usize; 3],
    tests: usize,
    failures: usize,
    skipped: usize,
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .map(|a| a.unwrap())
        .find(|a| a.key.as_ref() == name.as_bytes())
        .unwrap_or_else(|| panic!("no attribute {name}"))
        .normalized_value(XmlVersion::Explicit1_0)
        .unwrap()
        .into_owned()
}

fn parse_junit(xml: &str) -> Junit {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut junit = Junit::default();
    let mut suite = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuite" => {
                    suite = attr(&e, "name");
                    let n = |a| attr(&e, a).parse::<usize>().unwrap();
                    junit.suites.entry(suite.clone()).or_default().declared =
                        [n("tests"), n("failures"), n("skipped")];
                }
                b"testcase" => {
                    junit.suites.get_mut(&suite).unwrap().tests += 1;
                    junit.case_names.push(attr(&e, "name"));
                }
                b"failure" => {
                    attr(&e, "type");
                    junit.suites.get_mut(&suite).unwrap().failures += 1;
                }
                b"skipped" => junit.suites.get_mut(&suite).unwrap().skipped += 1,
                _ => {}
            },
            _ => {}
        }
    }
    junit
}

#[test]
fn junit_parses_and_its_counts_match_the_json_results() {
    let junit = parse_junit(&sample("junit"));
    let json = sample_json();
    let mut expected: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for r in json["results"].as_array().unwrap() {
        let counts = expected
            .entry(r["rule"].as_str().unwrap().to_owned())
            .or_default();
        counts[0] += 1;
        match r["status"].as_str().unwrap() {
            "fail" => counts[1] += 1,
            "not-assessed" => counts[2] += 1,
            _ => {}
        }
    }
    let actual: BTreeMap<String, [usize; 3]> = junit
        .suites
        .iter()
        .map(|(name, s)| {
            assert_eq!(
                s.declared,
                [s.tests, s.failures, s.skipped],
                "suite {name}'s counts disagree with its test cases"
            );
            (name.clone(), s.declared)
        })
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn csv_has_a_header_and_a_row_per_result() {
    let csv = sample("csv");
    let json = sample_json();
    assert!(csv.starts_with(
        "rule,status,severity,layer,model,owner,kind,id,name,account,region,message,fingerprint,waiver_reason,waiver_owner,waiver_ticket,waiver_expires\r\n"
    ));
    assert!(csv.ends_with("\r\n"));
    // The sample's messages hold no line breaks, so records are lines.
    assert_eq!(
        csv.split("\r\n").count() - 2,
        json["results"].as_array().unwrap().len()
    );
}

#[test]
fn ocsf_has_one_detection_finding_per_failure() {
    let events: serde_json::Value = serde_json::from_str(&sample("ocsf")).unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), count(&sample_json(), "fail"));
    for e in events {
        assert_eq!(e["class_uid"], 2004);
        assert_eq!(e["category_uid"], 2);
        assert_eq!(e["activity_id"], 1);
        assert_eq!(e["type_uid"], 200401);
        assert!((1..=5).contains(&e["severity_id"].as_u64().unwrap()));
        assert_eq!(e["metadata"]["version"], "1.1.0");
        assert_eq!(e["metadata"]["product"]["name"], "onus");
        assert_eq!(e["cloud"]["provider"], "AWS");
        assert!(e["time"].as_i64().unwrap() > 1_700_000_000_000);
        assert!(e["finding_info"]["uid"].is_string());
        assert!(e["finding_info"]["title"].is_string());
        assert!(e["resources"][0]["uid"].is_string());
        assert!(e["unmapped"]["onus"]["matrix"]["owner"].is_string());
    }
}

/// A user name that is a spreadsheet formula, markup, quotes and control characters.
const HOSTILE_NAME: &str =
    "=HYPERLINK(\"http://x\",\"y\")<script>alert(1)</script>&amp;'\u{1}\u{1b}[31m\ttab";

fn hostile_snapshot(dir: &Path) -> PathBuf {
    hostile::snapshot(dir, HOSTILE_NAME)
}

fn hostile(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let snap = hostile_snapshot(dir.path());
    let out = onus(&["evaluate", snap.to_str().unwrap(), "-f", format]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn hostile_names_stay_escaped_in_junit() {
    let xml = hostile("junit");
    assert!(!xml.contains("<script"), "markup reached the XML");
    assert!(
        !xml.chars()
            .any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')),
        "a character XML 1.0 cannot carry reached the XML"
    );
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&apos;"));
    let junit = parse_junit(&xml);
    let without_controls: String = HOSTILE_NAME
        .chars()
        .filter(|c| !c.is_ascii_control() || *c == '\t')
        .collect();
    let expected = format!("{without_controls} (arn:aws:iam::111122223333:user/x)");
    assert!(
        junit.case_names.contains(&expected),
        "the hostile name does not read back as itself: {:?}",
        junit.case_names
    );
}

#[test]
fn hostile_names_are_neutralised_in_csv() {
    let csv = hostile("csv");
    let quoted = format!("\"'{}\"", HOSTILE_NAME.replace('"', "\"\""));
    assert!(
        csv.contains(&format!(",{quoted},")),
        "the name is not a quoted, '-prefixed cell: {csv}"
    );
    for line in csv.split("\r\n") {
        for cell in line.split(',') {
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a cell starts a formula: {cell}"
            );
        }
    }
}

#[test]
fn hostile_names_are_json_strings_in_sarif_and_ocsf() {
    for format in ["sarif", "ocsf"] {
        let text = hostile(format);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            text.contains("\\u001b"),
            "{format}: control characters are escaped"
        );
        let names = serde_json::to_string(&value).unwrap();
        assert!(names.contains(&serde_json::to_string(HOSTILE_NAME).unwrap()[1..20]));
    }
}

#[test]
fn output_dir_writes_every_format_and_matches_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("reports");
    let formats = [
        "json", "sarif", "junit", "csv", "ocsf", "md", "html", "text",
    ];
    let mut args = vec!["evaluate", "--sample"];
    for f in formats {
        args.extend(["-f", f]);
    }
    args.extend(["--output-dir", out_dir.to_str().unwrap()]);
    let out = onus(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let files = [
        "onus.json",
        "onus.sarif",
        "onus.junit.xml",
        "onus.csv",
        "onus.ocsf.json",
        "onus.md",
        "onus.html",
        "onus.txt",
    ];
    let written: BTreeSet<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(written, files.iter().map(|f| (*f).to_owned()).collect());
    for (format, file) in formats.iter().zip(files) {
        assert_eq!(
            std::fs::read_to_string(out_dir.join(file)).unwrap(),
            sample(format),
            "{file} differs from -f {format} on standard output"
        );
    }
}

#[test]
fn several_formats_without_output_dir_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report");
    let file = file.to_str().unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    for (args, says) in [
        (vec!["-f", "json", "-f", "sarif"], "--output-dir"),
        (
            vec!["-f", "json", "-f", "sarif", "-o", file],
            "--output takes one format",
        ),
        (
            vec!["-f", "json", "-o", file, "--output-dir", out_dir],
            "--output-dir",
        ),
    ] {
        let mut full = vec!["evaluate", "--sample"];
        full.extend(args.iter());
        let out = onus(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?} wrote to standard output");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a failed run wrote a file"
    );
}

#[test]
fn one_format_with_output_writes_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.sarif");
    let out = onus(&[
        "evaluate",
        "--sample",
        "-f",
        "sarif",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), sample("sarif"));
}

/// The sample in one format with a waiver file accepting the www bucket's public access and
/// the open trust of the partner role.
fn waived(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("waivers.yaml");
    std::fs::write(
        &config,
        "\
waivers:
  - rule: aws-s3-bucket-public-*
    resource: \"arn:aws:s3:::*-www\"
    reason: static website, approved by the security team
    owner: platform-team
    ticket: SEC-123
    expires: 2099-12-31
  - rule: aws-iam-role-trust-allows-anyone
    resource: edi-partner-upload
    reason: partner upload role, trust reviewed
",
    )
    .unwrap();
    let out = onus(&[
        "evaluate",
        "--sample",
        "-f",
        format,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn waived_failures_are_marked_in_every_machine_format() {
    let json: serde_json::Value = serde_json::from_str(&waived("json")).unwrap();
    let waived_fingerprints: BTreeSet<String> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("waiver").is_some())
        .map(|r| r["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    assert!(waived_fingerprints.len() >= 2, "{waived_fingerprints:?}");

    // SARIF: an accepted external suppression with the reason, on exactly those results.
    let sarif_text = waived("sarif");
    assert_valid_sarif(&sarif_text);
    let sarif: serde_json::Value = serde_json::from_str(&sarif_text).unwrap();
    let suppressed: BTreeSet<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let s = r.get("suppressions")?;
            assert_eq!(s[0]["kind"], "external");
            assert_eq!(s[0]["status"], "accepted");
            assert!(
                s[0]["justification"].as_str().unwrap().contains("reviewed")
                    || s[0]["justification"]
                        .as_str()
                        .unwrap()
                        .contains("static website")
            );
            Some(
                r["partialFingerprints"]["onus/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(suppressed, waived_fingerprints);

    // JUnit: waived failures are skipped with the reason, not failures.
    let junit_text = waived("junit");
    let junit = parse_junit(&junit_text);
    let plain = parse_junit(&sample("junit"));
    let total = |j: &Junit, i: usize| j.suites.values().map(|s| s.declared[i]).sum::<usize>();
    assert_eq!(
        total(&junit, 1),
        total(&plain, 1) - waived_fingerprints.len()
    );
    assert_eq!(
        total(&junit, 2),
        total(&plain, 2) + waived_fingerprints.len()
    );
    assert!(junit_text.contains("waived: static website, approved by the security team"));

    // CSV: the waiver columns are filled on exactly the waived rows.
    let csv = waived("csv");
    let mut lines = csv.split("\r\n");
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let reason = header.iter().position(|h| *h == "waiver_reason").unwrap();
    assert_eq!(
        &header[reason..],
        [
            "waiver_reason",
            "waiver_owner",
            "waiver_ticket",
            "waiver_expires"
        ]
    );
    assert!(csv.contains(
        "static website, approved by the security team\",platform-team,SEC-123,2099-12-31\r\n"
    ));

    // OCSF: waived failures are "Suppressed" (status_id 3) with the reason.
    let ocsf: serde_json::Value = serde_json::from_str(&waived("ocsf")).unwrap();
    let suppressed: BTreeSet<String> = ocsf
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status_id"] == 3)
        .map(|e| {
            assert_eq!(e["status"], "Suppressed");
            assert!(e["status_detail"].as_str().unwrap().starts_with("waived: "));
            e["finding_info"]["uid"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(suppressed, waived_fingerprints);
}

#[test]
fn sarif_gate_exits_1_and_0_with_a_baseline_of_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("r.sarif");
    let gate = |extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            "samples/aws-demo.snapshot.json",
            "--format",
            "sarif",
            "--output",
            sarif.to_str().unwrap(),
            "--fail-on",
            "high",
        ];
        args.extend_from_slice(extra);
        onus(&args)
    };
    let out = gate(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let first = std::fs::read_to_string(&sarif).unwrap();
    assert_valid_sarif(&first);
    assert!(!first.contains("baselineState"));

    let results = dir.path().join("results.json");
    let out = onus(&[
        "evaluate",
        "samples/aws-demo.snapshot.json",
        "-f",
        "json",
        "-o",
        results.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let baseline = dir.path().join("baseline.json");
    let out = onus(&[
        "baseline",
        "create",
        results.to_str().unwrap(),
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = gate(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&sarif).unwrap();
    assert_valid_sarif(&text);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let expected = if r["kind"] == "fail" {
            serde_json::json!("unchanged")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(r["baselineState"], expected, "{r}");
    }
}
