//! `gitsync repo add`: register a repo after checking its settings and,
//! unless `--no-verify`, that the remote answers and the ref exists.

use super::super::error::{CmdResult, CommandError};
use super::super::{Ctx, OK};
use gitsync::credentials::Reference;
use gitsync::hostfile;
use gitsync::limits;
use gitsync::model::{
    DEFAULT_INTERVAL, DEFAULT_MAX_PROPOSALS, DEFAULT_NAMESPACE, LayoutKind, PackageSource,
    RepoConfig, RepoSettings,
};
use gitsync::reconcile;
use gitsync::source::{Mirror, SourceError};
use gitsync::store;
use gitsync::validate;

/// Register a repo: where desired state comes from and how it is reconciled
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name of the repo: 1-63 of a-z 0-9 . _ -
    pub name: String,
    /// https://, http://, ssh://, user@host:path, git://, file:// or a local path (never with credentials in it)
    pub url: String,
    #[command(flatten)]
    pub settings: Box<SettingsArgs>,
    /// Register without asking the remote whether it answers and the ref exists
    #[arg(long)]
    pub no_verify: bool,
}

/// The flags `repo add` and `repo set` share.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SettingsArgs {
    /// Branch to follow (default main), tag:NAME, or commit:SHA to pin
    #[arg(long = "ref", value_name = "REF", allow_hyphen_values = true)]
    pub git_ref: Option<String>,
    /// Folder in the repo to read (relative, no '..')
    #[arg(long, value_name = "DIR")]
    pub path: Option<String>,
    /// How the repo declares resources [default: fleet]
    #[arg(long, value_parser = ["fleet", "manifests", "nodered"])]
    pub layout: Option<String>,
    /// Namespace the repo's resources live in [default: default]
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Seconds between scheduled syncs, 60 to 31536000 (a year) [default: 300]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = |s: &str| limits::INTERVAL.parse_value(s))]
    pub interval: Option<u64>,
    /// Apply creates and updates without review (destroys always wait)
    #[arg(long)]
    pub auto_apply: bool,
    /// New proposals one run may open, 0 to 1000000; 0 = no cap [default: 25, env GITSYNC_MAX_PROPOSALS_PER_RUN]
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = |s: &str| limits::MAX_PROPOSALS.parse_value(s))]
    pub max_proposals: Option<u64>,
    /// Register it paused: no scheduled syncs until resumed
    #[arg(long)]
    pub paused: bool,
    /// Username for http(s), as env:VAR or file:/PATH (never the value itself)
    #[arg(long, value_name = "SECRET", value_parser = SecretReference, allow_hyphen_values = true)]
    pub username: Option<String>,
    /// Password or access token for http(s), as env:VAR or file:/PATH
    #[arg(long, value_name = "SECRET", value_parser = SecretReference, allow_hyphen_values = true)]
    pub password: Option<String>,
    /// Private key for ssh, as env:VAR (the key's text) or file:/PATH
    #[arg(long, value_name = "SECRET", value_parser = SecretReference, allow_hyphen_values = true)]
    pub ssh_key: Option<String>,
    /// Passphrase of the ssh key, as env:VAR or file:/PATH
    #[arg(long, value_name = "SECRET", value_parser = SecretReference, allow_hyphen_values = true)]
    pub ssh_passphrase: Option<String>,
    /// known_hosts file that pins the ssh server's host key [default: ~/.ssh/known_hosts]
    #[arg(long, value_name = "PATH")]
    pub known_hosts: Option<String>,
    /// PEM file of CA certificates to trust for https (e.g. a company CA)
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Fetch the full history instead of only the commit the ref points at
    #[arg(long)]
    pub full_history: bool,
    /// Turn matching files into JSON resources with COMMAND (manifests layout; repeatable)
    #[arg(long, value_name = "GLOB=COMMAND")]
    pub compile: Vec<String>,
    /// Run COMMAND (no shell; the change as JSON on stdin) when applying a change of KIND, or of any kind with *; a failure rolls the apply back (repeatable; on set, replaces the list)
    #[arg(long, value_name = "KIND=COMMAND")]
    pub apply_hook: Vec<String>,
    /// Seconds an apply hook may run before it is killed and the apply rolled back, 1 to 86400 [default: 300]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = |s: &str| limits::HOOK_TIMEOUT.parse_value(s))]
    pub hook_timeout: Option<u64>,
    /// Failed apply attempts recovery makes before it stops and waits for re-approval, 1 to 100 [default: 3]
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = |s: &str| limits::MAX_ATTEMPTS.parse_value(s))]
    pub max_attempts: Option<u64>,
    /// Seconds one fetch or check of the remote may take in all, 10 to 86400 [default: 300]
    #[arg(long, value_name = "SECS", value_parser = |s: &str| limits::FETCH_TIMEOUT.parse_value(s))]
    pub fetch_timeout: Option<u64>,
    /// Node catalog in Node-RED's .config.nodes.json format (nodered layout)
    #[arg(long, value_name = "PATH")]
    pub catalog: Option<String>,
    /// Let package.json install packages from SOURCE, not only the npm registry: git, url (tarballs), file (local paths) or alias (npm:other@1.2.3); each runs code the repository picks (nodered layout; repeatable; on set, replaces the list, and none clears it)
    #[arg(long, value_name = "SOURCE", value_parser = ["git", "url", "file", "alias", "none"])]
    pub allow_package_source: Vec<String>,
}

