//! One sync of one repo, top to bottom: lock, fetch, read the tree, parse the
//! layout, diff against the live state, propose, auto-apply within the gates,
//! and record the run whatever happens.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use crate::apply::{self, Applier};
use crate::credentials::{CredentialError, Reference, Secret};
use crate::diff::{self, Plan};
use crate::layout::{self, LayoutError, LayoutOptions, LiveNames};
use crate::limits;
use crate::model::{Change, ProposalStatus, RepoConfig, RunStatus};
use crate::propose::{self, RunContext};
use crate::source::{Auth, GitRef, Limits, Mirror, Remote, SourceError, SshAuth, SshKey};
use crate::store::{self, LiveFilter, ProposalFilter, RepoState, Run, Store, StoreError};
use chrono::{DateTime, Duration as Span, Utc};
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The user name sent with a `--password` token when no `--username` is
/// given (GitHub's convention; GitLab and Gitea accept any name with a token).
pub const DEFAULT_TOKEN_USER: &str = "x-access-token";

/// Successful runs are kept this long by default.
pub const KEEP_SUCCESS_DAYS: u32 = 90;
/// Failed and partial runs are kept this long by default.
pub const KEEP_FAILED_DAYS: u32 = 365;
/// Failure backoff never waits longer than this, unless the interval itself
/// is longer.
pub const MAX_BACKOFF_SECS: u64 = 3600;

/// How long runs are kept; the newest run of each repo is kept regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep_success_days: u32,
    pub keep_failed_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            keep_success_days: KEEP_SUCCESS_DAYS,
            keep_failed_days: KEEP_FAILED_DAYS,
        }
    }
}

impl Retention {
    /// Delete runs past retention (of one repo, or of all when `None`);
    /// returns how many were (or, with `dry_run`, would be) deleted.
    pub fn prune(
        &self,
        conn: &rusqlite::Connection,
        now: DateTime<Utc>,
        repo: Option<&str>,
        dry_run: bool,
    ) -> store::Result<u64> {
        store::runs::prune(
            conn,
            limits::add_days(now, i64::from(self.keep_success_days).saturating_neg()),
            limits::add_days(now, i64::from(self.keep_failed_days).saturating_neg()),
            repo,
            dry_run,
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stop signal arrived: "interrupted by SIGTERM".
    #[error("{0}")]
    Interrupted(String),
    #[error("repo '{repo}': {source}")]
    Source {
        repo: String,
        #[source]
        source: SourceError,
    },
    #[error("repo '{repo}': {source}")]
    Layout {
        repo: String,
        #[source]
        source: LayoutError,
    },
    #[error("repo '{repo}': invalid ref: {reason}")]
    BadRef { repo: String, reason: String },
    /// A URL stored before the checks refused its form.
    #[error(
        "repo '{repo}': its URL is refused: {reason}; change it with 'gitsync repo set {repo} --url URL'"
    )]
    BadUrl { repo: String, reason: String },
    #[error("repo '{repo}': {source}")]
    Credentials {
        repo: String,
        #[source]
        source: CredentialError,
    },
    /// A `--ca-file` or `--known-hosts` that is no longer a regular file
    /// within its cap (curl or ssh would hang on a FIFO).
    #[error("repo '{repo}': {flag}: {source}")]
    HostFile {
        repo: String,
        flag: &'static str,
        #[source]
        source: crate::hostfile::HostFileError,
    },
    #[error("repo '{0}' is being synced by another gitsync process; try again when it finishes")]
    Busy(String),
    #[error("cannot take the repo lock {path}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot use the cache folder {path}: {source}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What every stage needs: the state file, the cache folder and "now".
pub struct Context {
    pub store: Store,
    pub cache_dir: PathBuf,
    pub now: DateTime<Utc>,
    /// Who is acting, for audit events (`$USER`).
    pub actor: String,
    /// How long to wait for another process's lock on a repo.
    pub lock_wait: Duration,
    /// Applied to each synced repo's runs at the end of its sync.
    pub retention: Retention,
    /// When this context was made: `now` plus the time since then dates
    /// runs, so that their durations are real even when `now` is fixed.
    pub started: Instant,
    /// The host's caps on what a remote may send (see [`Limits::from_env`]);
    /// each repo brings its own deadline.
    pub limits: Limits,
}

/// The outcome of considering one repo for a sync.
#[derive(Debug, Clone)]
pub enum SyncOutcome {
    Ran(Run),
    Skipped {
        repo: String,
        reason: String,
        /// Another process held the repo: exit code 4.
        busy: bool,
    },
}

/// Exclusive hold on one repo's mirror and run, released on drop.
pub struct RepoLock {
    _file: File,
}

impl Context {
    /// The current time as this invocation sees it: `now` moved on by the
    /// time spent since the context was made.
    pub fn clock(&self) -> DateTime<Utc> {
        let elapsed = i64::try_from(self.started.elapsed().as_secs()).unwrap_or(i64::MAX);
        let whole = limits::add_secs(self.now, elapsed);
        let nanos = Span::nanoseconds(i64::from(self.started.elapsed().subsec_nanos()));
        whole
            .checked_add_signed(nanos)
            .unwrap_or(whole)
            .min(limits::latest_time())
    }

