//! Everything the command line prints goes through here: tables for people,
//! JSON or YAML for scripts, coloured diffs, progress on a terminal only.
//! Text for people is passed through one sanitiser (`gitsync::text`), so no
//! control character or bidi control from a repository, the state file or a
//! hook ever reaches a terminal as it is; JSON and YAML escape them instead.

use comfy_table::{Table, presets};
use gitsync::text::{escape_block, escape_line, is_unsafe_char};
use serde_json::Value;
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub struct Ui {
    pub format: Format,
    pub quiet: bool,
    pub verbose: bool,
    color: bool,
    out: Box<dyn Write>,
}

impl Ui {
    pub fn new(format: Format, color: ColorChoice, quiet: bool, verbose: bool) -> Ui {
        let stdout_tty = std::io::stdout().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Ui {
            format,
            quiet,
            verbose,
            color,
            out: Box::new(Stdout(std::io::stdout().lock())),
        }
    }

    pub fn json_mode(&self) -> bool {
        self.format != Format::Table
    }

    /// Print a machine-readable value (JSON or YAML, per `-o`).
    pub fn value(&mut self, value: &Value) -> std::io::Result<()> {
        let text = match self.format {
            Format::Yaml => yaml(value),
            _ => json(value),
        };
        self.out.write_all(text.as_bytes())
    }

    /// Print a line (or lines) for people on stdout.
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{}", escape_block(text))
    }

    /// Print generated text as it is (a completion script, the man page):
    /// gitsync's own output, never data.
    pub fn raw(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// A one-line message on stderr, silenced by `-q`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            stderr(&escape_line(text));
        }
    }

    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) -> std::io::Result<()> {
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        table.set_header(header.iter().map(|h| h.to_uppercase()));
        for row in rows {
            table.add_row(row.iter().map(|cell| printable(cell)).collect::<Vec<_>>());
        }
        let text = table.to_string();
        for line in text.lines() {
            writeln!(self.out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// A unified diff, coloured when colour is on.
    pub fn diff(&mut self, diff: &str) -> std::io::Result<()> {
        for line in diff.lines() {
            let line = escape_line(line);
            let painted = if !self.color {
                line.to_string()
            } else if line.starts_with("+++") || line.starts_with("---") {
                format!("\x1b[1m{line}\x1b[0m")
            } else if line.starts_with('+') {
                format!("\x1b[32m{line}\x1b[0m")
            } else if line.starts_with('-') {
                format!("\x1b[31m{line}\x1b[0m")
            } else if line.starts_with("@@") {
                format!("\x1b[36m{line}\x1b[0m")
            } else {
                line.to_string()
            };
            writeln!(self.out, "{painted}")?;
        }
        Ok(())
    }

    /// A spinner on stderr while `what` runs, only on a terminal and never
    /// with `-q` or machine output.
    pub fn spinner(&self, what: &str) -> Option<indicatif::ProgressBar> {
        if self.quiet || self.json_mode() || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(escape_line(what).into_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a write to stdout failed because its reader went away
/// (`gitsync runs | head`): the one broken pipe that ends a command quietly.
/// Any other broken pipe (a hook's stdin, say) is a real error.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

struct Stdout(std::io::StdoutLock<'static>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).inspect_err(note_closed)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().inspect_err(note_closed)
    }
}

fn note_closed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Short form of a commit id for tables.
pub fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// A cell as it may reach a terminal: control characters (from repository
/// content, which is untrusted) are shown escaped, never interpreted.
pub fn printable(text: &str) -> String {
    escape_line(text).into_owned()
}

/// An error or a hint on stderr, escaped. gitsync's own lists (validation
/// problems) go on indented lines; any other newline, as a value quoted
/// from a repository or a remote could hold, is shown as `\n`, so nothing
/// can fake an `error:` line of its own.
pub fn error_line(prefix: &str, text: &str) {
    let mut out = format!("{prefix}: ");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str(if line.starts_with("  ") { "\n" } else { "\\n" });
        }
        out.push_str(&escape_line(line));
    }
    stderr(&out);
}

/// One line of progress (`-v`) on stderr, escaped.
pub fn progress_line(text: &str) {
    stderr(&escape_line(text));
}

/// Write to stderr; a closed stderr is no reason to panic or to fail.
fn stderr(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Pretty JSON in which every character that could act on a terminal is a
/// `\uXXXX` escape (serde_json escapes only C0): the same string, valid
/// JSON, safe to `cat`.
pub fn json(value: &Value) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeFormatter::default());
    serde::Serialize::serialize(value, &mut ser).expect("a JSON value serializes");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// YAML, whose double-quoted strings escape controls; a value holding a
/// bidi control or a line separator (which YAML writers leave raw) is
/// written as JSON instead, which is valid YAML 1.2 and exact.
fn yaml(value: &Value) -> String {
    let text = gitsync::diff::to_yaml(value);
    if text.chars().any(|c| is_unsafe_char(c) && c != '\n') {
        json(value)
    } else {
        text
    }
}

#[derive(Default)]
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

/// Delegates layout to the pretty formatter and escapes string contents.
impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_char(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                // JSON escapes by UTF-16 unit (tag characters need two).
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(w, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_stays_exact() {
        let v = serde_json::json!({"k\u{202e}": "a\u{1b}b\u{9b}c\u{7f}d\u{2066}é\u{e0041}"});
        let text = json(&v);
        assert!(
            !text.chars().any(|c| is_unsafe_char(c) && c != '\n'),
            "{text}"
        );
        assert!(text.contains("\\u001b") && text.contains("\\u009b") && text.contains("\\u202e"));
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }

    #[test]
    fn yaml_with_a_bidi_control_falls_back_to_json_and_stays_exact() {
        let v = serde_json::json!({"name": "exe\u{202e}txt", "n": 1});
        let text = yaml(&v);
        assert!(!text.contains('\u{202e}'), "{text}");
        let back: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert_eq!(yaml(&serde_json::json!({"a": "b"})), "a: b\n");
    }
}
