//! The template environment for human reports: HTML auto-escaped, Markdown escaped by a
//! formatter, strict about undefined values. Templates live in `templates/`.

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
        } else {
            escape_formatter(out, state, value)
        }
    });
    env.add_filter("pct", |part: usize, whole: usize| {
        if whole == 0 {
            0
        } else {
            (part * 100 + whole / 2) / whole
        }
    });
    env.add_template(
        "report.html.j2",
        include_str!("../../templates/report.html.j2"),
    )
    .unwrap_or_else(|e| broken_template(e));
    env.add_template("report.md.j2", include_str!("../../templates/report.md.j2"))
        .unwrap_or_else(|e| broken_template(e));
    env
});

#[allow(clippy::panic)]
fn broken_template(e: minijinja::Error) -> ! {
    // Built-in templates are compiled into the binary and covered by tests.
    panic!("built-in template does not compile: {e:#}")
}

/// Escapes text for Markdown (also inside table cells): punctuation that Markdown or inline
/// HTML would interpret is backslash-escaped, line breaks and control characters are flattened.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '<' | '>' | '~' | '&' | '"' | '\'' | '=' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            // Bidirectional overrides could make text read differently from what it is.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('\u{fffd}'),
            c => out.push(c),
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
            "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"
        );
        assert_eq!(escape_markdown("line\nbreak"), "line break");
        assert_eq!(escape_markdown("\u{202e}abc"), "\u{fffd}abc");
    }
}
