//! The command line: global options, the command tree, and the context every
//! command runs in (state file, cache folder, clock, output).

mod apply;
mod diff;
mod error;
mod events;
mod gc;
mod get;
mod halt;
mod history;
mod json;
mod meta;
mod proposals;
mod redact;
mod repo;
mod runs;
mod status;
mod sync;
mod ui;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use error::{CmdResult, CommandError, Exit};
use gitsync::limits;
use gitsync::reconcile::{self, Context};
use gitsync::store::{Store, StoreError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use ui::{ColorChoice, Format, Ui};

/// A GitOps reconciler: a git repository declares the desired state, a local
/// SQLite file holds the live state, and every difference becomes an audited
/// proposal, applied after approval or automatically for trusted repos.
#[derive(Debug, Parser)]
#[command(name = "gitsync", version, max_term_width = 100)]
#[command(
    after_help = "Run 'gitsync man' or 'gitsync --help' for the full manual. Environment: \
GITSYNC_STATE, GITSYNC_CACHE_DIR, GITSYNC_METRICS_FILE, GITSYNC_MAX_PROPOSALS_PER_RUN, \
GITSYNC_KEEP_SUCCESS_DAYS, GITSYNC_KEEP_FAILED_DAYS, GITSYNC_NOW (testing aid), NO_COLOR.",
    after_long_help = AFTER_LONG_HELP
)]
pub struct Cli {
    /// The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]
    // GITSYNC_STATE is read by hand: an empty value means unset, as for
    // the other GITSYNC_* variables, instead of clap's "value required".
    #[arg(long, global = true, value_name = "PATH")]
    state: Option<PathBuf>,
    /// Output format: tables for people, JSON or YAML for scripts (on stdout only)
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = Format::Table)]
    output: Format,
    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print nothing but results and errors
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Print details of what was fetched, parsed and decided (on stderr)
    #[arg(short, long, global = true)]
    verbose: bool,
    /// After each sync, write Prometheus metrics to PATH (atomically), for node_exporter's textfile collector
    #[arg(long, global = true, env = "GITSYNC_METRICS_FILE", value_name = "PATH")]
    metrics_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(subcommand)]
    Repo(Box<repo::RepoCommand>),
    Sync(sync::Args),
    Diff(diff::Args),
    #[command(subcommand)]
    Proposals(proposals::ProposalsCommand),
    Apply(apply::Args),
    Status(status::Args),
    Runs(runs::Args),
    Get(get::Args),
    History(history::Args),
    Events(events::Args),
    Halt(halt::HaltArgs),
    Unhalt(halt::UnhaltArgs),
    Gc(gc::Args),
    Completions(meta::CompletionsArgs),
    Man(meta::ManArgs),
}

/// The end of `gitsync --help` and the man page: running gitsync from a
/// timer, monitoring it, and its environment. Indented lines are shown as
/// they are; the others are filled into paragraphs in the man page.
const AFTER_LONG_HELP: &str = "\
Scheduling:

Run 'gitsync sync -q' every minute. Without names it syncs only the repos that
are due: a repo is due its --interval seconds after its last sync began, plus a
random jitter of up to 60 seconds (at most a quarter of the interval) so that many
hosts do not hit one git server together. After its n-th failed run in a row a repo
waits interval x 2^(n-1) instead, at most an hour (or its interval, when longer),
so that a broken server is not hammered; its first good run restores the interval.
'gitsync sync NAME...' and 'gitsync sync --all' sync at once; paused repos only
with --force.

From cron (crontab -e):

    * * * * * gitsync sync -q

From a systemd timer, with the units of contrib/systemd/ installed in
/etc/systemd/system/:

    systemctl daemon-reload
    systemctl enable --now gitsync.timer
    systemctl list-timers gitsync.timer
    journalctl -u gitsync.service

Monitoring:

'gitsync status --exit-code' exits 3 when any repo is not in-sync. With
--metrics-file PATH (env GITSYNC_METRICS_FILE) each sync writes, atomically, the
health and last run of every repo in the Prometheus text format for node_exporter's
textfile collector, e.g. /var/lib/node_exporter/textfile_collector/gitsync.prom.

Retention:

Runs are kept 90 days when successful and 365 days when failed or partial, and the
newest run of each repo is always kept. 'gitsync gc' applies this to every repo; each
sync applies it to the repos it synced. Both take --keep-success-days and
--keep-failed-days (env GITSYNC_KEEP_SUCCESS_DAYS, GITSYNC_KEEP_FAILED_DAYS).