/// The value parser of the secret flags. clap's own message for a bad value
/// repeats it ("invalid value '…' for '--password'"), and a bad reference
/// is most likely the secret itself: this one says what a reference looks
/// like and nothing else. Hyphen values are taken (`--ssh-key "$(cat key)"`
/// starts with `-----BEGIN`), so clap does not echo them as unknown flags.
#[derive(Debug, Clone, Copy)]
pub struct SecretReference;

impl clap::builder::TypedValueParser for SecretReference {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let flag = arg
            .and_then(clap::Arg::get_long)
            .map_or_else(|| "this option".to_string(), |l| format!("--{l}"));
        let malformed = || {
            let e = gitsync::credentials::CredentialError::Malformed { flag: flag.clone() };
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
                .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(malformed)?;
        // `repo set --password ''` forgets the reference.
        if text.is_empty() {
            return Ok(String::new());
        }
        Reference::parse(text, &flag)
            .map(|r| r.to_string())
            .map_err(|_| malformed())
    }
}

impl SettingsArgs {
    /// Apply the given flags to `config`, validating each.
    pub fn apply_to(&self, config: &mut RepoConfig, is_set: bool) -> CmdResult<()> {
        let bad = CommandError::usage;
        if let Some(r) = &self.git_ref {
            gitsync::source::GitRef::parse(r)
                .map_err(|e| bad(format!("invalid --ref '{r}': {e}")))?;
            config.git_ref = r.clone();
        }
        if let Some(p) = &self.path {
            config.path = validate::repo_path(p).map_err(bad)?;
        }
        if let Some(l) = &self.layout {
            config.layout =
                LayoutKind::parse(l).ok_or_else(|| bad(format!("unknown layout '{l}'")))?;
        }
        if let Some(ns) = &self.namespace {
            validate::namespace(ns).map_err(bad)?;
            config.namespace = ns.clone();
        }
        if let Some(i) = self.interval {
            config.interval = i;
        }
        if self.auto_apply {
            config.auto_apply = true;
        }
        if let Some(n) = self.max_proposals {
            config.max_proposals = n as u32;
        }
        if self.paused && !is_set {
            config.paused = true;
        }
        if !self.apply_hook.is_empty() {
            let mut hooks = Vec::new();
            for spec in &self.apply_hook {
                let (kind, _) = gitsync::hooks::parse_spec(spec)
                    .map_err(|e| bad(format!("invalid --apply-hook: {e}")))?;
                let command = spec
                    .split_once('=')
                    .map(|(_, c)| c.trim().to_string())
                    .unwrap_or_default();
                hooks.push((kind, command));
            }
            config.settings.apply_hooks = hooks;
        }
        if let Some(t) = self.hook_timeout {
            config.settings.hook_timeout = Some(t);
        }
        if let Some(n) = self.max_attempts {
            config.settings.max_attempts = Some(n as u32);
        }
        if let Some(secs) = self.fetch_timeout {
            config.settings.fetch_timeout = Some(secs);
        }
        if self.full_history {
            config.settings.full_history = true;
        }
        let s = &mut config.settings;
        reference("--username", &self.username, &mut s.username)?;
        reference("--password", &self.password, &mut s.password)?;
        reference("--ssh-key", &self.ssh_key, &mut s.ssh_key)?;
        reference(
            "--ssh-passphrase",
            &self.ssh_passphrase,
            &mut s.ssh_passphrase,
        )?;
        file(
            "--known-hosts",
            &self.known_hosts,
            hostfile::MAX_KNOWN_HOSTS,
            &mut s.known_hosts,
        )?;
        file(
            "--ca-file",
            &self.ca_file,
            hostfile::MAX_CA_FILE,
            &mut s.ca_file,
        )?;
        if !self.compile.is_empty() {
            if config.layout != LayoutKind::Manifests {
                return Err(bad(format!(
                    "--compile applies to the manifests layout only; repo '{}' uses '{}'",
                    config.name,
                    config.layout.as_str()
                )));
            }
            config.settings.compile = self
                .compile
                .iter()
                .map(|rule| gitsync::layout::manifests::parse_compile_rule(rule))
                .collect::<Result<_, _>>()
                .map_err(bad)?;
        }
        // A misspelt kind would make a hook that silently never fires.
        let kinds: &[&str] = match config.layout {
            LayoutKind::Fleet => &[
                "template",
                "module",
                "assignment",
                "pool",
                "platform",
                "fleet",
            ],
            LayoutKind::Nodered => &["flow", "subflow", "config", "package"],
            LayoutKind::Manifests => &[],
        };
        for (kind, _) in &config.settings.apply_hooks {
            if kind != "*" && !kinds.is_empty() && !kinds.contains(&kind.as_str()) {
                return Err(bad(format!(
                    "invalid --apply-hook: the {} layout has no kind '{kind}' that is applied; use one of {} or *",
                    config.layout.as_str(),
                    kinds.join(", ")
                )));
            }
        }
        if let Some(path) = &self.catalog {
            config.settings.catalog = Some(catalog_path(path)?);
        }
        if config.settings.catalog.is_some() && config.layout != LayoutKind::Nodered {
            return Err(bad(format!(
                "--catalog is for the nodered layout, not '{}'",
                config.layout.as_str()
            )));
        }
        if !self.allow_package_source.is_empty() {
            config.settings.allow_package_sources = package_sources(&self.allow_package_source)?;
        }
        if !config.settings.allow_package_sources.is_empty() && config.layout != LayoutKind::Nodered
        {
            return Err(bad(format!(
                "--allow-package-source is for the nodered layout, not '{}'",
                config.layout.as_str()
            )));
        }
        Ok(())
    }
}

