//! `gitsync completions` and `gitsync man`: generated from the clap
//! definition, the same text that is committed under completions/ and man/.

use super::error::CmdResult;
use super::{Ctx, OK};

/// Print a shell completion script
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff)
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn completions(ctx: &mut Ctx, args: CompletionsArgs) -> CmdResult {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut super::command(), "gitsync", &mut out);
    ctx.ui.raw(String::from_utf8_lossy(&out).trim_end())?;
    OK
}

pub fn man(ctx: &mut Ctx, _args: ManArgs) -> CmdResult {
    let mut out = Vec::new();
    let mut cmd = super::command();
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone());
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    page.render_subcommands_section(&mut out)?;
    render_commands(&mut out, &mut cmd, "gitsync")?;
    out.extend_from_slice(EXIT_STATUS.as_bytes());
    out.extend_from_slice(text_to_roff(super::AFTER_LONG_HELP).as_bytes());
    page.render_version_section(&mut out)?;
    ctx.ui.raw(String::from_utf8_lossy(&out).trim_end())?;
    OK
}

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success (a run that hit the proposal cap is partial and still 0).
.TP
\fB1\fR
Runtime failure: a run failed, a git or validation error, a failed apply.
.TP
\fB2\fR
Usage error: unknown flag, bad argument, unknown repo or proposal.
.TP
\fB3\fR
Differences: \fBdiff \-\-exit\-code\fR found some; \fBstatus \-\-exit\-code\fR found a repo not in sync.
.TP
\fB4\fR
Busy: another gitsync process holds what this one needs, and waiting did not free it.
"#;

/// A COMMANDS section: every leaf command with its usage and options, as
/// `gitsync help COMMAND` shows them, so the one page documents them all.
fn render_commands(out: &mut Vec<u8>, cmd: &mut clap::Command, path: &str) -> std::io::Result<()> {
    if path == "gitsync" {
        out.extend_from_slice(b".SH COMMANDS\n");
    }
    for sub in cmd.get_subcommands_mut() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("{path} {}", sub.get_name());
        if sub.has_subcommands()
            && sub.get_subcommands().any(|s| s.get_name() != "help")
            && !sub.is_args_conflicts_with_subcommands_set()
        {
            render_commands(out, sub, &name)?;
            continue;
        }
        // The global options are documented once, under OPTIONS.
        let mut leaf = sub.clone().bin_name(&name).term_width(80);
        let globals: Vec<clap::Id> = leaf
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().clone())
            .collect();
        for id in globals {
            leaf = leaf.mut_arg(id, |a| a.hide(true));
        }
        let help = leaf.render_help().to_string();
        out.extend_from_slice(format!(".SS \"{name}\"\n.nf\n").as_bytes());
        for line in help.trim_end().lines() {
            out.extend_from_slice(escape(line).as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b".fi\n");
    }
    Ok(())
}

/// The long help's closing text as man sections: "Heading:" lines become
/// sections, indented lines are kept as they are, the rest is filled into
/// paragraphs.
fn text_to_roff(text: &str) -> String {
    let mut out = String::new();
    let mut verbatim = false;
    let mut new_paragraph = true;
    for line in text.lines() {
        let indented = line.starts_with("    ");
        if indented != verbatim {
            out.push_str(if indented {
                ".PP\n.RS 4\n.nf\n"
            } else {
                ".fi\n.RE\n"
            });
            verbatim = indented;
            new_paragraph = true;
        }
        if indented {
            out.push_str(&escape(&line[4..]));
            out.push('\n');
        } else if line.is_empty() {
            new_paragraph = true;
        } else if let Some(heading) = line
            .strip_suffix(':')
            .filter(|h| !h.contains(' ') && h.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            out.push_str(&format!(".SH \"{}\"\n", heading.to_uppercase()));
            new_paragraph = false;
        } else {
            if new_paragraph {
                out.push_str(".PP\n");
                new_paragraph = false;
            }
            out.push_str(&escape(line));
            out.push('\n');
        }
    }
    if verbatim {
        out.push_str(".fi\n.RE\n");
    }
    out
}

/// Escape text for roff: backslashes, and a leading dot or quote.
fn escape(line: &str) -> String {
    let line = line.replace('\\', "\\e").replace('-', "\\-");
    if line.starts_with('.') || line.starts_with('\'') {
        format!("\\&{line}")
    } else {
        line
    }
}
