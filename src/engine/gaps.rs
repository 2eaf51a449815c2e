//! The snapshot's coverage gaps as evaluation reads them. A gap that names a field its kind's
//! view does not have (a collector's slip, or a snapshot from another onus) would hide
//! nothing, and a rule reading the field it meant would pass unseen: such a gap is widened to
//! every field of its kind, and said.

use std::borrow::Cow;

use super::issue::EvalIssue;
use crate::analyze::kinds;
use crate::snapshot::CoverageGap;

/// The gaps, with every one that names a field its kind does not have widened to all of the
/// kind's fields; one issue per widened gap.
pub fn checked(gaps: &[CoverageGap]) -> (Cow<'_, [CoverageGap]>, Vec<EvalIssue>) {
    fn stray(g: &CoverageGap) -> Option<(&'static kinds::Kind, &String)> {
        let kind = kinds::get(&g.kind)?;
        let field = g.fields.iter().find(|f| !kind.has_field(f))?;
        Some((kind, field))
    }
    if gaps.iter().all(|g| stray(g).is_none()) {
        return (Cow::Borrowed(gaps), Vec::new());
    }
    let mut issues = Vec::new();
    let widened = gaps
        .iter()
        .map(|g| match stray(g) {
            None => g.clone(),
            Some((kind, field)) => {
                issues.push(EvalIssue {
                    rule: String::new(),
                    resource: g.resource.clone().unwrap_or_else(|| g.kind.clone()),
                    message: format!(
                        "the coverage gap of {} names `{field}`, which {} does not have: every field of it is taken as unknown there",
                        g.operation, g.kind
                    ),
                });
                CoverageGap {
                    fields: kind.fields().to_vec(),
                    ..g.clone()
                }
            }
        })
        .collect();
    (Cow::Owned(widened), issues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::kind;

    fn gap(fields: &[&str]) -> CoverageGap {
        CoverageGap {
            kind: kind::AWS_EC2_INSTANCE.into(),
            account: "111122223333".into(),
            region: Some("eu-west-1".into()),
            resource: None,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            operation: "ec2:DescribeRouteTables".into(),
            error: "AccessDenied".into(),
            message: String::new(),
        }
    }

    #[test]
    fn a_gap_naming_a_field_its_kind_lacks_hides_every_field_of_it() {
        let gaps = [gap(&["in_public_subnet"]), gap(&["in_publik_subnet"])];
        let (checked, issues) = checked(&gaps);
        assert_eq!(checked[0], gaps[0], "a well-formed gap is kept");
        let instance = kinds::get(kind::AWS_EC2_INSTANCE).unwrap();
        assert_eq!(checked[1].fields, instance.fields());
        assert!(checked[1].covers(
            kind::AWS_EC2_INSTANCE,
            "111122223333",
            Some("eu-west-1"),
            "i-1",
            "metadata_options"
        ));
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("`in_publik_subnet`"),
            "{issues:?}"
        );
    }

    #[test]
    fn well_formed_gaps_are_read_as_they_are() {
        let gaps = [gap(&[]), gap(&["in_public_subnet"])];
        let (checked, issues) = checked(&gaps);
        assert!(matches!(checked, Cow::Borrowed(_)));
        assert!(issues.is_empty());
    }
}