/// The `--allow-package-source` values as a sorted set; `none` alone
/// clears it (clap has checked each value).
fn package_sources(given: &[String]) -> CmdResult<Vec<PackageSource>> {
    if given.iter().any(|s| s == "none") {
        if given.len() > 1 {
            return Err(CommandError::usage(
                "--allow-package-source none clears the list; give it alone".to_string(),
            ));
        }
        return Ok(Vec::new());
    }
    let mut sources: Vec<PackageSource> = given
        .iter()
        .filter_map(|s| PackageSource::parse(s))
        .collect();
    sources.sort();
    sources.dedup();
    Ok(sources)
}

/// Store a credential reference (never a value); an empty value (with
/// `repo set`) forgets it.
fn reference(flag: &str, given: &Option<String>, slot: &mut Option<String>) -> CmdResult<()> {
    match given.as_deref() {
        None => {}
        Some("") => *slot = None,
        Some(text) => {
            let parsed = Reference::parse(text, flag)
                .map_err(|e| CommandError::usage(format!("invalid {flag}: {e}")))?;
            *slot = Some(parsed.to_string());
        }
    }
    Ok(())
}

/// Store a file setting as an absolute path to a regular file of at most
/// `max` bytes now (cron may start gitsync in another folder; each sync
/// checks it again); an empty value forgets it.
fn file(flag: &str, given: &Option<String>, max: u64, slot: &mut Option<String>) -> CmdResult<()> {
    match given.as_deref() {
        None => {}
        Some("") => *slot = None,
        Some(text) => {
            let path = std::path::absolute(text)
                .map_err(|e| CommandError::usage(format!("invalid {flag} '{text}': {e}")))?;
            hostfile::check(&path, max)
                .map_err(|e| CommandError::usage(format!("invalid {flag}: {e}")))?;
            *slot = Some(path.display().to_string());
        }
    }
    Ok(())
}

