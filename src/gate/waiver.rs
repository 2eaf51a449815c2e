//! Waivers: accepted failures, read from `onus.yaml` (or `--config FILE`), kept in the
//! output but marked, and not counted against the gate until they expire.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::finding::{AppliedWaiver, Finding, Status};

/// The file read from the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "onus.yaml";

/// The environment variable that overrides today's date (`YYYY-MM-DD`), for tests.
pub const TODAY_VAR: &str = "ONUS_TODAY";

#[derive(Debug, thiserror::Error)]
pub enum WaiverError {
    #[error("{path}: cannot read")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid waiver file: {message}")]
    Syntax {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{TODAY_VAR}={value}: not a date: {message}")]
    Today { value: String, message: String },
}

/// A waiver file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverFile {
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// One accepted failure (or family of failures). Every pattern given must match.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Rule id, or a glob over rule ids.
    pub rule: RuleGlob,
    /// Glob over the resource id (ARN) or name.
    #[serde(default)]
    pub resource: Option<Glob>,
    /// Glob over the account id.
    #[serde(default)]
    pub account: Option<Glob>,
    /// Glob over the region; never matches a global resource (one without a region).
    #[serde(default)]
    pub region: Option<Glob>,
    /// Tag key → glob over its value; the resource must carry every key with a matching
    /// value (a resource without the tag never matches).
    #[serde(default)]
    pub tags: BTreeMap<String, Glob>,
    pub reason: Reason,
    /// The last day the waiver applies.
    #[serde(default)]
    pub expires: Option<Date>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
}

/// A pattern where `*` matches any run of characters and `?` any one character.
#[derive(Debug, Clone)]
pub struct Glob(String, wildmatch::WildMatch);

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.0 == other.0
    }
}

impl Eq for Glob {}