    /// The remote to fetch `config` from (see [`remote_of`]) under the
    /// host's caps.
    pub fn remote(&self, config: &RepoConfig) -> Result<Remote, ReconcileError> {
        let mut remote = remote_of(config)?;
        remote.limits.max_refs_bytes = self.limits.max_refs_bytes;
        remote.limits.max_pack_bytes = self.limits.max_pack_bytes;
        Ok(remote)
    }

    /// A repo's lock lives with the state file (`STATE.locks/REPO.lock`),
    /// not in the cache: any two processes on one state file coordinate,
    /// whatever cache folder each was given.
    fn lock_path(&self, repo: &str) -> PathBuf {
        let mut dir = self.store.path().as_os_str().to_owned();
        dir.push(".locks");
        PathBuf::from(dir).join(format!("{repo}.lock"))
    }

    /// Where a repo's mirror lives: its name plus a hash of its URL, so that
    /// changing the URL starts a fresh mirror.
    pub fn mirror_path(&self, repo: &RepoConfig) -> PathBuf {
        self.cache_dir.join("mirrors").join(format!(
            "{}-{:016x}.git",
            repo.name,
            crate::process::fnv1a(&[&repo.url])
        ))
    }

    /// Take the repo's lock, waiting up to `wait`.
    pub fn lock_repo(
        &self,
        repo: &str,
        wait: Duration,
    ) -> Result<Option<RepoLock>, ReconcileError> {
        let path = self.lock_path(repo);
        let cache_err = |source| ReconcileError::Lock {
            path: path.clone(),
            source,
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path.parent().expect("lock path has a parent"))
            .map_err(cache_err)?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(cache_err)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(RepoLock { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(cache_err(e)),
            }
        }
    }

