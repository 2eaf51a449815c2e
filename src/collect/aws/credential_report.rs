//! The IAM credential report: its CSV parsed into rows by column name, and typed cells.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

/// The credential report: one row per user (and `<root_account>`), keyed by column name.
#[derive(Debug, Default)]
pub(super) struct Report {
    rows: Vec<BTreeMap<String, String>>,
    /// Row index by ARN.
    by_arn: HashMap<String, usize>,
    /// Generated at this scan's own request (GenerateCredentialReport answered `STARTED`), so
    /// its rows are as current as the per-user calls they can stand in for. A report IAM
    /// already had (up to four hours old) is not: it could miss a key or password made since.
    pub(super) fresh: bool,
}

impl Report {
    pub(super) fn parse(text: &str) -> Report {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let Some(header) = lines.next() else {
            return Report::default();
        };
        let header = split_csv_line(header);
        let rows: Vec<BTreeMap<String, String>> = lines
            .map(|line| {
                header
                    .iter()
                    .cloned()
                    .zip(split_csv_line(line))
                    .collect::<BTreeMap<_, _>>()
            })
            .collect();
        let by_arn = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.get("arn")?.clone(), i)))
            .collect();
        Report {
            rows,
            by_arn,
            fresh: false,
        }
    }

    pub(super) fn root(&self) -> Option<&BTreeMap<String, String>> {
        self.rows
            .iter()
            .find(|r| r.get("user").map(String::as_str) == Some("<root_account>"))
    }

    pub(super) fn user(&self, arn: &str) -> Option<&BTreeMap<String, String>> {
        self.by_arn.get(arn).map(|&i| &self.rows[i])
    }
}

/// One CSV line split into fields (double quotes group, `""` escapes a quote).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// A report cell as a time; `N/A`, `no_information`, `not_supported` and the like are `None`.
pub(super) fn report_time(row: &BTreeMap<String, String>, column: &str) -> Option<DateTime<Utc>> {
    row.get(column)
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc))
}

pub(super) fn report_text(row: &BTreeMap<String, String>, column: &str) -> Option<String> {
    row.get(column)
        .filter(|v| {
            !v.is_empty() && !matches!(v.as_str(), "N/A" | "no_information" | "not_supported")
        })
        .cloned()
}

pub(super) fn report_flag(row: &BTreeMap<String, String>, column: &str) -> Option<bool> {
    match row.get(column).map(String::as_str) {
        Some("true" | "TRUE") => Some(true),
        Some("false" | "FALSE") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_credential_report_rows() {
        let report = Report::parse(
            "user,arn,password_enabled,password_last_used,mfa_active\n\
             <root_account>,arn:aws:iam::1:root,not_supported,2024-01-02T03:04:05+00:00,true\n\
             \"a,b\",arn:aws:iam::1:user/ab,false,N/A,false\n",
        );
        let root = report.root().expect("root row");
        assert_eq!(
            report_time(root, "password_last_used").map(|t| t.to_rfc3339()),
            Some("2024-01-02T03:04:05+00:00".to_owned())
        );
        let user = report.user("arn:aws:iam::1:user/ab").expect("user row");
        assert_eq!(user["user"], "a,b");
        assert_eq!(report_time(user, "password_last_used"), None);
        assert_eq!(report_flag(user, "mfa_active"), Some(false));
    }
}
