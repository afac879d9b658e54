//! `gitsync repo list` and `repo show`: registered repos, never a secret value.

use super::super::error::CmdResult;
use super::super::{Ctx, OK, json, ui};
use gitsync::store;

/// List registered repos
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Show one repo
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub name: String,
}

pub fn list(ctx: &mut Ctx, _args: ListArgs) -> CmdResult {
    let repos = store::repos::list(ctx.store()?.conn())?;
    if ctx.ui.json_mode() {
        ctx.ui.value(&repos.iter().map(json::repo).collect())?;
        return OK;
    }
    let rows = repos
        .iter()
        .map(|r| {
            let c = &r.config;
            vec![
                c.name.clone(),
                c.url.clone(),
                c.git_ref.clone(),
                if c.path.is_empty() {
                    ".".into()
                } else {
                    c.path.clone()
                },
                c.layout.as_str().into(),
                c.namespace.clone(),
                format!("{}s", c.interval),
                if c.auto_apply { "yes" } else { "no" }.into(),
                if c.paused { "paused" } else { "active" }.into(),
            ]
        })
        .collect();
    ctx.ui.table(
        &[
            "name",
            "url",
            "ref",
            "path",
            "layout",
            "namespace",
            "interval",
            "auto-apply",
            "state",
        ],
        rows,
    )?;
    OK
}

pub fn show(ctx: &mut Ctx, args: ShowArgs) -> CmdResult {
    let r = super::find(ctx, &args.name)?;
    let value = json::repo(&r);
    if ctx.ui.json_mode() {
        ctx.ui.value(&value)?;
        return OK;
    }
    let c = &r.config;
    let lines = [
        ("name", c.name.clone()),
        ("url", c.url.clone()),
        ("ref", c.git_ref.clone()),
        (
            "path",
            if c.path.is_empty() {
                ".".into()
            } else {
                c.path.clone()
            },
        ),
        ("layout", c.layout.as_str().into()),
        ("namespace", c.namespace.clone()),
        ("interval", format!("{}s", c.interval)),
        ("auto-apply", c.auto_apply.to_string()),
        ("max proposals", c.max_proposals.to_string()),
        ("paused", c.paused.to_string()),
        (
            "next due",
            r.next_due.map(store::ts).unwrap_or_else(|| "now".into()),
        ),
        (
            "fetched",
            r.fetched_commit
                .as_deref()
                .map(ui::short)
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "applied",
            r.applied_commit
                .as_deref()
                .map(ui::short)
                .unwrap_or_else(|| "-".into()),
        ),
    ];
    let mut lines = lines.to_vec();
    // Host configuration, when set: references and commands, never secrets.
    let st = &c.settings;
    let refs = [
        ("username", &st.username),
        ("password", &st.password),
        ("ssh key", &st.ssh_key),
        ("ssh passphrase", &st.ssh_passphrase),
        ("catalog", &st.catalog),
    ];
    for (k, v) in refs {
        if let Some(v) = v {
            lines.push((k, v.clone()));
        }
    }
    for (glob, command) in &st.compile {
        lines.push(("compile", format!("{glob}={command}")));
    }
    for (kind, command) in &st.apply_hooks {
        lines.push(("apply hook", format!("{kind}={command}")));
    }
    if !st.allow_package_sources.is_empty() {
        let sources: Vec<&str> = st
            .allow_package_sources
            .iter()
            .map(|s| s.as_str())
            .collect();
        lines.push(("allow sources", sources.join(", ")));
    }
    for (k, v) in lines {
        ctx.ui.line(&format!("{k:<14} {}", ui::printable(&v)))?;
    }
    OK
}
