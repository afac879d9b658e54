//! `gitsync repo pause` and `resume`: stop and restart scheduled syncs.

use super::super::error::CmdResult;
use super::super::{Ctx, OK};
use gitsync::store;

/// Stop (pause) or restart (resume) a repo's scheduled syncs
#[derive(Debug, clap::Args)]
pub struct Args {
    pub name: String,
}

pub fn run(ctx: &mut Ctx, args: Args, paused: bool) -> CmdResult {
    super::find(ctx, &args.name)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let action = if paused {
        "repo.paused"
    } else {
        "repo.resumed"
    };
    ctx.store()?.write(|tx| -> store::Result<()> {
        store::repos::set_paused(tx, &args.name, paused)?;
        store::events::record(tx, now, &actor, action, Some(&args.name), None, None)
    })?;
    if ctx.ui.json_mode() {
        let state = super::find(ctx, &args.name)?;
        ctx.ui.value(&super::super::json::repo(&state))?;
    }
    ctx.ui.note(&format!(
        "repo '{}' {}",
        args.name,
        if paused { "paused" } else { "resumed" }
    ));
    OK
}
