//! Wildcard matching of IAM actions and resource ARNs (`*` any run, `?` one character), and
//! the policy variables (`${aws:username}`) that resource patterns may hold.

/// Case-insensitive match of an IAM action (or any pattern compared without case) with `*` and
/// `?` wildcards.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    glob(pattern, value, true)
}

/// Case-sensitive match, as IAM compares resource ARNs.
pub fn arn_match(pattern: &str, value: &str) -> bool {
    glob(pattern, value, false)
}

fn glob(pattern: &str, value: &str, fold: bool) -> bool {
    let norm = |s: &str| -> Vec<char> {
        if fold {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, v) = (norm(pattern), norm(value));
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == v[vi])) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Values of the policy variables known for the principal making a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    /// `aws:username` (IAM users only).
    pub username: Option<String>,
    /// `aws:userid`.
    pub userid: Option<String>,
    /// `aws:PrincipalAccount`.
    pub account: Option<String>,
}

/// Substitutes policy variables in a pattern. `None` when the pattern uses a variable whose
/// value is not known for this principal: such a pattern matches nothing this principal asks
/// for (IAM treats an unresolvable variable the same way).
pub fn resolve(pattern: &str, vars: &Vars) -> Option<String> {
    if !pattern.contains("${") {
        return Some(pattern.to_owned());
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        let value = match name.to_ascii_lowercase().as_str() {
            "*" => Some("*".to_owned()),
            "?" => Some("?".to_owned()),
            "$" => Some("$".to_owned()),
            "aws:username" => vars.username.clone(),
            "aws:userid" => vars.userid.clone(),
            "aws:principalaccount" => vars.account.clone(),
            _ => None,
        }?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious recursive definition, exponential but plainly right.
    fn reference(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some('*'), _) => reference(&p[1..], v) || (!v.is_empty() && reference(p, &v[1..])),
            (Some(_), None) => false,
            (Some('?'), Some(_)) => reference(&p[1..], &v[1..]),
            (Some(a), Some(b)) => a == b && reference(&p[1..], &v[1..]),
        }
    }

    #[test]
    fn actions_are_case_insensitive_with_wildcards() {
        assert!(wildcard_match("iam:*", "IAM:CreateUser"));
        assert!(wildcard_match("s3:Get*", "s3:getobject"));
        assert!(wildcard_match("ec2:Describe?pc*", "ec2:DescribeVpcs"));
        assert!(wildcard_match("*:Get*", "s3:GetObject"));
        assert!(wildcard_match("i?m:*User*", "iam:CreateUser"));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject"));
        assert!(!wildcard_match("iam:Get", "iam:GetUser"));
        assert!(wildcard_match("*", ""));
    }

    #[test]
    fn arns_are_case_sensitive() {
        assert!(arn_match(
            "arn:aws:iam::1:user/*",
            "arn:aws:iam::1:user/alice"
        ));
        assert!(!arn_match(
            "arn:aws:iam::1:user/Alice",
            "arn:aws:iam::1:user/alice"
        ));
    }

    #[test]
    fn variables_resolve_or_match_nothing() {
        let vars = Vars {
            username: Some("alice".into()),
            ..Vars::default()
        };
        assert_eq!(
            resolve("arn:aws:iam::1:user/${aws:username}", &vars).as_deref(),
            Some("arn:aws:iam::1:user/alice")
        );
        assert_eq!(resolve("a${*}b", &vars).as_deref(), Some("a*b"));
        assert_eq!(
            resolve("arn:aws:iam::1:user/${aws:PrincipalTag/team}", &vars),
            None
        );
        assert_eq!(resolve("${aws:userid", &vars), None);
        assert_eq!(
            resolve("arn:aws:iam::1:user/${aws:username}", &Vars::default()),
            None
        );
    }

    proptest! {
        #[test]
        fn matcher_agrees_with_reference(p in "[ab*?:]{0,8}", v in "[abAB:]{0,10}") {
            let pc: Vec<char> = p.to_lowercase().chars().collect();
            let vc: Vec<char> = v.to_lowercase().chars().collect();
            prop_assert_eq!(wildcard_match(&p, &v), reference(&pc, &vc));
            let pc: Vec<char> = p.chars().collect();
            let vc: Vec<char> = v.chars().collect();
            prop_assert_eq!(arn_match(&p, &v), reference(&pc, &vc));
        }
    }
}