Environment:

    GITSYNC_STATE                  the state file (--state)
    GITSYNC_CACHE_DIR              the git mirrors' folder
    GITSYNC_METRICS_FILE           the metrics file (--metrics-file)
    GITSYNC_MAX_PROPOSALS_PER_RUN  'repo add --max-proposals' default (0-1000000)
    GITSYNC_KEEP_SUCCESS_DAYS      --keep-success-days (default 90; 1-36500)
    GITSYNC_KEEP_FAILED_DAYS       --keep-failed-days (default 365; 1-36500)
    GITSYNC_LOCK_WAIT              seconds to wait for a busy repo (5; 0-3600)
    GITSYNC_MIRROR_MAX_PACKS       packs before a mirror is rebuilt (50; 1-10000)
    GITSYNC_COMPILE_TIMEOUT        seconds a --compile command may run (60; 1-86400)
    GITSYNC_MAX_REFS_BYTES         most a remote's ref list may take (32MiB; 64KiB-4GiB)
    GITSYNC_MAX_PACK_BYTES         most one fetched pack may take (1GiB; 1MiB-1TiB)
    GITSYNC_NOW                    testing aid: \"now\", as RFC 3339
    NO_COLOR                       no colour

A value outside its range, in a flag or a variable, is a usage error (exit 2)
that names the setting, the value and the range.

GITSYNC_NOW fixes the clock for one invocation, so that tests and rehearsals can
move time without sleeping, e.g.:

    GITSYNC_NOW=2024-01-01T00:10:00Z gitsync sync
    GITSYNC_NOW=2024-01-01T01:00:00Z gitsync status --exit-code";

/// What every command gets: output, and the state file opened on demand.
pub struct Ctx {
    pub ui: Ui,
    state: PathBuf,
    cache_dir: PathBuf,
    pub now: DateTime<Utc>,
    pub actor: String,
    /// Where `sync` writes its metrics, if anywhere.
    pub metrics_file: Option<PathBuf>,
    /// Whether opening may create the state file (`repo add` only).
    pub create_state: bool,
    /// A command that only reads: it may fall back to a read-only state file.
    reading: bool,
    context: Option<Context>,
}

impl Ctx {
    /// The reconcile context (state file opened and migrated on first use).
    pub fn open(&mut self) -> CmdResult<&mut Context> {
        if self.context.is_none() {
            let store = if self.create_state {
                Store::open(&self.state)?
            } else {
                match Store::open_existing(&self.state) {
                    // A reading command works on a state file it cannot
                    // write (a read-only copy or mount), writing nothing.
                    // Only that: any other failure (busy, corrupt) is
                    // reported, never hidden behind a read-only view.
                    Err(e @ StoreError::ReadOnly { .. }) if self.reading => {
                        Store::open_read_only(&self.state).map_err(|_| e)?
                    }
                    other => other?,
                }
            };
            if !store.is_read_only() && !self.cache_dir.exists() {
                // Mirrors hold repository content: private like the state file.
                use std::os::unix::fs::DirBuilderExt;
                let _ = std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.cache_dir);
            }
            let mut context = Context {
                store,
                cache_dir: self.cache_dir.clone(),
                now: self.now,
                actor: self.actor.clone(),
                lock_wait: lock_wait()?,
                retention: Default::default(),
                started: Instant::now(),
                limits: gitsync::source::Limits::from_env().map_err(CommandError::usage)?,
            };
            if !context.store.is_read_only() {
                context.recover_interrupted()?;
            }
            self.context = Some(context);
        }
        Ok(self.context.as_mut().expect("just opened"))
    }

    pub fn store(&mut self) -> CmdResult<&mut Store> {
        Ok(&mut self.open()?.store)
    }
}

/// `GITSYNC_LOCK_WAIT`: seconds to wait for a busy repo (default 5).
fn lock_wait() -> CmdResult<Duration> {
    match std::env::var("GITSYNC_LOCK_WAIT") {
        Ok(s) if !s.is_empty() => limits::LOCK_WAIT
            .parse_duration(&s)
            .map_err(CommandError::usage),
        _ => Ok(Duration::from_secs(5)),
    }
}

/// Who is acting, for reviews and audit events: `$USER`, `$LOGNAME`, else
/// the name of this process's user in /etc/passwd (cron and systemd often
/// set neither variable).
fn login_name() -> String {
    use std::os::unix::fs::MetadataExt;
    if let Some(name) = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
    {
        return name;
    }
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid.to_string()).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

