//! The Azure collector against an in-process ARM and Microsoft Graph server serving the
//! public example responses of `tests/fixtures/azure/` (insecure and secure variants):
//! the snapshot it collects, the rules' results on it, paging, retries, permissions that
//! are missing, malformed answers, and that it only ever reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use common::azure::{AzureServer, Reply, SUB, TENANT, fixture, list};
use serde_json::{Value as Json, json};

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Joey Cruz, the Global Administrator of `graph/role-assignments.json`.
const JOEY: &str = "ace08ec9-aa11-4ada-9145-addf0398233e";
const WATCHER: &str =
    "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/тц1";

fn arm(path: &str) -> String {
    format!("/subscriptions/{SUB}/providers/{path}")
}

/// Serves a whole subscription and tenant; `secure` fixes what the examples leave open.
fn estate(server: &AzureServer, secure: bool) {
    let mut subs = fixture("arm/subscriptions.json");
    // The published nextLink is the literal "...": this estate has one page, and one of the
    // two published subscriptions.
    subs.as_object_mut().unwrap().remove("nextLink");
    subs["value"].as_array_mut().unwrap().truncate(1);
    server.route("/subscriptions", Reply::json(&subs));
    server.route(
        &format!("/subscriptions/{SUB}"),
        Reply::json(&subs["value"][0]),
    );

    // Authorization: the published assignment, plus Owner given to a user (insecure) or to
    // a group (secure) at subscription scope; a custom role with every action, or one.
    let mut assignments = fixture("arm/role-assignments.json");
    assignments["value"].as_array_mut().unwrap().push(json!({
        "id": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/owner-1"),
        "name": "owner-1",
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
            "principalId": JOEY,
            "principalType": if secure { "Group" } else { "User" },
            "scope": format!("/subscriptions/{SUB}"),
        }
    }));
    server.route(
        &arm("Microsoft.Authorization/roleAssignments"),
        Reply::json(&assignments),
    );
    let mut custom = fixture("arm/role-definition.json");
    custom["properties"]["type"] = json!("CustomRole");
    custom["properties"]["roleName"] = json!("Ops everything");
    custom["properties"]["permissions"][0]["actions"] = json!([if secure {
        "Microsoft.Compute/virtualMachines/read"
    } else {
        "*"
    }]);
    let owner = json!({
        "id": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
        "name": OWNER,
        "properties": {"roleName": "Owner", "type": "BuiltInRole", "assignableScopes": ["/"],
                       "permissions": [{"actions": ["*"], "notActions": []}]}
    });
    server.route(
        &arm("Microsoft.Authorization/roleDefinitions"),
        Reply::json(&list(vec![custom, owner])),
    );
    server.route(
        &arm("Microsoft.Authorization/roleEligibilityScheduleInstances"),
        Reply::json(&fixture("arm/role-eligibility-schedule-instances.json")),
    );
    server.route(
        &arm("Microsoft.Authorization/roleAssignmentScheduleInstances"),
        Reply::json(&fixture("arm/role-assignment-schedule-instances.json")),
    );

    // Network: the published NSGs, one of which allows port 80 from anywhere; insecure adds
    // SSH from the internet, secure drops the HTTP rule and puts the subnet behind nsg1.
    let mut nsgs = fixture("arm/network-security-groups.json");
    let mut with_rules = fixture("arm/network-security-group-with-rules.json");
    if secure {
        with_rules["properties"]["securityRules"] = json!([]);
    } else {
        with_rules["properties"]["securityRules"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "ssh-anywhere", "properties": {
                "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22",
                "sourceAddressPrefix": "Internet", "destinationAddressPrefix": "*",
                "access": "Allow", "priority": 100, "direction": "Inbound"}}));
    }
    nsgs["value"].as_array_mut().unwrap().push(with_rules);
    server.route(
        &arm("Microsoft.Network/networkSecurityGroups"),
        Reply::json(&nsgs),
    );
    let mut vnets = fixture("arm/virtual-networks.json");
    if secure {
        vnets["value"][0]["properties"]["subnets"][0]["properties"]["networkSecurityGroup"] = json!({"id": "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1"});
    }
    server.route(
        &arm("Microsoft.Network/virtualNetworks"),
        Reply::json(&vnets),
    );
    server.route(
        &arm("Microsoft.Network/publicIPAddresses"),
        Reply::json(&fixture("arm/public-ip-addresses.json")),
    );
    server.route(
        &arm("Microsoft.Network/networkWatchers"),
        Reply::json(&list(vec![json!({
            "id": WATCHER, "name": "тц1", "location": "centraluseuap", "properties": {}
        })])),
    );
    let mut flow_logs = fixture("arm/network-watcher-flow-logs.json");
    if secure {
        // Log the virtual network, and keep the logs 90 days.
        flow_logs["value"][0]["properties"]["targetResourceId"] = json!(
            "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1"
        );
        flow_logs["value"][0]["properties"]["retentionPolicy"] =
            json!({"days": 90, "enabled": true});
    } else {
        flow_logs["value"][0]["properties"]["retentionPolicy"] =
            json!({"days": 7, "enabled": true});
    }
    server.route(&format!("{WATCHER}/flowLogs"), Reply::json(&flow_logs));

    // Storage: the published list (secure transfer off, most settings unset) and the
    // published create answer; secure sets every setting the rules ask about.
    let mut accounts = fixture("arm/storage-accounts.json");
    accounts["value"]
        .as_array_mut()
        .unwrap()
        .push(fixture("arm/storage-account-secure-props.json"));
    if secure {
        for a in accounts["value"].as_array_mut().unwrap() {
            let p = a["properties"].as_object_mut().unwrap();
            p.insert("allowBlobPublicAccess".into(), json!(false));
            p.insert("supportsHttpsTrafficOnly".into(), json!(true));
            p.insert("minimumTlsVersion".into(), json!("TLS1_2"));
            p.insert("allowSharedKeyAccess".into(), json!(false));
            p.insert("publicNetworkAccess".into(), json!("Disabled"));
            p.insert("networkAcls".into(), json!({"defaultAction": "Deny"}));
            p.insert("allowCrossTenantReplication".into(), json!(false));
        }
    }
    server.route(
        &arm("Microsoft.Storage/storageAccounts"),
        Reply::json(&accounts),
    );

    // Monitoring: the published setting exports all logs; insecure has none. Defender: the
    // published plans; insecure turns servers off.
    server.route(
        &arm("Microsoft.Insights/diagnosticSettings"),
        Reply::json(&if secure {
            fixture("arm/subscription-diagnostic-settings.json")
        } else {
            list(vec![])
        }),
    );
    let mut pricings = fixture("arm/defender-pricings.json");
    if !secure {
        pricings["value"][0]["properties"]["pricingTier"] = json!("Free");
    }
    server.route(&arm("Microsoft.Security/pricings"), Reply::json(&pricings));

    // Graph: the published users, registrations, a Global Administrator with a mailbox and
    // the published (disabled) Conditional Access policy. Secure registers Joey's MFA, bounds
    // his role in time and adds an enforced MFA policy for everyone.
    server.route("/v1.0/users", Reply::json(&fixture("graph/users.json")));
    // The published example trims the expanded principals; Graph returns their names too.
    let mut directory_roles = fixture("graph/role-assignments.json");
    let mut admins = Vec::new();
    for (i, a) in directory_roles["value"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let upn = if i == 0 {
            "joeyc@contoso.com".to_owned()
        } else {
            format!("admin{i}@contoso.com")
        };
        a["principal"]["userPrincipalName"] = json!(upn);
        admins.push((a["principalId"].as_str().unwrap().to_owned(), upn));
    }
    assert_eq!(admins[0].0, JOEY);
    server.route(
        "/v1.0/roleManagement/directory/roleAssignments",
        Reply::json(&directory_roles),
    );
    let mut registrations = fixture("graph/user-registration-details.json");
    if secure {
        for (id, upn) in &admins {
            let mut admin = registrations["value"][0].clone();
            admin["id"] = json!(id);
            admin["userPrincipalName"] = json!(upn);
            admin["isMfaRegistered"] = json!(true);
            registrations["value"].as_array_mut().unwrap().push(admin);
        }
    }
    server.route(
        "/v1.0/reports/authenticationMethods/userRegistrationDetails",
        Reply::json(&registrations),
    );
    server.route(
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
        Reply::json(&fixture("graph/role-eligibility-schedule-instances.json")),
    );
    server.route(
        "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances",
        Reply::json(&list(if secure {
            admins
                .iter()
                .map(|(id, _)| {
                    json!({"id": format!("i-{id}"), "principalId": id, "roleDefinitionId": GLOBAL_ADMIN,
                           "directoryScopeId": "/", "assignmentType": "Activated",
                           "startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-01T08:00:00Z"})
                })
                .collect()
        } else {
            vec![]
        })),
    );
    let mut policies = fixture("graph/conditional-access-policies.json");
    if secure {
        policies["value"].as_array_mut().unwrap().push(json!({
            "id": "mfa-everyone", "displayName": "Require MFA for everyone", "state": "enabled",
            "conditions": {"clientAppTypes": ["all"],
                           "applications": {"includeApplications": ["All"]},
                           "users": {"includeUsers": ["All"], "excludeUsers": ["break-glass-1"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        }));
    }
    server.route(
        "/v1.0/identity/conditionalAccess/policies",
        Reply::json(&policies),
    );
}

/// Runs the real binary against the server with the test server's managed identity.
fn onus(server: &AzureServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .args([
            "--arm-endpoint",
            &server.url,
            "--graph-endpoint",
            &server.url,
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .envs(server.identity_env())
        .output()
        .expect("run onus")
}

fn scan(server: &AzureServer, extra: &[&str]) -> Json {
    let mut args = vec![
        "scan",
        "azure",
        "--format",
        "json",
        "-q",
        "--call-timeout",
        "20",
    ];
    args.extend_from_slice(extra);
    let out = onus(server, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "onus scan azure failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Json = serde_json::from_slice(&out.stdout).expect("JSON results");
    common::assert_gaps_in_catalogue(&results["snapshot"]["coverage_gaps"]);
    results
}

fn collect(server: &AzureServer) -> Json {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("azure.json");
    let out = onus(
        server,
        &[
            "collect",
            "azure",
            "-q",
            "--auth",
            "managed-identity",
            "-o",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "onus collect azure failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snapshot: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    common::assert_gaps_in_catalogue(&snapshot["coverage_gaps"]);
    snapshot
}

/// Statuses of `rule`, by resource name.
fn statuses(results: &Json, rule: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| {
            (
                r["resource"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[track_caller]
fn all(results: &Json, rule: &str, status: &str) {
    let got = statuses(results, rule);
    assert!(
        !got.is_empty() && got.iter().all(|(_, s)| s == status),
        "{rule}: expected every result {status}, got {got:?}"
    );
}

#[track_caller]
fn one(results: &Json, rule: &str, resource: &str, status: &str) {
    let got = statuses(results, rule);
    assert!(
        got.iter().any(|(n, s)| n == resource && s == status),
        "{rule} on {resource}: expected {status}, got {got:?}"
    );
}

#[test]
fn the_collected_snapshot_holds_what_the_server_served() {
    let server = AzureServer::start();
    estate(&server, false);
    let snap = collect(&server);
    assert_eq!(snap["provider"], "azure");
    assert_eq!(snap["accounts"], json!([SUB]));
    assert_eq!(
        snap["coverage_gaps"],
        json!([]),
        "no gaps on a complete estate"
    );
    assert!(
        snap["collector"]["principal"]
            .as_str()
            .unwrap()
            .contains("application onus-test-identity (managed identity)"),
        "{}",
        snap["collector"]
    );
    let sub = &snap["azure"]["subscriptions"][0];
    assert_eq!(sub["display_name"], "Example Subscription");
    assert_eq!(sub["tenant_id"], TENANT);
    // Every published NSG plus the one with rules; its rules as published and added.
    let nsgs = sub["network_security_groups"].as_array().unwrap();
    assert_eq!(nsgs.len(), 3);
    let testnsg = nsgs.iter().find(|n| n["name"] == "testnsg").unwrap();
    assert_eq!(testnsg["security_rules"][0]["name"], "rule1");
    assert_eq!(
        testnsg["security_rules"][0]["destination_port_ranges"],
        json!(["80"])
    );
    assert_eq!(
        testnsg["security_rules"][0]["source_address_prefixes"],
        json!(["*"])
    );
    assert_eq!(testnsg["security_rules"][1]["priority"], 100);
    let subnet = &sub["virtual_networks"][0]["subnets"][0];
    assert_eq!(subnet["name"], "test-1");
    assert_eq!(subnet["address_prefixes"], json!(["10.0.0.0/24"]));
    assert_eq!(subnet["network_security_group_id"], Json::Null);
    // The flow log of a watcher whose name is not ASCII, read through its id as published.
    let log = sub["flow_logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "flowLog1")
        .unwrap();
    assert_eq!(log["name"], "flowLog1");
    assert_eq!(log["enabled"], true);
    assert_eq!(log["retention_days"], 7);
    assert!(
        log["target_resource_id"]
            .as_str()
            .unwrap()
            .ends_with("/vm5-nsg")
    );
    let accounts = sub["storage_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 7);
    let sto4445 = accounts.iter().find(|a| a["name"] == "sto4445").unwrap();
    assert_eq!(sto4445["minimum_tls_version"], "TLS1_2");
    assert_eq!(sto4445["allow_blob_public_access"], false);
    assert_eq!(sto4445["allow_shared_key_access"], true);
    let sto8596 = accounts.iter().find(|a| a["name"] == "sto8596").unwrap();
    assert_eq!(sto8596["network_default_action"], "Allow");
    assert_eq!(sto8596["encryption_key_source"], "Microsoft.Keyvault");
    assert_eq!(sto8596["supports_https_traffic_only"], false);
    assert_eq!(sto8596["allow_blob_public_access"], Json::Null);
    let plans = sub["defender_plans"].as_array().unwrap();
    assert_eq!(plans.len(), 13);
    assert!(
        plans
            .iter()
            .any(|p| p["name"] == "VirtualMachines" && p["pricing_tier"] == "Free")
    );
    assert_eq!(sub["role_assignments"].as_array().unwrap().len(), 2);
    // Only the custom role and the built-in roles in use are kept.
    let roles: Vec<&str> = sub["role_definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["role_name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Ops everything", "Owner"]);
    assert_eq!(
        sub["role_eligibility_instances"].as_array().unwrap().len(),
        1
    );

    let tenant = &snap["azure"]["tenants"][0];
    assert_eq!(tenant["tenant_id"], TENANT);
    let users = tenant["users"].as_array().unwrap();
    // The listed user, and the Global Administrator known from the role assignment.
    let joey = users.iter().find(|u| u["id"] == JOEY).unwrap();
    assert_eq!(joey["mail"], "joeyc@contoso.com");
    assert_eq!(joey["mfa_registered"], false);
    assert!(
        users
            .iter()
            .any(|u| u["user_principal_name"] == "Adams@contoso.com")
    );
    assert_eq!(tenant["role_assignments"][0]["principal_type"], "user");
    assert_eq!(
        tenant["role_assignments"][0]["role_definition_id"],
        GLOBAL_ADMIN
    );
    assert_eq!(
        tenant["conditional_access_policies"][0]["state"],
        "disabled"
    );
    assert_eq!(
        tenant["conditional_access_policies"][0]["built_in_controls"],
        json!(["block"])
    );
    // No secret reaches the snapshot.
    let text = snap.to_string();
    assert!(!text.contains(common::azure::TOKEN));
}

#[test]
fn the_scan_reports_what_the_served_configuration_is() {
    let insecure = AzureServer::start();
    estate(&insecure, false);
    let bad = scan(&insecure, &[]);
    let secure = AzureServer::start();
    estate(&secure, true);
    let good = scan(&secure, &["--subscription", SUB]);

    one(
        &bad,
        "azure-network-nsg-ssh-open-to-internet",
        "testnsg",
        "fail",
    );
    one(
        &bad,
        "azure-network-nsg-http-open-to-internet",
        "testnsg",
        "fail",
    );
    one(
        &good,
        "azure-network-nsg-ssh-open-to-internet",
        "testnsg",
        "pass",
    );
    one(
        &good,
        "azure-network-nsg-http-open-to-internet",
        "testnsg",
        "pass",
    );
    one(
        &bad,
        "azure-network-subnet-without-nsg",
        "vnet1/test-1",
        "fail",
    );
    one(
        &good,
        "azure-network-subnet-without-nsg",
        "vnet1/test-1",
        "pass",
    );
    one(
        &bad,
        "azure-network-virtual-network-flow-logs-missing",
        "vnet1",
        "fail",
    );
    one(
        &good,
        "azure-network-virtual-network-flow-logs-missing",
        "vnet1",
        "pass",
    );
    one(
        &bad,
        "azure-network-flow-log-retention-short",
        "flowLog1",
        "fail",
    );
    one(
        &good,
        "azure-network-flow-log-retention-short",
        "flowLog1",
        "pass",
    );
    one(
        &bad,
        "azure-storage-secure-transfer-disabled",
        "sto1125",
        "fail",
    );
    one(
        &bad,
        "azure-storage-secure-transfer-disabled",
        "sto4445",
        "pass",
    );
    one(&bad, "azure-storage-tls-below-1-2", "sto4445", "pass");
    one(&bad, "azure-storage-tls-below-1-2", "sto1125", "fail");
    one(
        &bad,
        "azure-storage-default-network-action-allow",
        "sto8596",
        "fail",
    );
    for rule in [
        "azure-storage-blob-anonymous-access-allowed",
        "azure-storage-secure-transfer-disabled",
        "azure-storage-tls-below-1-2",
        "azure-storage-shared-key-access-allowed",
        "azure-storage-default-network-action-allow",
        "azure-storage-public-network-access-enabled",
        "azure-storage-cross-tenant-replication-allowed",
        "azure-monitor-activity-log-not-exported",
        "azure-defender-servers-off",
        "azure-entra-privileged-user-mfa-not-registered",
        "azure-entra-privileged-role-permanent",
        "azure-entra-no-mfa-policy-for-admin-roles",
        "azure-entra-no-mfa-policy-for-azure-management",
        "azure-rbac-custom-role-wildcard-actions",
    ] {
        all(&good, rule, "pass");
        assert!(
            statuses(&bad, rule).iter().any(|(_, s)| s == "fail"),
            "{rule} should fail on the insecure estate: {:?}",
            statuses(&bad, rule)
        );
    }
    one(
        &bad,
        "azure-rbac-owner-or-uaa-assigned-to-user-at-subscription",
        "Owner for User joeyc@contoso.com at /subscriptions/291bba3f-e0a5-47bc-a099-3bdcb2a50a05",
        "fail",
    );
    // Owner given to a group: the rule is about users, so it has nothing to say.
    assert!(
        statuses(
            &good,
            "azure-rbac-owner-or-uaa-assigned-to-user-at-subscription"
        )
        .iter()
        .all(|(_, s)| s == "pass")
    );
    // A Global Administrator with a mailbox stays one, whatever else is fixed.
    one(
        &bad,
        "azure-entra-privileged-user-has-mailbox",
        "joeyc@contoso.com",
        "fail",
    );
    one(
        &good,
        "azure-entra-privileged-user-has-mailbox",
        "joeyc@contoso.com",
        "fail",
    );
    assert!(
        good["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] != "not-assessed"),
        "a complete estate leaves nothing unassessed"
    );
}

#[test]
fn listings_are_read_across_pages() {
    let server = AzureServer::start();
    estate(&server, false);
    // NSGs in two ARM pages (nextLink), users in two Graph pages (@odata.nextLink).
    let nsgs = fixture("arm/network-security-groups.json");
    let (first, rest) = nsgs["value"].as_array().unwrap().split_at(1);
    server.route(
        &arm("Microsoft.Network/networkSecurityGroups"),
        Reply::json(&json!({"value": first, "nextLink": format!("{}/pages/nsgs-2?api-version=2024-05-01&$skipToken=abc", server.url)})),
    );
    server.route("/pages/nsgs-2", Reply::json(&json!({"value": rest})));
    let mut users = fixture("graph/users.json");
    users["@odata.nextLink"] = json!(format!("{}/v1.0/users-page-2?$skiptoken=X", server.url));
    server.route("/v1.0/users", Reply::json(&users));
    server.route(
        "/v1.0/users-page-2",
        Reply::json(&list(vec![
            json!({"id": "2f0b2e5c-0000-4000-8000-000000000001",
            "userPrincipalName": "second.page@contoso.com", "displayName": "Second Page"}),
        ])),
    );
    let snap = collect(&server);
    assert_eq!(snap["coverage_gaps"], json!([]));
    let sub = &snap["azure"]["subscriptions"][0];
    assert_eq!(sub["network_security_groups"].as_array().unwrap().len(), 2);
    assert_eq!(server.hits("/pages/nsgs-2"), 1);
    let users = snap["azure"]["tenants"][0]["users"].as_array().unwrap();
    assert!(
        users
            .iter()
            .any(|u| u["user_principal_name"] == "Adams@contoso.com")
    );
    assert!(
        users
            .iter()
            .any(|u| u["user_principal_name"] == "second.page@contoso.com")
    );
}

#[test]
fn throttling_is_retried_after_the_time_the_service_asks() {
    let server = AzureServer::start();
    estate(&server, false);
    let path = arm("Microsoft.Storage/storageAccounts");
    server.once(
        &path,
        Reply::error(429, "TooManyRequests", "slow down").header("Retry-After", "1"),
    );
    server.once(
        "/v1.0/users",
        Reply::error(503, "ServiceUnavailable", "try later").header("Retry-After", "1"),
    );
    let started = std::time::Instant::now();
    let snap = collect(&server);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(snap["coverage_gaps"], json!([]));
    assert_eq!(server.hits(&path), 2);
    assert_eq!(server.hits("/v1.0/users"), 2);
    assert_eq!(
        snap["azure"]["subscriptions"][0]["storage_accounts"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
}

#[test]
fn resets_and_slow_answers_are_retried_and_the_scan_equals_a_clean_one() {
    let clean_server = AzureServer::start();
    estate(&clean_server, false);
    let clean = scan(&clean_server, &[]);
    let server = AzureServer::start();
    estate(&server, false);
    let nsgs = arm("Microsoft.Network/networkSecurityGroups");
    server.once(&nsgs, Reply::reset());
    server.once(&nsgs, Reply::error(500, "InternalServerError", "oops"));
    // Past the per-call budget of `--call-timeout 20`? No: one slow answer of 3 s, within it.
    server.once(
        "/v1.0/identity/conditionalAccess/policies",
        Reply::error(502, "BadGateway", "upstream").slow(std::time::Duration::from_secs(3)),
    );
    let faulty = scan(&server, &[]);
    assert!(server.hits(&nsgs) >= 3, "{}", server.hits(&nsgs));
    assert_eq!(faulty["snapshot"]["coverage_gaps"], json!([]));
    assert_eq!(faulty["results"], clean["results"]);
    assert_eq!(faulty["summary"], clean["summary"]);
}

#[test]
fn a_call_that_never_answers_in_time_is_a_timeout_gap_and_the_scan_still_finishes() {
    let server = AzureServer::start();
    estate(&server, true);
    let path = arm("Microsoft.Storage/storageAccounts");
    for _ in 0..3 {
        server.once(
            &path,
            Reply::json(&list(vec![])).slow(std::time::Duration::from_secs(4)),
        );
    }
    let started = std::time::Instant::now();
    let out = onus(
        &server,
        &[
            "scan",
            "azure",
            "-q",
            "--format",
            "json",
            "--call-timeout",
            "3",
            "--fail-on-not-assessed",
        ],
    );
    let elapsed = started.elapsed();
    // Incomplete: the gate says so with exit 1, and the results say which rules are blind.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Json = serde_json::from_slice(&out.stdout).unwrap();
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["kind"] == "azure.storage.account" && g["error"] == "Timeout"),
        "{gaps:?}"
    );
    all(
        &results,
        "azure-storage-secure-transfer-disabled",
        "not-assessed",
    );
    assert!(
        elapsed < std::time::Duration::from_secs(30),
        "took {elapsed:?}"
    );
}

#[test]
fn a_missing_graph_permission_is_a_gap_and_nothing_it_hides_passes() {
    let server = AzureServer::start();
    estate(&server, true);
    server.route(
        "/v1.0/reports/authenticationMethods/userRegistrationDetails",
        Reply::error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ),
    );
    let results = scan(&server, &[]);
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["kind"] == "azure.entra.privileged_user"
                && g["error"] == "Authorization_RequestDenied"
                && g["fields"] == json!(["mfa_registered", "methods_registered"])),
        "{gaps:?}"
    );
    all(
        &results,
        "azure-entra-privileged-user-mfa-not-registered",
        "not-assessed",
    );
    all(
        &results,
        "azure-entra-user-mfa-not-registered",
        "not-assessed",
    );
    // What the permission does not hide is still assessed.
    all(&results, "azure-entra-privileged-role-permanent", "pass");
    // The results carry the reason.
    let na = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "azure-entra-privileged-user-mfa-not-registered")
        .unwrap();
    assert!(
        na.to_string().contains("Authorization_RequestDenied"),
        "{na}"
    );
}

#[test]
fn a_malformed_answer_is_a_gap_not_a_crash() {
    let server = AzureServer::start();
    estate(&server, true);
    server.route(
        &arm("Microsoft.Storage/storageAccounts"),
        Reply::raw(200, "{\"value\": [ {\"id\": "),
    );
    server.route(
        &arm("Microsoft.Network/networkSecurityGroups"),
        Reply::json(&json!({"value": [{"id": 7, "properties": "not an object"}]})),
    );
    let results = scan(&server, &[]);
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    for kind in ["azure.storage.account", "azure.network.nsg"] {
        assert!(
            gaps.iter()
                .any(|g| g["kind"] == kind && g["error"] == "MalformedResponse"),
            "{kind}: {gaps:?}"
        );
    }
    all(
        &results,
        "azure-storage-secure-transfer-disabled",
        "not-assessed",
    );
    all(
        &results,
        "azure-network-nsg-ssh-open-to-internet",
        "not-assessed",
    );
    all(&results, "azure-network-subnet-without-nsg", "pass");
}

#[test]
fn a_next_link_to_another_host_is_not_followed_and_the_token_stays_home() {
    let server = AzureServer::start();
    let elsewhere = AzureServer::start();
    estate(&server, true);
    server.route(
        &arm("Microsoft.Network/virtualNetworks"),
        Reply::json(&json!({"value": [], "nextLink": format!("{}/steal", elsewhere.url)})),
    );
    let snap = collect(&server);
    assert!(
        elsewhere.seen().is_empty(),
        "the other host was called: {:?}",
        elsewhere.seen()
    );
    let gaps = snap["coverage_gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["kind"] == "azure.network.virtual_network"
                && g["message"]
                    .as_str()
                    .unwrap()
                    .contains("does not send its token elsewhere")),
        "{gaps:?}"
    );
}

#[test]
fn a_scan_only_reads_and_the_shipped_role_covers_every_call() {
    let server = AzureServer::start();
    estate(&server, false);
    let out = onus(&server, &["scan", "azure", "-v", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = server.seen();
    assert!(seen.len() > 15, "{seen:?}");
    for (method, target, authorized) in &seen {
        assert_eq!(method, "GET", "{target}");
        assert!(
            *authorized || target.starts_with("/msi/token"),
            "{target} without the token"
        );
    }
    // Every ARM operation onus names is a read action of policies/onus-azure-reader.json,
    // and every action there is used.
    let role: Json = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/onus-azure-reader.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let allowed: std::collections::BTreeSet<String> =
        role["properties"]["permissions"][0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The bearer token is in no output.
    assert!(!stderr.contains(common::azure::TOKEN));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(common::azure::TOKEN));
    let called: std::collections::BTreeSet<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("onus: call "))
        .map(str::to_owned)
        .collect();
    let arm: std::collections::BTreeSet<String> = called
        .iter()
        .filter(|c| !c.starts_with("graph "))
        .cloned()
        .collect();
    assert_eq!(arm, allowed, "ARM operations called vs the shipped role");
    assert!(arm.iter().all(|a| a.ends_with("/read")));
    assert!(
        called
            .iter()
            .filter(|c| c.starts_with("graph "))
            .all(|c| c.starts_with("graph GET /"))
    );
    assert_eq!(
        called.iter().filter(|c| c.starts_with("graph ")).count(),
        6,
        "{called:?}"
    );
}

#[test]
fn no_credential_is_a_clear_error_with_exit_code_2() {
    let server = AzureServer::start();
    let out = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args([
            "collect",
            "azure",
            "--auth",
            "sp",
            "-o",
            "never-written.json",
        ])
        .args(["--arm-endpoint", &server.url])
        .env_clear()
        .env("PATH", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("service principal (environment): not configured"),
        "{err}"
    );
    assert!(!std::path::Path::new("never-written.json").exists());
    assert!(server.seen().is_empty());
}

#[test]
fn skipping_microsoft_graph_is_a_gap_and_no_identity_rule_passes() {
    let server = AzureServer::start();
    estate(&server, true);
    let results = scan(&server, &["--no-graph"]);
    assert_eq!(
        results["summary"]["complete"], false,
        "a run without Entra ID is incomplete"
    );
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    for kind in [
        "azure.entra.tenant",
        "azure.entra.user",
        "azure.entra.privileged_user",
    ] {
        assert!(
            gaps.iter()
                .any(|g| g["kind"] == kind && g["error"] == "Skipped"),
            "no skipped gap for {kind}: {gaps:?}"
        );
    }
    let identity: Vec<&Json> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["resource"]["kind"]
                .as_str()
                .unwrap()
                .starts_with("azure.entra.")
        })
        .collect();
    assert!(
        !identity.is_empty(),
        "the Entra rules say they could not be assessed"
    );
    assert!(
        identity.iter().all(|r| r["status"] == "not-assessed"),
        "{identity:?}"
    );
}
