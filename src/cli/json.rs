//! The JSON shapes of SPEC.md, built in one place so that every command that
//! shows a repo, run, proposal or resource shows it the same way.

use gitsync::model::RepoConfig;
use gitsync::store::{self, HistoryEntry, LiveResource, Proposal, RepoState, Run};
use serde_json::{Value, json};

pub fn repo(r: &RepoState) -> Value {
    let c: &RepoConfig = &r.config;
    let s = &c.settings;
    json!({
        "name": c.name,
        "url": c.url,
        "ref": c.git_ref,
        "path": c.path,
        "layout": c.layout.as_str(),
        "namespace": c.namespace,
        "interval": c.interval,
        "auto_apply": c.auto_apply,
        "max_proposals": c.max_proposals,
        "paused": c.paused,
        // References only (env:VAR, file:PATH): never a secret value.
        "credentials": {
            "username": s.username, "password": s.password,
            "ssh_key": s.ssh_key, "ssh_passphrase": s.ssh_passphrase,
        },
        "known_hosts": s.known_hosts,
        "ca_file": s.ca_file,
        "full_history": s.full_history,
        "compile": s.compile.iter().map(|(g, c)| format!("{g}={c}")).collect::<Vec<_>>(),
        "apply_hooks": s.apply_hooks.iter().map(|(k, c)| format!("{k}={c}")).collect::<Vec<_>>(),
        "catalog": s.catalog,
        "allow_package_sources": s.allow_package_sources.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "hook_timeout": s.hook_timeout.unwrap_or(gitsync::hooks::DEFAULT_TIMEOUT.as_secs()),
        "max_attempts": s.max_attempts.unwrap_or(gitsync::model::DEFAULT_MAX_ATTEMPTS),
        "fetch_timeout": s.fetch_timeout.unwrap_or(gitsync::source::DEFAULT_FETCH_TIMEOUT),
        "created_at": store::ts(r.created_at),
        "next_due": r.next_due.map(store::ts),
        "fetched_commit": r.fetched_commit,
        "applied_commit": r.applied_commit,
    })
}

pub fn run(r: &Run) -> Value {
    json!({
        "id": r.id,
        "repo": r.repo,
        "status": r.status.as_str(),
        "started_at": store::ts(r.started_at),
        "finished_at": r.finished_at.map(store::ts),
        "revision": r.revision,
        "diff_count": r.diff_count,
        "opened": r.opened,
        "auto_applied": r.auto_applied,
        "failed": r.failed,
        "remaining": r.remaining,
        "summary": r.summary,
        "error": r.error,
    })
}

pub fn proposal(p: &Proposal) -> Value {
    json!({
        "id": p.id,
        "repo": p.repo,
        "namespace": p.key.namespace,
        "kind": p.key.kind,
        "name": p.key.name,
        "change": p.change.as_str(),
        "status": p.status.as_str(),
        "commit": p.commit,
        "source_path": p.source_path,
        "created_at": store::ts(p.created_at),
        "updated_at": store::ts(p.updated_at),
        "reviewed_by": p.reviewed_by,
        "reviewed_at": p.reviewed_at.map(store::ts),
        "applied_at": p.applied_at.map(store::ts),
        "auto_applied": p.auto_applied,
        "reason": p.reason,
        "attempts": p.attempts,
        "run": p.run_id,
    })
}

pub fn proposal_full(p: &Proposal) -> Value {
    let mut v = proposal(p);
    let obj = v.as_object_mut().expect("proposal is an object");
    obj.insert("base".into(), p.base.clone().unwrap_or(Value::Null));
    obj.insert("desired".into(), p.desired.clone().unwrap_or(Value::Null));
    obj.insert("diff".into(), Value::String(p.diff.clone()));
    obj.insert(
        "hook_output".into(),
        p.hook_output
            .clone()
            .map(Value::String)
            .unwrap_or(Value::Null),
    );
    v
}

pub fn resource(r: &LiveResource) -> Value {
    json!({
        "namespace": r.key.namespace,
        "kind": r.key.kind,
        "name": r.key.name,
        "spec": r.spec,
        "origin": { "type": "git", "repo": r.repo, "path": r.source_path, "commit": r.commit },
        "updated_at": store::ts(r.updated_at),
    })
}

pub fn history(h: &HistoryEntry) -> Value {
    json!({
        "at": store::ts(h.at),
        "change": h.change.as_str(),
        "commit": h.commit,
        "proposal": h.proposal,
        "approved_by": h.approved_by,
        "repo": h.repo,
        "spec": h.spec,
    })
}

pub fn outcome(id: i64, status: &str, reason: Option<&str>) -> Value {
    json!({ "id": id, "status": status, "reason": reason })
}
