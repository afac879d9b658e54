//! `gitsync history`: every applied change of one resource, newest first.

use super::error::CmdResult;
use super::{Ctx, OK, json, ui};
use gitsync::model::{DEFAULT_NAMESPACE, ResourceKey};
use gitsync::store;

/// Every applied change of one resource, newest first
#[derive(Debug, clap::Args)]
pub struct Args {
    pub kind: String,
    pub name: String,
    #[arg(long, short = 'n', value_name = "NS", default_value = DEFAULT_NAMESPACE)]
    pub namespace: String,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let key = ResourceKey::new(&args.namespace, &args.kind, &args.name);
    let entries = store::resources::history(ctx.store()?.conn(), &key)?;
    if ctx.ui.json_mode() {
        ctx.ui.value(&entries.iter().map(json::history).collect())?;
        return OK;
    }
    if entries.is_empty() {
        ctx.ui.note(&format!(
            "no applied changes of {} '{}' in namespace '{}'",
            args.kind, args.name, args.namespace
        ));
        return OK;
    }
    let rows = entries
        .iter()
        .map(|h| {
            vec![
                store::ts(h.at),
                h.change.to_string(),
                h.commit
                    .as_deref()
                    .map(ui::short)
                    .unwrap_or_else(|| "-".into()),
                h.proposal
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                ui::opt(&h.approved_by),
            ]
        })
        .collect();
    ctx.ui
        .table(&["at", "change", "commit", "proposal", "approved by"], rows)?;
    OK
}
