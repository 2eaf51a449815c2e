//! Conditions in three values. A rule's condition is split, once, into its `and`, `or` and
//! `not` over atoms (the parts that hold no top-level `and`/`or`), each atom with the fields it
//! reads. When a field cannot be known (a coverage gap, an underivable fact), the atoms that
//! read it are unknown and the rest decide as Kleene's logic does: `true or unknown` is true,
//! `false and unknown` is false, anything else with an unknown in it is unknown. So a bucket
//! whose policy plainly grants `Principal: "*"` fails even when its policy status could not be
//! read, and a condition that needs the unread field stays not assessed.

use std::collections::BTreeSet;

use minijinja::{Expression, Value};

/// A condition's value when some of what it reads may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    /// Why it cannot be told (a not-assessed message).
    Unknown(String),
}

/// The boolean shape of a condition over its atoms.
pub enum Node {
    Atom {
        expr: Expression<'static, 'static>,
        /// The fields this atom reads.
        reads: BTreeSet<String>,
    },
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Atom { reads, .. } => write!(f, "Atom{reads:?}"),
            Node::Not(n) => write!(f, "Not({n:?})"),
            Node::And(ns) => f.debug_tuple("And").field(ns).finish(),
            Node::Or(ns) => f.debug_tuple("Or").field(ns).finish(),
        }
    }
}

impl Node {
    /// The condition's value: each atom is unknown when `hidden` says why one of its fields
    /// cannot be known, else evaluated on `ctx`. Atoms are evaluated left to right and a
    /// decided `and`/`or` stops, as the whole expression would; an atom that errors after an
    /// unknown one (a guard that could not be checked) is unknown, not an error.
    pub fn eval(
        &self,
        ctx: &Value,
        hidden: &dyn Fn(&BTreeSet<String>) -> Option<String>,
    ) -> Result<Tri, minijinja::Error> {
        self.eval_after(ctx, hidden, false)
    }

    fn eval_after(
        &self,
        ctx: &Value,
        hidden: &dyn Fn(&BTreeSet<String>) -> Option<String>,
        after_unknown: bool,
    ) -> Result<Tri, minijinja::Error> {
        match self {
            Node::Atom { expr, reads } => {
                if let Some(why) = hidden(reads) {
                    return Ok(Tri::Unknown(why));
                }
                match expr.eval(ctx.clone()) {
                    Ok(v) if v.is_true() => Ok(Tri::True),
                    Ok(_) => Ok(Tri::False),
                    Err(_) if after_unknown => Ok(Tri::Unknown(
                        "not assessed: a condition depends on a part that could not be read"
                            .to_owned(),
                    )),
                    Err(e) => Err(e),
                }
            }
            Node::Not(n) => Ok(match n.eval_after(ctx, hidden, after_unknown)? {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                unknown => unknown,
            }),
            Node::And(ns) => Self::fold(ns, ctx, hidden, after_unknown, Tri::False),
            Node::Or(ns) => Self::fold(ns, ctx, hidden, after_unknown, Tri::True),
        }
    }

    /// `and` (which `decisive` false decides) or `or` (which true decides).
    fn fold(
        nodes: &[Node],
        ctx: &Value,
        hidden: &dyn Fn(&BTreeSet<String>) -> Option<String>,
        mut after_unknown: bool,
        decisive: Tri,
    ) -> Result<Tri, minijinja::Error> {
        let mut unknown = None;
        for n in nodes {
            match n.eval_after(ctx, hidden, after_unknown)? {
                v if v == decisive => return Ok(v),
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                    after_unknown = true;
                }
                _ => {}
            }
        }
        Ok(match unknown {
            Some(why) => Tri::Unknown(why),
            None if decisive == Tri::True => Tri::False,
            None => Tri::True,
        })
    }
}

/// A token of an expression: its kind and where it stands in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Word,
    Open,
    Close,
    Other,
}