impl Glob {
    fn parse(s: String) -> Result<Glob, String> {
        if s.is_empty() {
            return Err("empty pattern".to_owned());
        }
        if let Some(c) = s
            .chars()
            .find(|c| matches!(c, '[' | ']' | '{' | '}' | '\\'))
        {
            return Err(format!(
                "pattern `{s}` uses `{c}`: only `*` and `?` are special in waiver patterns"
            ));
        }
        let matcher = wildmatch::WildMatch::new(&s);
        Ok(Glob(s, matcher))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, text: &str) -> bool {
        self.1.matches(text)
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Glob, D::Error> {
        Glob::parse(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A glob over rule ids: kebab-case characters, `*` and `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleGlob(pub Glob);

impl<'de> Deserialize<'de> for RuleGlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RuleGlob, D::Error> {
        let glob = Glob::deserialize(d)?;
        if let Some(c) = glob.as_str().chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '*' | '?'))
        }) {
            return Err(serde::de::Error::custom(format!(
                "rule pattern `{glob}` uses `{c}`: rule ids are kebab-case (a-z, 0-9, -), with `*` and `?` as wildcards"
            )));
        }
        Ok(RuleGlob(glob))
    }
}

/// A non-empty reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom("`reason` must not be empty"));
        }
        Ok(Reason(s))
    }
}

impl Reason {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        let well_formed = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !well_formed {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|e| format!("`{s}` is not a valid date: {e}"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        Date::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Today's date: `ONUS_TODAY` if set, else the current UTC date.
pub fn today() -> Result<Date, WaiverError> {
    match std::env::var(TODAY_VAR) {
        Ok(value) => Date::parse(&value).map_err(|message| WaiverError::Today { value, message }),
        Err(std::env::VarError::NotPresent) => Ok(Date(chrono::Utc::now().date_naive())),
        Err(std::env::VarError::NotUnicode(value)) => Err(WaiverError::Today {
            value: value.to_string_lossy().into_owned(),
            message: "not valid UTF-8".to_owned(),
        }),
    }
}

/// Parses the text of a waiver file.
pub fn from_str(text: &str, path: &Path) -> Result<WaiverFile, WaiverError> {
    crate::yaml::from_str(text).map_err(|e| WaiverError::Syntax {
        path: path.to_owned(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// Reads the waiver file: `config` if given (it must exist), else `onus.yaml` in the
/// working directory if there is one.
pub fn load(config: Option<&Path>) -> Result<Option<WaiverFile>, WaiverError> {
    let (path, required) = match config {
        Some(p) => (p.to_owned(), true),
        None => (PathBuf::from(DEFAULT_FILE), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(WaiverError::Read { path, source }),
    };
    from_str(&text, &path).map(Some)
}

/// An expired waiver. It waives nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expired {
    /// 1-based position of the waiver in the file.
    pub index: usize,
    pub rule: String,
    pub expires: Date,
    /// How many failures it would waive if it had not expired.
    pub matched: usize,
}

/// An unexpired waiver that matched no failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    /// 1-based position of the waiver in the file.
    pub index: usize,
    pub rule: String,
}

/// What the waivers did to one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverReport {
    /// Failures waived.
    pub waived: usize,
    /// Every expired waiver, in file order, whether it matched or not.
    pub expired: Vec<Expired>,
    /// Unexpired waivers that matched no failure, in file order.
    pub unmatched: Vec<Unmatched>,
}

impl Waiver {
    /// Whether this waiver covers this result (ignoring expiry and status).
    pub fn matches(&self, f: &Finding) -> bool {
        self.rule.0.matches(&f.rule)
            && self
                .resource
                .as_ref()
                .is_none_or(|g| g.matches(&f.resource.id) || g.matches(&f.resource.name))
            && self
                .account
                .as_ref()
                .is_none_or(|g| g.matches(&f.resource.account))
            && self
                .region
                .as_ref()
                .is_none_or(|g| f.resource.region.as_deref().is_some_and(|r| g.matches(r)))
            && self.tags.iter().all(|(key, g)| {
                f.resource
                    .tags
                    .get(key)
                    .is_some_and(|value| g.matches(value))
            })
    }

    /// Expired when today is after `expires`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

impl WaiverFile {
    /// Marks each failure matched by an unexpired waiver (the first in file order) and
    /// reports what was waived, what has expired and what matched nothing.
    pub fn apply(&self, findings: &mut [Finding], today: Date) -> WaiverReport {
        let mut matched = vec![0usize; self.waivers.len()];
        let mut waived = 0;
        for f in findings.iter_mut().filter(|f| f.status == Status::Fail) {
            f.waiver = None;
            for (i, w) in self.waivers.iter().enumerate() {
                if !w.matches(f) {
                    continue;
                }
                matched[i] += 1;
                if f.waiver.is_none() && !w.is_expired(today) {
                    f.waiver = Some(Box::new(AppliedWaiver {
                        reason: w.reason.as_str().to_owned(),
                        owner: w.owner.clone(),
                        ticket: w.ticket.clone(),
                        expires: w.expires.map(|d| d.0),
                        index: i + 1,
                    }));
                    waived += 1;
                }
            }
        }
        let mut expired = Vec::new();
        let mut unmatched = Vec::new();
        for (i, w) in self.waivers.iter().enumerate() {
            match w.expires {
                Some(expires) if w.is_expired(today) => expired.push(Expired {
                    index: i + 1,
                    rule: w.rule.0.to_string(),
                    expires,
                    matched: matched[i],
                }),
                _ if matched[i] == 0 => unmatched.push(Unmatched {
                    index: i + 1,
                    rule: w.rule.0.to_string(),
                }),
                _ => {}
            }
        }
        WaiverReport {
            waived,
            expired,
            unmatched,
        }
    }
}

impl fmt::Display for WaiverReport {
    /// `3 waived, 1 expired (#2 aws-s3-* expired 2026-01-31), 1 matched nothing (#4)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} waived, {} expired", self.waived, self.expired.len())?;
        if !self.expired.is_empty() {
            let list: Vec<String> = self
                .expired
                .iter()
                .map(|e| format!("#{} {} expired {}", e.index, e.rule, e.expires))
                .collect();
            write!(f, " ({})", list.join(", "))?;
        }
        write!(f, ", {} matched nothing", self.unmatched.len())?;
        if !self.unmatched.is_empty() {
            let list: Vec<String> = self
                .unmatched
                .iter()
                .map(|u| format!("#{}", u.index))
                .collect();
            write!(f, " ({})", list.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(text: &str) -> Result<WaiverFile, WaiverError> {
        from_str(text, Path::new("onus.yaml"))
    }

    fn position(text: &str) -> (u64, u64, String) {
        match parse(text).unwrap_err() {
            WaiverError::Syntax {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn globs() {
        let g = |p: &str, t: &str| Glob::parse(p.to_owned()).unwrap().matches(t);
        assert!(g("aws-s3-*", "aws-s3-bucket-public-acl"));
        assert!(!g("aws-s3-*", "aws-iam-x"));
        assert!(g("*", ""));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("arn:aws:s3:::legacy-*", "arn:aws:s3:::legacy-www"));
        assert!(g("*-www", "arn:aws:s3:::harbor-finch-www"));
        assert!(!g("*-www", "arn:aws:s3:::harbor-finch-www2"));
        assert!(g("a*b*c", "aXbYbZc"));
        assert!(g("é?", "éü"));
        assert!(Glob::parse(String::new()).is_err());
        assert!(Glob::parse("a[bc]".to_owned()).is_err());
    }

    #[test]
    fn reads_a_full_waiver() {
        let file = parse(
            "waivers:\n  - rule: aws-s3-*\n    resource: \"arn:aws:s3:::legacy-*\"\n    account: 012345678901\n    region: eu-west-1\n    reason: static website\n    expires: 2027-03-31\n    owner: platform-team\n    ticket: SEC-123\n",
        )
        .unwrap();
        let w = &file.waivers[0];
        assert_eq!(w.rule.0.as_str(), "aws-s3-*");
        assert_eq!(w.account.as_ref().unwrap().as_str(), "012345678901");
        assert_eq!(w.expires.unwrap().to_string(), "2027-03-31");
        assert_eq!(w.ticket.as_deref(), Some("SEC-123"));
    }

    #[test]
    fn bad_files_carry_positions() {
        let (line, column, message) =
            position("waivers:\n  - rule: aws-s3-*\n    reason: ok\n    color: red\n");
        assert_eq!((line, column), (4, 5), "{message}");
        assert!(message.contains("color"), "{message}");
        let (line, _, message) = position("waivers:\n  - rule: aws-s3-*\n    owner: me\n");
        assert!(line >= 2, "{line}");
        assert!(message.contains("reason"), "{message}");
        let (line, column, message) = position("waivers:\n  - rule: x\n    reason: \"  \"\n");
        assert_eq!((line, column), (3, 13), "{message}");
        let (line, _, message) =
            position("waivers:\n  - rule: x\n    reason: r\n    expires: 2027-02-30\n");
        assert_eq!(line, 4, "{message}");
        let (line, _, message) =
            position("waivers:\n  - rule: x\n    reason: r\n    expires: 31/03/2027\n");
        assert_eq!(line, 4, "{message}");
        let (line, _, message) = position("waivers:\n  - rule: Aws_S3\n    reason: r\n");
        assert_eq!(line, 2, "{message}");
        let (line, _, message) =
            position("waivers:\n  - rule: x\n    resource: \"a[b]\"\n    reason: r\n");
        assert_eq!(line, 3, "{message}");
    }

    #[test]
    fn expiry_is_after_the_last_day() {
        let w = parse("waivers:\n  - rule: x\n    reason: r\n    expires: 2027-03-31\n")
            .unwrap()
            .waivers
            .remove(0);
        assert!(!w.is_expired(Date::parse("2027-03-31").unwrap()));
        assert!(w.is_expired(Date::parse("2027-04-01").unwrap()));
    }
}