fn default_state() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("gitsync").join("state.db")
}

/// "Now": the clock, or `GITSYNC_NOW` (RFC 3339) so tests can move time.
fn now() -> CmdResult<DateTime<Utc>> {
    match std::env::var("GITSYNC_NOW") {
        Ok(s) if !s.is_empty() => DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                CommandError::usage(format!(
                    "GITSYNC_NOW='{s}' is not an RFC 3339 timestamp: {e}"
                ))
            }),
        _ => Ok(Utc::now()),
    }
}

pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == gitsync::process::GUARD_ARG)
    {
        return gitsync::process::guard_main(&args[2..]);
    }
    if let Ok(exe) = std::env::current_exe() {
        gitsync::process::use_guard(exe);
    }
    // A stop signal lets a sync record why it stopped; a second one ends it.
    let _ = gitsync::interrupt::install();
    // No error repeats an argument that looks like a pasted secret.
    let redactor = redact::Redactor::new(&args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return parse_error(e, &redactor),
    };
    let ui = Ui::new(cli.output, cli.color, cli.quiet, cli.verbose);
    let exit = match run(cli, ui) {
        Ok(exit) => exit,
        Err(e) => {
            if ui::stdout_closed() {
                return ExitCode::SUCCESS;
            }
            ui::error_line("error", &redactor.redact(&e.message));
            if let Some(hint) = &e.hint {
                ui::error_line("hint", &redactor.redact(hint));
            }
            e.exit
        }
    };
    ExitCode::from(exit as u8)
}

/// clap's usage errors quote what was typed: shown through the sanitiser
/// like every other message (help and version are clap's own text).
fn parse_error(e: clap::Error, redactor: &redact::Redactor) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let text = match redactor.redact(&e.render().to_string()) {
        hidden if hidden == redact::HIDDEN => {
            format!("error: the command line is not valid; {hidden}\n")
        }
        text => text,
    };
    let _ = write!(
        std::io::stderr().lock(),
        "{}",
        gitsync::text::escape_block(&text)
    );
    ExitCode::from(Exit::Usage as u8)
}

fn run(cli: Cli, ui: Ui) -> CmdResult {
    limits::check_env().map_err(CommandError::usage)?;
    let state = cli
        .state
        .clone()
        .or_else(|| {
            std::env::var_os("GITSYNC_STATE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(default_state);
    let cache_dir = std::env::var_os("GITSYNC_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| reconcile::default_cache_dir(&state));
    let mut ctx = Ctx {
        ui,
        state,
        cache_dir,
        now: now()?,
        actor: login_name(),
        metrics_file: cli.metrics_file.clone(),
        create_state: false,
        reading: is_reading(&cli.command),
        context: None,
    };
    let exit = match cli.command {
        Command::Repo(cmd) => repo::run(&mut ctx, *cmd),
        Command::Sync(args) => sync::run(&mut ctx, args),
        Command::Diff(args) => diff::run(&mut ctx, args),
        Command::Proposals(cmd) => proposals::run(&mut ctx, cmd),
        Command::Apply(args) => apply::run(&mut ctx, args),
        Command::Status(args) => status::run(&mut ctx, args),
        Command::Runs(args) => runs::run(&mut ctx, args),
        Command::Get(args) => get::run(&mut ctx, args),
        Command::History(args) => history::run(&mut ctx, args),
        Command::Events(args) => events::run(&mut ctx, args),
        Command::Halt(args) => halt::halt(&mut ctx, args),
        Command::Unhalt(args) => halt::unhalt(&mut ctx, args),
        Command::Gc(args) => gc::run(&mut ctx, args),
        Command::Completions(args) => meta::completions(&mut ctx, args),
        Command::Man(args) => meta::man(&mut ctx, args),
    }?;
    ctx.ui.flush()?;
    Ok(exit)
}

/// The commands that never write the state file.
fn is_reading(command: &Command) -> bool {
    match command {
        Command::Status(_)
        | Command::Runs(_)
        | Command::Get(_)
        | Command::History(_)
        | Command::Events(_) => true,
        Command::Proposals(p) => matches!(
            p,
            proposals::ProposalsCommand::List(_) | proposals::ProposalsCommand::Show(_)
        ),
        _ => false,
    }
}

pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

pub const OK: CmdResult = Ok(Exit::Success);
