//! `gitsync halt` and `unhalt`: the kill switch for auto-apply.

use super::error::CmdResult;
use super::{Ctx, OK};
use gitsync::store;

/// Stop all auto-apply until 'gitsync unhalt'
#[derive(Debug, clap::Args)]
pub struct HaltArgs {
    /// Why (shown by 'gitsync status')
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// Lift the halt: auto-apply resumes on the next sync
#[derive(Debug, clap::Args)]
pub struct UnhaltArgs {}

pub fn halt(ctx: &mut Ctx, args: HaltArgs) -> CmdResult {
    let (now, actor) = (ctx.now, ctx.actor.clone());
    ctx.store()?.write(|tx| -> store::Result<()> {
        store::set_halt(tx, Some(&args.reason), &actor, now)?;
        store::events::record(tx, now, &actor, "halt", None, None, Some(&args.reason))
    })?;
    ctx.ui.note(&format!(
        "halted: {} (nothing is auto-applied until 'gitsync unhalt')",
        args.reason
    ));
    OK
}

pub fn unhalt(ctx: &mut Ctx, _args: UnhaltArgs) -> CmdResult {
    let (now, actor) = (ctx.now, ctx.actor.clone());
    ctx.store()?.write(|tx| -> store::Result<()> {
        store::set_halt(tx, None, &actor, now)?;
        store::events::record(tx, now, &actor, "unhalt", None, None, None)
    })?;
    ctx.ui.note("unhalted: auto-apply resumes on the next sync");
    OK
}
