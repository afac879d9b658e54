//! `gitsync gc`: apply the retention policy now.

use super::error::CmdResult;
use super::{Ctx, OK};
use gitsync::reconcile::{self, KEEP_FAILED_DAYS, KEEP_SUCCESS_DAYS};
use serde_json::json;

/// Apply the retention policy now (successful runs 90 days, failed and partial 365)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only say what would be deleted
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let now = ctx.now;
    let n = reconcile::gc(
        ctx.store()?,
        now,
        KEEP_SUCCESS_DAYS,
        KEEP_FAILED_DAYS,
        args.dry_run,
    )?;
    if ctx.ui.json_mode() {
        ctx.ui
            .value(&json!({ "runs_deleted": n, "dry_run": args.dry_run }))?;
    } else if args.dry_run {
        ctx.ui.line(&format!("would delete {n} run(s)"))?;
    } else {
        ctx.ui.line(&format!("deleted {n} run(s)"))?;
    }
    OK
}
