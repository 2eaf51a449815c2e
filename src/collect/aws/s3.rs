//! S3: buckets with their ACL, policy, policy status, public-access block, encryption,
//! versioning, logging and ownership controls, and the account-level public-access block.

use crate::snapshot::kind;
use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::Value as Json;

use super::{Ctx, classify, error_code, to_utc};
use crate::snapshot::{
    Bucket, BucketAcl, BucketEncryption, BucketLogging, BucketVersioning, EncryptionRule, Grant,
    PublicAccessBlock, S3, Tags,
};

const BUCKET: &str = kind::AWS_S3_BUCKET;
const ACCOUNT: &str = kind::AWS_S3_ACCOUNT;
/// Buckets whose settings are read at the same time (each reads nine settings at once).
const BUCKET_CONCURRENCY: usize = 8;

pub(crate) async fn collect(ctx: &Ctx) -> S3 {
    let home = home_config(ctx);
    let clients = Clients::new(ctx, &home);
    let home_region = home
        .region()
        .map_or_else(|| "us-east-1".to_owned(), |r| r.to_string());
    let home_client = clients.get(&home_region);
    let (listed, account_public_access_block) = tokio::join!(
        list_buckets(ctx, &home_client),
        account_public_access_block(ctx, &home)
    );
    let mut buckets: Vec<Bucket> = futures::stream::iter(listed)
        .map(|b| bucket(ctx, &clients, &home_client, &home_region, b))
        .buffer_unordered(BUCKET_CONCURRENCY)
        .collect()
        .await;
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    S3 {
        account_public_access_block,
        buckets,
    }
}

/// The loaded configuration, or us-east-1 when no region is configured (S3 lists buckets of
/// every region from any of them).
fn home_config(ctx: &Ctx) -> SdkConfig {
    if ctx.config.region().is_some() {
        ctx.config.clone()
    } else {
        ctx.regional("us-east-1")
    }
}

/// One S3 client per region, made on first use.
struct Clients<'a> {
    ctx: &'a Ctx,
    home: &'a SdkConfig,
    by_region: Mutex<HashMap<String, Client>>,
}

impl<'a> Clients<'a> {
    fn new(ctx: &'a Ctx, home: &'a SdkConfig) -> Self {
        Clients {
            ctx,
            home,
            by_region: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, region: &str) -> Client {
        let make = || {
            let config = if self.home.region().is_some_and(|r| r.as_ref() == region) {
                self.home.clone()
            } else {
                self.ctx.regional(region)
            };
            Client::from_conf(
                aws_sdk_s3::config::Builder::from(&config)
                    // A local endpoint serves every bucket under one host name.
                    .force_path_style(self.ctx.endpoint_overridden)
                    .build(),
            )
        };
        match self.by_region.lock() {
            Ok(mut map) => map.entry(region.to_owned()).or_insert_with(make).clone(),
            Err(_) => make(),
        }
    }
}

struct Listed {
    name: String,
    created: Option<DateTime<Utc>>,
    region: Option<String>,
}

async fn list_buckets(ctx: &Ctx, client: &Client) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = {
            let _p = ctx.permit().await;
            ctx.count("s3:ListBuckets");
            client
                .list_buckets()
                // Asking for pages also makes S3 return each bucket's region.
                .max_buckets(1000)
                .set_continuation_token(token.clone())
                .send()
                .await
        };
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                ctx.gap(BUCKET, None, None, &[], "s3:ListBuckets", classify(&err));
                break;
            }
        };
        out.extend(page.buckets().iter().filter_map(|b| {
            Some(Listed {
                name: b.name()?.to_owned(),
                created: b.creation_date().and_then(to_utc),
                region: b
                    .bucket_region()
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned),
            })
        }));
        // A token that does not move on would loop forever.
        match page.continuation_token() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_owned()),
            _ => break,
        }
    }
    out
}

/// The region a `GetBucketLocation` constraint names (empty means us-east-1, `EU` eu-west-1).
fn location_region(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(r) => r.to_owned(),
    }
}

