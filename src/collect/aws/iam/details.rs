//! Users, groups, roles and managed policies through GetAccountAuthorizationDetails, with
//! their policy documents decoded; and what it does not return about roles (last use,
//! session length).

use std::collections::HashMap;

use aws_sdk_iam::Client;
use aws_sdk_iam::types::EntityType;
use serde_json::Value as Json;

use crate::collect::aws::{Ctx, all_pages, classify, to_utc};
use crate::snapshot::{AttachedPolicy, Group, InlinePolicy, ManagedPolicy, Role, Tags, User};

use super::read::*;

#[derive(Default)]
pub(super) struct Details {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub policies: Vec<ManagedPolicy>,
    pub aws_managed_policies: Vec<ManagedPolicy>,
}

pub(super) async fn authorization_details(ctx: &Ctx, client: &Client) -> Details {
    let mut details = Details::default();
    let mut marker: Option<String> = None;
    loop {
        let out = {
            let _p = ctx.permit().await;
            ctx.count("iam:GetAccountAuthorizationDetails");
            client
                .get_account_authorization_details()
                .filter(EntityType::User)
                .filter(EntityType::Group)
                .filter(EntityType::Role)
                .filter(EntityType::LocalManagedPolicy)
                .filter(EntityType::AwsManagedPolicy)
                .set_marker(marker.clone())
                .send()
                .await
        };
        let page = match out {
            Ok(page) => page,
            Err(err) => {
                let error = classify(&err);
                for kind in [USER, GROUP, ROLE, POLICY] {
                    ctx.gap(
                        kind,
                        None,
                        None,
                        &[],
                        "iam:GetAccountAuthorizationDetails",
                        error.clone(),
                    );
                }
                ctx.gap(
                    ACCOUNT,
                    None,
                    Some(&account_arn(ctx)),
                    &["support_roles", "role_count", "user_count"],
                    "iam:GetAccountAuthorizationDetails",
                    error,
                );
                return details;
            }
        };
        details
            .users
            .extend(page.user_detail_list().iter().map(user_from_detail));
        details
            .groups
            .extend(page.group_detail_list().iter().map(group_from_detail));
        details
            .roles
            .extend(page.role_detail_list().iter().map(role_from_detail));
        for policy in page.policies() {
            let Some(p) = policy_from_detail(ctx, policy) else {
                continue;
            };
            if !p.arn.contains(":iam::aws:policy/") {
                details.policies.push(p);
            } else if p.attachment_count > 0 || p.permissions_boundary_usage_count > 0 {
                // AWS-managed policies in use: their documents decide who is an administrator.
                details.aws_managed_policies.push(p);
            }
        }
        match next_marker(page.is_truncated(), page.marker()) {
            // A marker that does not move on would loop forever.
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => break,
        }
    }
    details
}

pub(super) fn user_from_detail(u: &aws_sdk_iam::types::UserDetail) -> User {
    let mut groups: Vec<String> = u.group_list().to_vec();
    groups.sort();
    User {
        name: u.user_name().unwrap_or_default().to_owned(),
        arn: u.arn().unwrap_or_default().to_owned(),
        id: u.user_id().unwrap_or_default().to_owned(),
        path: u.path().unwrap_or("/").to_owned(),
        created: time(u.create_date()),
        groups,
        attached_policies: attached(u.attached_managed_policies()),
        inline_policies: inline(u.user_policy_list()),
        permissions_boundary: u
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        tags: tags(u.tags()),
        ..User::default()
    }
}

pub(super) fn group_from_detail(g: &aws_sdk_iam::types::GroupDetail) -> Group {
    Group {
        name: g.group_name().unwrap_or_default().to_owned(),
        arn: g.arn().unwrap_or_default().to_owned(),
        id: g.group_id().unwrap_or_default().to_owned(),
        path: g.path().unwrap_or("/").to_owned(),
        created: time(g.create_date()),
        attached_policies: attached(g.attached_managed_policies()),
        inline_policies: inline(g.group_policy_list()),
    }
}

pub(super) fn role_from_detail(r: &aws_sdk_iam::types::RoleDetail) -> Role {
    let mut instance_profiles: Vec<String> = r
        .instance_profile_list()
        .iter()
        .map(|p| p.arn().to_owned())
        .collect();
    instance_profiles.sort();
    Role {
        name: r.role_name().unwrap_or_default().to_owned(),
        arn: r.arn().unwrap_or_default().to_owned(),
        id: r.role_id().unwrap_or_default().to_owned(),
        path: r.path().unwrap_or("/").to_owned(),
        created: time(r.create_date()),
        // Filled from ListRoles (a gap when that fails).
        description: None,
        assume_role_policy: r
            .assume_role_policy_document()
            .map_or(Json::Null, decode_document),
        max_session_duration: 3600,
        attached_policies: attached(r.attached_managed_policies()),
        inline_policies: inline(r.role_policy_list()),
        permissions_boundary: r
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        last_used: r
            .role_last_used()
            .and_then(|u| u.last_used_date())
            .and_then(to_utc),
        instance_profiles,
        tags: tags(r.tags()),
    }
}

