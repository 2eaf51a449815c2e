//! Logging and detection: CloudTrail trails (status, event selectors), GuardDuty detectors
//! and Config recorders.

use crate::snapshot::kind;
use std::collections::BTreeMap;

use aws_sdk_cloudtrail as cloudtrail;
use aws_sdk_config as config;
use aws_sdk_guardduty as guardduty;
use futures::future::join_all;
use serde_json::{Map, Value as Json};

use super::{Ctx, all_pages, classify, to_utc};
use crate::snapshot::{
    ConfigRecorder, DataResource, EventSelector, GuardDutyDetector, Trail, TrailStatus,
};

const TRAILS_ACCOUNT: &str = kind::AWS_CLOUDTRAIL_ACCOUNT;
const TRAIL: &str = kind::AWS_CLOUDTRAIL_TRAIL;

/// Every trail visible from the scanned regions, de-duplicated by ARN, with its status and
/// event selectors read from its home region.
pub(crate) async fn collect_trails(ctx: &Ctx, regions: &[String]) -> Vec<Trail> {
    let listed = join_all(regions.iter().map(|r| describe_trails(ctx, r))).await;
    // ARN → (a region it was listed in, the trail).
    let mut unique: BTreeMap<String, (&str, cloudtrail::types::Trail)> = BTreeMap::new();
    for (region, trails) in regions.iter().zip(listed) {
        for trail in trails {
            let Some(arn) = trail.trail_arn().map(str::to_owned) else {
                continue;
            };
            unique.entry(arn).or_insert((region.as_str(), trail));
        }
    }
    join_all(
        unique
            .into_iter()
            .map(|(arn, (region, trail))| trail_details(ctx, arn, region, trail)),
    )
    .await
}

/// `DescribeTrails` in one region, shadow trails included (a multi-region or organization
/// trail shows up in every region it covers).
async fn describe_trails(ctx: &Ctx, region: &str) -> Vec<cloudtrail::types::Trail> {
    let op = "cloudtrail:DescribeTrails";
    let client = cloudtrail::Client::new(&ctx.regional(region));
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
    };
    match result {
        Ok(out) => out.trail_list().to_vec(),
        Err(err) => {
            let failure = classify(&err);
            ctx.gap(TRAILS_ACCOUNT, None, None, &["trails"], op, failure.clone());
            ctx.gap(TRAIL, Some(region), None, &[], op, failure);
            Vec::new()
        }
    }
}

/// One trail with its status and event selectors, read in its home region.
async fn trail_details(
    ctx: &Ctx,
    arn: String,
    listed_in: &str,
    t: cloudtrail::types::Trail,
) -> Trail {
    let home = t.home_region().unwrap_or(listed_in).to_owned();
    let client = cloudtrail::Client::new(&ctx.regional(&home));
    let (status, selectors) = tokio::join!(
        trail_status(ctx, &client, &arn, &home),
        event_selectors(ctx, &client, &arn, &home)
    );
    let (event_selectors, advanced_event_selectors) = selectors;
    Trail {
        name: t.name().unwrap_or(&arn).to_owned(),
        home_region: home,
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().map(str::to_owned),
        s3_bucket_name: t.s3_bucket_name().map(str::to_owned),
        cloudwatch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_owned),
        arn,
        status,
        event_selectors,
        advanced_event_selectors,
    }
}

async fn trail_status(
    ctx: &Ctx,
    client: &cloudtrail::Client,
    arn: &str,
    home: &str,
) -> TrailStatus {
    let op = "cloudtrail:GetTrailStatus";
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client.get_trail_status().name(arn).send().await
    };
    match result {
        Ok(out) => TrailStatus {
            is_logging: out.is_logging().unwrap_or(false),
            latest_delivery_time: out.latest_delivery_time().and_then(to_utc),
            latest_delivery_error: out
                .latest_delivery_error()
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        },
        Err(err) => {
            let failure = classify(&err);
            ctx.gap(
                TRAIL,
                Some(home),
                Some(arn),
                &["status"],
                op,
                failure.clone(),
            );
            ctx.gap(TRAILS_ACCOUNT, None, None, &["trails"], op, failure);
            TrailStatus::default()
        }
    }
}

