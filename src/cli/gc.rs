//! `gitsync gc`: apply the retention policy now; the retention flags that
//! `sync` shares for its own end-of-run pass.

use super::error::CmdResult;
use super::{Ctx, OK};
use gitsync::limits;
use gitsync::reconcile::{self, KEEP_FAILED_DAYS, KEEP_SUCCESS_DAYS, Retention};
use serde_json::json;

/// Apply the retention policy now (successful runs 90 days, failed and partial 365)
///
/// The newest run of each repo is always kept, whatever its age: status shows it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only say what would be deleted
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub retention: RetentionArgs,
}

/// How long runs are kept: for `gc`, and for the pass at the end of `sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct RetentionArgs {
    /// Keep successful runs this many days, 1 to 36500
    #[arg(
        long,
        value_name = "DAYS",
        allow_negative_numbers = true,
        env = "GITSYNC_KEEP_SUCCESS_DAYS",
        default_value_t = KEEP_SUCCESS_DAYS,
        value_parser = |s: &str| limits::KEEP_DAYS.parse_value(s).map(|d| d as u32)
    )]
    pub keep_success_days: u32,
    /// Keep failed and partial runs this many days, 1 to 36500
    #[arg(
        long,
        value_name = "DAYS",
        allow_negative_numbers = true,
        env = "GITSYNC_KEEP_FAILED_DAYS",
        default_value_t = KEEP_FAILED_DAYS,
        value_parser = |s: &str| limits::KEEP_DAYS.parse_value(s).map(|d| d as u32)
    )]
    pub keep_failed_days: u32,
}

impl From<&RetentionArgs> for Retention {
    fn from(args: &RetentionArgs) -> Self {
        Retention {
            keep_success_days: args.keep_success_days,
            keep_failed_days: args.keep_failed_days,
        }
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let now = ctx.now;
    let n = reconcile::gc(ctx.store()?, now, (&args.retention).into(), args.dry_run)?;
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
