//! `gitsync runs` and `runs show`: sync-run history.

use super::error::{CmdResult, CommandError};
use super::{Ctx, OK, json, ui};
use gitsync::store;

/// Sync-run history, newest first
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub show: Option<RunsCommand>,
    /// Only this repo's runs
    #[arg(long, value_name = "R")]
    pub repo: Option<String>,
    /// At most N runs
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 20, value_parser = |s: &str| gitsync::limits::LIST_LIMIT.parse_value(s))]
    pub limit: u64,
}

#[derive(Debug, clap::Subcommand)]
pub enum RunsCommand {
    /// Show one run
    Show { id: i64 },
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    if let Some(RunsCommand::Show { id }) = args.show {
        let r = store::runs::get(ctx.store()?.conn(), id)?
            .ok_or_else(|| CommandError::usage(format!("no run with id {id}")))?;
        if ctx.ui.json_mode() {
            ctx.ui.value(&json::run(&r))?;
        } else {
            let v = json::run(&r);
            for (k, val) in v.as_object().expect("run is an object") {
                let text = match val {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "-".into(),
                    other => other.to_string(),
                };
                ctx.ui.line(&format!("{k:<13} {}", ui::printable(&text)))?;
            }
        }
        return OK;
    }
    if let Some(r) = &args.repo {
        super::repo::check_filter(ctx, r)?;
    }
    let runs = store::runs::list(ctx.store()?.conn(), args.repo.as_deref(), Some(args.limit))?;
    if ctx.ui.json_mode() {
        ctx.ui.value(&runs.iter().map(json::run).collect())?;
        return OK;
    }
    let rows = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.repo.clone(),
                r.status.as_str().into(),
                store::ts(r.started_at),
                r.revision
                    .as_deref()
                    .map(ui::short)
                    .unwrap_or_else(|| "-".into()),
                r.diff_count.to_string(),
                r.opened.len().to_string(),
                r.auto_applied.len().to_string(),
                ui::opt(&r.error),
            ]
        })
        .collect();
    ctx.ui.table(
        &[
            "id", "repo", "status", "started", "revision", "diffs", "opened", "auto", "error",
        ],
        rows,
    )?;
    OK
}
