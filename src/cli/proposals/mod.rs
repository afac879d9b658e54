//! `gitsync proposals ...`: review what syncs found.

mod list;
mod review;
mod show;

use super::Ctx;
use super::error::CmdResult;

/// List, show, approve, reject and ignore proposals
#[derive(Debug, clap::Subcommand)]
pub enum ProposalsCommand {
    List(list::Args),
    Show(show::Args),
    Approve(review::ApproveArgs),
    Reject(review::RejectArgs),
    Ignore(review::IgnoreArgs),
}

pub fn run(ctx: &mut Ctx, cmd: ProposalsCommand) -> CmdResult {
    match cmd {
        ProposalsCommand::List(args) => list::run(ctx, args),
        ProposalsCommand::Show(args) => show::run(ctx, args),
        ProposalsCommand::Approve(args) => review::approve(ctx, args),
        ProposalsCommand::Reject(args) => review::reject(ctx, args),
        ProposalsCommand::Ignore(args) => review::ignore(ctx, args),
    }
}
