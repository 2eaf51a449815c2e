//! The logging and detection collector against moto: CloudTrail trails (status, classic and
//! advanced event selectors, home regions outside the scan), GuardDuty detectors and Config
//! recorders, scanned by the real binary; each rule has a resource that must fail and a twin
//! that must pass.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use serde_json::{Value, json};

use common::{Account, account, moto_url, scan_json};

#[track_caller]
fn expect(results: &Value, rule: &str, resource: &str, expected: Option<&str>) {
    common::expect_any(results, rule, resource, &[expected]);
}

/// Gaps recorded by the collectors under test (other collectors may hit moto's limits).
fn my_gaps(results: &Value) -> Vec<&Value> {
    results["snapshot"]["coverage_gaps"]
        .as_array()
        .map(|gaps| {
            gaps.iter()
                .filter(|g| {
                    g["operation"].as_str().is_some_and(|op| {
                        ["cloudtrail:", "guardduty:", "config:"]
                            .iter()
                            .any(|p| op.starts_with(p))
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Accepts success and "already there" (so a test can run again against the same server).
fn seeded<T, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    what: &str,
    result: Result<T, SdkError<E, R>>,
    already: &str,
) {
    if let Err(err) = result {
        assert!(err.code() == Some(already), "seeding {what}: {err:?}");
    }
}

fn regional(acct: &Account, region: &str) -> aws_config::SdkConfig {
    acct.config
        .to_builder()
        .region(aws_config::Region::new(region.to_owned()))
        .build()
}

fn cloudtrail(acct: &Account, region: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&regional(acct, region))
}

/// A bucket for trail logs, named after the account (bucket names are global in moto).
async fn log_bucket(acct: &Account) -> String {
    let name = format!("onus-{}-trail-logs", acct.id);
    let result = common::s3(acct)
        .create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await;
    if let Err(err) = result {
        assert!(
            err.code() == Some("BucketAlreadyOwnedByYou"),
            "CreateBucket: {err:?}"
        );
    }
    name
}

struct TrailSpec<'a> {
    name: &'a str,
    home: &'a str,
    multi_region: bool,
    validation: bool,
    logging: bool,
}

/// Creates (or finds) a trail and sets its logging state; returns its ARN.
async fn trail(acct: &Account, bucket: &str, spec: TrailSpec<'_>) -> String {
    let ct = cloudtrail(acct, spec.home);
    seeded(
        spec.name,
        ct.create_trail()
            .name(spec.name)
            .s3_bucket_name(bucket)
            .is_multi_region_trail(spec.multi_region)
            .enable_log_file_validation(spec.validation)
            .send()
            .await,
        "TrailAlreadyExistsException",
    );
    // Started and then stopped, or started.
    ct.start_logging()
        .name(spec.name)
        .send()
        .await
        .expect("StartLogging");
    if !spec.logging {
        ct.stop_logging()
            .name(spec.name)
            .send()
            .await
            .expect("StopLogging");
    }
    format!(
        "arn:aws:cloudtrail:{}:{}:trail/{}",
        spec.home, acct.id, spec.name
    )
}

fn account_trails(acct: &Account) -> String {
    format!("arn:aws:cloudtrail::{}:trails", acct.id)
}

fn snapshot_file(results_dir: &tempfile::TempDir) -> String {
    results_dir
        .path()
        .join("snapshot.json")
        .to_string_lossy()
        .into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn trails_logging_and_validation() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000011").await;
    let bucket = log_bucket(&acct).await;

    // Multi-region, validated, logging, with an advanced selector for management events.
    let good = trail(
        &acct,
        &bucket,
        TrailSpec {
            name: "onus-good",
            home: "eu-west-1",
            multi_region: true,
            validation: true,
            logging: true,
        },
    )
    .await;
    cloudtrail(&acct, "eu-west-1")
        .put_event_selectors()
        .trail_name("onus-good")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("management")
                .field_selectors(
                    AdvancedFieldSelector::builder()
                        .field("eventCategory")
                        .equals("Management")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("PutEventSelectors");
    // Single-region, not validated, stopped, homed in the other scanned region.
    let bad = trail(
        &acct,
        &bucket,
        TrailSpec {
            name: "onus-bad",
            home: "us-east-1",
            multi_region: false,
            validation: false,
            logging: false,
        },
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let snapshot_path = snapshot_file(&dir);
    let results = scan_json(
        &acct,
        &[
            "--regions",
            "eu-west-1,us-east-1",
            "--snapshot-out",
            &snapshot_path,
        ],
    );

    let not_logging = "aws-cloudtrail-trail-not-logging";
    expect(&results, not_logging, &good, Some("pass"));
    expect(&results, not_logging, &bad, Some("fail"));
    let validation = "aws-cloudtrail-trail-log-validation-disabled";
    expect(&results, validation, &good, Some("pass"));
    expect(&results, validation, &bad, Some("fail"));
    // The advanced selector counts as management-event logging on a multi-region trail...
    let account_id = account_trails(&acct);
    expect(
        &results,
        "aws-cloudtrail-no-multi-region-trail",
        &account_id,
        Some("pass"),
    );
    // ...but does not log S3 object-level data events.
    expect(
        &results,
        "aws-cloudtrail-s3-object-level-logging-missing",
        &account_id,
        Some("fail"),
    );
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );

    // The multi-region trail is listed in both regions but recorded once, and its advanced
    // selectors keep the API's shape.
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot_path).unwrap()).unwrap();
    let trails = snapshot["aws"]["accounts"][0]["cloudtrail"]
        .as_array()
        .unwrap();
    let arns: Vec<&str> = trails.iter().map(|t| t["arn"].as_str().unwrap()).collect();
    assert_eq!(arns, [good.as_str(), bad.as_str()], "trails sorted by ARN");
    let good_trail = &trails[0];
    assert_eq!(good_trail["home_region"], "eu-west-1");
    assert_eq!(
        good_trail["advanced_event_selectors"],
        json!([{"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}])
    );
    assert_eq!(trails[1]["home_region"], "us-east-1");
    assert_eq!(trails[1]["status"]["is_logging"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_multi_region_trail() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000012").await;
    let bucket = log_bucket(&acct).await;
    let stopped = trail(
        &acct,
        &bucket,
        TrailSpec {
            name: "onus-stopped",
            home: "eu-west-1",
            multi_region: false,
            validation: true,
            logging: false,
        },
    )
    .await;

    let results = scan_json(&acct, &["--regions", "eu-west-1"]);
    expect(
        &results,
        "aws-cloudtrail-trail-not-logging",
        &stopped,
        Some("fail"),
    );
    expect(
        &results,
        "aws-cloudtrail-no-multi-region-trail",
        &account_trails(&acct),
        Some("fail"),
    );
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trail_homed_outside_the_scanned_regions() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000013").await;
    let bucket = log_bucket(&acct).await;
    // Multi-region, homed in us-east-1, logging management and S3 data events (classic
    // selectors); only eu-west-1 is scanned.
    let remote = trail(
        &acct,
        &bucket,
        TrailSpec {
            name: "onus-remote",
            home: "us-east-1",
            multi_region: true,
            validation: true,
            logging: true,
        },
    )
    .await;
    cloudtrail(&acct, "us-east-1")
        .put_event_selectors()
        .trail_name("onus-remote")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("PutEventSelectors");

    let results = scan_json(&acct, &["--regions", "eu-west-1"]);
    // Its status comes from its home region.
    expect(
        &results,
        "aws-cloudtrail-trail-not-logging",
        &remote,
        Some("pass"),
    );
    let account_id = account_trails(&acct);
    expect(
        &results,
        "aws-cloudtrail-no-multi-region-trail",
        &account_id,
        Some("pass"),
    );
    expect(
        &results,
        "aws-cloudtrail-s3-object-level-logging-missing",
        &account_id,
        Some("pass"),
    );
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn guardduty_and_config_per_region() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000021").await;
    let eu = regional(&acct, "eu-west-1");

    // GuardDuty enabled in eu-west-1 only.
    let gd = aws_sdk_guardduty::Client::new(&eu);
    let existing = gd.list_detectors().send().await.expect("ListDetectors");
    if existing.detector_ids().is_empty() {
        gd.create_detector()
            .enable(true)
            .send()
            .await
            .expect("CreateDetector");
    }

    // A Config recorder for all resource types, recording, in eu-west-1 only.
    let bucket = log_bucket(&acct).await;
    let config = aws_sdk_config::Client::new(&eu);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{}:role/config", acct.id))
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("PutConfigurationRecorder");
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name(&bucket)
                .build(),
        )
        .send()
        .await
        .expect("PutDeliveryChannel");
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("StartConfigurationRecorder");

    let results = scan_json(&acct, &["--regions", "eu-west-1,us-east-1"]);
    let detectors = |region: &str| format!("arn:aws:guardduty:{region}:{}:detectors", acct.id);
    expect(
        &results,
        "aws-guardduty-disabled",
        &detectors("eu-west-1"),
        Some("pass"),
    );
    expect(
        &results,
        "aws-guardduty-disabled",
        &detectors("us-east-1"),
        Some("fail"),
    );
    let recorders = |region: &str| format!("arn:aws:config:{region}:{}:recorders", acct.id);
    expect(
        &results,
        "aws-config-recorder-disabled",
        &recorders("eu-west-1"),
        Some("pass"),
    );
    expect(
        &results,
        "aws-config-recorder-disabled",
        &recorders("us-east-1"),
        Some("fail"),
    );
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );
}
