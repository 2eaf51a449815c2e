//! IAM (global): users, groups, roles and policies through GetAccountAuthorizationDetails,
//! the credential report (root included), password policy, account summary, MFA devices,
//! access keys with last use, and the account alias.

mod account;
mod details;
mod read;
mod users;

use std::collections::BTreeSet;

use aws_sdk_iam::Client;
use futures::StreamExt;

use crate::collect::aws::Ctx;
use crate::snapshot::{Iam, User};

use account::{
    account_alias, account_summary, credential_report, password_policy, root_account,
    virtual_mfa_devices,
};
use details::{Details, authorization_details, role_extras};
use read::{ROLE, USER};
use users::user_details;

/// Users whose MFA devices, keys and login profile are read at the same time.
const USER_CONCURRENCY: usize = 16;

/// Returns the IAM model and the account alias.
pub(crate) async fn collect(ctx: &Ctx) -> (Iam, Option<String>) {
    let config = if ctx.config.region().is_some() {
        ctx.config.clone()
    } else {
        // IAM is global; any region of the partition reaches it.
        ctx.regional("us-east-1")
    };
    let client = Client::new(&config);
    let (details, role_extras, report, password_policy, summary, virtual_mfa, alias) = tokio::join!(
        authorization_details(ctx, &client),
        role_extras(ctx, &client),
        credential_report(ctx, &client),
        password_policy(ctx, &client),
        account_summary(ctx, &client),
        virtual_mfa_devices(ctx, &client),
        account_alias(ctx, &client),
    );
    let Details {
        users,
        mut groups,
        mut roles,
        mut policies,
        mut aws_managed_policies,
    } = details;

    // Description and maximum session duration come from ListRoles only.
    match &role_extras {
        Ok(extras) => {
            for role in &mut roles {
                match extras.get(&role.arn) {
                    Some((description, max)) => {
                        role.description.clone_from(description);
                        role.max_session_duration = *max;
                    }
                    None => ctx.gap(
                        ROLE,
                        None,
                        Some(&role.arn),
                        &["description", "max_session_duration"],
                        "iam:ListRoles",
                        (
                            "NotListed".into(),
                            "the role was not in the ListRoles answer".into(),
                        ),
                    ),
                }
            }
        }
        Err(f) => ctx.gap(
            ROLE,
            None,
            None,
            &["description", "max_session_duration"],
            f.operation,
            f.error.clone(),
        ),
    }

    let report_ref = report.as_ref();
    if let Err(f) = report_ref {
        // Only the credential report tells when a password was last used or changed.
        ctx.gap(
            USER,
            None,
            None,
            &["password_last_used", "password_last_changed"],
            f.operation,
            f.error.clone(),
        );
    }
    let virtual_serials: Option<BTreeSet<String>> = virtual_mfa
        .as_ref()
        .ok()
        .map(|list| list.iter().map(|(serial, _)| serial.clone()).collect());
    let mut users: Vec<User> = futures::stream::iter(users)
        .map(|user| user_details(ctx, &client, user, report_ref, virtual_serials.as_ref()))
        .buffer_unordered(USER_CONCURRENCY)
        .collect()
        .await;
    users.sort_by(|a, b| a.name.cmp(&b.name));
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    aws_managed_policies.sort_by(|a, b| a.arn.cmp(&b.arn));

    let root = root_account(ctx, report_ref, summary.as_ref(), virtual_mfa.as_ref());
    let iam = Iam {
        root,
        account_summary: summary.unwrap_or_default(),
        password_policy: password_policy.unwrap_or_default(),
        users,
        groups,
        roles,
        policies,
        aws_managed_policies,
    };
    (iam, alias)
}
