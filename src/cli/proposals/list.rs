//! `gitsync proposals list`: open proposals by default.

use super::super::error::{CmdResult, CommandError};
use super::super::{Ctx, OK, json, ui};
use gitsync::model::ProposalStatus;
use gitsync::store::{self, ProposalFilter};

/// List proposals (default: open ones, pending_review and approved)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this repo's
    #[arg(long, value_name = "R")]
    pub repo: Option<String>,
    /// pending_review, approved, applied, rejected, ignored, superseded, open or all
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// Only this kind
    #[arg(long, value_name = "K")]
    pub kind: Option<String>,
    /// Only this namespace
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

/// Parse `--status`: one status, `open` or `all`.
pub fn statuses(s: Option<&str>) -> CmdResult<Option<Vec<ProposalStatus>>> {
    match s {
        None | Some("open") => Ok(None),
        Some("all") => Ok(Some(ProposalStatus::ALL.to_vec())),
        Some(s) => ProposalStatus::parse(s).map(|p| Some(vec![p])).ok_or_else(|| {
            CommandError::usage(format!(
                "unknown status '{s}': use pending_review, approved, applied, rejected, ignored, superseded, open or all"
            ))
        }),
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    if let Some(r) = &args.repo {
        super::super::repo::check_filter(ctx, r)?;
    }
    let filter = ProposalFilter {
        repo: args.repo.as_deref(),
        statuses: statuses(args.status.as_deref())?,
        kind: args.kind.as_deref(),
        namespace: args.namespace.as_deref(),
        ..Default::default()
    };
    let proposals = store::proposals::list(ctx.store()?.conn(), &filter)?;
    if ctx.ui.json_mode() {
        ctx.ui
            .value(&proposals.iter().map(json::proposal).collect())?;
        return OK;
    }
    if proposals.is_empty() {
        ctx.ui.note("no proposals");
        return OK;
    }
    let rows = proposals
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.repo.clone(),
                p.key.namespace.clone(),
                p.key.kind.clone(),
                p.key.name.clone(),
                p.change.to_string(),
                p.status.as_str().into(),
                ui::short(&p.commit),
                ui::opt(&p.reason),
            ]
        })
        .collect();
    ctx.ui.table(
        &[
            "id",
            "repo",
            "namespace",
            "kind",
            "name",
            "change",
            "status",
            "commit",
            "reason",
        ],
        rows,
    )?;
    OK
}
