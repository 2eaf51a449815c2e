//! An error told once: its message and each cause that the message does not already say.

/// The messages of an error chain, outermost first, joined by `: `, each said once: a cause
/// whose text an earlier message already holds (an error that prints its source, and returns
/// it as its source too) is left out.
pub fn chain(messages: impl IntoIterator<Item = String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for text in messages {
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// [`chain`] over a standard error and its sources.
pub fn error(err: &(dyn std::error::Error + 'static)) -> String {
    chain(std::iter::successors(Some(err), |e| e.source()).map(ToString::to_string))
}

/// serde_json's message without the " at line L column C" it appends: errors that carry the
/// line and column apart print them before the message.
pub fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("nope.json: cannot read snapshot: {source}")]
    struct Read {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_the_message_already_holds_is_said_once() {
        let err = Read {
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "No such file"),
        };
        assert_eq!(error(&err), "nope.json: cannot read snapshot: No such file");
    }

    #[test]
    fn a_cause_the_message_does_not_hold_is_added() {
        let err = anyhow::Error::new(std::io::Error::other("disk full")).context("writing x");
        assert_eq!(
            chain(err.chain().map(ToString::to_string)),
            "writing x: disk full"
        );
    }
}
