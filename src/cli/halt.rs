//! `gitsync halt` and `unhalt`: the kill switch for auto-apply, for every
//! namespace or one.

use super::error::CmdResult;
use super::{Ctx, OK};
use gitsync::store;

/// Stop auto-apply (everywhere, or in one namespace) until 'gitsync unhalt'
#[derive(Debug, clap::Args)]
pub struct HaltArgs {
    /// Why (shown by 'gitsync status')
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Halt only this namespace
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

/// Lift every halt, or one namespace's: auto-apply resumes on the next sync
#[derive(Debug, clap::Args)]
pub struct UnhaltArgs {
    /// Lift only this namespace's halt (default: every halt)
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

pub fn halt(ctx: &mut Ctx, args: HaltArgs) -> CmdResult {
    if args.reason.trim().is_empty() {
        return Err(super::error::CommandError::usage(
            "--reason must say why: operators read it in 'gitsync status'",
        ));
    }
    super::error::CommandError::check_text("--reason", &args.reason)?;
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let ns = args.namespace.as_deref();
    ctx.store()?.write(|tx| -> store::Result<()> {
        store::set_halt(tx, ns, Some(&args.reason), &actor, now)?;
        store::events::record(
            tx,
            now,
            &actor,
            "halt",
            None,
            None,
            Some(&scope_text(ns, &args.reason)),
        )
    })?;
    if ctx.ui.json_mode() {
        ctx.ui.value(
            &serde_json::json!({ "halted": true, "namespace": ns, "reason": args.reason }),
        )?;
    }
    ctx.ui.note(&format!(
        "halted {}: {} (nothing there is auto-applied until 'gitsync unhalt{}')",
        ns.map(|n| format!("namespace '{n}'"))
            .unwrap_or_else(|| "everything".into()),
        args.reason,
        ns.map(|n| format!(" --namespace {n}")).unwrap_or_default()
    ));
    OK
}

pub fn unhalt(ctx: &mut Ctx, args: UnhaltArgs) -> CmdResult {
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let ns = args.namespace.as_deref();
    let lifted = ctx.store()?.write(|tx| -> store::Result<usize> {
        let lifted = match ns {
            // Plain `unhalt` lifts every halt: the one of all namespaces and
            // those of single namespaces.
            None => store::clear_halts(tx)?,
            Some(ns) => {
                let before = store::halts(tx)?.len();
                store::set_halt(tx, Some(ns), None, &actor, now)?;
                before - store::halts(tx)?.len()
            }
        };
        if lifted > 0 {
            store::events::record(tx, now, &actor, "unhalt", None, None, ns)?;
        }
        Ok(lifted)
    })?;
    let still = store::halted(ctx.store()?.conn())?;
    if ctx.ui.json_mode() {
        ctx.ui.value(
            &serde_json::json!({ "halted": still.is_some(), "namespace": ns, "lifted": lifted }),
        )?;
    }
    match (lifted, ns, still) {
        (0, Some(ns), _) => ctx.ui.note(&format!("namespace '{ns}' was not halted")),
        (0, None, _) => ctx.ui.note("nothing was halted"),
        (_, Some(ns), Some(reason)) => ctx.ui.note(&format!(
            "lifted the halt of namespace '{ns}', but everything is still halted: {reason} (run 'gitsync unhalt')"
        )),
        _ => ctx.ui.note("unhalted: auto-apply resumes on the next sync"),
    }
    OK
}

fn scope_text(ns: Option<&str>, reason: &str) -> String {
    match ns {
        Some(ns) => format!("namespace {ns}: {reason}"),
        None => reason.to_string(),
    }
}