async fn bucket(
    ctx: &Ctx,
    clients: &Clients<'_>,
    home_client: &Client,
    home_region: &str,
    listed: Listed,
) -> Bucket {
    let name = listed.name;
    let arn = format!("arn:aws:s3:::{name}");
    let region = match listed.region {
        Some(region) => region,
        None => {
            let out = {
                let _p = ctx.permit().await;
                ctx.count("s3:GetBucketLocation");
                home_client.get_bucket_location().bucket(&name).send().await
            };
            match out {
                Ok(o) => location_region(o.location_constraint().map(|c| c.as_str())),
                Err(err) => {
                    // Read the rest through the home region; S3 may still answer.
                    ctx.gap(
                        BUCKET,
                        None,
                        Some(&arn),
                        &["region"],
                        "s3:GetBucketLocation",
                        classify(&err),
                    );
                    home_region.to_owned()
                }
            }
        }
    };
    let client = clients.get(&region);
    let r = Some(region.as_str());
    let gap = |fields: &[&str], operation: &str, error: (String, String)| {
        ctx.gap(BUCKET, r, Some(&arn), fields, operation, error);
    };

    let (acl, policy, public_access_block, encryption, versioning, logging, ownership, tags) = tokio::join!(
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketAcl");
            client.get_bucket_acl().bucket(&name).send().await
        },
        policy(ctx, &client, &name),
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetPublicAccessBlock");
            client.get_public_access_block().bucket(&name).send().await
        },
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketEncryption");
            client.get_bucket_encryption().bucket(&name).send().await
        },
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketVersioning");
            client.get_bucket_versioning().bucket(&name).send().await
        },
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketLogging");
            client.get_bucket_logging().bucket(&name).send().await
        },
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketOwnershipControls");
            client
                .get_bucket_ownership_controls()
                .bucket(&name)
                .send()
                .await
        },
        async {
            let _p = ctx.permit().await;
            ctx.count("s3:GetBucketTagging");
            client.get_bucket_tagging().bucket(&name).send().await
        },
    );

    let acl = match acl {
        Ok(o) => {
            let mut grants: Vec<Grant> = o
                .grants()
                .iter()
                .map(|g| {
                    let grantee = g.grantee();
                    Grant {
                        grantee_type: grantee
                            .map(|g| g.r#type().as_str().to_owned())
                            .unwrap_or_default(),
                        grantee_id: grantee.and_then(|g| g.id()).map(str::to_owned),
                        grantee_uri: grantee.and_then(|g| g.uri()).map(str::to_owned),
                        permission: g
                            .permission()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default(),
                    }
                })
                .collect();
            grants.sort_by(|a, b| {
                (
                    &a.grantee_type,
                    &a.grantee_id,
                    &a.grantee_uri,
                    &a.permission,
                )
                    .cmp(&(
                        &b.grantee_type,
                        &b.grantee_id,
                        &b.grantee_uri,
                        &b.permission,
                    ))
            });
            BucketAcl {
                owner_id: o
                    .owner()
                    .and_then(|o| o.id())
                    .unwrap_or_default()
                    .to_owned(),
                grants,
            }
        }
        Err(err) => {
            gap(&["acl"], "s3:GetBucketAcl", classify(&err));
            BucketAcl::default()
        }
    };

    let (policy, policy_is_public) = match policy {
        Ok(p) => p,
        Err((fields, operation, error)) => {
            gap(fields, operation, error);
            (None, Ok(None))
        }
    };
    let (policy, policy_is_public) = match (policy, policy_is_public) {
        (Some(doc), Err((operation, error))) => {
            gap(&["policy_is_public"], operation, error);
            (Some(doc), None)
        }
        (doc, Ok(public)) => (doc, public),
        (None, Err(_)) => (None, None),
    };

    let public_access_block = match public_access_block {
        Ok(o) => o
            .public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        Err(err) if error_code(&err) == Some("NoSuchPublicAccessBlockConfiguration") => None,
        Err(err) => {
            gap(
                &["public_access_block"],
                "s3:GetPublicAccessBlock",
                classify(&err),
            );
            None
        }
    };

    let encryption = match encryption {
        Ok(o) => o
            .server_side_encryption_configuration()
            .map(|c| BucketEncryption {
                rules: c
                    .rules()
                    .iter()
                    .filter_map(|r| {
                        let d = r.apply_server_side_encryption_by_default()?;
                        Some(EncryptionRule {
                            sse_algorithm: d.sse_algorithm().as_str().to_owned(),
                            kms_master_key_id: d.kms_master_key_id().map(str::to_owned),
                            bucket_key_enabled: r.bucket_key_enabled().unwrap_or(false),
                        })
                    })
                    .collect(),
            }),
        Err(err) if error_code(&err) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
            None
        }
        Err(err) => {
            gap(&["encryption"], "s3:GetBucketEncryption", classify(&err));
            None
        }
    };

    let versioning = match versioning {
        Ok(o) => BucketVersioning {
            status: o.status().map(|s| s.as_str().to_owned()),
            mfa_delete: o.mfa_delete().map(|s| s.as_str().to_owned()),
        },
        Err(err) => {
            gap(&["versioning"], "s3:GetBucketVersioning", classify(&err));
            BucketVersioning::default()
        }
    };

    let logging = match logging {
        Ok(o) => o.logging_enabled().map(|l| BucketLogging {
            target_bucket: l.target_bucket().to_owned(),
            target_prefix: l.target_prefix().to_owned(),
        }),
        Err(err) => {
            gap(&["logging"], "s3:GetBucketLogging", classify(&err));
            None
        }
    };

    let object_ownership = match ownership {
        Ok(o) => o
            .ownership_controls()
            .and_then(|c| c.rules().first())
            .map(|r| r.object_ownership().as_str().to_owned()),
        Err(err) if error_code(&err) == Some("OwnershipControlsNotFoundError") => None,
        Err(err) => {
            gap(
                &["object_ownership"],
                "s3:GetBucketOwnershipControls",
                classify(&err),
            );
            None
        }
    };

    let tags: Tags = match tags {
        Ok(o) => o
            .tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect(),
        Err(err) if error_code(&err) == Some("NoSuchTagSet") => Tags::new(),
        Err(err) => {
            gap(&["tags"], "s3:GetBucketTagging", classify(&err));
            Tags::new()
        }
    };

    Bucket {
        name,
        arn: arn.clone(),
        region,
        created: listed.created,
        acl,
        policy,
        policy_is_public,
        public_access_block,
        encryption,
        versioning,
        logging,
        object_ownership,
        tags,
    }
}

