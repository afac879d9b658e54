//! `gitsync repo set`: change a repo's settings; refused while it is active.

use super::super::error::{CmdResult, CommandError};
use super::super::{Ctx, OK};
use super::add::SettingsArgs;
use gitsync::store::{self, LiveFilter};

/// Change a repo (pause it first). An empty credential, --known-hosts or --ca-file value forgets it
#[derive(Debug, clap::Args)]
pub struct Args {
    pub name: String,
    /// A new URL
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub settings: Box<SettingsArgs>,
    /// Turn auto-apply off
    #[arg(long, conflicts_with = "auto_apply")]
    pub no_auto_apply: bool,
    /// Go back to shallow fetches (depth 1)
    #[arg(long, conflicts_with = "full_history")]
    pub no_full_history: bool,
    /// Change it without asking the remote whether it answers
    #[arg(long)]
    pub no_verify: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let state = super::find(ctx, &args.name)?;
    if !state.config.paused {
        return Err(CommandError::usage(format!(
            "repo '{0}' is active; run 'gitsync repo pause {0}' before changing it",
            args.name
        )));
    }
    let mut config = state.config.clone();
    if let Some(url) = &args.url {
        gitsync::validate::url(url)
            .map_err(|e| CommandError::usage(format!("invalid URL: {e}")))?;
        config.url = url.clone();
    }
    args.settings.apply_to(&mut config, true)?;
    if args.no_auto_apply {
        config.auto_apply = false;
    }
    if args.no_full_history {
        config.settings.full_history = false;
    }
    super::add::check_credentials(&config)?;
    let moves = config.namespace != state.config.namespace;
    let relayouts = config.layout != state.config.layout;
    if moves || relayouts {
        let owned = store::resources::list(
            ctx.store()?.conn(),
            &LiveFilter {
                repo: Some(&config.name),
                ..Default::default()
            },
        )?;
        // Its resources would all look undeclared: a wholesale prune.
        if !owned.is_empty() {
            let change = if moves {
                format!("move to namespace '{}'", config.namespace)
            } else {
                format!("change to the '{}' layout", config.layout.as_str())
            };
            return Err(CommandError::usage(format!(
                "repo '{}' owns {} live resource(s) in namespace '{}'; it cannot {change}",
                config.name,
                owned.len(),
                state.config.namespace,
            ))
            .with_hint("remove it with 'gitsync repo remove --prune' and add it again"));
        }
    }
    if config == state.config {
        ctx.ui.note(&format!("repo '{}' unchanged", config.name));
        if ctx.ui.json_mode() {
            ctx.ui.value(&super::super::json::repo(&state))?;
        }
        return OK;
    }
    if args.no_verify {
        // Every credential reference must still resolve.
        gitsync::reconcile::remote_of(&config)?;
    } else if config.url != state.config.url
        || config.git_ref != state.config.git_ref
        || config.settings != state.config.settings
    {
        super::add::verify(ctx, &config)?;
    }
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let rescheduled = config.interval != state.config.interval;
    ctx.store()?.write(|tx| -> store::Result<()> {
        store::repos::update(tx, &config)?;
        if rescheduled {
            // The old timer belongs to the old interval: due at the next sync.
            store::repos::clear_next_due(tx, &config.name)?;
        }
        store::events::record(
            tx,
            now,
            &actor,
            "repo.changed",
            Some(&config.name),
            None,
            None,
        )
    })?;
    ctx.ui.note(&format!("changed repo '{}'", config.name));
    if ctx.ui.json_mode() {
        let state = super::find(ctx, &config.name)?;
        ctx.ui.value(&super::super::json::repo(&state))?;
    }
    OK
}