/// The tokens of `src` that matter for its boolean shape, with their byte spans: words,
/// brackets, and the rest (string literals and operators as single tokens).
fn tokens(src: &str) -> Vec<(Token, usize, usize)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let kind = if c == b'\'' || c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            Token::Other
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Token::Word
        } else {
            i += 1;
            match c {
                b'(' | b'[' | b'{' => Token::Open,
                b')' | b']' | b'}' => Token::Close,
                _ => Token::Other,
            }
        };
        out.push((kind, start, i.min(bytes.len())));
    }
    out
}

/// The boolean shape of `src`, with each atom compiled by `compile` (which also says what it
/// reads). `None` when the condition has no `and`, `or` or `not` at its top level worth
/// splitting, holds a conditional expression, or an atom does not compile on its own.
pub fn split(src: &str, compile: Compile<'_>) -> Option<Node> {
    let toks = tokens(src);
    let word = |t: &(Token, usize, usize), w: &str| t.0 == Token::Word && &src[t.1..t.2] == w;
    // A conditional expression (`a if b else c`) binds looser than `or`: left whole.
    if depth_zero(&toks).any(|i| word(&toks[i], "if") || word(&toks[i], "else")) {
        return None;
    }
    let node = parse_or(src, &toks, compile)?;
    matches!(node, Node::And(_) | Node::Or(_) | Node::Not(_)).then_some(node)
}

/// Indices of the tokens at bracket depth zero (a bracket that opens or closes a top-level
/// group included).
fn depth_zero(toks: &[(Token, usize, usize)]) -> impl Iterator<Item = usize> + '_ {
    let mut depth = 0i32;
    toks.iter().enumerate().filter_map(move |(i, t)| {
        let at = match t.0 {
            Token::Open => {
                depth += 1;
                depth - 1
            }
            Token::Close => {
                depth -= 1;
                depth
            }
            _ => depth,
        };
        (at == 0).then_some(i)
    })
}

/// Compiles an atom on its own, with the fields it reads (`None`: it does not compile).
pub type Compile<'c> = &'c dyn Fn(&str) -> Option<(Expression<'static, 'static>, BTreeSet<String>)>;

/// `toks` split at the depth-zero words `w`.
fn split_at<'t>(
    src: &str,
    toks: &'t [(Token, usize, usize)],
    w: &str,
) -> Vec<&'t [(Token, usize, usize)]> {
    let mut parts = Vec::new();
    let mut from = 0;
    for i in depth_zero(toks) {
        let t = &toks[i];
        if t.0 == Token::Word && &src[t.1..t.2] == w {
            parts.push(&toks[from..i]);
            from = i + 1;
        }
    }
    parts.push(&toks[from..]);
    parts
}

fn parse_or(src: &str, toks: &[(Token, usize, usize)], compile: Compile<'_>) -> Option<Node> {
    let parts = split_at(src, toks, "or");
    if parts.len() > 1 {
        return parts
            .into_iter()
            .map(|p| parse_and(src, p, compile))
            .collect::<Option<Vec<_>>>()
            .map(Node::Or);
    }
    parse_and(src, toks, compile)
}

fn parse_and(src: &str, toks: &[(Token, usize, usize)], compile: Compile<'_>) -> Option<Node> {
    let parts = split_at(src, toks, "and");
    if parts.len() > 1 {
        return parts
            .into_iter()
            .map(|p| parse_not(src, p, compile))
            .collect::<Option<Vec<_>>>()
            .map(Node::And);
    }
    parse_not(src, toks, compile)
}

