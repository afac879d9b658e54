//! `gitsync get`: the live state.

use super::error::CmdResult;
use super::{Ctx, OK, json, ui};
use gitsync::store::{self, LiveFilter};

/// Show the live state
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this kind
    pub kind: Option<String>,
    /// Only this name
    pub name: Option<String>,
    /// Only this namespace
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let filter = LiveFilter {
        namespace: args.namespace.as_deref(),
        kind: args.kind.as_deref(),
        name: args.name.as_deref(),
        repo: None,
    };
    let live = store::resources::list(ctx.store()?.conn(), &filter)?;
    if ctx.ui.json_mode() {
        ctx.ui.value(&live.iter().map(json::resource).collect())?;
        return OK;
    }
    if args.name.is_some() && live.len() == 1 {
        let r = &live[0];
        ctx.ui.line(&format!(
            "# {} {}/{} from {}:{} at {}",
            r.key.kind,
            r.key.namespace,
            r.key.name,
            r.repo,
            r.source_path,
            ui::short(&r.commit)
        ))?;
        ctx.ui.line(gitsync::diff::to_yaml(&r.spec).trim_end())?;
        return OK;
    }
    let rows = live
        .iter()
        .map(|r| {
            vec![
                r.key.namespace.clone(),
                r.key.kind.clone(),
                r.key.name.clone(),
                r.repo.clone(),
                ui::short(&r.commit),
                store::ts(r.updated_at),
            ]
        })
        .collect();
    ctx.ui.table(
        &["namespace", "kind", "name", "repo", "commit", "updated"],
        rows,
    )?;
    OK
}