/// An absolute path to a readable node catalog: syncs run from cron or
/// systemd in another folder, so a relative path is resolved now.
fn catalog_path(path: &str) -> CmdResult<String> {
    let bad = |why: String| {
        CommandError::usage(format!("invalid --catalog '{path}': {why}"))
            .with_hint("give a file in the format of Node-RED's .config.nodes.json")
    };
    let absolute = std::path::absolute(path).map_err(|e| bad(e.to_string()))?;
    // The cap every sync applies: what is accepted here is accepted there.
    let bytes = hostfile::read(&absolute, hostfile::MAX_CATALOG).map_err(|e| bad(e.to_string()))?;
    let value = gitsync::layout::nodered::parse_json(&bytes).map_err(bad)?;
    gitsync::layout::nodered::Catalog::from_json(&value).map_err(|problems| {
        bad(problems
            .into_iter()
            .map(|(at, why)| {
                if at.is_empty() {
                    why
                } else {
                    format!("{at}: {why}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "))
    })?;
    Ok(absolute.display().to_string())
}

fn default_max_proposals() -> CmdResult<u32> {
    Ok(limits::MAX_PROPOSALS_ENV
        .from_env()
        .map_err(CommandError::usage)?
        .map_or(DEFAULT_MAX_PROPOSALS, |n| n as u32))
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    // The one command that may start a new state file.
    ctx.create_state = true;
    validate::repo_name(&args.name).map_err(CommandError::usage)?;
    validate::url(&args.url)
        .map_err(|e| CommandError::usage(format!("invalid URL for repo '{}': {e}", args.name)))?;
    let mut config = RepoConfig {
        name: args.name.clone(),
        url: args.url.clone(),
        git_ref: "main".into(),
        path: String::new(),
        layout: LayoutKind::Fleet,
        namespace: DEFAULT_NAMESPACE.into(),
        interval: DEFAULT_INTERVAL,
        auto_apply: false,
        max_proposals: default_max_proposals()?,
        paused: false,
        settings: RepoSettings::default(),
    };
    args.settings.apply_to(&mut config, false)?;
    check_credentials(&config)?;
    let now = ctx.now;
    let actor = ctx.actor.clone();
    if store::repos::get(ctx.store()?.conn(), &config.name)?.is_some() {
        return Err(
            CommandError::usage(format!("a repo named '{}' already exists", config.name))
                .with_hint(format!(
                    "use 'gitsync repo set {}' to change it",
                    config.name
                )),
        );
    }
    if args.no_verify {
        // Even then, every credential reference must resolve now.
        reconcile::remote_of(&config)?;
    } else {
        verify(ctx, &config)?;
    }
    ctx.store()?.write(|tx| -> gitsync::store::Result<()> {
        store::repos::insert(tx, &config, now)?;
        store::events::record(
            tx,
            now,
            &actor,
            "repo.added",
            Some(&config.name),
            None,
            Some(&config.url),
        )
    })?;
    ctx.ui.note(&format!(
        "added repo '{}' ({} {}, layout {})",
        config.name,
        config.url,
        config.git_ref,
        config.layout.as_str()
    ));
    if ctx.ui.json_mode() {
        let state = super::find(ctx, &config.name)?;
        ctx.ui.value(&super::super::json::repo(&state))?;
    }
    OK
}

/// Credentials must fit the URL's transport (see `validate::credentials`).
pub fn check_credentials(config: &RepoConfig) -> CmdResult<()> {
    validate::credentials(&config.url, &config.settings)
        .map_err(|e| CommandError::usage(format!("repo '{}': {e}", config.name)))
}

/// Check that every credential reference resolves, then ask the remote
/// whether it answers, accepts the credentials and has the ref. Each of
/// those failures has its own message and hint.
pub fn verify(ctx: &mut Ctx, config: &RepoConfig) -> CmdResult<()> {
    let context = ctx.open()?;
    let remote = context.remote(config)?;
    // Ask from a scratch repository, so that a repo that is never added
    // leaves nothing behind in the cache.
    std::fs::create_dir_all(&context.cache_dir)?;
    let scratch = tempfile::Builder::new()
        .prefix(".verify-")
        .tempdir_in(&context.cache_dir)?;
    let mirror = Mirror::open_or_init(scratch.path())
        .map_err(|e| CommandError::failure(format!("repo '{}': {e}", config.name)))?;
    mirror.probe(&remote).map_err(|e| {
        let hint = match &e {
            SourceError::RefNotFound { .. } => {
                "check --ref (a branch name, tag:NAME or commit:SHA)"
            }
            SourceError::AuthRefused { .. } => "check the credentials the references point to",
            SourceError::HostKey { .. } => {
                "pin the server's host key in the known_hosts file (--known-hosts)"
            }
            _ => "check the URL and that the server is up",
        };
        CommandError::failure(format!("repo '{}': verification failed: {e}", config.name))
            .with_hint(format!("{hint}, or pass --no-verify to register it anyway"))
    })?;
    Ok(())
}
