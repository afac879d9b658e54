//! Text that came from somewhere untrusted (a repository, a remote, the
//! state file, a hook) made safe to show: control characters and bidi
//! controls are spelt out (`\e`, `\u{202e}`), never interpreted.

use std::borrow::Cow;

/// Characters that change how a terminal or a text view shows what follows
/// them, besides the C0/C1 controls and DEL: the Unicode bidi controls
/// (U+202E makes `exe.txt` look like `txt.exe`) and the line and paragraph
/// separators.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that show as nothing, so that `pro\u{200b}d` looks like
/// `prod`: zero-width spaces and joiners, word joiner and invisible
/// operators, soft hyphen, BOM, Mongolian vowel separator, tag characters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{feff}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// A character that must never reach a terminal as it is: a C0 or C1
/// control, DEL, a bidi control, an invisible character, or U+2028/U+2029.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The first unsafe character of `text`, if any (see [`is_unsafe_char`]).
pub fn first_unsafe_char(text: &str) -> Option<char> {
    text.chars().find(|&c| is_unsafe_char(c))
}

/// One line for a terminal or a log: every unsafe character, newlines
/// included, is written as an escape, so a value can neither colour the
/// screen nor fake a second line.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A block of lines for a terminal: like [`escape_line`], but a newline
/// stays a line break.
pub fn escape_block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe_char(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().saturating_add(8));
    for c in text.chars() {
        if !unsafe_here(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\0' => out.push_str("\\0"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_spelt_out_and_plain_text_is_untouched() {
        assert_eq!(escape_line("plain café"), "plain café");
        assert_eq!(escape_line("\u{1b}[31mred\u{7}"), "\\e[31mred\\a");
        assert_eq!(escape_line("a\nb\r"), "a\\nb\\r");
        assert_eq!(escape_block("a\nb\u{1b}]0;t\u{7}"), "a\nb\\e]0;t\\a");
        assert_eq!(escape_line("exe\u{202e}txt"), "exe\\u{202e}txt");
        assert_eq!(
            escape_line("c1\u{9b}31m del\u{7f}"),
            "c1\\u{9b}31m del\\u{7f}"
        );
        assert_eq!(escape_line("ls\u{2028}x"), "ls\\u{2028}x");
        assert_eq!(escape_line("pro\u{200b}d"), "pro\\u{200b}d");
        assert_eq!(escape_line("\u{feff}x\u{e0041}"), "\\u{feff}x\\u{e0041}");
    }

    #[test]
    fn unsafe_chars_are_found() {
        assert_eq!(first_unsafe_char("ok"), None);
        assert_eq!(first_unsafe_char("x\u{2066}y"), Some('\u{2066}'));
        assert_eq!(first_unsafe_char("tab\t"), Some('\t'));
    }
}
