//! Shortening text for display, always on a character boundary: shown values may be CJK or
//! emoji, and a value echoed in an error may be megabytes long.

use std::borrow::Cow;

/// At most `max` characters of `text`, the last one `…` when something was cut.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &text[..end]))
        }
    }
}

/// `text` whole when it has at most `max` bytes; otherwise its start and end around a note of
/// how many bytes were left out, so an error echoing a huge value stays one readable line.
pub fn elide_middle(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut head = max * 3 / 4;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - max / 4;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    let left_out = tail - head;
    Cow::Owned(format!(
        "{}…[{left_out} bytes left out]…{}",
        &text[..head],
        &text[tail..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_counts_characters_and_marks_the_cut() {
        assert_eq!(clip("short", 200), "short");
        assert_eq!(clip("abcdef", 6), "abcdef");
        assert_eq!(clip("abcdefg", 6), "abcde…");
        let cjk = "微".repeat(100);
        assert_eq!(clip(&cjk, 10), format!("{}…", "微".repeat(9)));
        assert_eq!(clip("🦊🦊🦊", 2), "🦊…");
    }

    #[test]
    fn elide_middle_keeps_both_ends_on_character_boundaries() {
        assert_eq!(elide_middle("short", 100), "short");
        let text = format!("start{}end", "阿".repeat(1_000_000));
        let shown = elide_middle(&text, 1_000);
        assert!(shown.len() < 1_100, "{}", shown.len());
        assert!(shown.starts_with("start阿"), "{shown}");
        assert!(shown.ends_with("阿end"), "{shown}");
        assert!(shown.contains(" bytes left out]"), "{shown}");
        // What is shown plus what was left out is the whole text (the count has 7 digits).
        let left_out = text.len() - (shown.len() - "…[ bytes left out]…".len() - 7);
        assert!(
            shown.contains(&format!("…[{left_out} bytes left out]…")),
            "{shown}"
        );
    }
}