async fn event_selectors(
    ctx: &Ctx,
    client: &cloudtrail::Client,
    arn: &str,
    home: &str,
) -> (Vec<EventSelector>, Vec<Json>) {
    let op = "cloudtrail:GetEventSelectors";
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client.get_event_selectors().trail_name(arn).send().await
    };
    match result {
        Ok(out) => (
            out.event_selectors().iter().map(event_selector).collect(),
            out.advanced_event_selectors()
                .iter()
                .map(advanced_selector)
                .collect(),
        ),
        Err(err) => {
            let failure = classify(&err);
            ctx.gap(
                TRAIL,
                Some(home),
                Some(arn),
                &["event_selectors", "advanced_event_selectors"],
                op,
                failure.clone(),
            );
            ctx.gap(TRAILS_ACCOUNT, None, None, &["trails"], op, failure);
            (Vec::new(), Vec::new())
        }
    }
}

fn event_selector(s: &cloudtrail::types::EventSelector) -> EventSelector {
    EventSelector {
        // AWS's defaults when a selector leaves them out.
        read_write_type: s.read_write_type().map_or("All", |t| t.as_str()).to_owned(),
        include_management_events: s.include_management_events().unwrap_or(true),
        data_resources: s
            .data_resources()
            .iter()
            .map(|d| DataResource {
                resource_type: d.r#type().unwrap_or_default().to_owned(),
                values: d.values().to_vec(),
            })
            .collect(),
    }
}

/// An advanced event selector in the API's own JSON shape (`Name`, `FieldSelectors` with
/// `Field`, `Equals`, `StartsWith`, …), leaving out absent keys, so that rules can match
/// field selectors such as `{"Field": "eventCategory", "Equals": ["Management"]}` exactly.
fn advanced_selector(s: &cloudtrail::types::AdvancedEventSelector) -> Json {
    let mut out = Map::new();
    if let Some(name) = s.name() {
        out.insert("Name".into(), Json::from(name));
    }
    let fields: Vec<Json> = s
        .field_selectors()
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("Field".into(), Json::from(f.field()));
            for (key, values) in [
                ("Equals", f.equals()),
                ("StartsWith", f.starts_with()),
                ("EndsWith", f.ends_with()),
                ("NotEquals", f.not_equals()),
                ("NotStartsWith", f.not_starts_with()),
                ("NotEndsWith", f.not_ends_with()),
            ] {
                if !values.is_empty() {
                    m.insert(key.into(), Json::from(values.to_vec()));
                }
            }
            Json::Object(m)
        })
        .collect();
    out.insert("FieldSelectors".into(), Json::Array(fields));
    Json::Object(out)
}

/// GuardDuty detectors and Config recorders of one region.
pub(crate) async fn collect_detection(
    ctx: &Ctx,
    region: &str,
) -> (Vec<GuardDutyDetector>, Vec<ConfigRecorder>) {
    tokio::join!(detectors(ctx, region), recorders(ctx, region))
}

