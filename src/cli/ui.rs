//! Everything the command line prints goes through here: tables for people,
//! JSON or YAML for scripts, coloured diffs, progress on a terminal only.

use comfy_table::{Table, presets};
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
            out: Box::new(std::io::stdout().lock()),
        }
    }

    pub fn json_mode(&self) -> bool {
        self.format != Format::Table
    }

    /// Print a machine-readable value (JSON or YAML, per `-o`).
    pub fn value(&mut self, value: &Value) -> std::io::Result<()> {
        let text = match self.format {
            Format::Yaml => gitsync::diff::to_yaml(value),
            _ => format!(
                "{}\n",
                serde_json::to_string_pretty(value).expect("JSON serializes")
            ),
        };
        self.out.write_all(text.as_bytes())
    }

    /// Print a line for people on stdout.
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// A message on stderr, silenced by `-q`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
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
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
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
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        text.to_string()
    }
}