/// A failed read: the view fields it leaves unknown, the operation and the error.
type Failed = (&'static [&'static str], &'static str, (String, String));
/// The policy status, or why it is unknown.
type Status = Result<Option<bool>, (&'static str, (String, String))>;

/// The bucket policy (`None`: no policy) and, when there is one, AWS's verdict on it.
async fn policy(ctx: &Ctx, client: &Client, name: &str) -> Result<(Option<Json>, Status), Failed> {
    let out = {
        let _p = ctx.permit().await;
        ctx.count("s3:GetBucketPolicy");
        client.get_bucket_policy().bucket(name).send().await
    };
    let text = match out {
        Ok(o) => o.policy().map(str::to_owned),
        Err(err) if error_code(&err) == Some("NoSuchBucketPolicy") => None,
        Err(err) => {
            return Err((
                &["policy", "policy_is_public"],
                "s3:GetBucketPolicy",
                classify(&err),
            ));
        }
    };
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok((None, Ok(None)));
    };
    // A policy that will not parse stays a string, for the analyzer to report as malformed.
    let doc = serde_json::from_str(&text).unwrap_or(Json::String(text));
    let out = {
        let _p = ctx.permit().await;
        ctx.count("s3:GetBucketPolicyStatus");
        client.get_bucket_policy_status().bucket(name).send().await
    };
    let status = match out {
        Ok(o) => match o.policy_status().and_then(|s| s.is_public()) {
            Some(public) => Ok(Some(public)),
            None => Err((
                "s3:GetBucketPolicyStatus",
                (
                    "ResponseError".to_owned(),
                    "the answer had no PolicyStatus".to_owned(),
                ),
            )),
        },
        Err(err) if error_code(&err) == Some("NoSuchBucketPolicy") => Ok(None),
        Err(err) => Err(("s3:GetBucketPolicyStatus", classify(&err))),
    };
    Ok((Some(doc), status))
}

/// The account-level public-access block (`None`: not configured).
async fn account_public_access_block(ctx: &Ctx, home: &SdkConfig) -> Option<PublicAccessBlock> {
    let mut builder = aws_sdk_s3control::config::Builder::from(home);
    if ctx.endpoint_overridden
        && let Some(url) = home.endpoint_url()
    {
        builder = builder.endpoint_resolver(FixedEndpoint(url.to_owned()));
    }
    let client = aws_sdk_s3control::Client::from_conf(builder.build());
    let out = {
        let _p = ctx.permit().await;
        ctx.count("s3control:GetPublicAccessBlock");
        client
            .get_public_access_block()
            .account_id(&ctx.account)
            .send()
            .await
    };
    match out {
        Ok(o) => o
            .public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        Err(err) if error_code(&err) == Some("NoSuchPublicAccessBlockConfiguration") => None,
        Err(err) => {
            ctx.gap(
                ACCOUNT,
                None,
                Some(&format!("arn:aws:s3:::{}/account-settings", ctx.account)),
                &["public_access_block"],
                "s3control:GetPublicAccessBlock",
                classify(&err),
            );
            None
        }
    }
}

/// s3control's default resolver puts the account id into the host name; an overridden
/// endpoint (a local API implementation) is used as given.
#[derive(Debug)]
struct FixedEndpoint(String);

impl ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints_name_regions() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-south-1")), "ap-south-1");
    }
}