async fn detectors(ctx: &Ctx, region: &str) -> Vec<GuardDutyDetector> {
    let kind = kind::AWS_GUARDDUTY_REGION;
    let client = guardduty::Client::new(&ctx.regional(region));
    let op = "guardduty:ListDetectors";
    let (mut ids, failure) = all_pages(ctx, op, |token| {
        let req = client
            .list_detectors()
            .max_results(50)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            Ok((
                out.detector_ids().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        }
    })
    .await;
    if let Some(failure) = failure {
        ctx.gap(kind, Some(region), None, &["detectors"], op, failure);
    }
    ids.sort();
    ids.dedup();
    let details = join_all(ids.into_iter().map(|id| {
        let client = &client;
        async move {
            let op = "guardduty:GetDetector";
            let result = {
                let _p = ctx.permit().await;
                ctx.count(op);
                client.get_detector().detector_id(&id).send().await
            };
            match result {
                Ok(out) => Some(GuardDutyDetector {
                    status: out
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    finding_publishing_frequency: out
                        .finding_publishing_frequency()
                        .map(|f| f.as_str().to_owned()),
                    features: out
                        .features()
                        .iter()
                        .filter_map(|f| {
                            Some((
                                f.name()?.as_str().to_owned(),
                                f.status()?.as_str().to_owned(),
                            ))
                        })
                        .collect(),
                    id,
                }),
                Err(err) => {
                    ctx.gap(kind, Some(region), None, &["detectors"], op, classify(&err));
                    None
                }
            }
        }
    }))
    .await;
    details.into_iter().flatten().collect()
}

async fn recorders(ctx: &Ctx, region: &str) -> Vec<ConfigRecorder> {
    let kind = kind::AWS_CONFIG_REGION;
    let client = config::Client::new(&ctx.regional(region));
    let op = "config:DescribeConfigurationRecorders";
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client.describe_configuration_recorders().send().await
    };
    let mut recorders: Vec<ConfigRecorder> = match result {
        Ok(out) => out
            .configuration_recorders()
            .iter()
            .map(|r| ConfigRecorder {
                name: r.name().unwrap_or_default().to_owned(),
                all_supported: r.recording_group().is_some_and(|g| g.all_supported()),
                include_global_resource_types: r
                    .recording_group()
                    .is_some_and(|g| g.include_global_resource_types()),
                recording: false,
                last_status: None,
            })
            .collect(),
        Err(err) => {
            ctx.gap(kind, Some(region), None, &["recorders"], op, classify(&err));
            return Vec::new();
        }
    };
    recorders.sort_by(|a, b| a.name.cmp(&b.name));
    if recorders.is_empty() {
        return recorders;
    }

    let op = "config:DescribeConfigurationRecorderStatus";
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client.describe_configuration_recorder_status().send().await
    };
    match result {
        Ok(out) => {
            for status in out.configuration_recorders_status() {
                if let Some(r) = recorders
                    .iter_mut()
                    .find(|r| Some(r.name.as_str()) == status.name())
                {
                    r.recording = status.recording();
                    r.last_status = status.last_status().map(|s| s.as_str().to_owned());
                }
            }
        }
        // Recorders are listed as not recording, but the gap makes rules not-assessed.
        Err(err) => ctx.gap(kind, Some(region), None, &["recorders"], op, classify(&err)),
    }
    recorders
}

#[cfg(test)]
mod tests {
    use super::super::network::tests::{scopes, unreachable};
    use super::*;

    #[tokio::test]
    async fn failed_listings_become_gaps() {
        let ctx = unreachable().await;
        let regions = ["eu-west-1".to_owned(), "us-east-1".to_owned()];
        let trails = collect_trails(&ctx, &regions).await;
        assert!(trails.is_empty());
        let (detectors, recorders) = collect_detection(&ctx, "eu-west-1").await;
        assert!(detectors.is_empty() && recorders.is_empty());
        let region = |r: &str| Some(r.to_owned());
        let mut expected = vec![
            (
                TRAILS_ACCOUNT.to_owned(),
                None,
                vec!["trails".to_owned()],
                "cloudtrail:DescribeTrails".to_owned(),
            ),
            (
                TRAIL.to_owned(),
                region("eu-west-1"),
                vec![],
                "cloudtrail:DescribeTrails".to_owned(),
            ),
            (
                TRAIL.to_owned(),
                region("us-east-1"),
                vec![],
                "cloudtrail:DescribeTrails".to_owned(),
            ),
            (
                kind::AWS_GUARDDUTY_REGION.to_owned(),
                region("eu-west-1"),
                vec!["detectors".to_owned()],
                "guardduty:ListDetectors".to_owned(),
            ),
            (
                kind::AWS_CONFIG_REGION.to_owned(),
                region("eu-west-1"),
                vec!["recorders".to_owned()],
                "config:DescribeConfigurationRecorders".to_owned(),
            ),
        ];
        expected.sort();
        let gaps = ctx.into_gaps();
        // The account-wide trails gap is recorded once per region; it may differ only in
        // its message.
        let mut got = scopes(&gaps);
        got.dedup();
        assert_eq!(got, expected);
        assert!(gaps.iter().any(|g| g.covers(
            TRAILS_ACCOUNT,
            "111122223333",
            None,
            "arn:aws:cloudtrail::111122223333:trails",
            "trails"
        )));
    }

    #[test]
    fn advanced_selectors_keep_the_api_shape() {
        let selector = cloudtrail::types::AdvancedEventSelector::builder()
            .field_selectors(
                cloudtrail::types::AdvancedFieldSelector::builder()
                    .field("eventCategory")
                    .equals("Data")
                    .build()
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .field_selectors(
                cloudtrail::types::AdvancedFieldSelector::builder()
                    .field("resources.ARN")
                    .starts_with("arn:aws:s3:::bucket/")
                    .build()
                    .unwrap_or_else(|e| panic!("{e}")),
            )
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            advanced_selector(&selector),
            serde_json::json!({"FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::bucket/"]},
            ]})
        );
    }
}
