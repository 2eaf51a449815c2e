//! Counted nouns in sentences: "1 trail", "2 trails", "1 policy", "3 policies".

/// `n` and the noun, plural unless `n` is one; the last word of a phrase takes the plural
/// ("2 security groups").
pub fn count(n: impl Number, noun: &str) -> String {
    if n.is_one() {
        format!("{n} {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

/// Several counts, joined by commas: "2 VPCs, 1 subnet".
pub fn counts(items: &[(usize, &str)]) -> String {
    items
        .iter()
        .map(|(n, noun)| count(*n, noun))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A count: whole numbers of any width.
pub trait Number: Copy + std::fmt::Display {
    fn is_one(self) -> bool;
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn is_one(self) -> bool {
                self == 1
            }
        }
    )*};
}
numbers!(usize, u64, u32, i64, i32);

/// The plural of a noun phrase in English's regular forms: `policy` → `policies`, `key` →
/// `keys`, `address` → `addresses`, `VPC` → `VPCs`.
pub fn plural(noun: &str) -> String {
    let (head, last) = match noun.rfind(' ') {
        Some(i) => noun.split_at(i + 1),
        None => ("", noun),
    };
    let lower = last.to_ascii_lowercase();
    let shouting = last.len() > 1 && last.chars().all(|c| !c.is_ascii_lowercase());
    let word = if shouting {
        format!("{last}s")
    } else if let Some(stem) = lower
        .strip_suffix('y')
        .filter(|s| s.chars().next_back().is_some_and(|c| !"aeiou".contains(c)))
    {
        format!("{}ies", &last[..stem.len()])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        format!("{last}es")
    } else {
        format!("{last}s")
    };
    format!("{head}{word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_unless_one() {
        assert_eq!(count(1, "trail"), "1 trail");
        assert_eq!(count(0, "trail"), "0 trails");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(1u32, "day"), "1 day");
        assert_eq!(
            count(3usize, "customer-managed policy"),
            "3 customer-managed policies"
        );
        assert_eq!(count(2, "security group"), "2 security groups");
        assert_eq!(count(2, "VPC"), "2 VPCs");
        assert_eq!(count(2, "network ACL"), "2 network ACLs");
        assert_eq!(count(2, "access key"), "2 access keys");
        assert_eq!(count(2, "address"), "2 addresses");
        assert_eq!(count(2, "identity"), "2 identities");
        assert_eq!(count(2, "coverage gap"), "2 coverage gaps");
    }
}
