//! `gitsync repo ...`: register, inspect, change and forget repos.

mod add;
mod list;
mod pause;
mod remove;
mod set;

use super::Ctx;
use super::error::{CmdResult, CommandError};
use gitsync::store::{self, RepoState};

/// Register, list, change, pause and remove repos
#[derive(Debug, clap::Subcommand)]
pub enum RepoCommand {
    Add(add::Args),
    List(list::ListArgs),
    Show(list::ShowArgs),
    Set(set::Args),
    Pause(pause::Args),
    Resume(pause::Args),
    Remove(remove::Args),
}

pub fn run(ctx: &mut Ctx, cmd: RepoCommand) -> CmdResult {
    match cmd {
        RepoCommand::Add(args) => add::run(ctx, args),
        RepoCommand::List(args) => list::list(ctx, args),
        RepoCommand::Show(args) => list::show(ctx, args),
        RepoCommand::Set(args) => set::run(ctx, args),
        RepoCommand::Pause(args) => pause::run(ctx, args, true),
        RepoCommand::Resume(args) => pause::run(ctx, args, false),
        RepoCommand::Remove(args) => remove::run(ctx, args),
    }
}

/// Check a `--repo` filter: a registered repo, or one that was removed but
/// left proposals, runs or events behind (exit code 2 for anything else).
pub fn check_filter(ctx: &mut Ctx, name: &str) -> CmdResult<()> {
    let conn = ctx.store()?.conn();
    let known: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM repos WHERE name = ?1)
                 OR EXISTS (SELECT 1 FROM proposals WHERE repo = ?1)
                 OR EXISTS (SELECT 1 FROM runs WHERE repo = ?1)
                 OR EXISTS (SELECT 1 FROM events WHERE repo = ?1)",
            [name],
            |r| r.get(0),
        )
        .map_err(gitsync::store::StoreError::from)?;
    if known {
        Ok(())
    } else {
        Err(CommandError::unknown_repo(name))
    }
}

/// Look a repo up or fail with exit code 2.
pub fn find(ctx: &mut Ctx, name: &str) -> CmdResult<RepoState> {
    store::repos::get(ctx.store()?.conn(), name)?.ok_or_else(|| CommandError::unknown_repo(name))
}
