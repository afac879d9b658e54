//! `gitsync repo remove`: forget a repo. Its live resources stay (with their
//! origin) unless `--prune` opens destroy proposals for them first.

use super::super::error::{CmdResult, CommandError, Exit};
use super::super::{Ctx, OK};
use gitsync::diff;
use gitsync::model::{Change, ProposalStatus, canonical};
use gitsync::store::{self, LiveFilter, NewProposal, ProposalFilter};

/// Forget a repo; its live resources stay unless --prune
#[derive(Debug, clap::Args)]
pub struct Args {
    pub name: String,
    /// Open destroy proposals for every live resource the repo owns
    #[arg(long)]
    pub prune: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let state = super::find(ctx, &args.name)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let name = state.config.name.clone();
    let commit = state.fetched_commit.clone().unwrap_or_default();
    // Not while a sync of it runs: it would write a run for a repo gone.
    let context = ctx.open()?;
    let Some(_lock) = context.lock_repo(&name, context.lock_wait)? else {
        return Err(CommandError {
            exit: Exit::Busy,
            message: format!("repo '{name}' is being synced by another gitsync process"),
            hint: Some("try again when it finishes".into()),
        });
    };
    let mirror = context.mirror_path(&state.config);
    let opened = ctx.store()?.write(|tx| -> store::Result<Vec<i64>> {
        for p in store::proposals::list(
            tx,
            &ProposalFilter {
                repo: Some(&name),
                ..Default::default()
            },
        )? {
            store::proposals::set_status(
                tx,
                p.id,
                ProposalStatus::Superseded,
                Some("superseded: repo removed"),
                now,
            )?;
        }
        let mut opened = Vec::new();
        if args.prune {
            for r in store::resources::list(
                tx,
                &LiveFilter {
                    repo: Some(&name),
                    ..Default::default()
                },
            )? {
                let base = canonical(&r.spec);
                let id = store::proposals::insert(
                    tx,
                    &NewProposal {
                        repo: &name,
                        key: &r.key,
                        change: Change::Destroy,
                        commit: if commit.is_empty() {
                            &r.commit
                        } else {
                            &commit
                        },
                        source_path: &r.source_path,
                        history_key: &r.history_key,
                        base_text: Some(&base),
                        desired_text: None,
                        diff: &diff::render(Some(&r.spec), None),
                        run_id: None,
                    },
                    now,
                )?;
                store::events::record(
                    tx,
                    now,
                    &actor,
                    "proposal.opened",
                    Some(&name),
                    Some(id),
                    Some("prune on repo remove"),
                )?;
                opened.push(id);
            }
        }
        store::repos::delete(tx, &name)?;
        store::events::record(tx, now, &actor, "repo.removed", Some(&name), None, None)?;
        Ok(opened)
    })?;
    // Its mirror is of no use any more (the cache is always safe to delete).
    let _ = std::fs::remove_dir_all(&mirror);
    if ctx.ui.json_mode() {
        ctx.ui.value(
            &serde_json::json!({ "name": name, "removed": true, "destroy_proposals": opened }),
        )?;
    }
    if args.prune {
        ctx.ui.note(&format!(
            "removed repo '{name}'; opened {} destroy proposal(s) for its resources",
            opened.len()
        ));
    } else {
        ctx.ui
            .note(&format!("removed repo '{name}'; its live resources stay"));
    }
    OK
}