    /// Mark runs left `running` by a process that died as failed. A run
    /// whose repo lock nobody holds cannot still be running.
    pub fn recover_interrupted(&mut self) -> Result<Vec<i64>, ReconcileError> {
        let mut recovered = Vec::new();
        for (id, repo) in store::runs::running(self.store.conn())? {
            if let Some(_lock) = self.lock_repo(&repo, Duration::ZERO)? {
                let now = self.now;
                self.store
                    .write(|tx| store::runs::mark_interrupted(tx, id, now))?;
                recovered.push(id);
            }
        }
        Ok(recovered)
    }
}

/// Which repos `sync` considers and whether each is synced now.
pub enum Selection {
    /// No names: every active repo that is due.
    Due,
    /// `--all`: every active repo now.
    All,
    /// Named repos now, ignoring their timers.
    Named(Vec<String>),
}

/// Sync the selected repos one after the other.
pub fn sync(
    ctx: &mut Context,
    selection: &Selection,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<SyncOutcome>, ReconcileError> {
    let repos = store::repos::list(ctx.store.conn())?;
    let mut chosen = Vec::new();
    match selection {
        Selection::Named(names) => {
            for name in names {
                if let Some(r) = repos.iter().find(|r| &r.config.name == name) {
                    chosen.push((r.clone(), true));
                }
            }
        }
        Selection::All => chosen.extend(repos.iter().map(|r| (r.clone(), true))),
        Selection::Due => chosen.extend(repos.iter().map(|r| (r.clone(), false))),
    }
    let mut out = Vec::new();
    for (repo, now_anyway) in chosen {
        let name = repo.config.name.clone();
        if let Err(why) = crate::interrupt::check() {
            out.push(SyncOutcome::Skipped {
                repo: name,
                reason: why,
                busy: false,
            });
            continue;
        }
        if repo.config.paused && !force {
            out.push(SyncOutcome::Skipped {
                repo: name,
                reason: "paused (use --force to sync it anyway)".into(),
                busy: false,
            });
            continue;
        }
        match repo.next_due {
            Some(due)
                if !now_anyway && due > ctx.now && !beyond_schedule(&repo.config, due, ctx.now) =>
            {
                out.push(SyncOutcome::Skipped {
                    repo: name,
                    reason: format!("not due until {}", store::ts(due)),
                    busy: false,
                });
                continue;
            }
            Some(due) if !now_anyway => log(&format!("{name}: due since {}", store::ts(due))),
            None if !now_anyway => log(&format!("{name}: due: never synced")),
            _ => log(&format!("{name}: syncing now, whatever its timer says")),
        }
        out.push(sync_repo(ctx, &repo, log)?);
    }
    Ok(out)
}

/// Sync one repo now and record the run.
pub fn sync_repo(
    ctx: &mut Context,
    repo: &RepoState,
    log: &mut dyn FnMut(&str),
) -> Result<SyncOutcome, ReconcileError> {
    let name = repo.config.name.clone();
    let Some(_lock) = ctx.lock_repo(&name, ctx.lock_wait)? else {
        return Ok(SyncOutcome::Skipped {
            repo: name,
            reason: "busy: another gitsync process is syncing this repo".into(),
            busy: true,
        });
    };
    let now = ctx.now;
    let started_at = ctx.clock();
    let run_id = ctx
        .store
        .write(|tx| store::runs::start(tx, &name, started_at))?;
    let mut run = Run {
        id: run_id,
        repo: name.clone(),
        status: RunStatus::Running,
        started_at,
        finished_at: None,
        revision: None,
        diff_count: 0,
        opened: vec![],
        auto_applied: vec![],
        failed: vec![],
        remaining: 0,
        summary: Default::default(),
        error: None,
    };
    let result = run_stages(ctx, &repo.config, &mut run, log);
    if let Err(e) = result {
        match e {
            ReconcileError::Store(e) => {
                // Keep the cause on the run when the state file still takes a
                // small write (a full disk often does, after SQLite freed its
                // journal); otherwise the next invocation marks it interrupted.
                let finished = Run {
                    status: RunStatus::Failed,
                    error: Some(one_line(&e.to_string())),
                    finished_at: Some(ctx.clock()),
                    ..run
                };
                let _ = ctx.store.write(|tx| store::runs::finish_run(tx, &finished));
                return Err(e.into());
            }
            other => {
                run.status = RunStatus::Failed;
                run.error = Some(one_line(&other.to_string()));
            }
        }
    }
    run.finished_at = Some(ctx.clock());
    let (config, finished, retention) = (repo.config.clone(), run.clone(), ctx.retention);
    let due = ctx.store.write(|tx| -> store::Result<DateTime<Utc>> {
        store::runs::finish_run(tx, &finished)?;
        // Scheduled from the invocation's "now", so that a timer that fires
        // every minute keeps the same rhythm however long the sync took.
        let failures = store::runs::consecutive_failures(tx, &config.name)?;
        let due = next_due(&config, now, failures);
        store::repos::set_next_due(tx, &config.name, due)?;
        if finished.status != RunStatus::Failed {
            // The live state is as of the fetch, when the run started.
            store::repos::set_last_success(tx, &config.name, finished.started_at)?;
        }
        // The cheap retention pass at the end of every sync: this repo only,
        // through its (repo, id) index.
        retention.prune(tx, now, Some(&config.name), false)?;
        Ok(due)
    })?;
    log(&format!(
        "{name}: run {} {}; next due {}",
        run.id,
        run.status.as_str(),
        store::ts(due)
    ));
    Ok(SyncOutcome::Ran(run))
}

/// Fetch, parse, plan, propose and auto-apply; fills `run` as it goes.
fn run_stages(
    ctx: &mut Context,
    config: &RepoConfig,
    run: &mut Run,
    log: &mut dyn FnMut(&str),
) -> Result<(), ReconcileError> {
    let FetchedMirror {
        mirror,
        mut commit,
        remote,
        rebuilt,
    } = fetch_mirror(ctx, config, log)?;
    run.revision = Some(commit.clone());
    let name = config.name.clone();
    ctx.store
        .write(|tx| store::repos::set_fetched(tx, &name, &commit))?;
    crate::interrupt::check().map_err(ReconcileError::Interrupted)?;
    let desired = match read_desired(ctx, config, &mirror, &commit) {
        // An object the mirror's own refs lead to cannot be read: a garbled
        // pack or lost objects, which only a fresh mirror cures.
        Err(e) if !rebuilt && mirror.read_failed() => {
            log(&format!(
                "{name}: the mirror cannot read commit {commit} ({}); rebuilding it",
                one_line(&e.to_string())
            ));
            let fresh = mirror
                .rebuild(&remote)
                .map_err(|source| ReconcileError::Source {
                    repo: name.clone(),
                    source,
                })?;
            log(&format!("{name}: rebuilt the mirror at {}", fresh.commit));
            if fresh.commit != commit {
                commit = fresh.commit;
                run.revision = Some(commit.clone());
                ctx.store
                    .write(|tx| store::repos::set_fetched(tx, &name, &commit))?;
            }
            read_desired(ctx, config, &mirror, &commit)?
        }
        other => other?,
    };
    crate::interrupt::check().map_err(ReconcileError::Interrupted)?;
    let now = ctx.now;
    let actor = ctx.actor.clone();
    // The plan is made inside the transaction that opens its proposals,
    // from the live state as it is then: an apply by another process
    // between reading the tree and proposing cannot leave a proposal born
    // against an outdated base (or re-propose a change just applied).
    let (plan, proposed) = ctx.store.write(|tx| -> Result<_, ReconcileError> {
        let live = live_of(tx, &config.namespace)?;
        let plan = diff::plan(&config.name, &config.namespace, &desired, &live);
        let proposed = propose::propose(
            tx,
            &RunContext {
                repo: &config.name,
                namespace: &config.namespace,
                commit: &commit,
                run_id: Some(run.id),
                cap: config.max_proposals,
                actor: &actor,
                now,
            },
            &plan,
        )?;
        Ok((plan, proposed))
    })?;
    let desired_warnings = desired.warnings;
    log(&format!(
        "{}: {} diff(s), {} informational, {} conflict(s)",
        config.name,
        plan.diffs.len(),
        plan.informational.len(),
        plan.conflicts.len()
    ));
    for d in &plan.diffs {
        log(&format!(
            "{}:   {} {} {}/{} (from {})",
            config.name,
            d.change.as_str(),
            d.key.kind,
            d.key.namespace,
            d.key.name,
            d.source_path
        ));
    }
    for w in &desired_warnings {
        log(&format!("{}:   warning: {w}", config.name));
    }
    run.diff_count = plan.diffs.len() as u64;
    run.summary = plan.summary();
    run.opened = proposed.opened.clone();
    run.remaining = proposed.remaining;
    log(&format!(
        "{}: proposals: {} opened, {} still open, {} superseded, {} suppressed by a rejection, {} left by the cap",
        config.name,
        proposed.opened.len(),
        proposed.kept.len(),
        proposed.superseded.len(),
        proposed.suppressed,
        proposed.remaining
    ));
    if config.auto_apply && store::halted_for(ctx.store.conn(), &config.namespace)?.is_none() {
        // Candidates: what this run opened or found open again, never a destroy.
        let candidates: Vec<i64> = store::proposals::list(
            ctx.store.conn(),
            &ProposalFilter {
                repo: Some(&config.name),
                namespace: Some(&config.namespace),
                ..Default::default()
            },
        )?
        .into_iter()
        .filter(|p| p.change != Change::Destroy)
        .filter(|p| !apply::recovery_exhausted(ctx.store.conn(), p))
        .filter(|p| proposed.opened.contains(&p.id) || proposed.kept.contains(&p.id))
        .map(|p| p.id)
        .collect();
        for outcome in apply::apply_all(&mut ctx.store, &candidates, &Applier::Auto, now)? {
            if outcome.applied {
                run.auto_applied.push(outcome.id);
            } else if outcome.status == ProposalStatus::PendingReview {
                run.failed.push(outcome.id);
            }
        }
    }
    let mut problems: Vec<String> = plan.conflicts.clone();
    problems.extend(proposed.conflicts.iter().cloned());
    problems.extend(desired_warnings);
    if proposed.remaining > 0 {
        problems.push(format!(
            "proposal cap reached: {} diff(s) left for the next runs",
            proposed.remaining
        ));
    }
    if !run.failed.is_empty() {
        problems.push(format!(
            "{} auto-apply(s) failed and wait for review",
            run.failed.len()
        ));
    }
    run.status = if problems.is_empty() {
        RunStatus::Success
    } else {
        RunStatus::Partial
    };
    if !problems.is_empty() {
        run.error = Some(problems.join("; "));
    }
    if problems.is_empty() && store::proposals::open_count(ctx.store.conn(), &config.name)? == 0 {
        ctx.store
            .write(|tx| store::repos::set_applied(tx, &name, &commit))?;
    }
    Ok(())
}

/// Fetch the repo's ref into its mirror; returns the mirror and the commit.
/// The caller holds the repo's lock.
pub fn fetch(
    ctx: &Context,
    config: &RepoConfig,
    log: &mut dyn FnMut(&str),
) -> Result<(Mirror, String), ReconcileError> {
    fetch_mirror(ctx, config, log).map(|f| (f.mirror, f.commit))
}

/// A mirror just fetched, and what a later repair needs.
struct FetchedMirror {
    mirror: Mirror,
    commit: String,
    remote: Remote,
    /// Rebuilt during this run already: a run rebuilds at most once.
    rebuilt: bool,
}

fn fetch_mirror(
    ctx: &Context,
    config: &RepoConfig,
    log: &mut dyn FnMut(&str),
) -> Result<FetchedMirror, ReconcileError> {
    let remote = ctx.remote(config)?;
    let path = ctx.mirror_path(config);
    let name = &config.name;
    let source_err = |source| ReconcileError::Source {
        repo: config.name.clone(),
        source,
    };
    log(&format!(
        "{name}: fetching {} from {}",
        config.git_ref, config.url
    ));
    let mirror = Mirror::open_or_init(&path).map_err(source_err)?;
    // Under the repo's lock no other gitsync fetches here, so git's lock
    // files in the mirror are all left over from a fetch that was killed.
    for file in mirror.remove_leftovers().map_err(source_err)? {
        log(&format!(
            "{name}: removed the stale {file} from the mirror (left by a fetch that was killed)"
        ));
    }
    let fetched = match mirror.fetch(&remote) {
        Ok(fetched) => fetched,
        Err(e) if e.may_be_mirror_damage() => match mirror.damage() {
            Some(why) => {
                log(&format!(
                    "{name}: the fetch failed ({e}) and the mirror is damaged ({why}); rebuilding it"
                ));
                let fetched = mirror.rebuild(&remote).map_err(source_err)?;
                log(&format!("{name}: rebuilt the mirror at {}", fetched.commit));
                return Ok(FetchedMirror {
                    mirror,
                    commit: fetched.commit,
                    remote,
                    rebuilt: true,
                });
            }
            None => return Err(source_err(e)),
        },
        Err(e) => return Err(source_err(e)),
    };
    log(&format!(
        "{name}: {} at {}{}",
        config.git_ref,
        fetched.commit,
        if fetched.transferred {
            ""
        } else {
            " (unchanged, nothing transferred)"
        }
    ));
    let mut done = FetchedMirror {
        mirror,
        commit: fetched.commit,
        remote,
        rebuilt: false,
    };
    if fetched.transferred && pack_count(&path) > max_packs() {
        // gix does not repack: every fetch that brings something adds a
        // pack. Past the limit, fetch a fresh shallow mirror beside the old
        // one and swap them, so a failure keeps the last good mirror.
        log(&format!(
            "{name}: {} packs in the mirror; rebuilding it",
            pack_count(&path)
        ));
        if let Ok(fresh) = done.mirror.rebuild(&done.remote) {
            done.commit = fresh.commit;
            done.rebuilt = true;
        }
    }
    Ok(done)
}

/// Packs in a mirror before it is rebuilt (env `GITSYNC_MIRROR_MAX_PACKS`).
fn max_packs() -> usize {
    crate::limits::mirror_max_packs()
}

fn pack_count(mirror: &Path) -> usize {
    std::fs::read_dir(mirror.join("objects/pack"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
                .count()
        })
        .unwrap_or(0)
}

/// The mirror as last fetched, without touching the network.
pub fn offline(ctx: &Context, config: &RepoConfig) -> Result<(Mirror, String), ReconcileError> {
    // No credentials needed: nothing goes over the network.
    let git_ref = git_ref_of(config)?;
    let source_err = |source| ReconcileError::Source {
        repo: config.name.clone(),
        source,
    };
    let mirror = Mirror::open_or_init(&ctx.mirror_path(config)).map_err(source_err)?;
    let commit = mirror.resolve_local(&git_ref).map_err(source_err)?;
    Ok((mirror, commit))
}

/// The remote to fetch `config` from, with every credential reference
/// resolved (an error names the reference that does not resolve).
pub fn remote_of(config: &RepoConfig) -> Result<Remote, ReconcileError> {
    crate::validate::url(&config.url).map_err(|reason| ReconcileError::BadUrl {
        repo: config.name.clone(),
        reason,
    })?;
    let mut remote = Remote::new(&config.url, git_ref_of(config)?);
    let s = &config.settings;
    let credentials = |source| ReconcileError::Credentials {
        repo: config.name.clone(),
        source,
    };
    let reference = |text: &Option<String>, flag: &str| {
        text.as_deref()
            .map(|t| Reference::parse(t, flag))
            .transpose()
            .map_err(credentials)
    };
    let host_file = |flag, path: &Option<String>, max| {
        let checked = |path: &String| {
            crate::hostfile::check(Path::new(path), max)
                .map(|()| PathBuf::from(path))
                .map_err(|source| ReconcileError::HostFile {
                    repo: config.name.clone(),
                    flag,
                    source,
                })
        };
        path.as_ref().map(checked).transpose()
    };
    if s.full_history {
        remote.depth = None;
    }
    if let Some(secs) = s.fetch_timeout {
        remote.limits.timeout = Duration::from_secs(secs);
    }
    remote.ca_file = host_file("--ca-file", &s.ca_file, crate::hostfile::MAX_CA_FILE)?;
    if let Some(pass) = reference(&s.password, "--password")? {
        // A token alone is common; forges accept any user name with it.
        let username = match reference(&s.username, "--username")? {
            Some(user) => user.resolve().map_err(credentials)?,
            None => Secret::new(DEFAULT_TOKEN_USER),
        };
        remote.auth = Auth::Basic {
            username,
            password: pass.resolve().map_err(credentials)?,
        };
    }
    let key = reference(&s.ssh_key, "--ssh-key")?;
    let passphrase = reference(&s.ssh_passphrase, "--ssh-passphrase")?;
    if key.is_some() || s.known_hosts.is_some() {
        let key = match key {
            Some(r) => {
                // Read even a key file once, to fail early if it cannot be.
                let material = r.resolve_raw().map_err(credentials)?;
                Some(match r {
                    Reference::File(path) => SshKey::File(path),
                    Reference::Env(_) => SshKey::Material(material),
                })
            }
            None => None,
        };
        if let Some(p) = &passphrase {
            // Resolved here only to fail early; ssh's askpass helper reads it.
            p.resolve().map_err(credentials)?;
        }
        remote.auth = Auth::Ssh(SshAuth {
            key,
            passphrase,
            known_hosts: host_file(
                "--known-hosts",
                &s.known_hosts,
                crate::hostfile::MAX_KNOWN_HOSTS,
            )?,
        });
    }
    Ok(remote)
}

/// The ref a repo follows.
fn git_ref_of(config: &RepoConfig) -> Result<GitRef, ReconcileError> {
    GitRef::parse(&config.git_ref).map_err(|reason| ReconcileError::BadRef {
        repo: config.name.clone(),
        reason,
    })
}

/// Read the layout at `commit` and diff it against the live state.
/// Returns the plan and the layout's warnings.
pub fn read_plan(
    ctx: &Context,
    config: &RepoConfig,
    mirror: &Mirror,
    commit: &str,
) -> Result<(Plan, Vec<String>), ReconcileError> {
    let desired = read_desired(ctx, config, mirror, commit)?;
    let live = live_of(ctx.store.conn(), &config.namespace)?;
    let plan = diff::plan(&config.name, &config.namespace, &desired, &live);
    Ok((plan, desired.warnings))
}

/// The live resources of a namespace.
fn live_of(
    conn: &rusqlite::Connection,
    namespace: &str,
) -> Result<Vec<store::LiveResource>, StoreError> {
    store::resources::list(
        conn,
        &LiveFilter {
            namespace: Some(namespace),
            ..Default::default()
        },
    )
}

/// What the repo declares at `commit`: its files read and parsed by its
/// layout (references checked against the live names as they are now).
pub fn read_desired(
    ctx: &Context,
    config: &RepoConfig,
    mirror: &Mirror,
    commit: &str,
) -> Result<crate::model::DesiredState, ReconcileError> {
    let files = mirror
        .files(commit, &config.path)
        .map_err(|source| ReconcileError::Source {
            repo: config.name.clone(),
            source,
        })?;
    let live = live_of(ctx.store.conn(), &config.namespace)?;
    let mut names = LiveNames::default();
    for r in &live {
        names.insert(&r.key.kind, &r.key.name);
    }
    let options = LayoutOptions {
        repo: config.name.clone(),
        compile: config.settings.compile.clone(),
        // Shared by all repos: entries are keyed by blob id and command.
        compile_cache: Some(ctx.cache_dir.join("compiled")),
        compile_timeout: compile_timeout(),
        catalog: config.settings.catalog.clone(),
        allow_package_sources: config.settings.allow_package_sources.clone(),
        scrub_env: store::repos::credential_env_vars(ctx.store.conn())?,
    };
    let desired = layout::parse(config.layout, &files, &names, &options).map_err(|source| {
        ReconcileError::Layout {
            repo: config.name.clone(),
            source,
        }
    })?;
    Ok(desired)
}

/// How long a `--compile` command may run: `GITSYNC_COMPILE_TIMEOUT`
/// seconds, else [`layout::DEFAULT_COMPILE_TIMEOUT`].
fn compile_timeout() -> Duration {
    crate::limits::compile_timeout()
}

/// A due time later than any schedule could set (the longest backoff plus
/// jitter) means the clock went back since it was set, say a host that
/// booted with a wrong clock: the repo is due now rather than in years.
fn beyond_schedule(config: &RepoConfig, due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let longest = config.interval.max(MAX_BACKOFF_SECS).saturating_add(60);
    due > limits::add_secs(now, i64::try_from(longest).unwrap_or(i64::MAX))
}

/// The next time a repo is due: now + its delay (see [`retry_delay`]) + a
/// random jitter of up to 60 s (at most a quarter of the interval), so that
/// many hosts started by the same timer do not hit one git server together.
pub fn next_due(config: &RepoConfig, now: DateTime<Utc>, failures: u64) -> DateTime<Utc> {
    let max_jitter = max_jitter(config.interval);
    let jitter = if max_jitter == 0 {
        0
    } else {
        random_u64()
            .checked_rem(max_jitter.saturating_add(1))
            .unwrap_or(0)
    };
    let delay = retry_delay(config.interval, failures).saturating_add(jitter);
    limits::add_secs(now, i64::try_from(delay).unwrap_or(i64::MAX))
}

/// The largest jitter added to a repo's next-due time: a quarter of the
/// interval, at most 60 s.
pub fn max_jitter(interval: u64) -> u64 {
    (interval / 4).min(60)
}

/// Seconds until a repo is due again after `failures` failed runs in a row:
/// the interval while it succeeds, then interval × 2^(failures-1), capped at
/// an hour (or at the interval, when that is longer). A repo whose server
/// is down is retried on its own rhythm, not hammered every minute, and a
/// fixed repo is back to its interval after its first good run.
pub fn retry_delay(interval: u64, failures: u64) -> u64 {
    let cap = interval.max(MAX_BACKOFF_SECS);
    let doublings = failures.saturating_sub(1).min(32) as u32;
    interval.saturating_mul(1u64 << doublings).min(cap)
}

fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Errors in runs are stored on one line.
fn one_line(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            // "3 validation errors:" introduces a list: no ";" after it.
            out.push_str(if out.ends_with(':') { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

/// Apply the retention policy to every repo's runs now.
pub fn gc(
    store: &mut Store,
    now: DateTime<Utc>,
    retention: Retention,
    dry_run: bool,
) -> store::Result<u64> {
    store.write(|tx| retention.prune(tx, now, None, dry_run))
}

/// The cache folder default: beside the state file.
pub fn default_cache_dir(state: &Path) -> PathBuf {
    state.parent().unwrap_or(Path::new(".")).join("cache")
}
