//! The template environment for human reports: HTML auto-escaped, Markdown escaped by a
//! formatter, strict about undefined values. Every `*.j2` file under `templates/` is built in,
//! named by its path there (`report.html.j2`, `partials/privileged_access.html.j2`).

use std::sync::LazyLock;

use minijinja::{AutoEscape, Environment, State, UndefinedBehavior, Value, escape_formatter};

use super::RenderError;

const MARKDOWN: &str = "markdown";

fn is_markdown(mode: &AutoEscape) -> bool {
    matches!(mode, AutoEscape::Custom(name) if name == MARKDOWN)
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else if name.ends_with(".md.j2") {
            AutoEscape::Custom(MARKDOWN.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state: &mut State, value: &Value| {
        if is_markdown(state.auto_escape()) && !value.is_safe() {
            let text = if value.is_none() {
                String::new()
            } else {
                value.to_string()
            };
            out.write_str(&escape_markdown(&text))?;
            Ok(())
        } else if !value.is_safe()
            && let Some(text) = value.as_str()
            && text.chars().any(is_bidi_control)
        {
            // Shown literally: a right-to-left override in a resource name must not reorder
            // the text around it.
            let flat: String = text
                .chars()
                .map(|c| if is_bidi_control(c) { '\u{fffd}' } else { c })
                .collect();
            escape_formatter(out, state, &Value::from(flat))
        } else {
            escape_formatter(out, state, value)
        }
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| broken_template(e));
    }
    env
});

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

#[allow(clippy::panic)]
fn broken_template(e: minijinja::Error) -> ! {
    // Built-in templates are compiled into the binary and covered by tests.
    panic!("built-in template does not compile: {e:#}")
}

/// Characters that change the direction of the text around them (embeddings, overrides,
/// isolates).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes text for Markdown, also inside table cells: characters that open emphasis, code,
/// links, inline HTML or cells are backslash-escaped, bare URLs cannot auto-link, a value cannot
/// start a heading, list or quote, and line breaks, control characters and bidirectional
/// overrides are flattened.
pub fn escape_markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let next_is = |s: &str| chars[i + 1..].iter().take(s.len()).copied().eq(s.chars());
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' => true,
            '#' | '-' | '+' | '=' if i == 0 => true,
            '.' | ')' if i == leading_digits && i > 0 => true,
            ':' => next_is("//"),
            '.' => {
                i >= 3
                    && chars[i - 3..i]
                        .iter()
                        .collect::<String>()
                        .eq_ignore_ascii_case("www")
            }
            _ => false,
        };
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_bidi_control(c) => out.push('\u{fffd}'),
            c if c.is_control() => out.push('\u{fffd}'),
            c => {
                if escape {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

pub fn render(name: &'static str, ctx: Value) -> Result<String, RenderError> {
    ENV.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|source| RenderError::Template { name, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_neutralises_markup() {
        assert_eq!(escape_markdown("a|b"), "a\\|b");
        assert_eq!(escape_markdown("<script>"), "\\<script\\>");
        assert_eq!(
            escape_markdown("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            escape_markdown("see https://evil.example"),
            "see https\\://evil.example"
        );
        assert_eq!(escape_markdown("www.evil.example"), "www\\.evil.example");
        assert_eq!(escape_markdown("# heading"), "\\# heading");
        assert_eq!(escape_markdown("12. item"), "12\\. item");
        assert_eq!(
            escape_markdown("2026-11-01T09:30:00Z"),
            "2026-11-01T09:30:00Z"
        );
        assert_eq!(escape_markdown("line\nbreak"), "line break");
        assert_eq!(escape_markdown("\u{202e}abc"), "\u{fffd}abc");
    }

    #[test]
    fn html_shows_bidirectional_overrides_literally() {
        let out = ENV
            .render_named_str(
                "t.html.j2",
                "{{ v }}",
                minijinja::context! { v => "<b>\u{202e}gpj.exe\u{2066}" },
            )
            .unwrap_or_default();
        assert_eq!(out, "&lt;b&gt;\u{fffd}gpj.exe\u{fffd}");
    }
}
