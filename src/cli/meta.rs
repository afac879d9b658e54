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
    ctx.ui.line(String::from_utf8_lossy(&out).trim_end())?;
    OK
}

pub fn man(ctx: &mut Ctx, _args: ManArgs) -> CmdResult {
    let mut out = Vec::new();
    clap_mangen::Man::new(super::command()).render(&mut out)?;
    ctx.ui.line(String::from_utf8_lossy(&out).trim_end())?;
    OK
}