pub(super) fn policy_from_detail(
    ctx: &Ctx,
    p: &aws_sdk_iam::types::ManagedPolicyDetail,
) -> Option<ManagedPolicy> {
    let arn = p.arn()?.to_owned();
    let default_version_id = p.default_version_id().unwrap_or_default().to_owned();
    let version = p
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version())
        .or_else(|| {
            p.policy_version_list()
                .iter()
                .find(|v| v.version_id() == Some(default_version_id.as_str()))
        });
    let document = match version.and_then(|v| v.document()) {
        Some(doc) => decode_document(doc),
        None => {
            ctx.gap(
                POLICY,
                None,
                Some(&arn),
                &["document"],
                "iam:GetAccountAuthorizationDetails",
                (
                    "MissingDocument".into(),
                    "the default policy version's document was not returned".into(),
                ),
            );
            Json::Null
        }
    };
    Some(ManagedPolicy {
        // Derived from the ARN (…:policy/PATH/NAME) when the answer leaves it out.
        name: p
            .policy_name()
            .filter(|n| !n.is_empty())
            .or_else(|| arn.rsplit('/').next())
            .unwrap_or_default()
            .to_owned(),
        arn,
        id: p.policy_id().unwrap_or_default().to_owned(),
        path: p.path().unwrap_or("/").to_owned(),
        default_version_id,
        document,
        attachment_count: count_u32(p.attachment_count()),
        permissions_boundary_usage_count: count_u32(p.permissions_boundary_usage_count()),
        created: time(p.create_date()),
        updated: time(p.update_date()),
    })
}

pub(super) fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<AttachedPolicy> {
    let mut out: Vec<AttachedPolicy> = list
        .iter()
        .map(|p| AttachedPolicy {
            name: p.policy_name().unwrap_or_default().to_owned(),
            arn: p.policy_arn().unwrap_or_default().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out
}

pub(super) fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Vec<InlinePolicy> {
    let mut out: Vec<InlinePolicy> = list
        .iter()
        .map(|p| InlinePolicy {
            name: p.policy_name().unwrap_or_default().to_owned(),
            document: p.policy_document().map_or(Json::Null, decode_document),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub(super) fn tags(list: &[aws_sdk_iam::types::Tag]) -> Tags {
    list.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// A policy document as IAM returns it (URL-encoded JSON) as JSON. A document that does not
/// parse stays a JSON string, so the policy analyzer reports it as malformed.
pub(super) fn decode_document(raw: &str) -> Json {
    let decoded = percent_decode(raw);
    if let Ok(doc) = serde_json::from_str(&decoded) {
        return doc;
    }
    // Form encoding writes spaces as '+'.
    if raw.contains('+')
        && let Ok(doc) = serde_json::from_str(&percent_decode(&raw.replace('+', " ")))
    {
        return doc;
    }
    // Not encoded at all.
    if let Ok(doc) = serde_json::from_str(raw) {
        return doc;
    }
    Json::String(decoded)
}

/// Decodes `%XX` escapes; anything else, including a malformed escape, stays as written.
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) type RoleExtras = HashMap<String, (Option<String>, u32)>;

pub(super) async fn role_extras(ctx: &Ctx, client: &Client) -> Result<RoleExtras, Failure> {
    let operation = "iam:ListRoles";
    let (pages, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_roles().set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            let roles: Vec<(String, (Option<String>, u32))> = page
                .roles()
                .iter()
                .map(|role| {
                    let max = role
                        .max_session_duration()
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(3600);
                    (
                        role.arn().to_owned(),
                        (role.description().map(str::to_owned), max),
                    )
                })
                .collect();
            Ok((roles, next_marker(page.is_truncated(), page.marker())))
        }
    })
    .await;
    match failure {
        Some(error) => Err(Failure { operation, error }),
        None => Ok(pages.into_iter().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_documents() {
        let doc = decode_document(
            "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D",
        );
        assert_eq!(
            doc,
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        let plus = decode_document("%7B%22a%22%3A+1%7D");
        assert_eq!(plus, serde_json::json!({"a": 1}));
        let raw = decode_document("{\"a\": \"100%\"}");
        assert_eq!(raw, serde_json::json!({"a": "100%"}));
        let broken = decode_document("%7B%22Version%22");
        assert_eq!(broken, Json::String("{\"Version\"".into()));
    }
}