fn parse_not(src: &str, toks: &[(Token, usize, usize)], compile: Compile<'_>) -> Option<Node> {
    let (first, last) = (toks.first()?, toks.last()?);
    if first.0 == Token::Word && &src[first.1..first.2] == "not" && toks.len() > 1 {
        return parse_not(src, &toks[1..], compile).map(|n| Node::Not(Box::new(n)));
    }
    // `( … )` around the whole part: its inside is a condition of its own.
    if first.0 == Token::Open
        && &src[first.1..first.2] == "("
        && last.0 == Token::Close
        && depth_zero(toks).last() == Some(toks.len() - 1)
        && depth_zero(toks).nth(1) == Some(toks.len() - 1)
    {
        return parse_or(src, &toks[1..toks.len() - 1], compile);
    }
    let (expr, reads) = compile(&src[first.1..last.2])?;
    Some(Node::Atom { expr, reads })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::engine::helpers::ENV;

    fn compile(src: &str) -> Option<(Expression<'static, 'static>, BTreeSet<String>)> {
        let expr = ENV.compile_expression_owned(src.to_owned()).ok()?;
        let reads = expr.undeclared_variables(false).into_iter().collect();
        Some((expr, reads))
    }

    fn shape(src: &str) -> String {
        split(src, &compile).map_or_else(|| "whole".to_owned(), |n| format!("{n:?}"))
    }

    #[test]
    fn conditions_split_at_their_top_level_and_or_not() {
        assert_eq!(shape("a or b"), r#"Or([Atom{"a"}, Atom{"b"}])"#);
        assert_eq!(
            shape("a and (b or not c)"),
            r#"And([Atom{"a"}, Or([Atom{"b"}, Not(Atom{"c"})])])"#
        );
        assert_eq!(
            shape("a or b and c"),
            r#"Or([Atom{"a"}, And([Atom{"b"}, Atom{"c"}])])"#
        );
        // Inside brackets, strings, tests and conditional expressions, nothing splits.
        assert_eq!(shape("x | selectattr('a', 'eq', 'b or c') | list"), "whole");
        assert_eq!(shape("[a or b] | length > 0"), "whole");
        assert_eq!(shape("x is not none"), "whole");
        assert_eq!(shape("a if b else c or d"), "whole");
        assert_eq!(shape("(a + 1) > 2 or b"), r#"Or([Atom{"a"}, Atom{"b"}])"#);
        assert_eq!(
            shape("not x is none and y not in z"),
            r#"And([Not(Atom{"x"}), Atom{"y", "z"}])"#
        );
    }

    /// A random condition over the boolean fields f0..f3.
    fn condition() -> impl Strategy<Value = String> {
        let leaf = (0..4usize).prop_map(|i| format!("f{i}"));
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| format!("not {c}")),
                inner.clone().prop_map(|c| format!("({c})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("{a} or {b}")),
            ]
        })
    }

    fn whole(src: &str, values: &[bool; 4]) -> bool {
        let ctx: BTreeMap<String, bool> = (0..4).map(|i| (format!("f{i}"), values[i])).collect();
        let expr = ENV.compile_expression(src).unwrap();
        expr.eval(Value::from(minijinja::value::Serde(&ctx)))
            .unwrap()
            .is_true()
    }

    proptest! {
        /// What three values decide, every value of the unknown fields agrees with; and with
        /// nothing unknown, the split condition is the whole one.
        #[test]
        fn decided_means_decided_whatever_the_unknown_fields_hold(
            src in condition(),
            values in proptest::array::uniform4(any::<bool>()),
            hidden in proptest::array::uniform4(any::<bool>()),
        ) {
            let node = split(&src, &compile)
                .unwrap_or_else(|| Node::Atom { expr: compile(&src).unwrap().0, reads: compile(&src).unwrap().1 });
            let ctx: BTreeMap<String, bool> =
                (0..4).map(|i| (format!("f{i}"), values[i])).collect();
            let ctx = Value::from(minijinja::value::Serde(&ctx));
            let none = node.eval(&ctx, &|_| None).unwrap();
            prop_assert_eq!(none == Tri::True, whole(&src, &values));
            let is_hidden = |reads: &BTreeSet<String>| {
                reads
                    .iter()
                    .any(|f| hidden[f[1..].parse::<usize>().unwrap()])
                    .then(|| "hidden".to_owned())
            };
            match node.eval(&ctx, &is_hidden).unwrap() {
                Tri::Unknown(_) => {}
                decided => {
                    for assignment in 0..16u8 {
                        let mut v = values;
                        for i in 0..4 {
                            if hidden[i] {
                                v[i] = assignment & (1 << i) != 0;
                            }
                        }
                        prop_assert_eq!(decided == Tri::True, whole(&src, &v), "{} with {:?}", src, v);
                    }
                }
            }
        }
    }
}
